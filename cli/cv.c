/* cv.c - cross-validated quality for `spamlr train --cv K`. */
#include <math.h>
#include <stdlib.h>

#include "common.h"

/* Out-of-fold metrics of training with o on ds; 0 or an exit code. */
int cv_measure(const spamlr_dataset *ds, const spamlr_train_opts *o, unsigned k,
               spamlr_metrics *mt)
{
    size_t i, n = spamlr_dataset_rows(ds);
    double *probs = malloc((n + 1) * sizeof *probs);
    int *labels = malloc((n + 1) * sizeof *labels);
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err, rc = 0;

    if (!probs || !labels) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    err = spamlr_cross_validate(ds, o, k, probs, &d);
    if (err != SPAMLR_OK) {
        rc = report_failure(err, &d, NULL);
        goto out;
    }
    for (i = 0; i < n; i++)
        labels[i] = spamlr_dataset_label(ds, i);
    err = spamlr_metrics_compute(labels, probs, n, 0.5, mt);
    if (err != SPAMLR_OK)
        rc = report_failure(err, NULL, NULL);
out:
    free(probs);
    free(labels);
    return rc;
}
