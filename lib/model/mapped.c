/* mapped.c - the mapped layout of a model file: the words' slot table, id
 * arrays and strings, the weights and the idf values stored as they lie
 * in memory, so that loading maps the file and reads them in place (no
 * payload to inflate, no table to build).
 *
 * A file of format version 4 with flag bit 3 (SPAMLR__FLAG_MAPPED); the
 * framing is the packed layout's (model_io.c: magic, version, flags,
 * metadata, n, then two lengths, then the CRC-32 of every byte before
 * it). After n come U, the length of the optional sections at the end,
 * and Z, the length of everything from the directory to the CRC. All
 * integers little-endian, floats IEEE-754; every array starts at a
 * multiple of 64 bytes from the start of the file, zero bytes between:
 *
 *   directory (64 bytes): u64 seed, u64 cap, u64 chars, u32 weight bits
 *                         (32 or 16), f32 the 16-bit grid's step, zeros
 *   slots  cap x 16:  u32 id + 1 (0 = empty), u32 the hash's top 24 bits
 *                     and the length (255 = 255 or more), then the word's
 *                     first 8 bytes (zero-padded): linear probing from
 *                     hash & (cap - 1), cap a power of two above n
 *   off    n x u64:   where each word starts in the strings
 *   len    n x u32:   its length in bytes
 *   hash   n x u32:   its hash under `seed` (spamlr__hash_seeded)
 *   chars  `chars` bytes: the words in id order, each followed by a NUL
 *   w      n x f32:   the weights (16-bit ones on their grid)
 *   idf    n x f32:   with flag bit 1
 *   the optional sections (tagged as in the packed payload), U bytes
 *
 * The seed is made from the words themselves (a CRC-32 of them and their
 * number), so the same model gives the same bytes. Loading checks what a
 * look-up relies on: every id in the slots below n, fewer used slots than
 * cap (a probe always meets an empty slot), every word inside the strings
 * and NUL-terminated, every weight finite (and on its grid when 16-bit)
 * and every idf value in 0..1e9. A word in the
 * wrong slot is only not found: the CRC guards the file against damage,
 * not against its writer. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/sections.h"

#define ALIGN 64
#define DIR_LEN 64
#define SLOT_LEN 16
#define MAX_TOKEN 4096
#define BIG ((uint64_t)1 << 40) /* no array of a real model comes near */

/* a slot in memory (vocab.h) is the file's, on a little-endian host */
_Static_assert(sizeof(spamlr__slot) == SLOT_LEN && offsetof(spamlr__slot, hl) == 4 &&
               offsetof(spamlr__slot, key) == 8, "the slot's layout");

/* Where each part lies (offsets from the start of the file). */
typedef struct place {
    uint64_t slots, off, len, hash, chars, w, idf, rest, end;
} place;

