/* test_explain.c - making the parameters visible: explain, prune, 16-bit
 * weights, dump and import. */
#include "testutil.h"
#include <math.h>
#include <stdint.h>

#include "model/model.h"

static const char *SPAM[] = {
    "win a free prize now", "free viagra cheap pills", "恭喜您中奖了 请点击领取",
    "cheap loans apply now free", "代开发票 免费咨询", "claim your free prize today",
    "中奖通知 领取奖金", "buy cheap watches now free free",
};
static const char *HAM[] = {
    "lunch at noon tomorrow?", "the meeting moved to friday", "明天下午开会",
    "can you send the report", "我们晚上一起吃饭吧", "see you at the station",
    "please review my patch", "周末去看电影吗", "thanks for the notes notes",
};
#define NMSG (sizeof SPAM / sizeof *SPAM + sizeof HAM / sizeof *HAM)
#define NSPAM (sizeof SPAM / sizeof *SPAM)

static const char *msg(size_t i)
{
    return i < NSPAM ? SPAM[i] : HAM[i - NSPAM];
}

/* variant 0: binary plain text, 1: logtf + mime, 2: tfidf + bigrams */
static spamlr_model *train_variant(int v)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;
    spamlr_text_opts to;
    spamlr_train_opts o;
    size_t i;

    spamlr_text_opts_init(&to);
    to.mime = v == 1;
    to.features = (unsigned)v;
    to.ngrams = v == 2 ? 2 : 1;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &to), SPAMLR_OK);
    for (i = 0; i < NMSG; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, i < NSPAM ? SPAMLR_SPAM : SPAMLR_HAM, msg(i),
                                            strlen(msg(i)), NULL), SPAMLR_OK);
    spamlr_train_opts_init(&o);
    o.c = 10;
    o.tol = 1e-8;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

START_TEST(explain_sums_to_the_score)
{
    spamlr_model *m = train_variant(_i);
    spamlr_scratch *s = NULL;
    spamlr_contribution items[64];
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    size_t i, j;

    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (i = 0; i < NMSG + 1; i++) {
        const char *t = i < NMSG ? msg(i) : "free free zzunknown prize qqunknown 中奖";
        double p, z, sum;
        ck_assert_int_eq(spamlr_predict(m, s, t, strlen(t), &p, &z), SPAMLR_OK);
        ck_assert_int_eq(spamlr_explain(m, s, t, strlen(t), &ex, items, 64), SPAMLR_OK);
        ck_assert(ex.score == z); /* the same path, the same sum */
        ck_assert(ex.prob == p);
        ck_assert_uint_eq(ex.n, ex.total);
        ck_assert_uint_eq(ex.known + ex.unknown, ex.tokens);
        sum = ex.bias;
        for (j = 0; j < ex.n; j++) {
            sum += items[j].contribution;
            ck_assert_double_eq_tol(items[j].contribution,
                                    (double)items[j].value * items[j].weight, 1e-12);
            if (j) {
                double a = fabs(items[j - 1].contribution), b = fabs(items[j].contribution);
                ck_assert(a > b || (a == b && strcmp(items[j - 1].token, items[j].token) < 0));
            }
        }
        ck_assert_double_eq_tol(sum, z, 1e-6);
        if (i == NMSG) {
            if (_i != 2) /* (with bigrams the pairs are unknown too) */
                ck_assert_uint_eq(ex.unknown, 2); /* zzunknown, qqunknown */
            for (j = 0; j < ex.n; j++)
                if (strcmp(items[j].token, "free") == 0)
                    ck_assert_uint_eq(items[j].count, 2);
        }
    }
    /* a short array gets the largest contributions; total still counts all */
    {
        const char *t = SPAM[0];
        spamlr_contribution two[2];
        ck_assert_int_eq(spamlr_explain(m, s, t, strlen(t), &ex, items, 64), SPAMLR_OK);
        ck_assert_int_eq(spamlr_explain(m, s, t, strlen(t), &ex, two, 2), SPAMLR_OK);
        ck_assert_uint_eq(ex.n, 2);
        ck_assert(ex.total > 2);
        ck_assert_str_eq(two[0].token, items[0].token);
        ck_assert_str_eq(two[1].token, items[1].token);
        ck_assert_int_eq(spamlr_explain(m, s, t, strlen(t), &ex, NULL, 0), SPAMLR_OK);
        ck_assert_uint_eq(ex.n, 0);
    }
    ck_assert_int_eq(spamlr_explain(m, s, NULL, 3, &ex, NULL, 0), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_explain(m, s, "x", 1, NULL, NULL, 0), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_explain(m, s, "x", 1, &ex, NULL, 3), SPAMLR_EINVAL);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
}
END_TEST

