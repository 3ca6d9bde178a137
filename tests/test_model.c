/* test_model.c - training through the public API, model queries, the
 * file format: round trips, atomic saves and rejection of damaged files. */
#include "testutil.h"
#include <math.h>
#include <sys/stat.h>
#include <zlib.h>

#include "model/model.h"
#include "model/zpack.h"


static const char *SPAM[] = {
    "win a free prize now", "free viagra cheap pills", "恭喜您中奖了 请点击领取",
    "cheap loans apply now free", "代开发票 免费咨询", "claim your free prize today",
    "中奖通知 领取奖金", "buy cheap watches now",
};
static const char *HAM[] = {
    "lunch at noon tomorrow?", "the meeting moved to friday", "明天下午开会",
    "can you send the report", "我们晚上一起吃饭吧", "see you at the station",
    "please review my patch", "周末去看电影吗", "thanks for the notes",
};

/* The toy messages are plain text, not e-mail: unless told otherwise, read
 * them with mime = 0. */
static spamlr_dataset *toy(const spamlr_text_opts *o)
{
    spamlr_dataset *ds = NULL;
    spamlr_text_opts plain;
    size_t i;

    if (!o) {
        spamlr_text_opts_init(&plain);
        plain.mime = 0;
        o = &plain;
    }
    ck_assert_int_eq(spamlr_dataset_create(&ds, o), SPAMLR_OK);
    for (i = 0; i < sizeof SPAM / sizeof *SPAM; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, SPAM[i], strlen(SPAM[i]), NULL), 0);
    for (i = 0; i < sizeof HAM / sizeof *HAM; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, HAM[i], strlen(HAM[i]), NULL), 0);
    return ds;
}

