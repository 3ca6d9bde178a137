/* test_sized.c - the output structs the caller allocates carry their size
 * (0.3): the library writes no byte past it, keeps it, and refuses a size
 * below the first sized layout with SPAMLR_EINVAL, writing nothing. */
#include "testutil.h"

#include <stddef.h>

#define PAD 64
#define POISON 0xa5

/* A struct of type T inside a larger poisoned buffer, its size set to n. */
#define SIZED(buf, n)                                  \
    do {                                               \
        size_t n_ = (n);                               \
        memset((buf), POISON, sizeof(buf));            \
        memcpy((buf), &n_, sizeof n_);                 \
    } while (0)

static int untouched(const unsigned char *p, size_t from, size_t to)
{
    for (; from < to; from++)
        if (p[from] != POISON)
            return 0;
    return 1;
}

static size_t size_of(const unsigned char *p)
{
    size_t n;
    memcpy(&n, p, sizeof n);
    return n;
}

static spamlr_dataset *small_data(void)
{
    static const char *const spam[] = {
        "free money now", "win a free prize", "cheap pills online"
    };
    static const char *const ham[] = {
        "lunch at noon", "meeting notes attached", "see you at lunch"
    };

    return tu_plain_pairs(spam, ham, 3);
}

static spamlr_model *small_model(void)
{
    spamlr_dataset *ds = small_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;

    spamlr_train_opts_init(&o);
    o.c = 10;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

START_TEST(init_macros)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_model_info i = SPAMLR_MODEL_INFO_INIT;
    spamlr_train_report r = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_explanation e = SPAMLR_EXPLANATION_INIT;
    spamlr_metrics mt = SPAMLR_METRICS_INIT;

    ck_assert_uint_eq(d.size, sizeof d);
    ck_assert(d.offset == -1);
    ck_assert_uint_eq(i.size, sizeof i);
    ck_assert_uint_eq(i.parameters, 0);
    ck_assert_uint_eq(r.size, sizeof r);
    ck_assert_uint_eq(e.size, sizeof e);
    ck_assert_uint_eq(mt.size, sizeof mt);
}
END_TEST

/* A diag too small (a zeroed one, as 0.2 allowed) is refused before any
 * work, and not written; one of the right size or larger is filled only
 * within its size. */
START_TEST(diag_size)
{
    unsigned char buf[sizeof(spamlr_diag) + PAD];
    spamlr_model *m = NULL;
    spamlr_dataset *ds = small_data();
    char out[1200];

    SIZED(buf, 0);
    ck_assert_int_eq(spamlr_model_load(&m, "/nonexistent/x.slr", (spamlr_diag *)buf),
                     SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    SIZED(buf, sizeof(spamlr_diag) - 1);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, "/nonexistent/x.tsv", (spamlr_diag *)buf),
                     SPAMLR_EINVAL);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    ck_assert_str_eq(spamlr_diag_format((spamlr_diag *)buf, out, sizeof out), "");

    SIZED(buf, sizeof(spamlr_diag));
    ck_assert_int_eq(spamlr_model_load(&m, "/nonexistent/x.slr", (spamlr_diag *)buf),
                     SPAMLR_EIO);
    ck_assert_uint_eq(size_of(buf), sizeof(spamlr_diag));
    ck_assert_int_eq(((spamlr_diag *)buf)->code, SPAMLR_EIO);
    ck_assert(untouched(buf, sizeof(spamlr_diag), sizeof buf));
    /* a caller built with a later, larger diag: the tail is its own */
    SIZED(buf, sizeof buf);
    ck_assert_int_eq(spamlr_dataset_read_lines(ds, "/nonexistent/x.tsv", (spamlr_diag *)buf),
                     SPAMLR_EIO);
    ck_assert_uint_eq(size_of(buf), sizeof buf);
    ck_assert_str_eq(((spamlr_diag *)buf)->path, "/nonexistent/x.tsv");
    ck_assert(untouched(buf, sizeof(spamlr_diag), sizeof buf));
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(info_size)
{
    unsigned char buf[sizeof(spamlr_model_info) + PAD];
    spamlr_model *m = small_model();
    spamlr_model_info *in = (spamlr_model_info *)buf;

    SIZED(buf, 0);
    ck_assert_int_eq(spamlr_model_info_get(m, in), SPAMLR_EINVAL);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    SIZED(buf, offsetof(spamlr_model_info, l2));
    ck_assert_int_eq(spamlr_model_info_get(m, in), SPAMLR_EINVAL);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    ck_assert_int_eq(spamlr_model_info_get(NULL, in), SPAMLR_EINVAL);
    SIZED(buf, sizeof buf);
    ck_assert_int_eq(spamlr_model_info_get(m, in), SPAMLR_OK);
    ck_assert_uint_eq(in->size, sizeof buf);
    ck_assert_uint_eq(in->parameters, spamlr_model_vocab_size(m));
    ck_assert(in->l2 == 1);
    ck_assert(untouched(buf, sizeof(spamlr_model_info), sizeof buf));
    spamlr_model_free(m);
}
END_TEST