/* brute force: is word (w, tok) among the k largest by |w|, ties by token? */
static int rank_of(const spamlr_model *m, float w, const char *tok)
{
    size_t i, n = spamlr_model_vocab_size(m);
    int r = 0;

    for (i = 0; i < n; i++) {
        spamlr_word x;
        spamlr_model_word(m, i, &x);
        if (fabsf(x.weight) > fabsf(w) ||
            (fabsf(x.weight) == fabsf(w) && strcmp(x.token, tok) < 0))
            r++;
    }
    return r;
}

START_TEST(prune_keeps_the_largest)
{
    spamlr_model *m = train_variant(_i), *p = NULL;
    spamlr_model_info im = SPAMLR_MODEL_INFO_INIT, ip = SPAMLR_MODEL_INFO_INIT;
    size_t n = spamlr_model_vocab_size(m), keep, i;

    spamlr_model_info_get(m, &im);
    ck_assert_uint_eq(im.pruned_from, 0);
    for (keep = 0; keep <= n + 1; keep += keep < 12 ? 1 : 7) {
        size_t want = keep < n ? keep : n, prev = 0;
        ck_assert_int_eq(spamlr_model_prune(&p, m, keep, 0), SPAMLR_OK);
        ck_assert_uint_eq(spamlr_model_vocab_size(p), want);
        for (i = 0; i < want; i++) {
            spamlr_word x;
            float w0;
            ck_assert_int_eq(spamlr_model_word(p, i, &x), SPAMLR_OK);
            ck_assert_int_eq(spamlr_model_weight(m, x.token, &w0), SPAMLR_OK);
            ck_assert(w0 == x.weight);
            ck_assert_int_lt(rank_of(m, x.weight, x.token), (int)want);
            /* kept words keep their order */
            {
                size_t j;
                for (j = 0; j < n; j++) {
                    spamlr_word y;
                    spamlr_model_word(m, j, &y);
                    if (strcmp(y.token, x.token) == 0)
                        break;
                }
                ck_assert(i == 0 || j > prev);
                prev = j;
            }
        }
        spamlr_model_info_get(p, &ip);
        ck_assert_uint_eq(ip.pruned_from, want < n ? n : 0); /* only when words went */
        ck_assert(ip.bias == im.bias);
        ck_assert(ip.c == im.c && ip.objective == im.objective);
        ck_assert_mem_eq(&ip.text, &im.text, sizeof ip.text);
        /* the file round trip keeps the record */
        {
            unsigned char *buf = NULL;
            size_t size;
            spamlr_model *l = NULL, *pp = NULL;
            ck_assert_int_eq(spamlr_model_save_buffer(p, &buf, &size), SPAMLR_OK);
            ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), SPAMLR_OK);
            spamlr_model_info_get(l, &ip);
            ck_assert_uint_eq(ip.pruned_from, want < n ? n : 0);
            if (want == n) /* nothing dropped: the very same file */
                tu_same_saved(m, l);
            /* pruning again keeps the original size */
            ck_assert_int_eq(spamlr_model_prune(&pp, l, want / 2, 0), SPAMLR_OK);
            spamlr_model_info_get(pp, &ip);
            ck_assert_uint_eq(ip.pruned_from, want / 2 < n ? n : 0);
            spamlr_model_free(pp);
            spamlr_model_free(l);
            free(buf);
        }
        spamlr_model_free(p);
    }
    /* min_abs */
    ck_assert_int_eq(spamlr_model_prune(&p, m, SIZE_MAX, 0.5), SPAMLR_OK);
    for (i = 0; i < spamlr_model_vocab_size(p); i++) {
        spamlr_word x;
        spamlr_model_word(p, i, &x);
        ck_assert(fabsf(x.weight) >= 0.5f);
    }
    {
        size_t big = 0;
        for (i = 0; i < n; i++) {
            spamlr_word x;
            spamlr_model_word(m, i, &x);
            big += fabsf(x.weight) >= 0.5f;
        }
        ck_assert_uint_eq(spamlr_model_vocab_size(p), big);
    }
    spamlr_model_free(p);
    ck_assert_int_eq(spamlr_model_prune(&p, m, 3, -1), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_prune(&p, m, 3, NAN), SPAMLR_EINVAL);
    ck_assert_ptr_null(p);
    spamlr_model_free(m);
}
END_TEST

