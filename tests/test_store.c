/* test_store.c - per-user models as deltas on a shared base
 * (spamlr_model_save_delta / spamlr_model_load_delta): a user's model
 * saved as its changes and loaded on the base is the model that was saved
 * (every weight, the online state, the record, its predictions, and how it
 * goes on learning); the delta is small; a delta on another base, a
 * damaged delta and a model that does not extend the base are refused. */
#include "testutil.h"

#include <math.h>

#include <sys/stat.h>

#include "model/model.h"

/* Lines [from, to) of data/corpus.tsv, the default text options. */
static spamlr_dataset *corpus_lines(size_t from, size_t to)
{
    return tu_corpus_lines(NULL, from, to);
}

#define SPLIT 300 /* base: lines 1-300; the user's mail: the rest */

/* A base trained on lines [0, to) with solver and C, as loaded from its
 * file (the bytes in *bytes, *n when not NULL). */
static spamlr_model *base_model(size_t to, unsigned solver, double c, unsigned char **bytes,
                                size_t *n)
{
    spamlr_dataset *ds = corpus_lines(0, to);
    spamlr_model *m = NULL, *b = NULL;
    spamlr_train_opts o;
    unsigned char *buf;
    size_t len;

    spamlr_train_opts_init(&o);
    o.c = c;
    o.solver = solver;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &len), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&b, buf, len, NULL), SPAMLR_OK);
    if (bytes) {
        *bytes = buf;
        *n = len;
    } else {
        free(buf);
    }
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    return b;
}

/* A whole copy of the base (no prior: as 0.2's stores copied it). */
static spamlr_model *copy_of(const spamlr_model *b)
{
    spamlr_model *m = NULL;
    unsigned char *buf;
    size_t len;

    ck_assert_int_eq(spamlr_model_save_buffer(b, &buf, &len), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&m, buf, len, NULL), SPAMLR_OK);
    free(buf);
    return m;
}

/* Learns rows [from, to) of the user's part of the corpus as one batch. */
static void learn_rows(spamlr_model *m, const spamlr_dataset *ds, size_t from, size_t to)
{
    size_t order[512], i, n = 0;

    for (i = from; i < to && i < spamlr_dataset_rows(ds); i++)
        order[n++] = i;
    ck_assert_int_eq(spamlr_model_learn_batch(m, ds, order, n), SPAMLR_OK);
}

/* a and b are the same model: words, weights, bias, counts, threshold,
 * and the same probability for every message of ds. */
