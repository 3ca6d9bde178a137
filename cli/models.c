/* models.c - opening the model a command names: a file, or a store
 * user's delta on its base (store.c), with the --contacts list given;
 * the dataset that reads messages as a model does, and its predictions. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ------------------------------------------------------------------ model */

const char *cli_contacts;
unsigned cli_create_memory;
int cli_create_layout = -1;

int contacts_open(spamlr_contacts **out, const char *path)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if ((err = spamlr_contacts_create(out)))
        return report_failure(err, NULL, NULL);
    if ((err = spamlr_contacts_read(*out, path, &d))) {
        spamlr_contacts_free(*out);
        *out = NULL;
        return report_failure(err, &d, path);
    }
    return 0;
}

/* model_open and model_open_to_predict: flags SPAMLR_LOAD_* (a store
 * user's model is read whole). */
static int open_flags(spamlr_model **m, const char *path, unsigned flags)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    err = store_owns(path) ? store_load(m, path, &d) : spamlr_model_load_ex(m, path, flags, &d);
    if (err != SPAMLR_OK) {
        *m = NULL;
        if (d.path[0] == '\0') /* make sure the message names the model */
            snprintf(d.path, sizeof d.path, "%s", path);
        return report_failure(err, &d, path);
    }
    if ((err = model_use_contacts(*m))) {
        spamlr_model_free(*m);
        *m = NULL;
        return err;
    }
    return 0;
}

int model_open(spamlr_model **m, const char *path)
{
    return open_flags(m, path, 0);
}

int model_open_to_predict(spamlr_model **m, const char *path)
{
    return open_flags(m, path, SPAMLR_LOAD_PREDICT);
}

int model_use_contacts(spamlr_model *m)
{
    static spamlr_contacts *over; /* cli_contacts, read once */
    int err = 0;

    if (cli_contacts && ((!over && contacts_open(&over, cli_contacts)) ||
                         (err = spamlr_model_set_contacts(m, over))))
        return over ? report_failure(err, NULL, NULL) : EXIT_RUNTIME;
    return 0;
}

int dataset_for_model(spamlr_dataset **ds, const spamlr_model *m)
{
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    int err;

    spamlr_model_info_get(m, &info);
    err = spamlr_dataset_create(ds, &info.text);
    /* the data is read with the model's contact list, as it predicts */
    if (err == SPAMLR_OK && (err = spamlr_dataset_set_contacts(*ds, spamlr_model_contacts(m)))) {
        spamlr_dataset_free(*ds);
        *ds = NULL;
    }
    if (err != SPAMLR_OK) {
        *ds = NULL;
        return report_failure(err, NULL, NULL);
    }
    return 0;
}

int predict_rows(const spamlr_model *m, const spamlr_dataset *ds, double **probs,
                 double **scores)
{
    size_t n = spamlr_dataset_rows(ds);
    int err;

    *probs = NULL;
    if (scores)
        *scores = NULL;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / sizeof **probs || !(*probs = malloc(n * sizeof **probs)) ||
        (scores && !(*scores = malloc(n * sizeof **scores))))
        goto nomem;
    err = spamlr_predict_dataset(m, ds, *probs, scores ? *scores : NULL);
    if (err != SPAMLR_OK)
        goto fail;
    return 0;
nomem:
    err = SPAMLR_ENOMEM;
fail:
    free(*probs);
    *probs = NULL;
    if (scores) {
        free(*scores);
        *scores = NULL;
    }
    return report_failure(err, NULL, NULL);
}