static void same_predictions(const spamlr_model *a, const spamlr_model *b, double tol)
{
    spamlr_scratch *s = NULL;
    size_t i;

    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (i = 0; i < NMSG; i++) {
        double pa, pb;
        ck_assert_int_eq(spamlr_predict(a, s, msg(i), strlen(msg(i)), &pa, NULL), 0);
        ck_assert_int_eq(spamlr_predict(b, s, msg(i), strlen(msg(i)), &pb, NULL), 0);
        if (tol == 0)
            ck_assert(pa == pb);
        else
            ck_assert_double_eq_tol(pa, pb, tol);
    }
    spamlr_scratch_free(s);
}

START_TEST(dump_import_round_trip)
{
    spamlr_model *m = train_variant(_i % 3), *l = NULL, *p = NULL;
    char *text = NULL, *text2 = NULL;
    size_t len, len2;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    if (_i >= 3) { /* a pruned 16-bit model */
        ck_assert_int_eq(spamlr_model_prune(&p, m, 10, 0), SPAMLR_OK);
        spamlr_model_free(m);
        m = p;
        ck_assert_int_eq(spamlr_model_set_weight_bits(m, 16), SPAMLR_OK);
    }
    ck_assert_int_eq(spamlr_model_dump(m, &text, &len), SPAMLR_OK);
    ck_assert_uint_eq(strlen(text), len);
    ck_assert_int_eq(spamlr_model_import(&l, text, len, &d), SPAMLR_OK);
    tu_same_saved(m, l);
    same_predictions(m, l, 0);
    ck_assert_int_eq(spamlr_model_dump(l, &text2, &len2), SPAMLR_OK);
    ck_assert_uint_eq(len, len2);
    ck_assert_mem_eq(text, text2, len);
    spamlr_model_free(l);
    l = NULL;
    /* an editor's UTF-8 byte order mark before the first line is skipped */
    free(text2);
    ck_assert_ptr_nonnull(text2 = malloc(len + 3));
    memcpy(text2, "\xef\xbb\xbf", 3);
    memcpy(text2 + 3, text, len);
    ck_assert_int_eq(spamlr_model_import(&l, text2, len + 3, &d), SPAMLR_OK);
    tu_same_saved(m, l);
    free(text);
    free(text2);
    spamlr_model_free(l);
    spamlr_model_free(m);
}
END_TEST