static void assert_same(const spamlr_model *a, const spamlr_model *b, const spamlr_dataset *ds)
{
    size_t i, n = spamlr_dataset_rows(ds);
    spamlr_model_info ia = SPAMLR_MODEL_INFO_INIT, ib = SPAMLR_MODEL_INFO_INIT;
    double *pa = calloc(n + 1, sizeof *pa), *pb = calloc(n + 1, sizeof *pb);

    ck_assert_uint_eq(spamlr_model_vocab_size(a), spamlr_model_vocab_size(b));
    for (i = 0; i < spamlr_model_vocab_size(a); i++) {
        spamlr_word wa, wb;
        ck_assert_int_eq(spamlr_model_word(a, i, &wa), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_word(b, i, &wb), SPAMLR_OK);
        ck_assert_str_eq(wa.token, wb.token);
        ck_assert_msg(memcmp(&wa.weight, &wb.weight, sizeof wa.weight) == 0,
                      "weight of %s: %.9g != %.9g", wa.token, wa.weight, wb.weight);
    }
    spamlr_model_info_get(a, &ia);
    spamlr_model_info_get(b, &ib);
    ck_assert(ia.bias == ib.bias);
    ck_assert_uint_eq(ia.spam, ib.spam);
    ck_assert_uint_eq(ia.ham, ib.ham);
    ck_assert(ia.threshold == ib.threshold);
    ck_assert_int_eq(spamlr_predict_dataset(a, ds, pa, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_dataset(b, ds, pb, NULL), SPAMLR_OK);
    for (i = 0; i < n; i++)
        ck_assert_msg(pa[i] == pb[i], "row %zu: %.17g != %.17g", i, pa[i], pb[i]);
    free(pa);
    free(pb);
}

/* Saves m as a delta on b and loads it back. */
static spamlr_model *through_delta(const spamlr_model *m, const spamlr_model *b,
                                   unsigned char **bytes, size_t *n)
{
    spamlr_model *r = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    ck_assert_int_eq(spamlr_model_save_delta_buffer(m, b, bytes, n, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, *bytes, *n, &d), SPAMLR_OK);
    return r;
}

/* A user who learned 20, then 100 messages: the delta loads as the model,
 * saves again to the same bytes, learns on exactly as the model does, and
 * is a fraction of a full copy. */
static void round_trip(unsigned base_solver, unsigned user_solver)
{
    unsigned char *full = NULL, *delta = NULL, *again = NULL, *d2 = NULL, *d3 = NULL;
    size_t nfull, ndelta, nagain, n2, n3;
    spamlr_model *b = base_model(SPLIT, base_solver, 4, NULL, NULL), *u = copy_of(b), *r, *r2;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000), *all = corpus_lines(0, 100000);
    spamlr_model_base_info bi;

    if (user_solver) {
        spamlr_online_opts oo;
        spamlr_online_opts_init(&oo);
        oo.solver = user_solver;
        ck_assert_int_eq(spamlr_model_online_setup(u, &oo), SPAMLR_OK);
    }
    learn_rows(u, mine, 0, 20);
    r = through_delta(u, b, &delta, &ndelta);
    assert_same(u, r, all);
    ck_assert_int_eq(spamlr_model_save_buffer(u, &full, &nfull), SPAMLR_OK);
    ck_assert_msg(ndelta * 2 < nfull, "delta %zu bytes, full copy %zu", ndelta, nfull);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(r, b, &again, &nagain, NULL), SPAMLR_OK);
    ck_assert_uint_eq(nagain, ndelta);
    ck_assert(memcmp(again, delta, ndelta) == 0);
    ck_assert_int_eq(spamlr_model_base(r, &bi), 1);
    ck_assert_uint_eq(bi.crc, spamlr_model_file_crc(b));
    /* both go on learning alike: the online state came through */
    learn_rows(u, mine, 20, 100);
    learn_rows(r, mine, 20, 100);
    assert_same(u, r, all);
    r2 = through_delta(r, b, &d2, &n2);
    assert_same(u, r2, all);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(u, b, &d3, &n3, NULL), SPAMLR_OK);
    ck_assert_uint_eq(n2, n3);
    {
        /* the same bytes, but for the time of the last learning (each
         * learned message sets it, to the second: u and r may have
         * learned theirs on either side of one) and the checksum */
        spamlr_model_info iu = SPAMLR_MODEL_INFO_INIT, ir = SPAMLR_MODEL_INFO_INIT;
        size_t i, differ = 0;

        ck_assert_int_eq(spamlr_model_info_get(u, &iu), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_info_get(r, &ir), SPAMLR_OK);
        for (i = 0; i < n2; i++)
            differ += d2[i] != d3[i];
        if (iu.trained_at == ir.trained_at)
            ck_assert_uint_eq(differ, 0);
        else
            ck_assert_uint_le(differ, 8 + 4);
    }
    free(full);
    free(delta);
    free(again);
    free(d2);
    free(d3);
    spamlr_model_free(r);
    spamlr_model_free(r2);
    spamlr_model_free(u);
    spamlr_model_free(b);
    spamlr_dataset_free(mine);
    spamlr_dataset_free(all);
}

START_TEST(delta_round_trip_adagrad)
{
    round_trip(SPAMLR_SOLVER_TRON, 0);
}
END_TEST

START_TEST(delta_round_trip_ftrl)
{
    round_trip(SPAMLR_SOLVER_TRON, SPAMLR_SOLVER_FTRL);
    round_trip(SPAMLR_SOLVER_FTRL, 0); /* a base with online state of its own */
}
END_TEST

/* A user who learned nothing is a delta of a few hundred bytes that loads
 * as the base; a whole model given as a delta loads as itself. */