static spamlr_model *train_toy(const spamlr_text_opts *to, spamlr_train_report *rep)
{
    spamlr_dataset *ds = toy(to);
    spamlr_model *m = NULL;
    spamlr_train_opts o;

    spamlr_train_opts_init(&o);
    o.c = 10;
    o.tol = 1e-8;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, rep, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

START_TEST(train_learns_words)
{
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_model *m = train_toy(NULL, &rep);
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_word top[5];
    float w;
    size_t n;

    spamlr_model_info_get(m, &info);
    ck_assert_uint_eq(rep.examples, 17);
    ck_assert_uint_eq(info.parameters, rep.features);
    ck_assert_uint_eq(info.spam, 8);
    ck_assert(info.has_bias);
    ck_assert(rep.grad_norm <= 1e-8 * rep.grad_norm0 * 1.0001);
    ck_assert(info.objective > 0 && isfinite(info.objective));
    ck_assert_int_eq(spamlr_model_weight(m, "中奖", &w), SPAMLR_OK);
    ck_assert(w > 0);
    ck_assert_int_eq(spamlr_model_weight(m, "free", &w), SPAMLR_OK);
    ck_assert(w > 0);
    ck_assert_int_eq(spamlr_model_weight(m, "meeting", &w), SPAMLR_OK);
    ck_assert(w < 0);
    ck_assert_int_eq(spamlr_model_weight(m, "nosuchword", &w), SPAMLR_ENOTFOUND);
    ck_assert(w == 0.0f);
    n = spamlr_model_top(m, +1, top, 5);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(top[0].token, "free"); /* in 4 of 8 spam, no ham */
    for (size_t i = 1; i < n; i++)
        ck_assert(top[i - 1].weight >= top[i].weight);
    n = spamlr_model_top(m, -1, top, 5);
    for (size_t i = 0; i < n; i++)
        ck_assert(top[i].weight < 0);
    spamlr_model_free(m);
}
END_TEST

START_TEST(predict_text_matches_dataset)
{
    spamlr_model *m = train_toy(NULL, NULL);
    spamlr_scratch *s = NULL;
    spamlr_dataset *ds = toy(NULL);
    double probs[17], p, z;
    size_t i;

    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    ck_assert_int_eq(spamlr_predict_dataset(m, ds, probs, NULL), SPAMLR_OK);
    for (i = 0; i < 17; i++) {
        const char *t = i < 8 ? SPAM[i] : HAM[i - 8];
        ck_assert_int_eq(spamlr_predict(m, s, t, strlen(t), &p, &z), SPAMLR_OK);
        ck_assert_double_eq_tol(p, probs[i], 1e-6);
        ck_assert_double_eq_tol(p, 1 / (1 + exp(-z)), 1e-12);
        ck_assert((p >= 0.5) == (i < 8)); /* separable with C = 10 */
    }
    /* unknown words only: the score is the bias */
    ck_assert_int_eq(spamlr_predict(m, s, "zzzq qqqz", 9, &p, &z), SPAMLR_OK);
    {
        spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
        spamlr_model_info_get(m, &info);
        ck_assert_double_eq_tol(z, info.bias, 1e-7);
    }
    ck_assert_int_eq(spamlr_predict(m, s, NULL, 0, &p, NULL), SPAMLR_OK);
    spamlr_scratch_free(s);
    spamlr_dataset_free(ds);
    spamlr_model_free(m);
}
END_TEST

static void same_model(const spamlr_model *a, const spamlr_model *b)
{
    spamlr_model_info ia = SPAMLR_MODEL_INFO_INIT, ib = SPAMLR_MODEL_INFO_INIT;

    tu_same_words(a, b);
    spamlr_model_info_get(a, &ia);
    spamlr_model_info_get(b, &ib);
    ck_assert(ia.bias == ib.bias);
    ck_assert(ia.objective == ib.objective);
    ck_assert(ia.c == ib.c);
    ck_assert_uint_eq(ia.examples, ib.examples);
    ck_assert_int_eq(ia.trained_at, ib.trained_at);
    ck_assert_mem_eq(&ia.text, &ib.text, sizeof ia.text);
}

START_TEST(save_load_round_trip)
{
    spamlr_text_opts to;
    spamlr_model *m, *l = NULL;
    spamlr_scratch *s = NULL;
    char dir[64], path[128];
    unsigned char *buf = NULL, *fbuf;
    size_t size, i;
    FILE *f;

    spamlr_text_opts_init(&to);
    to.mime = _i == 1; /* predictions must survive the round trip either way */
    to.features = (unsigned)_i; /* binary, logtf, tfidf */
    to.ngrams = _i == 2 ? 2 : 1;
    m = train_toy(&to, NULL);
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    ck_assert_int_eq(spamlr_model_save(m, path, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load(&l, path, NULL), SPAMLR_OK);
    same_model(m, l);
    ck_assert_int_eq(spamlr_scratch_create(&s), 0);
    for (i = 0; i < 17; i++) {
        const char *t = i < 8 ? SPAM[i] : HAM[i - 8];
        double p1, p2;
        ck_assert_int_eq(spamlr_predict(m, s, t, strlen(t), &p1, NULL), 0);
        ck_assert_int_eq(spamlr_predict(l, s, t, strlen(t), &p2, NULL), 0);
        ck_assert(p1 == p2);
    }
    /* the buffer form is the file, byte for byte */
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    fbuf = malloc(size + 1);
    f = fopen(path, "rb");
    ck_assert_uint_eq(fread(fbuf, 1, size + 1, f), size);
    fclose(f);
    ck_assert_mem_eq(buf, fbuf, size);
    free(fbuf);
    free(buf);
    spamlr_scratch_free(s);
    spamlr_model_free(l);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

/* Feature values from the process's table of term factors are the
 * floats of the formula (binary 1, log-tf 1 + logf(count), tf-idf that
 * times idf, a count of 1 giving idf itself), for every kind of value and
 * counts on both sides of the table's end; and the table is made once. */
START_TEST(feature_value_table)
{
    static const float idf[] = { 1.0f, 1.7f, 3.1415927f, 9.75f };
    const float *t = spamlr__tf_tab();
    unsigned f;
    uint32_t c;
    size_t i;

    ck_assert_ptr_eq(t, spamlr__tf_tab());
    for (f = SPAMLR_FEAT_BINARY; f <= SPAMLR_FEAT_TFIDF; f++)
        for (c = 1; c < 3 * SPAMLR__TF_TAB; c++)
            for (i = 0; i < sizeof idf / sizeof *idf; i++) {
                float tf = c == 1 ? 1.0f : 1.0f + logf((float)c);
                float a = f == SPAMLR_FEAT_LOGTF ? tf
                        : f == SPAMLR_FEAT_TFIDF ? (c == 1 ? idf[i] : tf * idf[i]) : 1.0f;
                float b = spamlr__feature_value(f, c, idf[i], t);

                ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "features %u, count %u, idf %g: %.9g "
                              "from the table, %.9g from logf", f, (unsigned)c, (double)idf[i],
                              (double)b, (double)a);
            }
}
END_TEST

/* spamlr__zpack: one zlib stream that zlib itself inflates, the same
 * bytes every time, empty, small and large (3 MiB), for text that
 * repeats and for noise. */
START_TEST(zpack_is_one_zlib_stream)
{
    const size_t sizes[] = { 0, 1, 1000, 256u << 10, 3u << 20 };
    size_t k, i;

    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k], zlen, zlen2;
        unsigned char *in = malloc(n + 1), *z = malloc(spamlr__zpack_bound(n)),
                      *z2 = malloc(spamlr__zpack_bound(n)), *back = malloc(n + 1);
        uLongf got = (uLongf)n;
        uint64_t r = 88172645463325252ULL + k;

        ck_assert(in && z && z2 && back);
        for (i = 0; i < n; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            /* the first half words that come back, the second noise */
            in[i] = i < n / 2 ? (unsigned char)("spam ham free prize "[(i * 7 + (r & 3)) % 20])
                              : (unsigned char)r;
        }
        ck_assert_int_eq(spamlr__zpack(in, n, z, &zlen), SPAMLR_OK);
        ck_assert_uint_le(zlen, spamlr__zpack_bound(n));
        ck_assert_int_eq(uncompress(back, &got, z, (uLong)zlen), Z_OK);
        ck_assert_uint_eq(got, n);
        ck_assert(n == 0 || memcmp(back, in, n) == 0);
        ck_assert_int_eq(spamlr__zpack(in, n, z2, &zlen2), SPAMLR_OK);
        ck_assert_uint_eq(zlen2, zlen);
        ck_assert_mem_eq(z2, z, zlen);
        free(in);
        free(z);
        free(z2);
        free(back);
    }
}
END_TEST