START_TEST(dump_escapes_tokens)
{
    /* tokens no tokenizer makes, but a file may hold */
    static const char dump[] =
        "spamlr-dump 1\n"
        "features=binary\n"
        "bias=-0.25\n"
        "trained_at=9007199254740993\n" /* 2^53 + 1: not a double */
        "[words]\n"
        "tab\\there\t1.5\n"
        "new\\nline\\r\t-2\n"
        "back\\\\slash\t0.125\n"
        "bad\\xff\\xFEbytes\t3\n"
        "中奖\t2.75\n"
        "\t0.5\n";
    spamlr_model *m = NULL, *l = NULL;
    char *text = NULL;
    size_t len;
    float w;

    ck_assert_int_eq(spamlr_model_import(&m, dump, sizeof dump - 1, NULL), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_model_vocab_size(m), 6);
    {
        spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
        spamlr_model_info_get(m, &info);
        ck_assert(info.trained_at == INT64_C(9007199254740993));
        ck_assert(info.bias == -0.25);
    }
    ck_assert_int_eq(spamlr_model_weight(m, "tab\there", &w), 0);
    ck_assert(w == 1.5f);
    ck_assert_int_eq(spamlr_model_weight(m, "new\nline\r", &w), 0);
    ck_assert(w == -2.0f);
    ck_assert_int_eq(spamlr_model_weight(m, "back\\slash", &w), 0);
    ck_assert_int_eq(spamlr_model_weight(m, "bad\xff\xfe" "bytes", &w), 0);
    ck_assert(w == 3.0f);
    ck_assert_int_eq(spamlr_model_weight(m, "中奖", &w), 0);
    ck_assert_int_eq(spamlr_model_weight(m, "", &w), 0);
    ck_assert_int_eq(spamlr_model_dump(m, &text, &len), 0);
    ck_assert_ptr_nonnull(strstr(text, "\nbad\\xff\\xfebytes\t3\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nnew\\nline\\r\t-2\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n中奖\t2.75\n"));
    ck_assert_int_eq(spamlr_model_import(&l, text, len, NULL), 0);
    tu_same_saved(m, l);
    free(text);
    spamlr_model_free(l);
    spamlr_model_free(m);
}
END_TEST

