/* test_prior.c - transfer learning (spamlr_train_opts.prior) through the
 * public API: the base model's corpus split by line, the limits of the
 * pull, the base's words kept, the record of the base, round trips. */
#include "testutil.h"

#include <math.h>

/* Lines [from, to) of data/corpus.tsv ("label<TAB>text"), read with the
 * text options o (NULL: defaults). */
#define SPLIT 300 /* base: lines 1-300; the "user": the rest (116 lines) */

static spamlr_model *base_model(void)
{
    spamlr_dataset *ds = tu_corpus_lines(NULL, 0, SPLIT);
    spamlr_model *m = NULL;
    spamlr_train_opts o;

    spamlr_train_opts_init(&o);
    o.c = 4;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

static spamlr_model *adapt(const spamlr_model *base, double c, int prior, unsigned solver,
                           double l1)
{
    spamlr_dataset *ds = tu_corpus_lines(NULL, SPLIT, 100000);
    spamlr_model *m = NULL;
    spamlr_train_opts o;

    spamlr_train_opts_init(&o);
    o.c = c;
    o.tol = 1e-8;
    o.min_count = 1;
    o.solver = solver;
    o.l1 = l1;
    o.prior = prior ? base : NULL;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

/* The option struct kept its size: prior came out of the reserved space. */
START_TEST(opts_abi)
{
    spamlr_train_opts o;

    spamlr_train_opts_init(&o);
    ck_assert_ptr_null(o.prior);
    ck_assert_uint_eq(sizeof o, 144);
}
END_TEST

/* C -> 0: every word is the base's (the bias, unpenalised, is not);
 * words of the base the data lack are in the model with their weight. */
START_TEST(tiny_c_gives_base)
{
    static const unsigned solvers[] = { SPAMLR_SOLVER_TRON, SPAMLR_SOLVER_LBFGS,
                                        SPAMLR_SOLVER_OWLQN };
    spamlr_model *base = base_model(), *m;
    size_t i, n = spamlr_model_vocab_size(base), s;

    for (s = 0; s < 3; s++) {
        m = adapt(base, 1e-7, 1, solvers[s], solvers[s] == SPAMLR_SOLVER_OWLQN ? 0.5 : 0);
        ck_assert_uint_ge(spamlr_model_vocab_size(m), n);
        for (i = 0; i < n; i++) {
            spamlr_word w;
            float mw;

            ck_assert_int_eq(spamlr_model_word(base, i, &w), SPAMLR_OK);
            ck_assert_int_eq(spamlr_model_weight(m, w.token, &mw), SPAMLR_OK);
            ck_assert_msg(fabsf(mw - w.weight) <= 1e-5f, "solver %u '%s': base %g model %g",
                          solvers[s], w.token, w.weight, mw);
        }
        spamlr_model_free(m);
    }
    spamlr_model_free(base);
}
END_TEST

/* C large: the data decide, the prior fades: the adapted model is far
 * nearer the plain one than the base is, and at moderate C the prior
 * makes a difference. */
START_TEST(large_c_gives_plain)
{
    spamlr_model *base = base_model(), *mp = adapt(base, 1e4, 1, SPAMLR_SOLVER_TRON, 0),
                 *mq = adapt(base, 1e4, 0, SPAMLR_SOLVER_TRON, 0);
    spamlr_model *sp = adapt(base, 1, 1, SPAMLR_SOLVER_TRON, 0),
                 *sq = adapt(base, 1, 0, SPAMLR_SOLVER_TRON, 0);
    size_t i, n = spamlr_model_vocab_size(mq);
    double dl = 0, nl = 0, ds = 0, ns = 0;

    for (i = 0; i < n; i++) {
        spamlr_word w;
        float a;

        ck_assert_int_eq(spamlr_model_word(mq, i, &w), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_weight(mp, w.token, &a), SPAMLR_OK);
        dl += (a - w.weight) * (a - w.weight);
        nl += w.weight * w.weight;
    }
    n = spamlr_model_vocab_size(sq);
    for (i = 0; i < n; i++) {
        spamlr_word w;
        float a;

        ck_assert_int_eq(spamlr_model_word(sq, i, &w), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_weight(sp, w.token, &a), SPAMLR_OK);
        ds += (a - w.weight) * (a - w.weight);
        ns += w.weight * w.weight;
    }
    /* relative distance to the plain optimum: large at C = 1, a tenth of
     * it at C = 1e4 (these 116 messages are nearly separable, so the plain
     * weights keep growing with C; the exact limit on data that are not
     * is test_solver's test_prior_limits) */
    ck_assert_msg(sqrt(ds / ns) > 0.5, "C=1: %g", sqrt(ds / ns));
    ck_assert_msg(sqrt(dl / nl) < 0.1 * sqrt(ds / ns), "C=1e4: %g, C=1: %g", sqrt(dl / nl),
                  sqrt(ds / ns));
    spamlr_model_free(mp);
    spamlr_model_free(mq);
    spamlr_model_free(sp);
    spamlr_model_free(sq);
    spamlr_model_free(base);
}
END_TEST

/* The base is recorded (name, the file's CRC, its date); save -> load and
 * dump -> import keep it and every weight; a plain model records none. */
START_TEST(records_base_round_trips)
{
    char dir[256], bpath[512], mpath[512], m2path[512];
    spamlr_model *base = base_model(), *b2 = NULL, *m, *l = NULL, *imp = NULL;
    spamlr_model_base_info bi, li;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    unsigned char *x = NULL, *y = NULL;
    size_t xn, yn, i, n;
    char *text = NULL;
    size_t tlen;

    tu_tmpdir(dir, sizeof dir);
    snprintf(bpath, sizeof bpath, "%s/base.slr", dir);
    snprintf(mpath, sizeof mpath, "%s/user.slr", dir);
    snprintf(m2path, sizeof m2path, "%s/user2.slr", dir);
    ck_assert_int_eq(spamlr_model_save(base, bpath, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load(&b2, bpath, NULL), SPAMLR_OK);
    ck_assert_uint_ne(spamlr_model_file_crc(b2), 0);
    ck_assert_int_eq(spamlr_model_base(b2, &bi), 0);
    m = adapt(b2, 1, 1, SPAMLR_SOLVER_TRON, 0);
    ck_assert_int_eq(spamlr_model_base(m, &bi), 1);
    ck_assert_str_eq(bi.name, "base.slr");
    ck_assert_uint_eq(bi.crc, spamlr_model_file_crc(b2));
    spamlr_model_info_get(b2, &info);
    ck_assert(bi.trained_at == info.trained_at);
    ck_assert_int_eq(spamlr_model_save(m, mpath, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load(&l, mpath, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_base(l, &li), 1);
    ck_assert_str_eq(li.name, bi.name);
    ck_assert_uint_eq(li.crc, bi.crc);
    ck_assert(li.trained_at == bi.trained_at);
    n = spamlr_model_vocab_size(m);
    ck_assert_uint_eq(spamlr_model_vocab_size(l), n);
    for (i = 0; i < n; i++) {
        spamlr_word a, b;
        ck_assert_int_eq(spamlr_model_word(m, i, &a), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_word(l, i, &b), SPAMLR_OK);
        ck_assert_str_eq(a.token, b.token);
        ck_assert(a.weight == b.weight);
    }
    ck_assert_int_eq(spamlr_model_dump(l, &text, &tlen), SPAMLR_OK);
    ck_assert_ptr_nonnull(strstr(text, "\nbase_name=base.slr\n"));
    ck_assert_int_eq(spamlr_model_import(&imp, text, tlen, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(l, &x, &xn), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(imp, &y, &yn), SPAMLR_OK);
    ck_assert_uint_eq(xn, yn);
    ck_assert(memcmp(x, y, xn) == 0);
    /* a model trained without a prior has no base, in a file neither */
    ck_assert_int_eq(spamlr_model_save(base, m2path, NULL), SPAMLR_OK);
    spamlr_model_free(imp);
    imp = NULL;
    ck_assert_int_eq(spamlr_model_load(&imp, m2path, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_base(imp, &li), 0);
    ck_assert_ptr_null(li.name);
    free(text);
    free(x);
    free(y);
    spamlr_model_free(imp);
    spamlr_model_free(l);
    spamlr_model_free(m);
    spamlr_model_free(b2);
    spamlr_model_free(base);
    tu_rmrf(dir);
}
END_TEST

/* Refused: another tokenisation, an online solver. */
START_TEST(refusals)
{
    spamlr_model *base = base_model(), *m = NULL;
    spamlr_text_opts to;
    spamlr_dataset *ds;
    spamlr_train_opts o;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    spamlr_text_opts_init(&to);
    to.ngrams = 2;
    ds = tu_corpus_lines(&to, SPLIT, 100000);
    spamlr_train_opts_init(&o);
    o.prior = base;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    ck_assert_ptr_nonnull(strstr(d.message, "prior"));
    spamlr_dataset_free(ds);
    ds = tu_corpus_lines(NULL, SPLIT, 100000);
    o.solver = SPAMLR_SOLVER_ADAGRAD;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    /* C chosen by validation works with a prior */
    o.solver = SPAMLR_SOLVER_AUTO;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_OK);
    ck_assert_uint_gt(spamlr_model_path(m, NULL, NULL), 0);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    spamlr_model_free(base);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prior");
    TCase *tc = tcase_create("prior");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, opts_abi);
    tcase_add_test(tc, tiny_c_gives_base);
    tcase_add_test(tc, large_c_gives_plain);
    tcase_add_test(tc, records_base_round_trips);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