START_TEST(delta_empty_and_whole)
{
    unsigned char *bytes, *delta;
    size_t n, nd;
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, &bytes, &n), *r = NULL;
    spamlr_dataset *all = corpus_lines(0, 100000);

    r = through_delta(b, b, &delta, &nd);
    ck_assert_uint_lt(nd, 400);
    assert_same(b, r, all);
    spamlr_model_free(r);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, bytes, n, NULL), SPAMLR_OK);
    assert_same(b, r, all);
    spamlr_model_free(r);
    free(bytes);
    /* a whole model in the mapped layout too (the delta reader once sent
     * every whole model to the packed parser) */
    ck_assert_int_eq(spamlr_model_set_layout(b, SPAMLR_LAYOUT_MAPPED), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(b, &bytes, &n), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, bytes, n, NULL), SPAMLR_OK);
    assert_same(b, r, all);
    spamlr_model_free(r);
    free(bytes);
    free(delta);
    spamlr_model_free(b);
    spamlr_dataset_free(all);
}
END_TEST

/* Refusals: a delta on another base, a delta read as a model, a model that
 * is not made from the base, a base not loaded from a file, damage. */
START_TEST(delta_refusals)
{
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL);
    spamlr_model *other = base_model(SPLIT, SPAMLR_SOLVER_TRON, 8, NULL, NULL);
    spamlr_model *small = base_model(200, SPAMLR_SOLVER_TRON, 4, NULL, NULL);
    spamlr_model *u = copy_of(b), *r = (spamlr_model *)1, *mem = NULL;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000);
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_train_opts o;
    unsigned char *delta, *out = (unsigned char *)1;
    size_t n, i, len = 1;

    learn_rows(u, mine, 0, 20);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(u, b, &delta, &n, &d), SPAMLR_OK);
    /* another base (same words, other weights): its checksum differs */
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, other, delta, n, &d), SPAMLR_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(d.message, "checksum"));
    /* a model reader refuses a delta, saying what it is */
    ck_assert_int_eq(spamlr_model_load_buffer(&r, delta, n, &d), SPAMLR_EINVAL);
    ck_assert_ptr_nonnull(strstr(d.message, "delta"));
    /* a model not made from this base */
    ck_assert_int_eq(spamlr_model_save_delta_buffer(u, small, &out, &len, &d), SPAMLR_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(len, 0);
    /* a base that was never a file has no checksum to record */
    spamlr_train_opts_init(&o);
    o.c = 4;
    ck_assert_int_eq(spamlr_train(&mem, mine, &o, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(mem, mem, &out, &len, &d), SPAMLR_EINVAL);
    /* damage anywhere: refused, never a crash */
    for (i = 0; i < n; i += 7) {
        delta[i] ^= 0x20;
        ck_assert_int_ne(spamlr_model_load_delta_buffer(&r, b, delta, n, NULL), SPAMLR_OK);
        ck_assert_ptr_null(r);
        delta[i] ^= 0x20;
    }
    for (i = 0; i < n; i += 5)
        ck_assert_int_ne(spamlr_model_load_delta_buffer(&r, b, delta, i, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, delta, n, NULL), SPAMLR_OK);
    spamlr_model_free(r);
    free(delta);
    /* a new word's idf out of range (it could overflow a feature value) */
    ck_assert_uint_gt(spamlr_model_vocab_size(u), spamlr_model_vocab_size(b));
    ck_assert_ptr_nonnull(u->idf);
    u->idf[spamlr_model_vocab_size(u) - 1] = 1e30f;
    ck_assert_int_eq(spamlr_model_save_delta_buffer(u, b, &delta, &n, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, delta, n, &d), SPAMLR_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(d.message, "idf"));
    free(delta);
    spamlr_model_free(mem);
    spamlr_model_free(u);
    spamlr_model_free(b);
    spamlr_model_free(other);
    spamlr_model_free(small);
    spamlr_dataset_free(mine);
}
END_TEST

/* A delta on a 16-bit base holds its weights on the base's grid, as the
 * writer leaves them; one moved off it is refused (the mapped loader's
 * rule: such a model would score with weights its own save changes). */
START_TEST(delta_weights_on_the_grid)
{
    spamlr_model *m = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *b = NULL, *u, *r = NULL;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000);
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned char *buf, *delta, *raw, *file;
    size_t n, len, ulen, fsize, k, pos;
    uint64_t cnt = 0;
    float w;

    ck_assert_int_eq(spamlr_model_set_weight_bits(m, 16), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &len), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&b, buf, len, NULL), SPAMLR_OK);
    free(buf);
    u = copy_of(b);
    learn_rows(u, mine, 0, 20);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(u, b, &delta, &n, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, delta, n, &d), SPAMLR_OK);
    spamlr_model_free(r);
    r = NULL;
    /* the first changed weight ("DWTS": tag, length, u64 k, k LEB128
     * gaps, k f32 weights), half a step off */
    raw = tu_payload(delta, &ulen);
    for (pos = 0; pos + 4 <= ulen && memcmp(raw + pos, "DWTS", 4); pos++)
        ;
    ck_assert_uint_lt(pos + 20, ulen);
    memcpy(&cnt, raw + pos + 12, 8);
    ck_assert_uint_gt(cnt, 0);
    pos += 20;
    for (k = 0; k < cnt; k++)
        while (raw[pos++] & 0x80)
            ;
    memcpy(&w, raw + pos, 4);
    w += 0.5f * b->wscale;
    memcpy(raw + pos, &w, 4);
    file = tu_repack(delta, raw, ulen, &fsize);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&r, b, file, fsize, &d), SPAMLR_ECORRUPT);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(d.message, "grid"));
    free(file);
    free(raw);
    free(delta);
    spamlr_model_free(u);
    spamlr_model_free(b);
    spamlr_model_free(m);
    spamlr_dataset_free(mine);
}
END_TEST

