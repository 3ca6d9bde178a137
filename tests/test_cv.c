/* test_cv.c - k-fold cross-validation. */
#include "testutil.h"

#include <math.h>

static spamlr_dataset *corpus(void)
{
    spamlr_dataset *ds = NULL;
    char path[256];
    spamlr_diag d = SPAMLR_DIAG_INIT;

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
    spamlr_metrics cv = SPAMLR_METRICS_INIT, train = SPAMLR_METRICS_INIT;
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
    ck_assert_int_eq(spamlr_metrics_compute(y, p, n, 0.5, &cv), 0);
    ck_assert_int_eq(spamlr_metrics_compute(y, fit, n, 0.5, &train), 0);
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
    spamlr_diag d = SPAMLR_DIAG_INIT;
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

/* The path a model keeps, and the rules it was chosen by. */
static void check_path(const spamlr_model *m, size_t *n_out)
{
    const spamlr_path_point *pt;
    unsigned folds, i, best = 0;
    size_t n = spamlr_model_path(m, &pt, &folds);
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    int above = 0;

    ck_assert_uint_ge(n, 4);
    ck_assert_uint_eq(folds, 3);
    for (i = 1; i < n; i++)
        if (pt[i].log_loss < pt[best].log_loss)
            best = i;
    spamlr_model_info_get(m, &in);
    ck_assert(in.c == pt[best].c);
    /* the walk went on past the best until the loss turned */
    for (i = 0; i < n; i++) {
        ck_assert(pt[i].c > 0 && pt[i].log_loss > 0 && pt[i].auc > 0.5 && pt[i].auc <= 1);
        above |= pt[i].c > pt[best].c && pt[i].log_loss > pt[best].log_loss;
    }
    ck_assert(above);
    *n_out = n;
}

START_TEST(path_chooses_c)
{
    spamlr_dataset *ds = corpus();
    spamlr_train_opts o;
    spamlr_model *m1 = NULL, *m2 = NULL, *back = NULL;
    const spamlr_path_point *p1, *p2;
    unsigned char *b1 = NULL, *b2 = NULL;
    size_t n1, n2, s1, s2, i, tlen;
    char *text = NULL;

    spamlr_train_opts_init(&o);
    ck_assert(o.c == SPAMLR_C_AUTO); /* the default */
    o.threads = 1;
    ck_assert_int_eq(spamlr_train(&m1, ds, &o, NULL, NULL), SPAMLR_OK);
    o.threads = 2;
    ck_assert_int_eq(spamlr_train(&m2, ds, &o, NULL, NULL), SPAMLR_OK);
    check_path(m1, &n1);
    check_path(m2, &n2);
    /* one thread a fold: the same path, bit for bit, for any thread count */
    ck_assert_uint_eq(n1, n2);
    spamlr_model_path(m1, &p1, NULL);
    spamlr_model_path(m2, &p2, NULL);
    for (i = 0; i < n1; i++)
        ck_assert(p1[i].c == p2[i].c && p1[i].log_loss == p2[i].log_loss &&
                  p1[i].auc == p2[i].auc);
    /* the path survives the file and the text dump */
    ck_assert_int_eq(spamlr_model_save_buffer(m1, &b1, &s1), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&back, b1, s1, NULL), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_model_path(back, &p2, NULL), n1);
    for (i = 0; i < n1; i++)
        ck_assert(p1[i].c == p2[i].c && p1[i].log_loss == p2[i].log_loss);
    spamlr_model_free(back);
    back = NULL;
    ck_assert_int_eq(spamlr_model_dump(m1, &text, &tlen), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_import(&back, text, tlen, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(back, &b2, &s2), SPAMLR_OK);
    ck_assert_uint_eq(s1, s2);
    ck_assert(memcmp(b1, b2, s1) == 0);
    free(b1);
    free(b2);
    free(text);
    spamlr_model_free(back);
    spamlr_model_free(m1);
    spamlr_model_free(m2);
    spamlr_dataset_free(ds);
}
END_TEST

/* On separable data the held-out loss falls as C grows: the path follows
 * it far past the top (4096) of the old fixed grid. A given C is used as
 * it is, and too few messages for two folds mean C = 1. The report tells
 * the path's share of the solve time (none without a path). */
START_TEST(path_follows_the_data)
{
    spamlr_dataset *ds = NULL;
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    char msg[64];
    int i;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    for (i = 0; i < 60; i++) {
        int n = snprintf(msg, sizeof msg, "%s w%d common", i % 2 ? "prize" : "meeting", i);
        ck_assert_int_eq(spamlr_dataset_add(ds, i % 2 ? SPAMLR_SPAM : SPAMLR_HAM, msg,
                                            (size_t)n, NULL), 0);
    }
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert_msg(in.c > 4096, "chose C = %g", in.c);
    ck_assert_msg(rep.path_seconds > 0 && rep.path_seconds <= rep.seconds,
                  "path %g s of a solve of %g s", rep.path_seconds, rep.seconds);
    spamlr_model_free(m);
    spamlr_train_opts_init(&o);
    o.c = 2.5;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert(in.c == 2.5 && spamlr_model_path(m, NULL, NULL) == 0);
    ck_assert(rep.path_seconds == 0); /* (the path's run above had set it) */
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, "prize", 5, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "meeting", 7, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert(in.c == 1 && spamlr_model_path(m, NULL, NULL) == 0);
    spamlr_model_free(m);
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
    tcase_add_test(t, path_chooses_c);
    tcase_add_test(t, path_follows_the_data);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
