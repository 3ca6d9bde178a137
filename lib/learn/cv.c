/* cv.c - k-fold cross-validation and the choice of C by it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "learn/path.h"

int spamlr_cross_validate(const spamlr_dataset *ds, const spamlr_train_opts *o, unsigned k,
                          double *probs, spamlr_diag *d)
{
    spamlr_dataset view;
    spamlr_train_opts keep;
    signed char *labels = NULL;
    double *all = NULL;
    int *fold = NULL, rc = SPAMLR_OK;
    size_t i, n;
    unsigned f;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || !probs || k < 2)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "cross-validation needs a dataset and at least 2 folds");
    /* a fold's model that stopped at max_iter is measured all the same */
    if (o)
        keep = *o;
    else
        spamlr_train_opts_init(&keep);
    if (keep.version == 1) {
        keep.progress = NULL;
        keep.progress_ctx = NULL;
        keep.version = SPAMLR_OPTS_VERSION;
    }
    keep.keep_unconverged = 1;
    n = ds->rows;
    if (spamlr_dataset_count(ds, SPAMLR_SPAM) < k || spamlr_dataset_count(ds, SPAMLR_HAM) < k)
        return spamlr__diag(d, SPAMLR_EONECLASS, NULL, 0, -1,
                            "%u-fold cross-validation needs at least %u spam and %u ham", k, k,
                            k);
    if (!(labels = malloc(n + 1)) || !(all = malloc((n + 1) * sizeof *all)) ||
        !(fold = malloc((n + 1) * sizeof *fold))) {
        rc = spamlr__diag(d, SPAMLR_ENOMEM, NULL, 0, -1, "out of memory");
        goto out;
    }
    spamlr__assign_folds(ds->labels, n, k, fold);
    for (i = 0; i < n; i++)
        probs[i] = NAN;
    for (f = 0; f < k; f++) {
        spamlr_model *m = NULL;
        /* a view of ds whose held-out rows are unlabelled: training skips
         * them and counts min_count and idf over the other folds only */
        view = *ds;
        for (i = 0; i < n; i++)
            labels[i] = fold[i] == (int)f || fold[i] < 0 ? SPAMLR_UNLABELLED : ds->labels[i];
        view.labels = labels;
        rc = spamlr_train(&m, &view, &keep, NULL, d);
        if (!rc)
            rc = spamlr_predict_dataset(m, ds, all, NULL);
        spamlr_model_free(m);
        if (rc)
            goto out;
        for (i = 0; i < n; i++)
            if (fold[i] == (int)f)
                probs[i] = all[i];
    }
out:
    free(labels);
    free(all);
    free(fold);
    return rc;
}
