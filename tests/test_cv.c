/* test_cv.c - k-fold cross-validation. */
#include "testutil.h"

#include <math.h>

static spamlr_dataset *corpus(void)
{
    spamlr_dataset *ds = NULL;
    char path[256];
    spamlr_diag d;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, tu_data(path, sizeof path, "corpus.tsv"), &d),
                     SPAMLR_OK);
    return ds;
}

START_TEST(out_of_fold_probabilities)
{
    spamlr_dataset *ds = corpus();
    size_t i, n = spamlr_dataset_rows(ds);
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q), *fit = malloc(n * sizeof *fit);
    int *y = malloc(n * sizeof *y);
    spamlr_metrics cv, train;
    spamlr_model *m = NULL;

    ck_assert_int_eq(spamlr_cross_validate(ds, NULL, 5, p, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_cross_validate(ds, NULL, 5, q, NULL), SPAMLR_OK);
    for (i = 0; i < n; i++) {
        ck_assert(p[i] >= 0 && p[i] <= 1);
        ck_assert(p[i] == q[i]); /* the same folds on every run */
        y[i] = spamlr_dataset_label(ds, i);
    }
    /* held-out predictions are worse than predictions on the training data
     * itself: each row was really held out */
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), 0);
    ck_assert_int_eq(spamlr_predict_dataset(m, ds, fit, NULL), 0);
    ck_assert_int_eq(spamlr_metrics_compute(&cv, y, p, n, 0.5), 0);
    ck_assert_int_eq(spamlr_metrics_compute(&train, y, fit, n, 0.5), 0);
    ck_assert(cv.log_loss > train.log_loss);
    ck_assert(cv.auc > 0.8 && cv.auc < train.auc + 1e-12);
    spamlr_model_free(m);
    free(p);
    free(q);
    free(fit);
    free(y);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(bad_arguments)
{
    spamlr_dataset *ds = NULL;
    double p[8];
    spamlr_diag d;
    int i;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, i < 3 ? SPAMLR_SPAM : SPAMLR_HAM, "a b", 3, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_UNLABELLED, "a", 1, NULL), 0);
    ck_assert_int_eq(spamlr_cross_validate(ds, NULL, 1, p, &d), SPAMLR_EINVAL);
    /* one ham cannot fill 2 folds */
    ck_assert_int_eq(spamlr_cross_validate(ds, NULL, 2, p, &d), SPAMLR_EONECLASS);
    ck_assert_ptr_nonnull(strstr(d.message, "2 ham"));
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "c d", 3, NULL), 0);
    ck_assert_int_eq(spamlr_cross_validate(ds, NULL, 2, p, &d), SPAMLR_OK);
    ck_assert(isnan(p[4])); /* the unlabelled row gets no prediction */
    spamlr_dataset_free(ds);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cv");
    TCase *t = tcase_create("cv");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, out_of_fold_probabilities);
    tcase_add_test(t, bad_arguments);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