START_TEST(import_rejects_bad_dumps)
{
    static const struct { const char *text; long line; const char *what; } bad[] = {
        { "", 1, "not a spamlr dump" },
        { "spamlr-dump 2\n[words]\n", 1, "not a spamlr dump" },
        { "spamlr-dump 1\nngrams=1\n", 2, "missing" },
        { "spamlr-dump 1\nngrams=x\n[words]\n", 2, "ngrams" },
        { "spamlr-dump 1\n# c\nbogus=1\n[words]\n", 3, "unknown key" },
        { "spamlr-dump 1\nno equals sign\n", 2, "key=value" },
        { "spamlr-dump 1\nthreshold=2\n[words]\n", 2, "threshold" },
        { "spamlr-dump 1\nfeatures=fancy\n[words]\n", 2, "features" },
        { "spamlr-dump 1\n[words]\na\t1\nb\tx\n", 4, "bad number" },
        { "spamlr-dump 1\n[words]\na\t1\nb 2\n", 4, "token<TAB>weight" },
        { "spamlr-dump 1\n[words]\na\t1\nb\t2\na\t3\n", 5, "twice" },
        { "spamlr-dump 1\n[words]\na\\q\t1\n", 3, "escape" },
        { "spamlr-dump 1\n[words]\na\\x4\t1\n", 3, "hex" },
        { "spamlr-dump 1\n[words]\na\tinf\n", 3, "bad number" },
        { "spamlr-dump 1\n[words]\na\t1\t2\n", 3, "idf" },
        { "spamlr-dump 1\nfeatures=tfidf\n[words]\na\t1\n", 4, "idf" },
        { "spamlr-dump 1\nweight_bits=16\n[words]\na\t1\n", 4, "weight_scale" },
        { "spamlr-dump 1\nweight_bits=8\n[words]\n", 2, "weight_bits" },
        { "spamlr-dump 1\npruned_from=1\n[words]\na\t1\nb\t1\n", 2, "pruned_from" },
        { "spamlr-dump 1\nngrams=9\n[words]\n", 3, "tokenizer" },
        /* issue 16 item 15: every field as strictly as the file loader */
        { "spamlr-dump 1\nc=nan\n[words]\n", 2, "c out of range" },
        { "spamlr-dump 1\nc=-5\n[words]\n", 2, "c out of range" },
        { "spamlr-dump 1\nc=inf\n[words]\n", 2, "c out of range" },
        { "spamlr-dump 1\ntol=-inf\n[words]\n", 2, "tol out of range" },
        { "spamlr-dump 1\nsolver=99\n[words]\n", 2, "solver out of range" },
        { "spamlr-dump 1\nclass_weight=3\n[words]\n", 2, "class_weight out of range" },
        { "spamlr-dump 1\nobjective=nan\n[words]\n", 2, "objective out of range" },
        { "spamlr-dump 1\n#\ngrad_norm=-1\n[words]\n", 3, "grad_norm out of range" },
        { "spamlr-dump 1\nl2=inf\n[words]\n", 2, "l2" },
        { "spamlr-dump 1\nexamples=5\nspam=2\nham=2\n[words]\n", 2, "examples must be spam + ham" },
        /* no examples= line (0 by default) against spam and ham: the
         * line of [words], where the header is judged whole (fuzz_import
         * found it reported at line 0) */
        { "spamlr-dump 1\n# x\nspam=6\nham=6\n[words]\na\t1\n", 5, "examples must be spam + ham" },
        { "spamlr-dump 1\nexamples=0\nspam=18446744073709551615\nham=1\n[words]\n", 3,
          "spam out of range" },
        /* a path point is three numbers, and needs its folds (fuzz_import:
         * "path=1" imported, its dump did not) */
        { "spamlr-dump 1\npath_folds=3\npath=1\n[words]\n", 3, "path" },
        { "spamlr-dump 1\npath_folds=3\npath=1 0.5\n[words]\n", 3, "path" },
        { "spamlr-dump 1\n#\npath=1 0.5 0.9\n[words]\n", 3, "path_folds" },
        { "spamlr-dump 1\npath_folds=1\npath=1 0.5 0.9\n[words]\n", 2, "path_folds" },
        /* a prior_words= the text cannot hold: refused before its array
         * (fuzz_import: 572 million asked 2.3 GB) */
        { "spamlr-dump 1\nprior_words=572398901\n[words]\na\t1\n", 2, "prior_words" },
        { "spamlr-dump 1\nonline=sgd\n[words]\n", 2, "online" },
        { "spamlr-dump 1\nonline_eta=1\n[words]\n", 2, "need an online=" },
        { "spamlr-dump 1\nonline=ftrl\nonline_eta=0\n[words]\n", 3, "online_eta out of range" },
        { "spamlr-dump 1\nonline=adagrad\nonline_eta=1\n[words]\na\t1\n", 5, "acc" },
        { "spamlr-dump 1\nonline=adagrad\nonline_eta=1\n[words]\na\t1\t-1\n", 5, "accumulator" },
        { "spamlr-dump 1\n[words]\na\t1\n[memory]\n", 4, "[memory] needs" },
        { "spamlr-dump 1\nonline=adagrad\nonline_eta=1\nonline_seen_ham=1\n[words]\na\t1\t1\n"
          "[memory]\nham\t1:1\n", 8, "id:value" },
        { "spamlr-dump 1\nonline=adagrad\nonline_eta=1\n[words]\na\t1\t1\n"
          "[memory]\nham\t0:1\n", 7, "more remembered" },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        spamlr_model *m = NULL;
        spamlr_diag d = SPAMLR_DIAG_INIT;
        int rc = spamlr_model_import(&m, bad[i].text, strlen(bad[i].text), &d);
        ck_assert_msg(rc == SPAMLR_EPARSE, "case %zu: %d", i, rc);
        ck_assert_ptr_null(m);
        ck_assert_msg(d.line == bad[i].line, "case %zu: line %ld, expected %ld (%s)", i,
                      d.line, bad[i].line, d.message);
        ck_assert_msg(strstr(d.message, bad[i].what), "case %zu: '%s'", i, d.message);
    }
    {
        static const char nul[] = "spamlr-dump 1\n[words]\nb\t2\na\0b\t1\n";
        spamlr_model *m = NULL;
        spamlr_diag d = SPAMLR_DIAG_INIT;
        ck_assert_int_eq(spamlr_model_import(&m, nul, sizeof nul - 1, &d), SPAMLR_EPARSE);
        ck_assert_int_eq(d.line, 4);
        ck_assert_ptr_nonnull(strstr(d.message, "NUL"));
    }
}
END_TEST