START_TEST(report_size)
{
    unsigned char buf[sizeof(spamlr_train_report) + PAD];
    spamlr_train_report *r = (spamlr_train_report *)buf;
    spamlr_dataset *ds = small_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;

    spamlr_train_opts_init(&o);
    o.c = 10;
    SIZED(buf, sizeof(size_t));
    ck_assert_int_eq(spamlr_train(&m, ds, &o, r, NULL), SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    SIZED(buf, sizeof buf);
    ck_assert_int_eq(spamlr_train(&m, ds, &o, r, NULL), SPAMLR_OK);
    ck_assert_uint_eq(r->size, sizeof buf);
    ck_assert_uint_eq(r->examples, 6);
    ck_assert(r->iterations > 0);
    ck_assert(untouched(buf, sizeof(spamlr_train_report), sizeof buf));
    spamlr_model_free(m);
    m = NULL;
    /* a caller built with the 0.3 header (no path_seconds): the fields it
     * knows, none after them, with the C path that fills path_seconds */
    o.c = SPAMLR_C_AUTO;
    SIZED(buf, offsetof(spamlr_train_report, path_seconds));
    ck_assert_int_eq(spamlr_train(&m, ds, &o, r, NULL), SPAMLR_OK);
    ck_assert_uint_eq(r->size, offsetof(spamlr_train_report, path_seconds));
    ck_assert(r->iterations > 0);
    ck_assert(untouched(buf, offsetof(spamlr_train_report, path_seconds), sizeof buf));
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(explanation_size)
{
    unsigned char buf[sizeof(spamlr_explanation) + PAD];
    spamlr_explanation *e = (spamlr_explanation *)buf;
    spamlr_model *m = small_model();
    spamlr_scratch *s = NULL;
    double p;

    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    SIZED(buf, sizeof(spamlr_explanation) - 8);
    ck_assert_int_eq(spamlr_explain(m, s, "free money", 10, e, NULL, 0), SPAMLR_EINVAL);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    SIZED(buf, sizeof(spamlr_explanation));
    ck_assert_int_eq(spamlr_explain(m, s, "free money", 10, e, NULL, 0), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict(m, s, "free money", 10, &p, NULL), SPAMLR_OK);
    ck_assert(e->prob == p);
    ck_assert_uint_eq(e->total, 2);
    ck_assert(untouched(buf, sizeof(spamlr_explanation), sizeof buf));
    spamlr_scratch_free(s);
    spamlr_model_free(m);
}
END_TEST

START_TEST(metrics_size)
{
    unsigned char buf[sizeof(spamlr_metrics) + PAD];
    spamlr_metrics *mt = (spamlr_metrics *)buf;
    const int labels[] = { 1, 0, 1, 0 };
    const double probs[] = { 0.9, 0.2, 0.4, 0.6 };

    SIZED(buf, 0);
    ck_assert_int_eq(spamlr_metrics_compute(labels, probs, 4, 0.5, mt), SPAMLR_EINVAL);
    ck_assert(untouched(buf, sizeof(size_t), sizeof buf));
    ck_assert_int_eq(spamlr_metrics_compute(labels, probs, 4, 0.5, NULL), SPAMLR_EINVAL);
    SIZED(buf, sizeof(spamlr_metrics));
    ck_assert_int_eq(spamlr_metrics_compute(labels, probs, 4, 0.5, mt), SPAMLR_OK);
    ck_assert_uint_eq(mt->n, 4);
    ck_assert_uint_eq(mt->tp, 1);
    ck_assert_uint_eq(mt->fp, 1);
    ck_assert(mt->threshold == 0.5);
    ck_assert_uint_eq(mt->size, sizeof(spamlr_metrics));
    ck_assert(untouched(buf, sizeof(spamlr_metrics), sizeof buf));
}
END_TEST

static Suite *sized_suite(void)
{
    Suite *s = suite_create("sized");
    TCase *tc = tcase_create("sized");

    tcase_add_test(tc, init_macros);
    tcase_add_test(tc, diag_size);
    tcase_add_test(tc, info_size);
    tcase_add_test(tc, report_size);
    tcase_add_test(tc, explanation_size);
    tcase_add_test(tc, metrics_size);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(sized_suite)