/* The atomic file functions: save replaces, load reads, a failed save
 * leaves the old file. */
START_TEST(delta_files)
{
    char dir[64], path[128], bad[160];
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *u = copy_of(b);
    spamlr_model *r = NULL, *small = base_model(200, SPAMLR_SOLVER_TRON, 4, NULL, NULL);
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000);
    spamlr_diag d = SPAMLR_DIAG_INIT;
    FILE *f;
    long before, after;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ann.slr", dir);
    learn_rows(u, mine, 0, 20);
    ck_assert_int_eq(spamlr_model_save_delta(u, b, path, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta(&r, b, path, &d), SPAMLR_OK);
    assert_same(u, r, mine);
    spamlr_model_free(r);
    ck_assert_ptr_nonnull(f = fopen(path, "rb"));
    fseek(f, 0, SEEK_END);
    before = ftell(f);
    fclose(f);
    ck_assert_int_eq(spamlr_model_save_delta(u, small, path, &d), SPAMLR_EINVAL);
    ck_assert_ptr_nonnull(strstr(d.path, "ann.slr"));
    ck_assert_ptr_nonnull(f = fopen(path, "rb"));
    fseek(f, 0, SEEK_END);
    after = ftell(f);
    fclose(f);
    ck_assert_int_eq(before, after);
    ck_assert_int_eq(spamlr_model_load_delta(&r, b, path, &d), SPAMLR_OK);
    spamlr_model_free(r);
    snprintf(bad, sizeof bad, "%s/missing.slr", dir);
    ck_assert_int_eq(spamlr_model_load_delta(&r, b, bad, &d), SPAMLR_EIO);
    ck_assert_ptr_nonnull(strstr(d.path, "missing.slr"));
    tu_rmrf(dir);
    spamlr_model_free(u);
    spamlr_model_free(b);
    spamlr_model_free(small);
    spamlr_dataset_free(mine);
}
END_TEST

/* spamlr_model_update_delta: a user without a file starts from the base
 * (its copy, as a store user's first learn); each update learns into the
 * delta under the lock; the result is what the same learning on a copy of
 * the base gives; a NULL base is refused. */
typedef struct upd {
    const spamlr_dataset *ds;
    size_t from, to;
    int saved;
} upd;