static uint64_t up(uint64_t x)
{
    return (x + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
}

/* The places of a file whose directory is at pos (every size below BIG:
 * no sum overflows). */
static void plan(uint64_t pos, uint64_t cap, uint64_t n, uint64_t chars, int idf, uint64_t rest,
                 place *p)
{
    p->slots = up(pos + DIR_LEN);
    p->off = up(p->slots + cap * SLOT_LEN);
    p->len = up(p->off + n * 8);
    p->hash = up(p->len + n * 4);
    p->chars = up(p->hash + n * 4);
    p->w = up(p->chars + chars);
    p->idf = up(p->w + n * 4);
    p->rest = idf ? up(p->idf + n * 4) : p->idf;
    p->end = p->rest + rest;
}

static int host_le(void)
{
    const uint16_t one = 1;

    return *(const unsigned char *)&one == 1;
}

static void set_f32(unsigned char *p, float f)
{
    uint32_t u;

    memcpy(&u, &f, 4);
    set_u32(p, u);
}

/* The seed of a file's table: from its words, so that it is the same
 * for the same model. */
static uint64_t words_seed(const spamlr__vocab *v)
{
    uint32_t crc = 0;
    size_t i;

    for (i = 0; i < v->n; i++)
        crc = spamlr__crc32(crc, (const unsigned char *)v->chars + v->off[i], v->len[i] + 1);
    return spamlr__fold_mul(((uint64_t)crc << 32 | (uint32_t)v->n) ^ 0x9e3779b97f4a7c15ULL,
                            0xd6e8feb86659fd93ULL) | 1;
}

int spamlr__model_save_mapped(const spamlr_model *m, unsigned char **out, size_t *size)
{
    const spamlr__vocab *v = &m->vocab;
    wbuf b = {0}, rest = {0};
    spamlr__slot *slots = NULL;
    uint32_t *hash = NULL;
    uint64_t seed = words_seed(v), at;
    size_t n = v->n, cap = 0, i, pos, zpos, chars = 0;
    place p;
    /* whether the strings lie in id order, each after the last's NUL (a
     * vocabulary that only grew): then they go in one copy, and their
     * offsets are the vocabulary's own */
    int rc, in_order = 1;

    *out = NULL;
    *size = 0;
    for (i = 0; i < n; i++) {
        in_order &= v->off[i] == chars;
        chars += (size_t)v->len[i] + 1;
    }
    spamlr__sections_put(m, &rest);
    if ((rc = rest.err))
        goto out;
    if (!(hash = malloc((n + 1) * sizeof *hash))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    if ((rc = spamlr__vocab_image(v, seed, hash, &slots, &cap)))
        goto out;
    spamlr__model_head(m, &b, SPAMLR__MAPPED_VERSION, SPAMLR__FLAG_MAPPED);
    put_u64(&b, n);
    put_u64(&b, rest.n);
    zpos = b.n;
    put_u64(&b, 0); /* Z, below */
    pos = b.n;
    plan(pos, cap, n, chars, m->idf != NULL, rest.n, &p);
    if ((rc = b.err) || (rc = spamlr__grow((void **)&b.p, &b.cap, (size_t)p.end + 4, 1)))
        goto out;
    /* every byte is written once: the arrays, then the zeros between
     * them (to the next multiple of 64) and after each word */
    memset(b.p + pos, 0, (size_t)(p.slots - pos));
    set_u64(b.p + zpos, p.end - pos);
    set_u64(b.p + pos, seed);
    set_u64(b.p + pos + 8, cap);
    set_u64(b.p + pos + 16, chars);
    set_u32(b.p + pos + 24, m->weight_bits == 16 ? 16u : 32u);
    set_f32(b.p + pos + 28, m->weight_bits == 16 ? m->wscale : 0.0f);
    if (host_le()) {  /* a slot in memory is the file's 16 bytes */
        memcpy(b.p + p.slots, slots, cap * SLOT_LEN);
    } else {
        for (i = 0; i < cap; i++) {
            unsigned char *s = b.p + p.slots + i * SLOT_LEN;

            set_u32(s, slots[i].id1);
            set_u32(s + 4, slots[i].hl);
            memcpy(s + 8, &slots[i].key, 8); /* the word's bytes as they are */
        }
    }
    if (in_order) {
        if (n) /* (an empty model's arrays may be NULL) */
            memcpy(b.p + p.chars, v->chars, chars);
    } else {
        for (i = 0, at = 0; i < n; i++) {
            memcpy(b.p + p.chars + at, v->chars + v->off[i], v->len[i]);
            b.p[p.chars + at + v->len[i]] = '\0';
            at += v->len[i] + 1;
        }
    }
    if (n && host_le() && in_order) { /* the arrays as they lie in memory */
        memcpy(b.p + p.off, v->off, 8 * n);
        memcpy(b.p + p.len, v->len, 4 * n);
        memcpy(b.p + p.hash, hash, 4 * n);
    } else {
        for (i = 0, at = 0; i < n; i++) {
            set_u64(b.p + p.off + 8 * i, at);
            set_u32(b.p + p.len + 4 * i, v->len[i]);
            set_u32(b.p + p.hash + 4 * i, hash[i]);
            at += v->len[i] + 1;
        }
    }
    if (n && host_le() && m->weight_bits != 16)
        memcpy(b.p + p.w, m->w, 4 * n);
    else
        for (i = 0; i < n; i++)
            set_f32(b.p + p.w + 4 * i, spamlr__saved_weight(m, i));
    if (n && m->idf && host_le())
        memcpy(b.p + p.idf, m->idf, 4 * n);
    else if (m->idf)
        for (i = 0; i < n; i++)
            set_f32(b.p + p.idf + 4 * i, m->idf[i]);
    { /* the zeros from each array's end to the next one's start */
        const uint64_t gap[][2] = {
            { p.slots + cap * SLOT_LEN, p.off }, { p.off + 8 * n, p.len },
            { p.len + 4 * n, p.hash }, { p.hash + 4 * n, p.chars }, { p.chars + chars, p.w },
            { p.w + 4 * n, p.idf }, { p.idf + (m->idf ? 4 * n : 0), p.rest } };

        for (i = 0; i < sizeof gap / sizeof gap[0]; i++)
            memset(b.p + gap[i][0], 0, (size_t)(gap[i][1] - gap[i][0]));
    }
    if (rest.n)
        memcpy(b.p + p.rest, rest.p, rest.n);
    b.n = (size_t)p.end;
    rc = spamlr__model_finish(&b, out, size);
out:
    free(b.p);
    free(rest.p);
    free(slots);
    free(hash);
    return rc;
}

/* The optional sections at the end (upper-case ones belong to the packed
 * payload and cannot appear here). */
static int read_rest(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                     spamlr_diag *d)
{
    spamlr__sections_met met = {0, 0};
    const unsigned char *tag;
    size_t pos = 0, len;
    int rc;

    while ((rc = spamlr__section_next(p, n, &pos, &tag, &len, "the sections", d)) > 0) {
        if (tag[0] >= 'A' && tag[0] <= 'Z')
            return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1,
                                "required section \"%.4s\" in a mapped model", (const char *)tag);
        if ((rc = spamlr__sections_read(m, tag, tag + 12, len, count, &met, d)))
            return rc;
    }
    return rc;
}

/* Whether a word of l bytes at o lies inside the strings, NUL after it. */
static int word_fits(uint64_t o, uint32_t l, const char *chars, uint64_t chars_len)
{
    return l <= MAX_TOKEN && o < chars_len && l < chars_len - o && chars[o + l] == '\0';
}

/* Checks the words' arrays in place (what a look-up relies on). */
static const char *check_words(const spamlr__vocab_view *w)
{
    size_t i, used = 0;

    for (i = 0; i < w->cap; i++) {
        uint32_t id1 = w->slots[i].id1;

        if (id1 > w->n)
            return "a slot names a word that does not exist";
        used += id1 != 0;
    }
    if (used > w->n)
        return "the slot table holds more words than the model";
    for (i = 0; i < w->n; i++)
        if (!word_fits(w->off[i], w->len[i], w->chars, w->chars_len))
            return "a word lies outside the strings or is not NUL-terminated";
    return NULL;
}

/* The words read one by one into m's own vocabulary, where the arrays
 * cannot be read in place (a big-endian host, or a copy that is not
 * aligned): the file's slots and hashes are not used. */
static int copy_words(spamlr_model *m, const unsigned char *file, const place *p, size_t n,
                      uint64_t chars_len, spamlr_diag *d)
{
    const char *chars = (const char *)file + p->chars;
    size_t i;
    uint32_t id;
    int rc, added;

    if ((rc = spamlr__vocab_reserve_final(&m->vocab, n, (size_t)chars_len)))
        return rc;
    for (i = 0; i < n; i++) {
        uint64_t o = get_u64(file + p->off + 8 * i);
        uint32_t l = get_u32(file + p->len + 4 * i);

        if (!word_fits(o, l, chars, chars_len))
            return bad(d, SPAMLR_ECORRUPT, (long long)(p->off + 8 * i),
                       "a word lies outside the strings or is not NUL-terminated");
        if ((rc = spamlr__vocab_intern(&m->vocab, chars + o, l, &id, &added)))
            return rc;
        if (!added)
            return bad(d, SPAMLR_ECORRUPT, (long long)(p->off + 8 * i),
                       "a token appears twice in the vocabulary");
    }
    return SPAMLR_OK;
}

int spamlr__model_load_mapped(spamlr_model **out, spamlr_model *m, unsigned char *file,
                              size_t size, size_t pos, uint64_t count, uint64_t rest_len,
                              uint64_t region_len, uint32_t flags,
                              void (*drop)(void *mem, size_t len), spamlr_diag *d)
{
    spamlr__vocab_view w;
    uint64_t cap, chars;
    uint32_t bits;
    const char *what;
    place p;
    size_t i;
    int rc = SPAMLR_OK;

    *out = NULL;
    if (region_len < DIR_LEN) {
        rc = bad(d, SPAMLR_ECORRUPT, (long long)pos, "mapped model too short for its directory");
        goto out;
    }
    cap = get_u64(file + pos + 8);
    chars = get_u64(file + pos + 16);
    bits = get_u32(file + pos + 24);
    if (cap > BIG / SLOT_LEN || (cap & (cap - 1)) || cap <= count || chars > BIG ||
        rest_len > BIG || chars < count || (bits != 32 && bits != 16)) {
        rc = bad(d, SPAMLR_ECORRUPT, (long long)pos, "mapped model directory out of range");
        goto out;
    }
    plan(pos, cap, count, chars, (flags & 2) != 0, rest_len, &p);
    if (p.end != pos + region_len) {
        rc = bad(d, SPAMLR_ECORRUPT, (long long)pos,
                 "mapped model's parts do not add up to its length");
        goto out;
    }
    if ((rc = spamlr__read_f32s(&m->w, file + p.w, (size_t)count, (long long)p.w, 0, "weight",
                                d)) ||
        ((flags & 2) && (rc = spamlr__read_f32s(&m->idf, file + p.idf, (size_t)count,
                                                (long long)p.idf, 1, "idf", d))) ||
        (rc = read_rest(m, file + p.rest, (size_t)rest_len, count, d)))
        goto out;
    if (bits == 16) {
        m->weight_bits = 16;
        m->wscale = get_f32(file + pos + 28);
        if (!(m->wscale > 0) || !isfinite(m->wscale)) {
            rc = bad(d, SPAMLR_ECORRUPT, (long long)pos + 28,
                     "16-bit weight step is not a positive number");
            goto out;
        }
        /* each weight on its grid, as the writer leaves it (else the
         * model would score with weights its own save changes) */
        for (i = 0; i < (size_t)count; i++)
            if (m->w[i] != spamlr__saved_weight(m, i)) {
                rc = bad(d, SPAMLR_ECORRUPT, (long long)(p.w + 4 * i),
                         "a 16-bit weight lies off its grid");
                goto out;
            }
    }
    if ((rc = spamlr__model_check_loaded(m, flags, d)))
        goto out;
    m->layout = SPAMLR_LAYOUT_MAPPED;
    if (count == 0 || !host_le() || ((uintptr_t)file & (ALIGN - 1))) {
        /* nothing to read in place, or it cannot be */
        if ((rc = copy_words(m, file, &p, (size_t)count, chars, d)))
            goto out;
        drop(file, size);
        *out = m;
        return SPAMLR_OK;
    }
    w.slots = (const spamlr__slot *)(const void *)(file + p.slots);
    w.cap = (size_t)cap;
    w.n = (size_t)count;
    w.off = (const uint64_t *)(const void *)(file + p.off);
    w.len = (const uint32_t *)(const void *)(file + p.len);
    w.hash = (const uint32_t *)(const void *)(file + p.hash);
    w.chars = (const char *)file + p.chars;
    w.chars_len = (size_t)chars;
    w.seed = get_u64(file + pos);
    if ((what = check_words(&w))) {
        rc = bad(d, SPAMLR_ECORRUPT, (long long)p.slots, what);
        goto out;
    }
    if ((rc = spamlr__vocab_adopt(&m->vocab, &w, file, size, drop)))
        goto out;
    *out = m;
    return SPAMLR_OK;
out:
    if (rc == SPAMLR_ENOMEM)
        spamlr__diag(d, rc, NULL, 0, -1, "out of memory loading the model");
    drop(file, size);
    spamlr_model_free(m);
    return rc;
}
