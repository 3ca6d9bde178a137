/* test_cancel.c - a progress function that returns non-zero cancels the
 * work within that one step: readers (lines, a directory on one and two
 * threads, an index) and training (the C path, the final solve's start,
 * its iterations with each batch solver) return SPAMLR_ECANCELED, call the
 * function no more, and training gives no model. */
#include "testutil.h"

#include <sys/stat.h>

typedef struct counter {
    int calls;         /* calls so far */
    int cancel_at;     /* the call (1-based) that cancels; 0 = never */
    unsigned stage;    /* only calls of this stage count (0 = all) */
    int after;         /* calls of any stage after the cancel */
    int iters;         /* SPAMLR_PROGRESS_ITER calls */
    int canceled;
} counter;

static int on_progress(void *ctx, const spamlr_progress *p)
{
    counter *c = ctx;

    if (c->canceled) {
        c->after++;
        return 1;
    }
    if (p->stage == SPAMLR_PROGRESS_ITER)
        c->iters++;
    if (c->stage && p->stage != c->stage)
        return 0;
    if (++c->calls == c->cancel_at) {
        c->canceled = 1;
        return 1;
    }
    return 0;
}

START_TEST(cancel_lines)
{
    char dir[64], path[128];
    FILE *f;
    spamlr_dataset *ds = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    counter c = { 0, 1, 0, 0, 0, 0 };
    int i;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.tsv", dir);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    for (i = 0; i < 5000; i++)
        fprintf(f, "%s\tmessage number %d\n", i % 2 ? "ham" : "spam", i);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    spamlr_dataset_set_progress(ds, on_progress, &c);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_ECANCELED);
    ck_assert_int_eq(d.code, SPAMLR_ECANCELED);
    ck_assert_str_eq(d.path, path);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_eq(c.after, 0);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 1024); /* the first report's rows */
    /* without a cancel the whole file is read */
    spamlr_dataset_free(ds);
    c = (counter){ 0, 0, 0, 0, 0, 0 };
    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    spamlr_dataset_set_progress(ds, on_progress, &c);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, path, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_dataset_rows(ds), 5000);
    ck_assert_int_eq(c.calls, 5);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

START_TEST(cancel_directory_and_index)
{
    char dir[64], path[160], msg[64], idx[160];
    spamlr_dataset *ds = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned threads, i;
    FILE *f;

    tu_tmpdir(dir, sizeof dir);
    snprintf(idx, sizeof idx, "%s/all.idx", dir);
    ck_assert_ptr_nonnull(f = fopen(idx, "w"));
    for (i = 0; i < 400; i++) {
        int len = snprintf(msg, sizeof msg, "Subject: offer %u\n\nfree money %u\n", i, i);
        snprintf(path, sizeof path, "%s/mail/m%03u", dir, i);
        if (i == 0) {
            char sub[128];
            snprintf(sub, sizeof sub, "%s/mail", dir);
            ck_assert_int_eq(mkdir(sub, 0700), 0);
        }
        tu_write(path, msg, (size_t)len);
        fprintf(f, "%s mail/m%03u\n", i % 2 ? "ham" : "spam", i);
    }
    ck_assert_int_eq(fclose(f), 0);
    snprintf(path, sizeof path, "%s/mail", dir);
    for (threads = 1; threads <= 2; threads++) {
        counter c = { 0, 3, 0, 0, 0, 0 };
        size_t rows;

        ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
        spamlr_dataset_set_threads(ds, threads);
        spamlr_dataset_set_progress(ds, on_progress, &c);
        ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, path, &d), SPAMLR_ECANCELED);
        ck_assert_int_eq(d.code, SPAMLR_ECANCELED);
        ck_assert_int_eq(c.calls, 3);
        ck_assert_int_eq(c.after, 0);
        rows = spamlr_dataset_rows(ds);
        /* one thread: exactly the three files reported; two: the other
         * thread stops after the file it is reading */
        if (threads == 1)
            ck_assert_uint_eq(rows, 3);
        ck_assert_uint_lt(rows, 400);
        spamlr_dataset_free(ds);

        c = (counter){ 0, 2, 0, 0, 0, 0 };
        ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
        spamlr_dataset_set_threads(ds, threads);
        spamlr_dataset_set_progress(ds, on_progress, &c);
        ck_assert_int_eq(spamlr_dataset_read_index(ds, idx, &d), SPAMLR_ECANCELED);
        ck_assert_int_eq(c.calls, 2);
        ck_assert_int_eq(c.after, 0);
        ck_assert_uint_lt(spamlr_dataset_rows(ds), 400);
        spamlr_dataset_free(ds);
    }
    tu_rmrf(dir);
}
END_TEST