static int upd_change(void *ctx, spamlr_model *m)
{
    upd *u = ctx;

    learn_rows(m, u->ds, u->from, u->to);
    return 0;
}

static int upd_saved(void *ctx, spamlr_model *m)
{
    (void)m;
    ((upd *)ctx)->saved++;
    return 0;
}

START_TEST(update_delta)
{
    char dir[64], path[128];
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *want = NULL;
    spamlr_model *r = NULL;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000);
    spamlr_diag d = SPAMLR_DIAG_INIT;
    upd u = { mine, 0, 10, 0 };
    unsigned char *empty;
    size_t n;

    /* the first model of a user: the base with the base as prior */
    ck_assert_int_eq(spamlr_model_save_delta_buffer(b, b, &empty, &n, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&want, b, empty, n, NULL), SPAMLR_OK);
    free(empty);

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ann.slr", dir);
    ck_assert_int_eq(spamlr_model_update_delta(path, b, upd_change, upd_saved, &u, &d), 0);
    u.from = 10;
    u.to = 20;
    ck_assert_int_eq(spamlr_model_update_delta(path, b, upd_change, upd_saved, &u, &d), 0);
    ck_assert_int_eq(u.saved, 2);
    learn_rows(want, mine, 0, 10);
    learn_rows(want, mine, 10, 20);
    ck_assert_int_eq(spamlr_model_load_delta(&r, b, path, &d), SPAMLR_OK);
    assert_same(want, r, mine);
    ck_assert_int_eq(spamlr_model_update_delta(path, NULL, upd_change, NULL, &u, &d),
                     SPAMLR_EINVAL);
    spamlr_model_free(r);
    tu_rmrf(dir);
    spamlr_model_free(want);
    spamlr_model_free(b);
    spamlr_dataset_free(mine);
}
END_TEST

/* ------------------------------------------ online learning keeps the prior */

/* Learns `n` spam messages one at a time, each holding `word` and a word
 * of its own. */
static void learn_spam_with(spamlr_model *m, const char *word, int n)
{
    spamlr_scratch *sc = NULL;
    char text[256];
    int i, len;

    ck_assert_int_eq(spamlr_scratch_create(&sc), SPAMLR_OK);
    for (i = 0; i < n; i++) {
        len = snprintf(text, sizeof text, "%s %s crypto giveaway wallet zq%dx", word, word, i);
        ck_assert_int_eq(spamlr_model_learn(m, sc, text, (size_t)len, SPAMLR_SPAM, 1, NULL),
                         SPAMLR_OK);
    }
    spamlr_scratch_free(sc);
}

static float weight_of(const spamlr_model *m, const char *w)
{
    float x;
    ck_assert_int_eq(spamlr_model_weight(m, w, &x), SPAMLR_OK);
    return x;
}

/* The hammiest and the spammiest word of b that are plain letters (so
 * that the test text spells them as the tokenizer does). */
static void pick_words(const spamlr_model *b, char *ham, char *spam, size_t cap)
{
    spamlr_word top[64];
    size_t n, i;
    int side;

    for (side = -1; side <= 1; side += 2) {
        char *out = side < 0 ? ham : spam;
        out[0] = '\0';
        n = spamlr_model_top(b, side, top, 64);
        for (i = 0; i < n && !out[0]; i++)
            if (strspn(top[i].token, "abcdefghijklmnopqrstuvwxyz") == strlen(top[i].token) &&
                strlen(top[i].token) > 3 && strstr("crypto giveaway wallet", top[i].token) == NULL)
                snprintf(out, cap, "%s", top[i].token);
        ck_assert_msg(out[0], "no plain word on side %d", side);
    }
}

/* A store user (whose prior is the base) learns 60 spam messages that
 * all hold the base's hammiest word: that word is pulled back towards its
 * base weight, so it moves less than with the prior off (a copy of the
 * base learning freely, or with the same L2 pull centred at 0, which
 * pulls it to 0 instead); the spammiest base word, which the user never
 * saw, keeps its base weight exactly. */