/* The file loader refuses the metadata import refuses (the same rules:
 * spamlr__model_meta_check), even under a good checksum. */
START_TEST(loader_checks_the_metadata)
{
    spamlr_model *m = train_variant(0), *l = NULL;
    unsigned char *buf = NULL;
    size_t size;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int k;

    for (k = 0; k < 5; k++) {
        spamlr_model *c = NULL;
        ck_assert_int_eq(spamlr_model_prune(&c, m, SIZE_MAX, 0), SPAMLR_OK);
        switch (k) {
        case 0: c->c = NAN; break;
        case 1: c->tol = -1; break;
        case 2: c->solver = 99; break;
        case 3: c->spam = ~(uint64_t)0; break;
        default: c->examples++; break;
        }
        ck_assert_int_eq(spamlr_model_save_buffer(c, &buf, &size), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, &d), SPAMLR_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(d.message, "metadata out of range"));
        ck_assert_ptr_null(l);
        free(buf);
        spamlr_model_free(c);
    }
    { /* a regularisation path of one fold: refused (import refuses it) */
        spamlr_path_point pt = { 4.0, 0.5, 0.9 };
        spamlr_model *c = NULL;
        ck_assert_int_eq(spamlr_model_prune(&c, m, SIZE_MAX, 0), SPAMLR_OK);
        ck_assert_int_eq(spamlr__model_set_path(c, &pt, 1, 1), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_save_buffer(c, &buf, &size), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, &d), SPAMLR_ECORRUPT);
        ck_assert_ptr_nonnull(strstr(d.message, "fewer than 2 folds"));
        ck_assert_ptr_null(l);
        free(buf);
        ck_assert_int_eq(spamlr__model_set_path(c, &pt, 1, 3), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_save_buffer(c, &buf, &size), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, &d), SPAMLR_OK);
        spamlr_model_free(l);
        free(buf);
        spamlr_model_free(c);
    }
    spamlr_model_free(m);
}
END_TEST

/* Damaged dumps: every truncation and many random byte changes either
 * import (and then save and load) or fail with a line number; no crash. */
/* An FTRL model (variant 2's data) after a few online updates: every
 * section of the online state is filled. */
static spamlr_model *online_variant(void)
{
    spamlr_model *m = train_variant(2), *o = NULL;
    spamlr_scratch *s = NULL;
    size_t i;

    ck_assert_int_eq(spamlr_model_prune(&o, m, SIZE_MAX, 0), SPAMLR_OK);
    spamlr_model_free(m);
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    {
        spamlr_online_opts oo;
        spamlr_online_opts_init(&oo);
        oo.solver = SPAMLR_SOLVER_FTRL;
        ck_assert_int_eq(spamlr_model_online_setup(o, &oo), SPAMLR_OK);
    }
    for (i = 0; i < NMSG; i++)
        ck_assert_int_eq(spamlr_model_learn(o, s, msg(i), strlen(msg(i)),
                                            i < NSPAM ? SPAMLR_SPAM : SPAMLR_HAM, 1, NULL),
                         SPAMLR_OK);
    spamlr_scratch_free(s);
    return o;
}

START_TEST(online_dump_round_trip)
{
    spamlr_model *m = online_variant(), *l = NULL;
    char *text = NULL;
    size_t len;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    ck_assert_int_eq(spamlr_model_dump(m, &text, &len), SPAMLR_OK);
    ck_assert_ptr_nonnull(strstr(text, "\nonline=ftrl\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n[memory]\nham\t"));
    ck_assert_int_eq(spamlr_model_import(&l, text, len, &d), SPAMLR_OK);
    tu_same_saved(m, l);
    free(text);
    spamlr_model_free(l);
    spamlr_model_free(m);
}
END_TEST

