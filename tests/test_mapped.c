/* test_mapped.c - the mapped layout of a model file: what it loads is the
 * model it saved (read in place from a file, from a copy of a buffer, and
 * word by word where it cannot be read in place), the same words give the
 * same bytes, a model read in place learns without writing to its file,
 * and every damaged part is refused. */
#include "testutil.h"
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "model/model.h"
#include "model/sections.h"

static const char *SPAM[] = {
    "win a free prize now", "free viagra cheap pills", "恭喜您中奖了 请点击领取",
    "cheap loans apply now free", "代开发票 免费咨询", "claim your free prize today",
    "中奖通知 领取奖金", "buy cheap watches now", "supercalifragilisticexpialidocious offer",
};
static const char *HAM[] = {
    "lunch at noon tomorrow?", "the meeting moved to friday", "明天下午开会",
    "can you send the report", "我们晚上一起吃饭吧", "see you at the station",
    "please review my patch", "周末去看电影吗", "thanks for the notes",
};
#define NS (sizeof SPAM / sizeof *SPAM)
#define NH (sizeof HAM / sizeof *HAM)

/* The toy messages (plain text), spam first, with the given features. */
static spamlr_dataset *toy_data(unsigned features)
{
    spamlr_dataset *ds = NULL;
    spamlr_text_opts to;
    size_t i;

    spamlr_text_opts_init(&to);
    to.mime = 0;
    to.features = features;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &to), SPAMLR_OK);
    for (i = 0; i < NS; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, SPAM[i], strlen(SPAM[i]), NULL), 0);
    for (i = 0; i < NH; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, HAM[i], strlen(HAM[i]), NULL), 0);
    return ds;
}

/* A model of the toy messages: binary, log-tf or tf-idf (_i of the loop),
 * so that the idf array is there or not. */
static spamlr_model *toy_model(unsigned features)
{
    spamlr_dataset *ds = toy_data(features);
    spamlr_train_opts o;
    spamlr_model *m = NULL;

    spamlr_train_opts_init(&o);
    o.c = 10;
    o.tol = 1e-8;
    o.min_count = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    spamlr_dataset_free(ds);
    return m;
}

/* a and b score every toy message and a few unseen texts the same, bit
 * for bit, and have the same words and weights in the same order. */