START_TEST(online_keeps_prior_store_user)
{
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *with, *free_, *l2;
    unsigned char *empty;
    size_t n;
    char ham[64], spam[64];
    float w0, v0, dw_prior, dw_free, dw_l2;
    spamlr_online_opts oo;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;

    ck_assert_int_eq(spamlr_model_save_delta_buffer(b, b, &empty, &n, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_delta_buffer(&with, b, empty, n, NULL), SPAMLR_OK);
    free_ = copy_of(b);
    l2 = copy_of(b);
    spamlr_online_opts_init(&oo);
    oo.l2 = 0.25; /* what the prior's pull is here: l2 / C = 1 / 4 */
    ck_assert_int_eq(spamlr_model_online_setup(l2, &oo), SPAMLR_OK);
    pick_words(b, ham, spam, sizeof ham);
    w0 = weight_of(b, ham);
    v0 = weight_of(b, spam);
    learn_spam_with(with, ham, 60);
    learn_spam_with(free_, ham, 60);
    learn_spam_with(l2, ham, 60);
    spamlr_model_info_get(with, &info);
    ck_assert_uint_eq(info.spam, info.examples - info.ham);
    dw_prior = fabsf(weight_of(with, ham) - w0);
    dw_free = fabsf(weight_of(free_, ham) - w0);
    dw_l2 = fabsf(weight_of(l2, ham) - w0);
    ck_assert_msg(dw_prior > 0, "the word did not move at all");
    ck_assert_msg(dw_prior < 0.75f * dw_free && dw_prior < 0.75f * dw_l2,
                  "%s (base %.4f) moved %.4f with the prior, %.4f without, %.4f with l2 to 0",
                  ham, w0, dw_prior, dw_free, dw_l2);
    /* the word never seen: the base's weight, bit for bit */
    ck_assert(weight_of(with, spam) == v0);
    /* the pulled step of the message learned last is undone exactly (to
     * float rounding) */
    {
        spamlr_scratch *sc = NULL;
        const char *text = "thanks for the crypto giveaway, see you at lunch";
        float before[4096];
        size_t i, nw = spamlr_model_vocab_size(with);
        spamlr_word wd;

        ck_assert_uint_lt(nw, 4000);
        for (i = 0; i < nw; i++) {
            ck_assert_int_eq(spamlr_model_word(with, i, &wd), SPAMLR_OK);
            before[i] = wd.weight;
        }
        ck_assert_int_eq(spamlr_scratch_create(&sc), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_learn(with, sc, text, strlen(text), SPAMLR_HAM, 1, NULL),
                         SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_learn(with, sc, text, strlen(text), SPAMLR_HAM, -1, NULL),
                         SPAMLR_OK);
        for (i = 0; i < nw; i++) {
            ck_assert_int_eq(spamlr_model_word(with, i, &wd), SPAMLR_OK);
            ck_assert_msg(fabsf(wd.weight - before[i]) <= 1e-6f * (1 + fabsf(before[i])),
                          "%s: %.9g after unlearning, %.9g before", wd.token, wd.weight,
                          before[i]);
        }
        spamlr_scratch_free(sc);
    }
    free(empty);
    spamlr_model_free(with);
    spamlr_model_free(free_);
    spamlr_model_free(l2);
    spamlr_model_free(b);
}
END_TEST

/* A model trained with a prior keeps it (the "prio" section, the dump)
 * and learns towards it; the same model without it (an older file, or
 * the dump without its prior lines) predicts exactly the same and learns
 * freely. */
START_TEST(online_keeps_prior_trained)
{
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *m = NULL, *re = NULL;
    spamlr_model *old = NULL;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000), *all = corpus_lines(0, 100000);
    spamlr_train_opts o;
    unsigned char *buf, *buf2;
    size_t n, n2;
    char *dump, *plain, *p, *q, ham[64], spam[64];
    float w0, dw_prior, dw_old;

    spamlr_train_opts_init(&o);
    o.c = 1;
    o.prior = b;
    ck_assert_int_eq(spamlr_train(&m, mine, &o, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &n), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&re, buf, n, NULL), SPAMLR_OK);
    /* the dump shows the prior and imports to the same bytes */
    ck_assert_int_eq(spamlr_model_dump(re, &dump, NULL), SPAMLR_OK);
    ck_assert_ptr_nonnull(strstr(dump, "\nprior_words="));
    ck_assert_ptr_nonnull(strstr(dump, "\nprior="));
    spamlr_model_free(re);
    ck_assert_int_eq(spamlr_model_import(&re, dump, strlen(dump), NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(re, &buf2, &n2), SPAMLR_OK);
    ck_assert_uint_eq(n, n2);
    ck_assert(memcmp(buf, buf2, n) == 0);
    free(buf2);
    /* without the prior lines: a file of before, which predicts alike */
    ck_assert_ptr_nonnull(plain = malloc(strlen(dump) + 1));
    for (p = dump, q = plain; *p;) {
        size_t len = strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
        if (strncmp(p, "prior", 5) != 0) {
            memcpy(q, p, len);
            q += len;
        }
        p += len;
    }
    *q = '\0';
    ck_assert_int_eq(spamlr_model_import(&old, plain, strlen(plain), NULL), SPAMLR_OK);
    assert_same(old, re, all);
    pick_words(b, ham, spam, sizeof ham);
    w0 = weight_of(re, ham);
    learn_spam_with(re, ham, 60);
    learn_spam_with(old, ham, 60);
    dw_prior = fabsf(weight_of(re, ham) - weight_of(b, ham));
    dw_old = fabsf(weight_of(old, ham) - weight_of(b, ham));
    ck_assert_msg(dw_prior < dw_old, "%s (trained %.4f, base %.4f) moved to %.4f from the base "
                  "with the prior, %.4f without", ham, w0, weight_of(b, ham), dw_prior, dw_old);
    free(dump);
    free(plain);
    free(buf);
    spamlr_model_free(re);
    spamlr_model_free(old);
    spamlr_model_free(m);
    spamlr_model_free(b);
    spamlr_dataset_free(mine);
    spamlr_dataset_free(all);
}
END_TEST

