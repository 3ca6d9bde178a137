/* test_l1.c - L1 and elastic-net training through the public API: option
 * checks, the solver chosen, sparsity, and l1/l2 in the model file. */
#include "testutil.h"

#include <math.h>

#include "common.h"

/* A small dataset where a few words decide the class and many do not. */
static spamlr_dataset *make_data(void)
{
    static const char *spam_words[] = { "winner", "prize", "cash", "free", "offer" };
    static const char *ham_words[] = { "meeting", "report", "lunch", "agenda", "notes" };
    spamlr_dataset *ds;
    spamlr_text_opts t;
    char text[512];
    unsigned i, k;

    spamlr_text_opts_init(&t);
    t.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &t), SPAMLR_OK);
    for (i = 0; i < 200; i++) {
        int spam = i % 3 == 0;
        size_t n = 0;

        for (k = 0; k < 4; k++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s noise%u ",
                                  (spam ? spam_words : ham_words)[(i + k) % 5],
                                  (i * 7 + k * 13) % 97);
        /* some label noise so that the weights stay finite */
        if (i % 17 == 0)
            spam = !spam;
        ck_assert_int_eq(spamlr_dataset_add(ds, spam ? SPAMLR_SPAM : SPAMLR_HAM, text, n,
                                            NULL), SPAMLR_OK);
    }
    return ds;
}

static size_t nonzero(const spamlr_model *m)
{
    spamlr_model_info in;

    spamlr_model_info_get(m, &in);
    return in.nonzero;
}

START_TEST(test_opts_defaults_and_checks)
{
    spamlr_dataset *ds = make_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    spamlr_diag d;

    spamlr_train_opts_init(&o);
    ck_assert(o.l1 == 0 && o.l2 == 1);
    ck_assert_uint_eq(o.solver, SPAMLR_SOLVER_AUTO);
    o.l1 = 1;
    o.solver = SPAMLR_SOLVER_TRON;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(d.message, "OWL-QN"));
    o.solver = SPAMLR_SOLVER_LBFGS;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.solver = SPAMLR_SOLVER_AUTO;
    o.l1 = -0.5;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l1 = 0;
    o.l2 = 0;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l2 = NAN;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l2 = 1;
    o.solver = 7;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    spamlr_dataset_free(ds);
}
END_TEST

/* AUTO runs TRON without l1 and OWL-QN with it; the model says which,
 * and keeps l1 and l2 through a save and load. */
START_TEST(test_auto_solver_and_metadata)
{
    spamlr_dataset *ds = make_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL, *m2 = NULL;
    spamlr_model_info in;
    spamlr_train_report rep;
    unsigned char *buf;
    size_t size;

    spamlr_train_opts_init(&o);
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_TRON);
    ck_assert(in.l1 == 0 && in.l2 == 1);
    spamlr_model_free(m);

    o.l1 = 0.5;
    o.l2 = 0.25;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_OWLQN);
    ck_assert(in.l1 == 0.5 && in.l2 == 0.25);
    ck_assert(rep.grad_norm <= o.tol * rep.grad_norm0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&m2, buf, size, NULL), SPAMLR_OK);
    spamlr_model_info_get(m2, &in);
    ck_assert(in.l1 == 0.5 && in.l2 == 0.25);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_OWLQN);
    ck_assert_uint_eq(in.nonzero, nonzero(m));

    /* a file from before l1/l2 were recorded (metadata 16 bytes shorter)
     * still loads, as l1 = 0, l2 = 1 */
    {
        uint32_t meta = (uint32_t)buf[16] | (uint32_t)buf[17] << 8, crc;
        size_t cut = 20 + meta - 16;
        spamlr_model *old = NULL;

        ck_assert_uint_eq(meta, 144);
        memmove(buf + cut, buf + cut + 16, size - cut - 16);
        size -= 16;
        buf[16] = (unsigned char)(meta - 16);
        crc = spamlr__crc32(0, buf, size - 4);
        buf[size - 4] = (unsigned char)crc;
        buf[size - 3] = (unsigned char)(crc >> 8);
        buf[size - 2] = (unsigned char)(crc >> 16);
        buf[size - 1] = (unsigned char)(crc >> 24);
        ck_assert_int_eq(spamlr_model_load_buffer(&old, buf, size, NULL), SPAMLR_OK);
        spamlr_model_info_get(old, &in);
        ck_assert(in.l1 == 0 && in.l2 == 1);
        ck_assert_uint_eq(in.nonzero, nonzero(m));
        spamlr_model_free(old);
    }
    free(buf);
    spamlr_model_free(m);
    spamlr_model_free(m2);
    spamlr_dataset_free(ds);
}
END_TEST

/* A larger l1 keeps fewer words; the deciding words survive longest. */
START_TEST(test_sparsity_through_api)
{
    static const double l1s[] = { 0, 0.1, 1, 3 };
    spamlr_dataset *ds = make_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    size_t nz, last = SIZE_MAX, first = 0;
    float w;
    unsigned k;

    spamlr_train_opts_init(&o);
    o.threads = 2;
    for (k = 0; k < sizeof l1s / sizeof *l1s; k++) {
        o.l1 = l1s[k];
        ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
        nz = nonzero(m);
        ck_assert_msg(nz <= last, "l1 %g: %zu nonzero, more than %zu", o.l1, nz, last);
        if (k == 0)
            first = nz;
        last = nz;
        if (k == sizeof l1s / sizeof *l1s - 1) {
            ck_assert_int_eq(spamlr_model_weight(m, "winner", &w), SPAMLR_OK);
            ck_assert(w > 0);
            ck_assert_int_eq(spamlr_model_weight(m, "meeting", &w), SPAMLR_OK);
            ck_assert(w < 0);
            ck_assert_int_eq(spamlr_model_weight(m, "noise5", &w), SPAMLR_OK);
            ck_assert(w == 0);
        }
        spamlr_model_free(m);
        m = NULL;
    }
    ck_assert_msg(last * 5 < first, "%zu nonzero at the end, %zu at first", last, first);
    spamlr_dataset_free(ds);
}
END_TEST

static Suite *l1_suite(void)
{
    Suite *s = suite_create("l1");
    TCase *tc = tcase_create("train");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_opts_defaults_and_checks);
    tcase_add_test(tc, test_auto_solver_and_metadata);
    tcase_add_test(tc, test_sparsity_through_api);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(l1_suite)