static void same_scores(const spamlr_model *a, const spamlr_model *b)
{
    static const char *more[] = { "", "free free free", "prize 中奖 noon", "unknownword" };
    spamlr_scratch *s = NULL;
    size_t i;

    tu_same_words(a, b);
    ck_assert_int_eq(spamlr_scratch_create(&s), 0);
    for (i = 0; i < NS + NH + 4; i++) {
        const char *t = i < NS ? SPAM[i] : i < NS + NH ? HAM[i - NS] : more[i - NS - NH];
        double p1, p2;
        ck_assert_int_eq(spamlr_predict(a, s, t, strlen(t), &p1, NULL), 0);
        ck_assert_int_eq(spamlr_predict(b, s, t, strlen(t), &p2, NULL), 0);
        ck_assert_msg(p1 == p2, "text %zu: %.17g vs %.17g", i, p1, p2);
    }
    spamlr_scratch_free(s);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long sz;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    rewind(f);
    b = malloc((size_t)sz + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static void nothing(void *p, size_t n)
{
    (void)p;
    (void)n;
}

START_TEST(round_trip_every_way)
{
    spamlr_model *m = toy_model((unsigned)_i), *f = NULL, *b = NULL, *c = NULL, *u = NULL;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    unsigned char *buf, *again, *fbuf, *odd;
    size_t size, asize, fsize;
    char dir[64], path[128];
    spamlr_diag d = SPAMLR_DIAG_INIT;

    if (_i == 1) /* 16-bit weights keep their grid */
        ck_assert_int_eq(spamlr_model_set_weight_bits(m, 16), 0);
    ck_assert_int_eq(spamlr_model_set_layout(m, 2), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_int_eq(get_u32(buf + 8), SPAMLR__MAPPED_VERSION);
    ck_assert(get_u32(buf + 12) & SPAMLR__FLAG_MAPPED);
    /* the same words, the same bytes (the table's seed comes from them) */
    ck_assert_int_eq(spamlr_model_save_buffer(m, &again, &asize), 0);
    ck_assert_uint_eq(asize, size);
    ck_assert_mem_eq(again, buf, size);
    free(again);
    /* from a file: read in place */
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    ck_assert_int_eq(spamlr_model_save(m, path, NULL), SPAMLR_OK);
    fbuf = read_all(path, &fsize);
    ck_assert_uint_eq(fsize, size);
    ck_assert_mem_eq(fbuf, buf, size);
    free(fbuf);
    ck_assert_int_eq(spamlr_model_load(&f, path, &d), SPAMLR_OK);
    spamlr_model_info_get(f, &info);
    ck_assert_uint_eq(info.layout, SPAMLR_LAYOUT_MAPPED);
    ck_assert_uint_eq(info.weight_bits, _i == 1 ? 16 : 32);
    same_scores(m, f);
    /* saved again, it is the same file */
    ck_assert_int_eq(spamlr_model_save_buffer(f, &again, &asize), 0);
    ck_assert_uint_eq(asize, size);
    ck_assert_mem_eq(again, buf, size);
    free(again);
    /* from a buffer (copied), and from misaligned bytes (read word by
     * word: the way of a big-endian host) */
    ck_assert_int_eq(spamlr_model_load_buffer(&b, buf, size, &d), SPAMLR_OK);
    same_scores(m, b);
    {
        spamlr_model *meta = NULL;
        unsigned char *raw = NULL;
        size_t rlen = 0;
        uint64_t count = 0;
        uint32_t flags = 0;

        /* the framing refuses to inflate it */
        ck_assert_int_eq(spamlr__model_unframe(buf, size, &meta, &raw, &rlen, &count, &flags,
                                               &d), SPAMLR_EINVAL);
        ck_assert_ptr_null(meta);
    }
    odd = malloc(size + 8);
    memcpy(odd + 1, buf, size);
    ck_assert(spamlr__model_flags(odd + 1, size) & SPAMLR__FLAG_MAPPED);
    {
        size_t pos = 20 + get_u32(buf + 16);
        spamlr_model *meta = NULL;

        /* b's metadata stands in for what the header gave: a model with
         * b's settings and no words */
        ck_assert_int_eq(spamlr_model_prune(&meta, b, 0, 0), SPAMLR_OK);
        free(meta->w);
        free(meta->idf);
        meta->w = meta->idf = NULL;
        ck_assert_int_eq(spamlr__model_load_mapped(&c, meta, odd + 1, size, pos + 24,
                                                   get_u64(buf + pos),
                                                   get_u64(buf + pos + 8),
                                                   get_u64(buf + pos + 16),
                                                   get_u32(buf + 12), nothing, &d),
                         SPAMLR_OK);
        same_scores(m, c);
    }
    free(odd);
    /* the packed copy of the loaded model is the packed model */
    ck_assert_int_eq(spamlr_model_set_layout(f, SPAMLR_LAYOUT_PACKED), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(f, &again, &asize), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&u, again, asize, &d), SPAMLR_OK);
    spamlr_model_info_get(u, &info);
    ck_assert_uint_eq(info.layout, SPAMLR_LAYOUT_PACKED);
    same_scores(m, u);
    free(again);
    free(buf);
    spamlr_model_free(u);
    spamlr_model_free(c);
    spamlr_model_free(b);
    spamlr_model_free(f);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

/* A model read in place from its file learns new words (they are copied
 * for it first: the file is mapped read-only, so a write into it would
 * crash the test) and is saved; its file is as it was until then. */
START_TEST(learning_copies_the_words)
{
    spamlr_model *m = toy_model(SPAMLR_FEAT_TFIDF), *l = NULL, *r = NULL;
    spamlr_scratch *s = NULL;
    spamlr_online_opts oo;
    char dir[64], path[128];
    unsigned char *before, *after;
    size_t bsize, asize, n0;
    const char *msg = "brandnewword another brandnewword prize";
    double p;
    spamlr_word wd;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), 0);
    ck_assert_int_eq(spamlr_model_save(m, path, NULL), 0);
    before = read_all(path, &bsize);
    ck_assert_int_eq(spamlr_model_load(&l, path, NULL), 0);
    n0 = spamlr_model_vocab_size(l);
    spamlr_online_opts_init(&oo);
    ck_assert_int_eq(spamlr_model_online_setup(l, &oo), 0);
    ck_assert_int_eq(spamlr_scratch_create(&s), 0);
    ck_assert_int_eq(spamlr_model_learn(l, s, msg, strlen(msg), SPAMLR_SPAM, 1, &p), 0);
    ck_assert_uint_gt(spamlr_model_vocab_size(l), n0);
    ck_assert_int_eq(spamlr_model_lookup(l, "brandnewword", 12, &wd), SPAMLR_OK);
    ck_assert(wd.weight > 0);
    after = read_all(path, &asize);
    ck_assert_uint_eq(asize, bsize);
    ck_assert_mem_eq(after, before, bsize);
    free(after);
    ck_assert_int_eq(spamlr_model_save(l, path, NULL), 0);
    ck_assert_int_eq(spamlr_model_load(&r, path, NULL), 0);
    same_scores(l, r);
    ck_assert_uint_eq(spamlr_model_vocab_size(r), spamlr_model_vocab_size(l));
    free(before);
    spamlr_scratch_free(s);
    spamlr_model_free(r);
    spamlr_model_free(l);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

/* buf with its CRC made right again after a change */
static void recrc(unsigned char *buf, size_t size)
{
    set_u32(buf + size - 4, spamlr__crc32(0, buf, size - 4));
}

/* Loads a damaged copy both ways (buffer; file, read in place) and
 * expects code. */
static void refused(const unsigned char *bytes, size_t size, int code, const char *what)
{
    spamlr_model *l = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char dir[64], path[128];
    int rc;

    rc = spamlr_model_load_buffer(&l, bytes, size, &d);
    ck_assert_msg(rc == code, "%s: buffer load gave %d (%s), not %d", what, rc, d.message, code);
    ck_assert_ptr_null(l);
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/bad.slr", dir);
    tu_write(path, (const char *)bytes, size);
    rc = spamlr_model_load(&l, path, &d);
    ck_assert_msg(rc == code, "%s: file load gave %d (%s), not %d", what, rc, d.message, code);
    ck_assert_ptr_null(l);
    ck_assert_str_eq(d.path, path);
    tu_rmrf(dir);
}

START_TEST(damaged_parts_are_refused)
{
    spamlr_model *m = toy_model(SPAMLR_FEAT_TFIDF);
    unsigned char *buf, *c;
    size_t size, pos, i, n, cap, chars, slots, off, len, ch, w;

    ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    c = malloc(size + 64);
    pos = 20 + get_u32(buf + 16);
    n = get_u64(buf + pos);
    pos += 24;
    cap = get_u64(buf + pos + 8);
    chars = get_u64(buf + pos + 16);
    /* the places, as mapped.c lays them out */
#define UP(x) (((x) + 63) & ~(size_t)63)
    slots = UP(pos + 64);
    off = UP(slots + cap * 16);
    len = UP(off + n * 8);
    ch = UP(UP(len + n * 4) + n * 4);
    w = UP(ch + chars);
    ck_assert_uint_gt(n, 10);
    /* every truncation, a flipped byte in every part (the CRC) */
    for (i = 0; i < size; i += 97) {
        spamlr_model *l = NULL;
        int rc = spamlr_model_load_buffer(&l, buf, i, NULL);
        ck_assert_msg(rc == SPAMLR_ETRUNC || rc == SPAMLR_EMAGIC || rc == SPAMLR_ESIZE,
                      "cut to %zu: %d", i, rc);
        memcpy(c, buf, size);
        c[i] ^= 0x20;
        rc = spamlr_model_load_buffer(&l, c, size, NULL);
        ck_assert_msg(rc < 0 && rc != SPAMLR_ENOMEM, "byte %zu flipped: %d", i, rc);
        ck_assert_ptr_null(l);
    }
    /* each check of the parts, with a right CRC */
    memcpy(c, buf, size);
    for (i = 0; i < cap && get_u32(c + slots + 16 * i) == 0; i++)
        ;
    set_u32(c + slots + 16 * i, (uint32_t)n + 1);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a slot beyond the words");
    memcpy(c, buf, size);
    for (i = 0; i < cap; i++) /* every slot used: a probe would never end */
        set_u32(c + slots + 16 * i, 1);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a full table");
    memcpy(c, buf, size);
    set_u64(c + off + 8 * 3, chars);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a word past the strings");
    memcpy(c, buf, size);
    set_u32(c + len + 4 * 2, get_u32(c + len + 4 * 2) + 1); /* its NUL is the next word's first byte */
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a word without its NUL");
    memcpy(c, buf, size);
    set_u32(c + len + 4 * (n - 1), (uint32_t)chars);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a word as long as the strings");
    memcpy(c, buf, size);
    memcpy(c, buf, size);
    set_u64(c + pos + 8, cap * 2);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a table larger than the file holds");
    memcpy(c, buf, size);
    set_u64(c + pos + 8, cap - 1);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a table size not a power of two");
    memcpy(c, buf, size);
    set_u64(c + pos + 16, chars + 64);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "strings longer than their place");
    memcpy(c, buf, size);
    set_u32(c + pos + 24, 8);
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "8-bit weights");
    memcpy(c, buf, size);
    { /* the same 32-bit weights declared 16-bit: off the declared grid
         (fuzz_model: such a model scored with weights its save changed) */
        float step = 1e-3f;
        uint32_t u;

        memcpy(&u, &step, 4);
        set_u32(c + pos + 24, 16);
        set_u32(c + pos + 28, u);
    }
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "16-bit weights off their grid");
    memcpy(c, buf, size);
    set_u32(c + w + 4 * 5, 0x7fc00000u); /* NaN */
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "a weight that is not a number");
    memcpy(c, buf, size);
    {
        size_t idf = UP(w + n * 4);
        float big = 1e30f;
        uint32_t u;

        memcpy(&u, &big, 4);
        set_u32(c + idf + 4 * 7, u); /* a feature value could overflow */
    }
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "an idf value of 1e30");
    memcpy(c, buf, size);
    set_u32(c + 8, 4); /* version 4 without the flag: a later library's */
    set_u32(c + 12, get_u32(buf + 12) & ~SPAMLR__FLAG_MAPPED);
    recrc(c, size);
    refused(c, size, SPAMLR_EVERSION, "version 4 without the mapped flag");
    memcpy(c, buf, size);
    set_u32(c + 8, 2); /* the flag on a packed version */
    recrc(c, size);
    refused(c, size, SPAMLR_ECORRUPT, "the mapped flag on version 2");
    memcpy(c, buf, size);
    set_u32(c + 8, 5);
    recrc(c, size);
    refused(c, size, SPAMLR_EVERSION, "version 5");
    /* a file longer than its parts */
    memcpy(c, buf, size - 4);
    memset(c + size - 4, 0, 64);
    recrc(c, size + 64);
    refused(c, size + 64, SPAMLR_ESIZE, "bytes after the parts");
    free(c);
    free(buf);
    spamlr_model_free(m);
}
END_TEST

