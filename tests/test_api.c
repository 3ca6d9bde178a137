/* test_api.c - the small API items of 0.3: SPAMLR_DIAG_INIT, the model's
 * threshold and spamlr_predict_label, spamlr_train's rule that a model
 * comes back only with SPAMLR_OK (keep_unconverged; version 1 as 0.2),
 * option structs of an older version accepted, progress callbacks, and
 * the struct sizes that must not change. */
#include "testutil.h"

#include <math.h>
#include <stddef.h>

static spamlr_dataset *small_data(void)
{
    static const char *const spam[] = {
        "free money now", "win a free prize", "cheap pills online", "claim your prize money",
        "free cash offer"
    };
    static const char *const ham[] = {
        "lunch at noon", "meeting notes attached", "see you at lunch", "the report for monday",
        "notes from the meeting"
    };

    return tu_plain_pairs(spam, ham, 5);
}

START_TEST(diag_init)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char buf[64];

    ck_assert_int_eq(d.code, 0);
    ck_assert_int_eq(d.line, 0);
    ck_assert(d.offset == -1);
    ck_assert_str_eq(d.path, "");
    ck_assert_str_eq(d.message, "");
    ck_assert_str_eq(spamlr_diag_format(&d, buf, sizeof buf), "success"); /* as a zeroed one */
}
END_TEST

START_TEST(threshold_and_label)
{
    spamlr_dataset *ds = small_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    double p, q;
    int label = -5;

    spamlr_train_opts_init(&o);
    o.c = 10;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    ck_assert(spamlr_model_threshold(m) == 0.5);
    ck_assert(isnan(spamlr_model_threshold(NULL)));
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_label(m, s, "free money", 10, &label, &p), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict(m, s, "free money", 10, &q, NULL), SPAMLR_OK);
    ck_assert(p == q);
    ck_assert_int_eq(label, p >= 0.5 ? SPAMLR_SPAM : SPAMLR_HAM);
    ck_assert_int_eq(label, SPAMLR_SPAM);
    /* the verdict follows the model's threshold */
    ck_assert_int_eq(spamlr_model_set_threshold(m, 1.0), SPAMLR_OK);
    ck_assert(spamlr_model_threshold(m) == 1.0);
    ck_assert_int_eq(spamlr_predict_label(m, s, "free money", 10, &label, NULL), SPAMLR_OK);
    ck_assert_int_eq(label, p >= 1.0 ? SPAMLR_SPAM : SPAMLR_HAM);
    ck_assert_int_eq(spamlr_model_set_threshold(m, 0.0), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_label(m, s, "lunch", 5, &label, NULL), SPAMLR_OK);
    ck_assert_int_eq(label, SPAMLR_SPAM);
    ck_assert_int_eq(spamlr_predict_label(m, s, "lunch", 5, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_label(NULL, s, "x", 1, &label, NULL), SPAMLR_EINVAL);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

/* max_iter 1 and a tolerance no solver meets in one step */
static void unconverging(spamlr_train_opts *o)
{
    spamlr_train_opts_init(o);
    o->c = 1000;
    o->max_iter = 1;
    o->tol = 1e-12;
    o->solver = SPAMLR_SOLVER_LBFGS;
}

START_TEST(noconverge_returns_no_model)
{
    spamlr_dataset *ds = small_data();
    spamlr_train_opts o;
    spamlr_train_report r = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_model *m = (spamlr_model *)&o; /* must be overwritten */
    spamlr_diag d = SPAMLR_DIAG_INIT;

    unconverging(&o);
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &r, &d), SPAMLR_ENOCONVERGE);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(d.code, SPAMLR_ENOCONVERGE);
    ck_assert_uint_eq(r.iterations, 1);
    /* keep_unconverged: the model, SPAMLR_OK, a warning (code 0) */
    o.keep_unconverged = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &r, &d), SPAMLR_OK);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(d.code, 0);
    ck_assert(strstr(d.message, "stopped after 1 iterations") != NULL);
    spamlr_model_free(m);
    /* converging training leaves the diag clear */
    spamlr_train_opts_init(&o);
    o.c = 1;
    o.keep_unconverged = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_OK);
    ck_assert_str_eq(d.message, "");
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

/* A 0.2 program: version 1, with the now-used reserved space not zero.
 * Its options work, the new fields are ignored, and ENOCONVERGE still
 * comes with the model it was documented to. */