/* A large model (60,000 words) loads back as it
 * was saved, and saves to the same bytes again. */
START_TEST(large_model_round_trip)
{
    spamlr_text_opts to;
    spamlr_train_opts o;
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL, *l = NULL;
    unsigned char *buf = NULL, *buf2 = NULL;
    size_t size, size2, i, j;
    uint64_t r = 0x9e3779b97f4a7c15ULL;
    char text[200 * 12];

    spamlr_text_opts_init(&to);
    to.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &to), SPAMLR_OK);
    for (i = 0; i < 300; i++) {
        size_t n = 0;

        for (j = 0; j < 200; j++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            n += (size_t)snprintf(text + n, sizeof text - n, "w%08llx ",
                                  (unsigned long long)(r & 0xffffffffULL));
        }
        ck_assert_int_eq(spamlr_dataset_add(ds, i % 2 ? SPAMLR_SPAM : SPAMLR_HAM, text, n, NULL),
                         SPAMLR_OK);
    }
    spamlr_train_opts_init(&o);
    o.c = 1;
    o.min_count = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    ck_assert_uint_ge(spamlr_model_vocab_size(m), 59000);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), SPAMLR_OK);
    same_model(m, l);
    ck_assert_int_eq(spamlr_model_save_buffer(l, &buf2, &size2), SPAMLR_OK);
    ck_assert_uint_eq(size2, size);
    ck_assert_mem_eq(buf2, buf, size);
    spamlr_model_free(l);
    /* A damaged stream whose file CRC was made to match is "compressed
     * payload does not inflate" whenever zlib's own uncompress() says so;
     * otherwise corrupt or a model. */
    {
        size_t meta = (size_t)buf[16] | (size_t)buf[17] << 8, zpos = 20 + meta + 24, k;
        uint64_t ulen = 0;
        unsigned char *copy = malloc(size), *back;

        for (k = 0; k < 8; k++)
            ulen |= (uint64_t)buf[20 + meta + 8 + k] << (8 * k);
        back = malloc((size_t)ulen + 1);
        for (k = 0; k < 40; k++) {
            spamlr_diag d = SPAMLR_DIAG_INIT;
            size_t at = zpos + (size - 4 - zpos) * k / 40 + (k == 39 ? (size - 4 - zpos) / 40 - 1 : 0);
            uLongf got = (uLongf)ulen + 1;
            uint32_t crc;
            int rc, zr;

            memcpy(copy, buf, size);
            copy[at] ^= 0x5a;
            crc = (uint32_t)crc32(0L, copy, (unsigned)(size - 4));
            for (int b = 0; b < 4; b++)
                copy[size - 4 + (size_t)b] = (unsigned char)(crc >> (8 * b));
            zr = uncompress(back, &got, copy + zpos, (uLong)(size - 4 - zpos));
            l = NULL;
            rc = spamlr_model_load_buffer(&l, copy, size, &d);
            if (zr != Z_OK || got != ulen) {
                ck_assert_msg(rc == SPAMLR_ECORRUPT, "byte %zu: %d", at, rc);
                ck_assert_str_eq(d.message, "compressed payload does not inflate");
                ck_assert_int_eq(d.offset, (long long)zpos);
            } else {
                ck_assert_msg(rc == SPAMLR_OK || rc == SPAMLR_ECORRUPT, "byte %zu: %d", at, rc);
            }
            spamlr_model_free(l);
        }
        free(back);
        free(copy);
    }
    free(buf);
    free(buf2);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