START_TEST(import_survives_damage)
{
    spamlr_model *m = _i ? online_variant() : train_variant(2), *l = NULL;
    char *text = NULL, *copy;
    size_t len, i;
    unsigned seed = 12345;

    ck_assert_int_eq(spamlr_model_dump(m, &text, &len), SPAMLR_OK);
    copy = malloc(len + 1);
    for (i = 0; i < 3000; i++) {
        size_t n = len, k;
        spamlr_diag d = SPAMLR_DIAG_INIT;
        int rc;
        memcpy(copy, text, len);
        if (i < 1000) {
            n = (size_t)(rand_r(&seed) % (unsigned)len);
        } else {
            for (k = 0; k < 1 + i % 4; k++)
                copy[rand_r(&seed) % (unsigned)len] = (char)(rand_r(&seed) & 0xff);
        }
        rc = spamlr_model_import(&l, copy, n, &d);
        if (rc == SPAMLR_OK) {
            unsigned char *buf = NULL;
            size_t size;
            spamlr_model *again = NULL;
            ck_assert_int_eq(spamlr_model_save_buffer(l, &buf, &size), SPAMLR_OK);
            ck_assert_msg(spamlr_model_load_buffer(&again, buf, size, &d) == SPAMLR_OK,
                          "case %zu: an imported model does not load: %s", i, d.message);
            spamlr_model_free(again);
            free(buf);
            spamlr_model_free(l);
            l = NULL;
        } else {
            ck_assert_int_eq(rc, SPAMLR_EPARSE);
            ck_assert_int_gt(d.line, 0);
            ck_assert_ptr_null(l);
        }
    }
    free(copy);
    free(text);
    spamlr_model_free(m);
}
END_TEST

START_TEST(weights_16_bit)
{
    spamlr_model *m = train_variant(_i), *q = NULL, *l = NULL;
    unsigned char *b32 = NULL, *b16 = NULL;
    size_t n32, n16, i, n = spamlr_model_vocab_size(m);
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    float maxw = 0;

    ck_assert_int_eq(spamlr_model_save_buffer(m, &b32, &n32), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&q, b32, n32, NULL), 0);
    ck_assert_int_eq(spamlr_model_set_weight_bits(q, 16), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_set_weight_bits(q, 8), SPAMLR_EINVAL);
    spamlr_model_info_get(q, &info);
    ck_assert_uint_eq(info.weight_bits, 16);
    for (i = 0; i < n; i++) {
        spamlr_word a, b;
        spamlr_model_word(m, i, &a);
        spamlr_model_word(q, i, &b);
        if (fabsf(a.weight) > maxw)
            maxw = fabsf(a.weight);
    }
    for (i = 0; i < n; i++) {
        spamlr_word a, b;
        spamlr_model_word(m, i, &a);
        spamlr_model_word(q, i, &b);
        ck_assert(fabsf(a.weight - b.weight) <= maxw / 32767 * 0.5001f);
    }
    ck_assert_int_eq(spamlr_model_save_buffer(q, &b16, &n16), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, b16, n16, NULL), 0);
    spamlr_model_info_get(l, &info);
    ck_assert_uint_eq(info.weight_bits, 16);
    tu_same_saved(q, l);            /* save -> load -> save is exact */
    same_predictions(q, l, 0);   /* and so are the weights */
    same_predictions(m, q, 1e-3);
    spamlr_model_info_get(m, &info);
    ck_assert_uint_eq(info.weight_bits, 32);
    spamlr_model_free(l);
    spamlr_model_free(q);
    free(b32);
    free(b16);
    spamlr_model_free(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("explain");
    TCase *t = tcase_create("explain");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, explain_sums_to_the_score, 0, 3);
    tcase_add_loop_test(t, prune_keeps_the_largest, 0, 3);
    tcase_add_loop_test(t, dump_import_round_trip, 0, 6);
    tcase_add_test(t, dump_escapes_tokens);
    tcase_add_test(t, import_rejects_bad_dumps);
    tcase_add_test(t, loader_checks_the_metadata);
    tcase_add_loop_test(t, import_survives_damage, 0, 2);
    tcase_add_test(t, online_dump_round_trip);
    tcase_add_loop_test(t, weights_16_bit, 0, 3);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