START_TEST(old_train_opts)
{
    spamlr_dataset *ds = small_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;

    unconverging(&o);
    o.version = 1;
    memset(&o.keep_unconverged, 0xff, sizeof o.keep_unconverged);
    memset((char *)&o + offsetof(spamlr_train_opts, progress), 0xa5,
           sizeof o - offsetof(spamlr_train_opts, progress));
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_ENOCONVERGE);
    ck_assert_ptr_nonnull(m);
    spamlr_model_free(m);
    m = NULL;
    o.max_iter = 1000;
    o.tol = 1e-4;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_model_free(m);
    /* 0 and versions newer than the library are refused */
    o.version = 0;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_EINVAL);
    o.version = SPAMLR_OPTS_VERSION + 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    /* cross-validation with version 1 options */
    {
        double probs[10];
        unconverging(&o);
        o.version = 1;
        ck_assert_int_eq(spamlr_cross_validate(ds, &o, 2, probs, NULL), SPAMLR_OK);
        ck_assert(probs[0] >= 0 && probs[0] <= 1);
    }
    spamlr_dataset_free(ds);
}
END_TEST

static int count_tok(void *ctx, const char *tok, size_t len)
{
    (void)tok;
    (void)len;
    (*(int *)ctx)++;
    return 0;
}