/* spamlr__zunpack gives back what spamlr__zpack packed, at every size;
 * a stream that is damaged,
 * cut short, or shorter or longer than the size it is said to have is
 * an error, and nothing is written past the size given. */
START_TEST(zunpack_reads_what_zpack_wrote)
{
    const size_t sizes[] = { 24, 1000, 256u << 10, 3u << 20 };
    size_t k, i;

    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k], zlen;
        unsigned char *in = malloc(n), *z = malloc(spamlr__zpack_bound(n)), *out = malloc(n + 2);
        uint64_t r = 0x2545F4914F6CDD1DULL + k;

        ck_assert(in && z && out);
        for (i = 0; i < n; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            in[i] = i % 3 ? (unsigned char)"free prize spam ham "[(i * 5 + (r & 3)) % 20]
                          : (unsigned char)r;
        }
        ck_assert_int_eq(spamlr__zpack(in, n, z, &zlen), SPAMLR_OK);
        memset(out, 0xA5, n + 2);
        ck_assert_int_eq(spamlr__zunpack(z, zlen, out, n), SPAMLR_OK);
        ck_assert(memcmp(out, in, n) == 0);
        /* said to be a byte longer, or shorter, than it is */
        ck_assert_int_eq(spamlr__zunpack(z, zlen, out, n + 1), SPAMLR_ECORRUPT);
        out[n - 1] = 0x5A;
        ck_assert_int_eq(spamlr__zunpack(z, zlen, out, n - 1), SPAMLR_ECORRUPT);
        ck_assert_uint_eq(out[n - 1], 0x5A);
        /* cut short, or its Adler-32 damaged */
        ck_assert_int_eq(spamlr__zunpack(z, zlen / 2, out, n), SPAMLR_ECORRUPT);
        z[zlen - 1] ^= 1;
        ck_assert_int_eq(spamlr__zunpack(z, zlen, out, n), SPAMLR_ECORRUPT);
        free(in);
        free(z);
        free(out);
    }
}
END_TEST

/* The unsure zone: set, refused out of order or range, saved in the
 * optional "unsr" section and read back, removed by equal cutoffs. */