/* A mapped file whose strings are not in id order (the format allows
 * any place inside the strings) is read as it is, and saved with its
 * strings laid out again in id order: the same words and weights, every
 * word found by its text. (A vocabulary that only grew is saved with one
 * copy of its strings; this is the other way.) */
START_TEST(strings_out_of_order_are_saved_in_order)
{
    spamlr_model *m = toy_model(SPAMLR_FEAT_TFIDF), *l = NULL, *l2 = NULL;
    unsigned char *buf, *buf2;
    size_t size, size2, pos, n, cap, off, len, hash, i;
    uint64_t o0, o1;
    uint32_t t;

    ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    pos = 20 + get_u32(buf + 16);
    n = get_u64(buf + pos);
    pos += 24;
    cap = get_u64(buf + pos + 8);
    off = UP(UP(pos + 64) + cap * 16);
    len = UP(off + n * 8);
    hash = UP(len + n * 4);
    ck_assert_uint_gt(n, 2);
    /* words 0 and 1 trade strings: id 0's now lies after id 1's */
    o0 = get_u64(buf + off);
    o1 = get_u64(buf + off + 8);
    set_u64(buf + off, o1);
    set_u64(buf + off + 8, o0);
    t = get_u32(buf + len);
    set_u32(buf + len, get_u32(buf + len + 4));
    set_u32(buf + len + 4, t);
    t = get_u32(buf + hash);
    set_u32(buf + hash, get_u32(buf + hash + 4));
    set_u32(buf + hash + 4, t);
    recrc(buf, size);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(l, &buf2, &size2), 0);
    ck_assert_uint_eq(size2, size);
    ck_assert_uint_eq(get_u64(buf2 + off), 0); /* in id order again */
    ck_assert_uint_eq(get_u64(buf2 + off + 8), get_u32(buf2 + len) + 1);
    ck_assert_int_eq(spamlr_model_load_buffer(&l2, buf2, size2, NULL), 0);
    tu_same_words(l, l2);
    for (i = 0; i < n; i++) {
        spamlr_word a, b;

        ck_assert_int_eq(spamlr_model_word(l2, i, &a), 0);
        ck_assert_int_eq(spamlr_model_lookup(l2, a.token, strlen(a.token), &b), 0);
        ck_assert_uint_eq(b.id, i);
    }
    free(buf);
    free(buf2);
    spamlr_model_free(l2);
    spamlr_model_free(l);
    spamlr_model_free(m);
}
END_TEST