START_TEST(old_text_and_online_opts)
{
    spamlr_text_opts t;
    spamlr_online_opts on;
    spamlr_dataset *ds;
    spamlr_model *m;
    int n = 0;

    spamlr_text_opts_init(&t);
    ck_assert_uint_eq(t.version, SPAMLR_OPTS_VERSION);
    t.version = 1;
    ck_assert_int_eq(spamlr_tokenize(&t, "free money", 10, count_tok, &n), SPAMLR_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(spamlr_dataset_create(&ds, &t), SPAMLR_OK);
    spamlr_dataset_free(ds);
    ck_assert_int_eq(spamlr_model_create(&m, &t), SPAMLR_OK);
    {
        spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
        spamlr_model_info_get(m, &info); /* taken in as the current version */
        ck_assert_uint_eq(info.text.version, SPAMLR_OPTS_VERSION);
        ck_assert_uint_eq(info.text.mime, t.mime);
    }
    spamlr_online_opts_init(&on);
    on.version = 1;
    ck_assert_int_eq(spamlr_model_online_setup(m, &on), SPAMLR_OK);
    on.version = SPAMLR_OPTS_VERSION + 1;
    ck_assert_int_eq(spamlr_model_online_setup(m, &on), SPAMLR_EINVAL);
    on.version = 0;
    ck_assert_int_eq(spamlr_model_online_setup(m, &on), SPAMLR_EINVAL);
    spamlr_model_free(m);
    t.version = SPAMLR_OPTS_VERSION + 1;
    ck_assert_int_eq(spamlr_tokenize(&t, "x", 1, count_tok, &n), SPAMLR_EINVAL);
    t.version = 0;
    ck_assert_int_eq(spamlr_tokenize(&t, "x", 1, count_tok, &n), SPAMLR_EINVAL);
}
END_TEST

typedef struct seen {
    int read, path, final;
    size_t last_done, files, total;
    uint64_t bytes;
    double c;
} seen;

static int on_progress(void *ctx, const spamlr_progress *p)
{
    seen *s = ctx;

    switch (p->stage) {
    case SPAMLR_PROGRESS_READ:
        s->read++;
        ck_assert_uint_ge(p->done, s->last_done);
        s->last_done = p->done;
        s->files = p->files;
        s->total = p->total;
        ck_assert_uint_ge(p->bytes, s->bytes);
        s->bytes = p->bytes;
        break;
    case SPAMLR_PROGRESS_PATH:
        ck_assert_uint_eq(p->done, (size_t)s->path + 1);
        ck_assert(p->c > 0 && p->log_loss >= 0);
        s->path++;
        break;
    case SPAMLR_PROGRESS_FINAL:
        s->final++;
        s->c = p->c;
        break;
    case SPAMLR_PROGRESS_ITER:
        ck_assert_int_eq(s->final, 1);
        ck_assert(p->c == s->c && p->grad_norm > p->grad_goal && p->grad_goal > 0);
        break;
    default: ck_abort_msg("unknown stage %u", p->stage);
    }
    return 0;
}

START_TEST(progress_callbacks)
{
    char dir[64], path[128], msg[64];
    spamlr_dataset *ds;
    spamlr_train_opts o;
    spamlr_model *m;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    seen s;
    unsigned threads, i;
    uint64_t bytes = 0;

    tu_tmpdir(dir, sizeof dir);
    for (i = 0; i < 40; i++) {
        int len = snprintf(msg, sizeof msg, "Subject: offer %u\n\nfree money %u\n", i, i);
        snprintf(path, sizeof path, "%s/m%02u", dir, i);
        tu_write(path, msg, (size_t)len);
        bytes += (uint64_t)len;
    }
    for (threads = 1; threads <= 2; threads++) {
        memset(&s, 0, sizeof s);
        ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
        spamlr_dataset_set_threads(ds, threads);
        spamlr_dataset_set_progress(ds, on_progress, &s);
        ck_assert_int_eq(spamlr_dataset_read_path(ds, SPAMLR_SPAM, dir, NULL), SPAMLR_OK);
        ck_assert_int_ge(s.read, 1);
        ck_assert_uint_eq(s.last_done, 40);
        ck_assert_uint_eq(s.total, 40);
        ck_assert_uint_eq(s.files, 40);
        /* the last report counts every byte, also those of files other
         * threads read (before, 2 threads reported the first chunk's) */
        ck_assert_uint_eq(s.bytes, bytes);
        spamlr_dataset_free(ds);
    }
    /* training: the path, then the final solve; nothing once unset */
    ds = small_data();
    memset(&s, 0, sizeof s);
    spamlr_dataset_set_progress(ds, on_progress, &s);
    spamlr_train_opts_init(&o);
    ck_assert_ptr_null(o.progress);
    o.progress = on_progress;
    o.progress_ctx = &s;
    o.folds = 2;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    ck_assert_uint_eq((size_t)s.path, spamlr_model_path(m, NULL, NULL));
    ck_assert_int_gt(s.path, 2);
    ck_assert_int_eq(s.final, 1);
    spamlr_model_info_get(m, &info);
    ck_assert(s.c == info.c);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    tu_rmrf(dir);
}
END_TEST

/* The same model, weight for weight, from one copy of the corpus
 * through spamlr_train and from another through spamlr_train_consume,
 * with and without a bias, with C chosen on the path and fixed; the
 * consumed dataset has no rows after, and takes new ones as a fresh one
 * would. */
static void same_model(const spamlr_model *a, const spamlr_model *b)
{
    spamlr_model_info ia = SPAMLR_MODEL_INFO_INIT, ib = SPAMLR_MODEL_INFO_INIT;
    size_t i, n = spamlr_model_vocab_size(a);

    ck_assert_uint_eq(spamlr_model_vocab_size(b), n);
    ck_assert_uint_gt(n, 100);
    for (i = 0; i < n; i++) {
        spamlr_word wa, wb;

        ck_assert_int_eq(spamlr_model_word(a, i, &wa), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_word(b, i, &wb), SPAMLR_OK);
        ck_assert_str_eq(wa.token, wb.token);
        ck_assert_msg(wa.weight == wb.weight, "%s: %.9g vs %.9g", wa.token, wa.weight,
                      wb.weight);
    }
    spamlr_model_info_get(a, &ia);
    spamlr_model_info_get(b, &ib);
    ck_assert(ia.bias == ib.bias && ia.c == ib.c && ia.objective == ib.objective);
}

START_TEST(train_consume)
{
    spamlr_train_opts o;
    unsigned round;

    for (round = 0; round < 3; round++) {
        spamlr_dataset *keep = tu_corpus_lines(NULL, 0, 400), *take = tu_corpus_lines(NULL, 0, 400);
        spamlr_dataset *fresh = tu_corpus_lines(NULL, 0, 0);
        spamlr_model *a = NULL, *b = NULL;
        size_t vocab = spamlr_dataset_vocab_size(take);

        if (round == 0) { /* an unlabelled row first, the corpus after it:
                             its entries are skipped as the rest move */
            char path[256];

            spamlr_dataset_free(keep);
            spamlr_dataset_free(take);
            keep = tu_corpus_lines(NULL, 0, 0);
            take = tu_corpus_lines(NULL, 0, 0);
            ck_assert_int_eq(spamlr_dataset_add(keep, SPAMLR_UNLABELLED, "unknown text", 12, "u"),
                             SPAMLR_OK);
            ck_assert_int_eq(spamlr_dataset_add(take, SPAMLR_UNLABELLED, "unknown text", 12, "u"),
                             SPAMLR_OK);
            tu_data(path, sizeof path, "corpus.tsv");
            ck_assert_int_eq(spamlr_dataset_read_lines(keep, path, NULL), SPAMLR_OK);
            ck_assert_int_eq(spamlr_dataset_read_lines(take, path, NULL), SPAMLR_OK);
            vocab = spamlr_dataset_vocab_size(take);
        }
        spamlr_train_opts_init(&o);
        o.bias = round != 1;      /* 0, 2: with the bias entries moved in */
        o.min_count = round == 1 ? 1 : 2; /* 1: every word, the model's
                                             vocabulary a copy of the
                                             dataset's (its table dropped) */
        if (round == 2)
            o.c = 4;
        ck_assert_int_eq(spamlr_train(&a, keep, &o, NULL, NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr_train_consume(&b, take, &o, NULL, NULL), SPAMLR_OK);
        same_model(a, b);
        ck_assert_uint_eq(spamlr_dataset_rows(keep), round == 0 ? 417 : 400);
        ck_assert_uint_eq(spamlr_dataset_rows(take), 0);
        ck_assert_uint_eq(spamlr_dataset_vocab_size(take), vocab);
        /* rows added after it: the rows a fresh dataset gets, so the
         * same predictions */
        ck_assert_int_eq(spamlr_dataset_add(take, SPAMLR_SPAM, "free prize money free", 21, "x"),
                         SPAMLR_OK);
        ck_assert_int_eq(spamlr_dataset_add(fresh, SPAMLR_SPAM, "free prize money free", 21, "x"),
                         SPAMLR_OK);
        {
            double pt, pf;

            ck_assert_int_eq(spamlr_predict_dataset(a, take, &pt, NULL), SPAMLR_OK);
            ck_assert_int_eq(spamlr_predict_dataset(a, fresh, &pf, NULL), SPAMLR_OK);
            ck_assert(pt == pf);
        }
        spamlr_model_free(a);
        spamlr_model_free(b);
        spamlr_dataset_free(keep);
        spamlr_dataset_free(take);
        spamlr_dataset_free(fresh);
    }
    /* a check that fails first leaves the rows */
    {
        spamlr_dataset *ds = small_data();
        spamlr_model *m = NULL;

        spamlr_train_opts_init(&o);
        o.c = -1;
        ck_assert_int_eq(spamlr_train_consume(&m, ds, &o, NULL, NULL), SPAMLR_EINVAL);
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(spamlr_dataset_rows(ds), 10);
        spamlr_dataset_free(ds);
    }
}
END_TEST

/* The option structs keep their 0.2 sizes and the places of their old
 * fields; the output structs have their 0.3 (first sized) layout (on
 * LP64), spamlr_model_info with `layout` added after it (a caller built
 * with the 0.3 header passes the 0.3 size and gets the fields it knows)
 * and `idf_learned` in the padding after that (the size stayed); 0.4
 * adds the rehearsal memory's counts at the end, and the report the C
 * path's seconds (a caller built with an older header passes its size and
 * gets the fields it knows). */
START_TEST(abi_sizes)
{
    if (sizeof(void *) != 8)
        return;
    ck_assert_uint_eq(sizeof(spamlr_train_opts), 144);
    ck_assert_uint_eq(offsetof(spamlr_train_opts, keep_unconverged), 116);
    ck_assert_uint_eq(offsetof(spamlr_train_opts, progress), 128);
    ck_assert_uint_eq(offsetof(spamlr_train_opts, progress_ctx), 136);
    ck_assert_uint_eq(sizeof(spamlr_text_opts), 64);
    ck_assert_uint_eq(sizeof(spamlr_diag), 1056);
    ck_assert_uint_eq(offsetof(spamlr_diag, code), 8);
    ck_assert_uint_eq(offsetof(spamlr_model_info, layout), 240);
    ck_assert_uint_eq(offsetof(spamlr_model_info, idf_learned), 244);
    ck_assert_uint_eq(offsetof(spamlr_model_info, memory), 248);
    ck_assert_uint_eq(offsetof(spamlr_model_info, remembered), 256);
    ck_assert_uint_eq(offsetof(spamlr_model_info, memory_offered), 272);
    ck_assert_uint_eq(sizeof(spamlr_model_info), 288);
    ck_assert_uint_eq(offsetof(spamlr_train_report, path_seconds), 80);
    ck_assert_uint_eq(sizeof(spamlr_train_report), 88);
    ck_assert_uint_eq(sizeof(spamlr_explanation), 72);
    ck_assert_uint_eq(sizeof(spamlr_metrics), 136);
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, diag_init);
    tcase_add_test(tc, threshold_and_label);
    tcase_add_test(tc, noconverge_returns_no_model);
    tcase_add_test(tc, old_train_opts);
    tcase_add_test(tc, old_text_and_online_opts);
    tcase_add_test(tc, progress_callbacks);
    tcase_add_test(tc, train_consume);
    tcase_add_test(tc, abi_sizes);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(api_suite)