START_TEST(unsure_zone_round_trip)
{
    spamlr_model *m = train_toy(NULL, NULL), *l = NULL;
    unsigned char *buf = NULL;
    size_t size, size0;
    double lo, hi;

    ck_assert_int_eq(spamlr_model_set_threshold(m, 0.6), 0);
    ck_assert_int_eq(spamlr_model_unsure(m, &lo, &hi), 0);
    ck_assert(lo == 0.6 && hi == 0.6);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size0), 0);
    free(buf);
    ck_assert_int_eq(spamlr_model_set_unsure(m, 0.6, 0.4), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_set_unsure(m, -0.1, 0.4), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_set_unsure(m, 0.1, 1.5), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_set_unsure(m, NAN, 0.5), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_unsure(m, &lo, &hi), 0);
    ck_assert_int_eq(spamlr_model_set_unsure(m, 0.25, 0.95), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
    free(buf);
    ck_assert_int_eq(spamlr_model_unsure(l, &lo, &hi), 1);
    ck_assert(lo == 0.25 && hi == 0.95);
    spamlr_model_free(l);
    /* equal cutoffs: no zone, and no section (the file of before) */
    ck_assert_int_eq(spamlr_model_set_unsure(m, 0.5, 0.5), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_uint_eq(size, size0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
    free(buf);
    ck_assert_int_eq(spamlr_model_unsure(l, &lo, &hi), 0);
    ck_assert(lo == 0.6 && hi == 0.6);
    spamlr_model_free(l);
    spamlr_model_free(m);
}
END_TEST

START_TEST(damaged_files_are_rejected)
{
    spamlr_model *m = train_toy(NULL, NULL), *l = NULL;
    unsigned char *buf = NULL, *copy;
    size_t size, i;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    if (_i == 1) /* a 16-bit model (its own weight section) and a pruned one */
        ck_assert_int_eq(spamlr_model_set_weight_bits(m, 16), 0);
    if (_i == 2) {
        spamlr_model *p = NULL;
        ck_assert_int_eq(spamlr_model_prune(&p, m, 12, 0), 0);
        spamlr_model_free(m);
        m = p;
    }
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    copy = malloc(size);
    /* every truncation */
    for (i = 0; i < size; i++) {
        int rc = spamlr_model_load_buffer(&l, buf, i, &d);
        ck_assert_msg(rc == SPAMLR_ETRUNC || rc == SPAMLR_EMAGIC || rc == SPAMLR_ESIZE,
                      "truncated to %zu: %d", i, rc);
        ck_assert_ptr_null(l);
    }
    /* every single-byte change */
    for (i = 0; i < size; i++) {
        int rc;
        memcpy(copy, buf, size);
        copy[i] ^= 0x5a;
        rc = spamlr_model_load_buffer(&l, copy, size, &d);
        ck_assert_msg(rc < 0 && rc != SPAMLR_ENOMEM, "byte %zu flipped: loaded (%d)", i, rc);
        ck_assert_ptr_null(l);
        ck_assert_int_eq(d.code, rc);
    }
    /* specific codes */
    memcpy(copy, buf, size);
    copy[0] = 'X';
    ck_assert_int_eq(spamlr_model_load_buffer(&l, copy, size, NULL), SPAMLR_EMAGIC);
    memcpy(copy, buf, size);
    copy[8] = 3;
    ck_assert_int_eq(spamlr_model_load_buffer(&l, copy, size, NULL), SPAMLR_EVERSION);
    memcpy(copy, buf, size);
    copy[size - 10] ^= 1;
    ck_assert_int_eq(spamlr_model_load_buffer(&l, copy, size, NULL), SPAMLR_ECRC);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size - 1, NULL), SPAMLR_ETRUNC);
    {
        unsigned char *longer = malloc(size + 3);
        memcpy(longer, buf, size);
        memset(longer + size, 0, 3);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, longer, size + 3, NULL), SPAMLR_ESIZE);
        free(longer);
    }
    free(copy);
    free(buf);
    spamlr_model_free(m);
}
END_TEST

/* A token holding a NUL byte (before 0.3 a boundary's shape could keep
 * one: a model that learned such a mail holds it): the file loads, and
 * its dump, which writes the byte as \x00, imports and saves to the same
 * bytes (fuzz_model's dump round trip found that import refused it). */
START_TEST(token_with_nul_round_trip)
{
    spamlr_model *m = train_toy(NULL, NULL), *l = NULL, *im = NULL;
    unsigned char *buf = NULL, *raw, *file;
    size_t size, ulen, fsize, i, dn;
    spamlr_word w;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned char *at = NULL;
    char *dump = NULL;

    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    raw = tu_payload(buf, &ulen);
    /* a word of 4 bytes or more, found in the token section */
    for (i = 0; !at && spamlr_model_word(m, i, &w) == 0; i++) {
        size_t k, n = strlen(w.token);
        for (k = 0; n >= 4 && !at && k + n <= ulen; k++)
            if (memcmp(raw + k, w.token, n) == 0)
                at = raw + k;
    }
    ck_assert_ptr_nonnull(at);
    at[1] = '\0';
    file = tu_repack(buf, raw, ulen, &fsize);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, file, fsize, &d), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_dump(l, &dump, &dn), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_import(&im, dump, dn, &d), SPAMLR_OK);
    tu_same_saved(l, im);
    free(dump);
    spamlr_model_free(im);
    spamlr_model_free(l);
    free(file);
    free(raw);
    free(buf);
    spamlr_model_free(m);
}
END_TEST

/* Which error a change at byte `i` of a model file must give, by region:
 * magic, version, flags, metadata length, metadata, the three sizes
 * (words, payload, compressed payload), the payload and the CRC. The
 * loader checks magic, version, sizes and then the CRC before it looks at
 * anything else, so a change anywhere but the fixed fields is a CRC error.
 * `v` is the changed byte's new value. Returns a bit set of allowed codes
 * (bit -code). */