static spamlr_dataset *train_data(void)
{
    spamlr_text_opts t;
    spamlr_dataset *ds;
    char msg[96];
    unsigned i;

    spamlr_text_opts_init(&t);
    t.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &t), SPAMLR_OK);
    for (i = 0; i < 200; i++) {
        int spam = i % 2, len;
        len = snprintf(msg, sizeof msg, "%s w%u w%u x%u common%u", spam ? "free money" : "meeting notes",
                       i % 17, i % 23, i % 5, i % 3);
        ck_assert_int_eq(spamlr_dataset_add(ds, spam ? SPAMLR_SPAM : SPAMLR_HAM, msg,
                                            (size_t)len, NULL),
                         SPAMLR_OK);
    }
    return ds;
}

/* Cancels at the cancel_at-th call of `stage`; checks no model came and no
 * call followed. Returns the counter. */
static counter train_canceled(const spamlr_dataset *ds, spamlr_train_opts *o, unsigned stage,
                              int at)
{
    counter c = { 0, at, stage, 0, 0, 0 };
    spamlr_model *m = (spamlr_model *)&c; /* not NULL: must be cleared */
    spamlr_train_report r = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    o->progress = on_progress;
    o->progress_ctx = &c;
    ck_assert_int_eq(spamlr_train(&m, ds, o, &r, &d), SPAMLR_ECANCELED);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(d.code, SPAMLR_ECANCELED);
    ck_assert_int_eq(c.calls, at);
    ck_assert_int_eq(c.after, 0);
    if (stage == SPAMLR_PROGRESS_ITER)
        ck_assert_uint_eq(r.iterations, (unsigned)at);
    return c;
}

START_TEST(cancel_training)
{
    static const unsigned solvers[] = { SPAMLR_SOLVER_TRON, SPAMLR_SOLVER_LBFGS,
                                        SPAMLR_SOLVER_OWLQN };
    spamlr_dataset *ds = train_data();
    spamlr_train_opts o;
    counter c;
    unsigned s;

    /* the C path: at its second C */
    spamlr_train_opts_init(&o);
    o.folds = 2;
    c = train_canceled(ds, &o, SPAMLR_PROGRESS_PATH, 2);
    ck_assert_int_eq(c.iters, 0);
    /* the final solve, before it starts */
    spamlr_train_opts_init(&o);
    o.c = 1;
    c = train_canceled(ds, &o, SPAMLR_PROGRESS_FINAL, 1);
    ck_assert_int_eq(c.iters, 0);
    /* its iterations, every batch solver */
    for (s = 0; s < 3; s++) {
        spamlr_model *m = NULL;
        counter all = { 0, 0, 0, 0, 0, 0 };

        spamlr_train_opts_init(&o);
        o.c = 10;
        o.tol = 1e-12;
        o.solver = solvers[s];
        if (solvers[s] == SPAMLR_SOLVER_OWLQN)
            o.l1 = 0.01;
        o.keep_unconverged = 1;
        o.progress = on_progress;
        o.progress_ctx = &all;
        ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
        ck_assert_int_gt(all.iters, 3); /* so a cancel at 2 stops it early */
        spamlr_model_free(m);
        c = train_canceled(ds, &o, SPAMLR_PROGRESS_ITER, 2);
        ck_assert_int_eq(c.iters, 2);
    }
    spamlr_dataset_free(ds);
}
END_TEST

static Suite *cancel_suite(void)
{
    Suite *s = suite_create("cancel");
    TCase *tc = tcase_create("cancel");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cancel_lines);
    tcase_add_test(tc, cancel_directory_and_index);
    tcase_add_test(tc, cancel_training);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(cancel_suite)