/* The same bound holds in the packed layout (an idf of 1e30 made a
 * score not a number: fuzz_model found it in a mapped file). */
START_TEST(packed_idf_is_bounded)
{
    spamlr_model *m = toy_model(SPAMLR_FEAT_TFIDF), *l = NULL;
    unsigned char *buf;
    size_t size;

    m->idf[3] = 1e30f;
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), SPAMLR_ECORRUPT);
    free(buf);
    m->idf[3] = 1e9f; /* the largest allowed */
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), SPAMLR_OK);
    spamlr_model_free(l);
    free(buf);
    spamlr_model_free(m);
}
END_TEST

/* Values so small that 1/|row| is no float (idf values of 3.5e-41, as in
 * a mapped file fuzz_model made) still give unit rows and probabilities. */
START_TEST(tiny_values_normalise)
{
    spamlr_model *m = toy_model(SPAMLR_FEAT_TFIDF);
    spamlr_scratch *s = NULL;
    size_t i;

    for (i = 0; i < spamlr_model_vocab_size(m); i++)
        m->idf[i] = 3.5e-41f;
    ck_assert_int_eq(spamlr_scratch_create(&s), 0);
    for (i = 0; i < NS; i++) {
        double p, z;
        ck_assert_int_eq(spamlr_predict(m, s, SPAM[i], strlen(SPAM[i]), &p, &z), 0);
        ck_assert_msg(p >= 0 && p <= 1 && isfinite(z), "message %zu: p %g z %g", i, p, z);
    }
    spamlr_scratch_free(s);
    spamlr_model_free(m);
}
END_TEST