#define CODE(c) (1u << -(c))
static unsigned expected_codes(const unsigned char *orig, size_t i, unsigned char v)
{
    uint32_t meta = (uint32_t)orig[16] | (uint32_t)orig[17] << 8 |
                    (uint32_t)orig[18] << 16 | (uint32_t)orig[19] << 24;
    size_t sizes = 20 + meta;

    if (i < 8)
        return CODE(SPAMLR_EMAGIC);
    if (i < 12) { /* version 0 does not exist; anything above 2 is newer;
                     1 and 2 are both read, so the CRC catches the change */
        unsigned char ver[4];
        uint32_t n;
        memcpy(ver, orig + 8, 4);
        ver[i - 8] = v;
        n = (uint32_t)ver[0] | (uint32_t)ver[1] << 8 | (uint32_t)ver[2] << 16 |
            (uint32_t)ver[3] << 24;
        return n == 0 ? CODE(SPAMLR_ECORRUPT) : n <= 2 ? CODE(SPAMLR_ECRC)
                                                      : CODE(SPAMLR_EVERSION);
    }
    if (i < 16) /* flags: unknown bits are corrupt; known ones fail the CRC */
        return CODE(SPAMLR_ECORRUPT) | CODE(SPAMLR_ECRC);
    if (i < 20) /* metadata length: impossible, or sizes then do not fit */
        return CODE(SPAMLR_ESIZE) | CODE(SPAMLR_ETRUNC);
    if (i >= sizes && i < sizes + 24) /* a size: impossible, too long, or
                                         plausible and caught by the CRC */
        return CODE(SPAMLR_ESIZE) | CODE(SPAMLR_ETRUNC) | CODE(SPAMLR_ECRC);
    return CODE(SPAMLR_ECRC);
}

static void check_rejected(const unsigned char *orig, unsigned char *copy, size_t size,
                           size_t i, unsigned char v)
{
    spamlr_model *l = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    unsigned allowed = expected_codes(orig, i, v);
    int rc;

    memcpy(copy, orig, size);
    copy[i] = v;
    rc = spamlr_model_load_buffer(&l, copy, size, &d);
    ck_assert_msg(rc < 0 && (CODE(rc) & allowed),
                  "byte %zu (of %zu) 0x%02x -> 0x%02x: got %d (%s), allowed set 0x%x", i,
                  size, orig[i], v, rc, spamlr_strerror(rc), allowed);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(d.code, rc);
    ck_assert(d.message[0] != '\0');
}

/* Every bit of every byte of a small model, and every other value of each
 * byte of its fixed header and size fields, for a plain model (_i == 0)
 * and one with an idf section and bigrams (_i == 1). */
START_TEST(every_bit_and_header_value_is_checked)
{
    spamlr_text_opts to;
    spamlr_model *m;
    unsigned char *buf = NULL, *copy;
    size_t size, i, meta, crc_checked = 0;

    spamlr_text_opts_init(&to);
    to.mime = 0;
    to.features = SPAMLR_FEAT_BINARY;
    if (_i == 1) {
        to.features = SPAMLR_FEAT_TFIDF;
        to.ngrams = 2;
    }
    m = train_toy(&to, NULL);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_uint_eq(buf[12] & 2, _i == 1 ? 2 : 0); /* the idf flag */
    copy = malloc(size);
    for (i = 0; i < size; i++)
        for (int bit = 0; bit < 8; bit++)
            check_rejected(buf, copy, size, i, (unsigned char)(buf[i] ^ (1u << bit)));
    meta = (size_t)buf[16] | (size_t)buf[17] << 8;
    for (i = 0; i < 20 + meta + 24; i++) {
        if (i >= 20 && i < 20 + meta)
            continue; /* metadata is covered by the CRC: bits suffice */
        for (unsigned v = 0; v < 256; v++)
            if (v != buf[i])
                check_rejected(buf, copy, size, i, (unsigned char)v);
    }
    /* every truncation: inside the magic it is not a model, after it the
     * file is short */
    for (i = 0; i < size; i++) {
        spamlr_model *l = NULL;
        int rc = spamlr_model_load_buffer(&l, buf, i, NULL);
        ck_assert_msg(rc == (i < 8 ? SPAMLR_EMAGIC : SPAMLR_ETRUNC), "truncated to %zu: %d",
                      i, rc);
        ck_assert_ptr_null(l);
    }
    /* Past the CRC: a damaged payload whose CRC was made to match (a
     * writer bug, or a forgery) is still rejected as corrupt, or loads as
     * a usable model, never anything else */
    for (i = 20 + meta + 24; i + 4 < size; i++) {
        spamlr_model *l = NULL;
        uint32_t crc;
        int rc;
        memcpy(copy, buf, size);
        copy[i] ^= 0x21;
        crc = (uint32_t)crc32(0L, copy, (unsigned)(size - 4));
        for (int k = 0; k < 4; k++)
            copy[size - 4 + (size_t)k] = (unsigned char)(crc >> (8 * k));
        rc = spamlr_model_load_buffer(&l, copy, size, NULL);
        ck_assert_msg(rc == SPAMLR_OK || rc == SPAMLR_ECORRUPT, "payload byte %zu: %d", i, rc);
        if (rc == SPAMLR_OK) {
            spamlr_scratch *s = NULL;
            double p;
            ck_assert_int_eq(spamlr_scratch_create(&s), 0);
            ck_assert_int_eq(spamlr_predict(l, s, "free prize", 10, &p, NULL), 0);
            ck_assert(p >= 0 && p <= 1);
            spamlr_scratch_free(s);
        }
        crc_checked += rc == SPAMLR_ECORRUPT;
        spamlr_model_free(l);
    }
    ck_assert_uint_gt(crc_checked, 0);
    free(copy);
    free(buf);
    spamlr_model_free(m);
}
END_TEST