/* ------------------------------------------------------ the store itself */

/* Hostile user names are refused with a reason, and no path is made. */
START_TEST(store_user_names)
{
    static const struct { const char *s; size_t len; const char *why; } bad[] = {
        {"", 0, "empty"},
        {"../x", 4, "'.'"},
        {"..", 2, "'.'"},
        {".", 1, "'.'"},
        {".hidden", 7, "'.'"},
        {"/", 1, "'/'"},
        {"a/b", 3, "'/'"},
        {"/etc/passwd", 11, "'/'"},
        {"a\0b", 3, "NUL"},
        {"ann\0", 4, "NUL"},
        {"a\nb", 3, "control"},
        {"a\tb", 3, "control"},
        {"a\x7f", 2, "control"},
    };
    char name[SPAMLR_STORE_USER_MAX + 2], *p = (char *)1;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (char *)1;
        ck_assert_int_eq(spamlr_store_user_path(&p, "dir", bad[i].s, bad[i].len, &d),
                         SPAMLR_EINVAL);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(d.message, "user name") && strstr(d.message, bad[i].why),
                      "name %zu: '%s'", i, d.message);
    }
    memset(name, 'a', sizeof name);
    ck_assert_int_eq(spamlr_store_user_path(&p, "dir", name, SPAMLR_STORE_USER_MAX + 1, &d),
                     SPAMLR_EINVAL);
    ck_assert_ptr_nonnull(strstr(d.message, "longer than 240"));
    ck_assert_int_eq(spamlr_store_user_path(&p, "dir", name, SPAMLR_STORE_USER_MAX, &d),
                     SPAMLR_OK);
    ck_assert_uint_eq(strlen(p), 3 + 7 + SPAMLR_STORE_USER_MAX + 4);
    free(p);
    ck_assert_int_eq(spamlr_store_user_path(&p, "", "ann", 3, &d), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_store_user_path(&p, "/srv/mail", "ann@example.org", 15, &d),
                     SPAMLR_OK);
    ck_assert_str_eq(p, "/srv/mail/users/ann@example.org.slr");
    free(p);
    ck_assert_int_eq(spamlr_store_user_path(&p, "d", "Jürgen", strlen("Jürgen"), &d),
                     SPAMLR_OK);
    free(p);
    ck_assert_int_eq(spamlr_store_user_path(NULL, "d", "a", 1, &d), SPAMLR_EINVAL);
}
END_TEST

