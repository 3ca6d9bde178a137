/* cv.c - choosing C by cross-validation for `spamlr train -c auto`, and
 * reporting cross-validated quality for `spamlr train --cv K`. */
#include <math.h>
#include <stdlib.h>

#include "common.h"

/* The grid -c auto searches: powers of two from 1/4 up to 4096, stopping
 * once two steps in a row brought no improvement. */
#define C_FIRST 0.25
#define C_LAST 4096.0

/* Out-of-fold metrics of training with o on ds; 0 or an exit code. */
int cv_measure(const spamlr_dataset *ds, const spamlr_train_opts *o, unsigned k,
               spamlr_metrics *mt)
{
    size_t i, n = spamlr_dataset_rows(ds);
    double *probs = malloc((n + 1) * sizeof *probs);
    int *labels = malloc((n + 1) * sizeof *labels);
    spamlr_diag d;
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
    err = spamlr_metrics_compute(mt, labels, probs, n, 0.5);
    if (err != SPAMLR_OK)
        rc = report_failure(err, NULL, NULL);
out:
    free(probs);
    free(labels);
    return rc;
}

/* Sets o->c to the grid value with the best out-of-fold ROC AUC (ties:
 * lower log loss, then the smaller C). Prints the search to stderr unless
 * quiet. Returns 0 or an exit code. */
int cv_choose_c(const spamlr_dataset *ds, spamlr_train_opts *o, unsigned k, int quiet)
{
    spamlr_train_opts t = *o;
    double best_auc = -1, best_ll = INFINITY, best_c = o->c, c;
    int rc, worse = 0;

    if (!quiet)
        fprintf(stderr, "spamlr train: choosing C by %u-fold cross-validation\n"
                        "  %8s  %9s  %9s  %8s\n", k, "C", "ROC AUC", "(1-AUC)%", "log loss");
    for (c = C_FIRST; c <= C_LAST && worse < 2; c *= 2) {
        spamlr_metrics mt;
        t.c = c;
        if ((rc = cv_measure(ds, &t, k, &mt)) != 0)
            return rc;
        if (!quiet)
            fprintf(stderr, "  %8g  %9.6f  %9.4f  %8.5f\n", t.c, mt.auc, mt.one_minus_auc_pct,
                    mt.log_loss);
        if (mt.auc > best_auc || (mt.auc == best_auc && mt.log_loss < best_ll)) {
            best_auc = mt.auc;
            best_ll = mt.log_loss;
            best_c = t.c;
            worse = 0;
        } else {
            worse++;
        }
    }
    if (!quiet)
        fprintf(stderr, "  chosen C = %g\n", best_c);
    o->c = best_c;
    return 0;
}