START_TEST(failed_save_keeps_old_file)
{
    spamlr_model *m = train_toy(NULL, NULL), *l = NULL;
    char dir[64], path[128], bad[160];
    spamlr_diag d = SPAMLR_DIAG_INIT;
    struct stat st;

    tu_tmpdir(dir, sizeof dir);
    /* a directory where the model should go: rename fails, nothing left */
    snprintf(path, sizeof path, "%s/m.slr", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_int_eq(spamlr_model_save(m, path, &d), SPAMLR_EIO);
    ck_assert_str_eq(d.path, path);
    {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | grep -c tmp-) = 0", dir);
        ck_assert_int_eq(system(cmd), 0); /* no temporary file left behind */
    }
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    snprintf(bad, sizeof bad, "%s/no/such/dir/m.slr", dir);
    ck_assert_int_eq(spamlr_model_save(m, bad, &d), SPAMLR_EIO);
    ck_assert_int_eq(spamlr_model_load(&l, path, &d), SPAMLR_EIO);
    ck_assert_int_eq(spamlr_model_load(&l, bad, &d), SPAMLR_EIO);
    ck_assert_ptr_null(l);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

START_TEST(bad_training_input)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;
    spamlr_train_opts o;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    {
        spamlr_text_opts plain;
        spamlr_text_opts_init(&plain);
        plain.mime = 0;
        ck_assert_int_eq(spamlr_dataset_create(&ds, &plain), 0);
    }
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, &d), SPAMLR_EEMPTY);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, "a b", 3, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_UNLABELLED, "c d", 3, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, &d), SPAMLR_EONECLASS);
    ck_assert_ptr_nonnull(strstr(d.message, "spam"));
    ck_assert_ptr_null(m);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "c e", 3, NULL), 0);
    spamlr_train_opts_init(&o);
    o.c = -1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    spamlr_train_opts_init(&o);
    o.min_count = 2;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_OK);
    /* "c" is in one labelled and one unlabelled row; only labelled rows
     * count towards min_count, so no word is kept */
    ck_assert_uint_eq(spamlr_model_vocab_size(m), 0);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

START_TEST(class_weights_shift_the_bias)
{
    spamlr_dataset *ds = toy(NULL);
    spamlr_model *a = NULL, *b = NULL;
    spamlr_train_opts o;
    spamlr_model_info ia = SPAMLR_MODEL_INFO_INIT, ib = SPAMLR_MODEL_INFO_INIT;

    spamlr_train_opts_init(&o);
    ck_assert_int_eq(spamlr_train(&a, ds, &o, NULL, NULL), 0);
    o.class_weight = SPAMLR_CW_MANUAL;
    o.weight_spam = 5;
    ck_assert_int_eq(spamlr_train(&b, ds, &o, NULL, NULL), 0);
    spamlr_model_info_get(a, &ia);
    spamlr_model_info_get(b, &ib);
    ck_assert(ib.bias > ia.bias);
    ck_assert_uint_eq(ib.class_weight, SPAMLR_CW_MANUAL);
    spamlr_model_free(a);
    spamlr_model_free(b);
    spamlr_dataset_free(ds);
}
END_TEST

/* A word as a user writes it is found through the model's tokenizer:
 * case, full-width and mathematical letters folded; stored tokens as they
 * are; several tokens and no token said so. */