/* A remembered-messages section that claims more rows than it can hold
 * (each takes 4 bytes at least) is refused as damaged, before any room is
 * made for them: a mapped file claiming 2^32 rows asked for 96 GB
 * (fuzz_model, regress-memory-rows-claimed). */
START_TEST(memory_rows_are_bounded)
{
    spamlr_model *m = NULL;
    spamlr_dataset *ds = toy_data(SPAMLR_FEAT_TFIDF);
    spamlr_text_opts to;
    unsigned char *buf, *t = NULL;
    size_t size, i;

    spamlr_text_opts_init(&to);
    to.mime = 0; /* toy_data's */
    ck_assert_int_eq(spamlr_model_create(&m, &to), 0);
    ck_assert_int_eq(spamlr_model_learn_batch(m, ds, NULL, NS + NH), 0);
    ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    for (i = 0; i + 4 < size && !t; i++) /* the section's tag, as written */
        if (memcmp(buf + i, "onmm", 4) == 0)
            t = buf + i;
    ck_assert_ptr_nonnull(t);
    /* body (after tag and length): f64 margin, u32 memory, u32 0, u64 x 2
     * messages offered, u32 ham rows, u32 spam rows */
    set_u32(t + 12 + 8, 0xFFFFFFFFu);
    set_u64(t + 12 + 16, 0xFFFFFFFFu);
    set_u32(t + 12 + 32, 0xFFFFFFFFu);
    recrc(buf, size);
    refused(buf, size, SPAMLR_ECORRUPT, "2^32 remembered rows claimed");
    free(buf);
    spamlr_dataset_free(ds);
    spamlr_model_free(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mapped");
    TCase *t = tcase_create("mapped");

    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, round_trip_every_way, SPAMLR_FEAT_BINARY, SPAMLR_FEAT_TFIDF + 1);
    tcase_add_test(t, learning_copies_the_words);
    tcase_add_test(t, damaged_parts_are_refused);
    tcase_add_test(t, strings_out_of_order_are_saved_in_order);
    tcase_add_test(t, packed_idf_is_bounded);
    tcase_add_test(t, tiny_values_normalise);
    tcase_add_test(t, memory_rows_are_bounded);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