#define USERS 1000
#define PROBES 24

/* A store of 1,000 users, each with a model of his own (a few messages of
 * the corpus learned, different for each), saved as deltas in files: every
 * user's model loads again and gives every probe message the probability
 * it gave before it was saved, bit for bit. */
START_TEST(store_thousand_users)
{
    char dir[64], users[80], name[32], *path;
    spamlr_model *b = base_model(SPLIT, SPAMLR_SOLVER_TRON, 4, NULL, NULL), *u, *r;
    spamlr_dataset *mine = corpus_lines(SPLIT, 100000), *probe = corpus_lines(0, PROBES);
    double *before = calloc((size_t)USERS * PROBES, sizeof *before), after[PROBES];
    size_t rows = spamlr_dataset_rows(mine), k, j, order[3];
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned char *empty;
    size_t nempty, distinct = 0;

    ck_assert_ptr_nonnull(before);
    tu_tmpdir(dir, sizeof dir);
    snprintf(users, sizeof users, "%s/users", dir);
    ck_assert_int_eq(mkdir(users, 0777), 0);
    ck_assert_int_eq(spamlr_model_save_delta_buffer(b, b, &empty, &nempty, NULL), SPAMLR_OK);
    for (k = 0; k < USERS; k++) {
        ck_assert_int_eq(spamlr_model_load_delta_buffer(&u, b, empty, nempty, &d), SPAMLR_OK);
        for (j = 0; j < 3; j++) /* user k's own three messages */
            order[j] = (k * 7 + j * 31) % rows;
        ck_assert_int_eq(spamlr_model_learn_batch(u, mine, order, 1 + k % 3), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict_dataset(u, probe, before + k * PROBES, NULL), SPAMLR_OK);
        snprintf(name, sizeof name, "user%zu", k);
        ck_assert_int_eq(spamlr_store_user_path(&path, dir, name, strlen(name), &d), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_save_delta(u, b, path, &d), SPAMLR_OK);
        free(path);
        spamlr_model_free(u);
    }
    for (k = 0; k < USERS; k++) {
        snprintf(name, sizeof name, "user%zu", k);
        ck_assert_int_eq(spamlr_store_user_path(&path, dir, name, strlen(name), &d), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_load_delta(&r, b, path, &d), SPAMLR_OK);
        ck_assert_int_eq(spamlr_predict_dataset(r, probe, after, NULL), SPAMLR_OK);
        for (j = 0; j < PROBES; j++)
            ck_assert_msg(after[j] == before[k * PROBES + j], "user %zu, probe %zu: %.17g "
                          "after, %.17g before", k, j, after[j], before[k * PROBES + j]);
        distinct += k && memcmp(before + k * PROBES, before + (k - 1) * PROBES,
                                sizeof after) != 0;
        free(path);
        spamlr_model_free(r);
    }
    /* the users really differ from one another */
    ck_assert_uint_gt(distinct, USERS / 2);
    tu_rmrf(dir);
    free(before);
    free(empty);
    spamlr_model_free(b);
    spamlr_dataset_free(mine);
    spamlr_dataset_free(probe);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("delta");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, delta_round_trip_adagrad);
    tcase_add_test(tc, delta_round_trip_ftrl);
    tcase_add_test(tc, delta_empty_and_whole);
    tcase_add_test(tc, delta_refusals);
    tcase_add_test(tc, delta_weights_on_the_grid);
    tcase_add_test(tc, delta_files);
    tcase_add_test(tc, update_delta);
    suite_add_tcase(s, tc);
    tc = tcase_create("prior");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, online_keeps_prior_store_user);
    tcase_add_test(tc, online_keeps_prior_trained);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, store_user_names);
    tcase_add_test(tc, store_thousand_users);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(store_suite)