START_TEST(lookup_by_raw_text)
{
    spamlr_model *m = train_toy(NULL, NULL);
    spamlr_word e, f;
    float w;
    static const char *const free_forms[] = { "free", "FREE", "Free", "\xef\xbd\x86\xef\xbd\x92"
        "\xef\xbd\x85\xef\xbd\x85" /* fullwidth */, "\xf0\x9d\x90\x85\xf0\x9d\x90\x91"
        "\xf0\x9d\x90\x84\xf0\x9d\x90\x84" /* mathematical bold */ };
    size_t i;

    ck_assert_int_eq(spamlr_model_weight(m, "free", &w), SPAMLR_OK);
    for (i = 0; i < sizeof free_forms / sizeof *free_forms; i++) {
        ck_assert_int_eq(spamlr_model_lookup(m, free_forms[i], strlen(free_forms[i]), &e),
                         SPAMLR_OK);
        ck_assert_str_eq(e.token, "free");
        ck_assert(e.weight == w);
        ck_assert_int_eq(spamlr_model_word(m, e.id, &f), SPAMLR_OK);
        ck_assert_str_eq(f.token, "free");
    }
    /* plain spamlr_model_weight needs the folded form */
    ck_assert_int_eq(spamlr_model_weight(m, "FREE", &w), SPAMLR_ENOTFOUND);
    /* a stored token as it is, though the tokenizer would split it */
    ck_assert_int_eq(spamlr_model_lookup(m, "\xe4\xb8\xad\xe5\xa5\x96", 6, &e), SPAMLR_OK);
    ck_assert_str_eq(e.token, "\xe4\xb8\xad\xe5\xa5\x96"); /* 中奖 */
    ck_assert_int_eq(spamlr_model_lookup(m, "free prize", 10, &e), SPAMLR_EINVAL);
    ck_assert_ptr_null(e.token);
    ck_assert_int_eq(spamlr_model_lookup(m, "zzqqx", 5, &e), SPAMLR_ENOTFOUND);
    ck_assert_ptr_null(e.token);
    ck_assert(e.weight == 0 && e.id == UINT32_MAX);
    ck_assert_int_eq(spamlr_model_lookup(m, "!!!", 3, &e), SPAMLR_ENOTFOUND);
    ck_assert_int_eq(spamlr_model_lookup(m, NULL, 0, &e), SPAMLR_ENOTFOUND);
    ck_assert_int_eq(spamlr_model_lookup(NULL, "free", 4, &e), SPAMLR_EINVAL);
    spamlr_model_free(m);
}
END_TEST

START_TEST(version_matches_header)
{
    ck_assert_uint_eq(spamlr_version_number(), SPAMLR_VERSION_NUMBER);
    ck_assert_str_eq(spamlr_version_string(), SPAMLR_VERSION_STRING);
    ck_assert_ptr_nonnull(spamlr_simd_name());
    ck_assert_str_ne(spamlr_strerror(SPAMLR_ECRC), spamlr_strerror(SPAMLR_ETRUNC));
    for (int e = SPAMLR_EUNSUPPORTED; e <= 0; e++)
        ck_assert_str_ne(spamlr_strerror(e), "unknown error");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("model");
    TCase *t = tcase_create("model"), *big = tcase_create("large");
    tcase_set_timeout(t, 60);
    /* the models saved and loaded on two threads (make check-tsan runs
     * this case alone) */
    tcase_set_timeout(big, 120);
    tcase_add_test(big, zpack_is_one_zlib_stream);
    tcase_add_test(big, zunpack_reads_what_zpack_wrote);
    tcase_add_test(big, large_model_round_trip);
    suite_add_tcase(s, big);
    tcase_add_test(t, train_learns_words);
    tcase_add_test(t, predict_text_matches_dataset);
    tcase_add_loop_test(t, save_load_round_trip, 0, 3);
    tcase_add_test(t, feature_value_table);
    tcase_add_test(t, unsure_zone_round_trip);
    tcase_add_loop_test(t, damaged_files_are_rejected, 0, 3);
    tcase_add_loop_test(t, every_bit_and_header_value_is_checked, 0, 2);
    tcase_add_test(t, failed_save_keeps_old_file);
    tcase_add_test(t, bad_training_input);
    tcase_add_test(t, class_weights_shift_the_bias);
    tcase_add_test(t, version_matches_header);
    tcase_add_test(t, lookup_by_raw_text);
    tcase_add_test(t, token_with_nul_round_trip);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
