/* model_io.c - the .slr model file: serialise, parse, save atomically.
 *
 * Layout (all integers little-endian, floats IEEE-754 bit patterns):
 *   0   8  magic "\x89SLR\r\n\x1a\n"
 *   8   4  format version (1, or 2 when the tokens need version 2)
 *          (3 for a per-user delta, delta.c, whose flags have bit 2 set;
 *          4 for the mapped layout, mapped.c, flag bit 3, whose words
 *          follow n uncompressed, as they lie in memory)
 *   12  4  flags: bit 0 bias, bit 1 idf values present, bit 2 a delta on a
 *          base model (delta.c: the payload holds its own sections, and
 *          spamlr_model_load refuses it)
 *   16  4  M = length of the metadata block that follows (>= 128 in v1;
 *          readers skip bytes they do not know, so it can grow)
 *   20  M  metadata: 12 x u32 settings (ngrams, max_token_len, number_fold,
 *          cjk_bigrams, features, normalize, mime, solver, class_weight,
 *          min_count, iterations, header fields | 0x80000000), 6 x f64 (c, tol, objective,
 *          grad_norm, threshold, bias), 3 x u64 (examples, spam, ham),
 *          i64 trained_at; then, when M >= 144, 2 x f64 (l1, l2), which
 *          are 0 and 1 when absent; then, when M >= 152, 2 x u32 (fold,
 *          subwords), 0 and 0 when absent; then, when M >= 156, u32
 *          idf_power (the power the stored idf values were raised to,
 *          recorded only: prediction reads the idf values; 1 when
 *          absent). A model whose fold or subwords
 *          is not 0 is written as format version 2, so that a reader of
 *          version 1, which would tokenise it differently, refuses it
 *   ..  8  n, the vocabulary size
 *   ..  8  U, uncompressed payload length
 *   ..  8  Z, compressed payload length
 *   ..  Z  zlib stream of the payload: tagged sections (see payload())
 *          "TOKS" n tokens, each a 1-2 byte length (7 bits per byte,
 *          low first, high bit = more) and that many UTF-8 bytes;
 *          "WF32" n f32 weights, or "WQ16" (16-bit weights) an f32 step
 *          `scale` and n i16 grid indices q, weight = q * scale;
 *          "IDF " n f32 idf values (tf-idf only); then the optional
 *          sections, whose tags start with a lower-case letter so that a
 *          reader that does not know one skips it: "prun" (pruning),
 *          "unsr" (unsure zone), "cpth" (regularisation path), "base"
 *          (base model), "prio" (its weights, the prior of online
 *          learning), "ctct" (contact list), "seen" (learned
 *          messages), "onln" and "onmm" (online-learning state); their
 *          layouts are at the top of sections.c, which writes and reads
 *          them
 *   ..  4  CRC-32 of every byte before it
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/dataset.h"
#include "model/model.h"
#include "model/sections.h"
#include "model/zpack.h"
#include "text/tokenize.h"

#define MAGIC spamlr__model_magic
#define META_MAX 65536
#define FIXED (8 + 4 + 4 + 4)
#define MAX_TOKEN 4096

/* ------------------------------------------------------------ writing */

/* The payload: sections "TOKS" (tokens), "WF32" (weights) and, with
 * tf-idf, "IDF " (idf values), each a 4-byte tag, a u64 length and the
 * bytes. A reader must understand every section whose tag starts with an
 * upper-case letter and may skip the others (so that later versions can
 * add optional sections, as PNG does with ancillary chunks). */
static int payload(const spamlr_model *m, wbuf *pl)
{
    size_t i, toks = 0;

    for (i = 0; i < m->vocab.n; i++)
        toks += m->vocab.len[i] + (m->vocab.len[i] < 128 ? 1 : 2);
    put_tag(pl, "TOKS", toks);
    for (i = 0; i < m->vocab.n; i++) {
        uint32_t len = m->vocab.len[i];
        unsigned char v[2] = {(unsigned char)((len & 0x7f) | (len > 0x7f ? 0x80 : 0)),
                              (unsigned char)(len >> 7)};
        put(pl, v, len > 0x7f ? 2 : 1);
        put(pl, spamlr__vocab_str(&m->vocab, (uint32_t)i), m->vocab.len[i]);
    }
    if (m->weight_bits == 16) {
        put_tag(pl, "WQ16", 4 + (uint64_t)m->vocab.n * 2);
        put_f32(pl, m->wscale);
        for (i = 0; i < m->vocab.n; i++) {
            uint16_t q = (uint16_t)spamlr__quant16(m->w[i], m->wscale);
            unsigned char t[2] = {(unsigned char)q, (unsigned char)(q >> 8)};
            put(pl, t, 2);
        }
    } else {
        put_tag(pl, "WF32", (uint64_t)m->vocab.n * 4);
        for (i = 0; i < m->vocab.n; i++)
            put_f32(pl, m->w[i]);
    }
    if (m->idf) {
        put_tag(pl, "IDF ", (uint64_t)m->vocab.n * 4);
        for (i = 0; i < m->vocab.n; i++)
            put_f32(pl, m->idf[i]);
    }
    spamlr__sections_put(m, pl);
    return pl->err;
}

int spamlr__model_frame(const spamlr_model *m, const unsigned char *payload_bytes,
                        size_t payload_len, uint64_t count, uint32_t version, uint32_t flags,
                        unsigned char **out, size_t *size)
{
    wbuf b = {0};
    size_t zlen, zbound;
    int rc;

    *out = NULL;
    *size = 0;
    spamlr__model_head(m, &b, version, flags);
    put_u64(&b, count);
    put_u64(&b, payload_len);
    zbound = spamlr__zpack_bound(payload_len);
    put_u64(&b, 0); /* Z, patched below */
    if (b.err) {
        rc = b.err;
        goto out;
    }
    if (spamlr__grow((void **)&b.p, &b.cap, b.n + zbound + 4, 1)) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    if ((rc = spamlr__zpack(payload_bytes ? payload_bytes : (const unsigned char *)"",
                            payload_len, b.p + b.n, &zlen)))
        goto out;
    set_u64(b.p + b.n - 8, zlen);
    b.n += zlen;
    rc = spamlr__model_finish(&b, out, size);
out:
    free(b.p);
    return rc;
}

int spamlr_model_save_buffer(const spamlr_model *m, unsigned char **out, size_t *size)
{
    wbuf pl = {0};
    int rc;

    *out = NULL;
    *size = 0;
    if (!m || m->predict_only)
        return SPAMLR_EINVAL;
    if (m->layout == SPAMLR_LAYOUT_MAPPED)
        return spamlr__model_save_mapped(m, out, size);
    if ((rc = payload(m, &pl)) == SPAMLR_OK)
        rc = spamlr__model_frame(m, pl.p, pl.n, m->vocab.n,
                                 m->text.fold || m->text.subwords ? 2u : 1u, 0, out, size);
    free(pl.p);
    return rc;
}

/* ------------------------------------------------------------ reading */

/* Tokens hashed ahead of their insertion, their slots prefetched: the
 * table (1 MB for the SpamAssassin model's 42,000 words) is written in
 * random order, and a miss per word was most of the interning. */
#define TOK_AHEAD 16

/* The count tokens of the section p[0..n). */
static int parse_tokens(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                        spamlr_diag *d)
{
    size_t i, pos = 0, at[TOK_AHEAD];
    uint32_t id, h[TOK_AHEAD], len[TOK_AHEAD];
    spamlr__vocab *v = &m->vocab;
    int added, rc;

    /* room for them all at once: no rehash or regrowing while they go in
     * (a third of loading a model). A token takes a length byte at least,
     * and its text and NUL no more than its bytes here, so a corrupt
     * count reserves no more than the section's size. */
    if (count <= n && (rc = spamlr__vocab_reserve_final(v, (size_t)count, n)))
        return rc;
    for (i = 0; i < count; i++) {
        size_t k = i % TOK_AHEAD, j;

        if (k == 0) { /* the next TOK_AHEAD tokens' places and hashes */
            for (j = 0; j < TOK_AHEAD && i + j < count; j++) {
                uint32_t l;
                if (pos >= n)
                    return bad(d, SPAMLR_ECORRUPT, -1, "fewer tokens than the header says");
                l = p[pos] & 0x7f;
                if (p[pos++] & 0x80) {
                    if (pos >= n)
                        return bad(d, SPAMLR_ECORRUPT, -1, "token length runs past its section");
                    l |= (uint32_t)p[pos++] << 7;
                }
                if (l > MAX_TOKEN || l > n - pos)
                    return bad(d, SPAMLR_ECORRUPT, -1, "token longer than its section allows");
                at[j] = pos;
                len[j] = l;
                h[j] = spamlr__vocab_hash(v, (const char *)p + pos, l);
                spamlr__vocab_prefetch(v, h[j]);
                pos += l;
            }
        }
        if ((rc = spamlr__vocab_intern_hashed(v, (const char *)p + at[k], len[k], h[k], &id,
                                              &added)))
            return rc;
        if (!added)
            return bad(d, SPAMLR_ECORRUPT, -1, "a token appears twice in the vocabulary");
    }
    if (pos != n)
        return bad(d, SPAMLR_ECORRUPT, -1, "token section longer than its tokens");
    return SPAMLR_OK;
}

/* The section of count floats (finite; idf values in range) into a new
 * array *out. */
static int parse_floats(float **out, const unsigned char *p, size_t n, uint64_t count,
                        int idf, const char *what, spamlr_diag *d)
{
    if (n != count * 4)
        return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1, "%s section has the wrong size",
                            what);
    if (*out)
        return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1, "%s section appears twice", what);
    return spamlr__read_f32s(out, p, (size_t)count, -1, idf, what, d);
}

/* "WQ16": an f32 step and count 16-bit grid indices. */
static int parse_q16(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                     spamlr_diag *d)
{
    size_t i;
    float scale;

    if (n != 4 + count * 2)
        return bad(d, SPAMLR_ECORRUPT, -1, "16-bit weight section has the wrong size");
    if (m->w)
        return bad(d, SPAMLR_ECORRUPT, -1, "weight section appears twice");
    scale = get_f32(p);
    if (!(scale > 0) || !isfinite(scale))
        return bad(d, SPAMLR_ECORRUPT, -1, "16-bit weight scale is not a positive number");
    if (!(m->w = malloc((size_t)(count + 1) * sizeof *m->w)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < count; i++) {
        int32_t q = (int16_t)(uint16_t)(p[4 + 2 * i] | p[5 + 2 * i] << 8);
        if (q < -32767)
            return bad(d, SPAMLR_ECORRUPT, -1, "16-bit weight outside its grid");
        m->w[i] = (float)q * scale;
    }
    m->weight_bits = 16;
    m->wscale = scale;
    return SPAMLR_OK;
}

static int parse_payload(spamlr_model *m, const unsigned char *p, size_t n, uint64_t count,
                         int has_idf, spamlr_diag *d)
{
    size_t pos = 0, len;
    spamlr__sections_met met = {0, 0};
    const unsigned char *tag;
    int rc, toks = 0;

    while ((rc = spamlr__section_next(p, n, &pos, &tag, &len, "the payload", d)) > 0) {
        const unsigned char *body = tag + 12;

        if (memcmp(tag, "TOKS", 4) == 0) {
            if (toks++)
                return bad(d, SPAMLR_ECORRUPT, -1, "token section appears twice");
            rc = parse_tokens(m, body, len, count, d);
        } else if (memcmp(tag, "WF32", 4) == 0) {
            rc = m->weight_bits == 16
                 ? bad(d, SPAMLR_ECORRUPT, -1, "weight section appears twice")
                 : parse_floats(&m->w, body, len, count, 0, "weight", d);
        } else if (memcmp(tag, "WQ16", 4) == 0) {
            rc = parse_q16(m, body, len, count, d);
        } else if (memcmp(tag, "IDF ", 4) == 0) {
            rc = parse_floats(&m->idf, body, len, count, 1, "idf", d);
        } else if (tag[0] >= 'A' && tag[0] <= 'Z') {
            return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, -1,
                                "unknown required section \"%.4s\"", (const char *)tag);
        } else {
            /* an optional section (sections.c), known or of a later version */
            rc = spamlr__sections_read(m, tag, body, len, count, &met, d);
        }
        if (rc)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!toks || !m->w)
        return bad(d, SPAMLR_ECORRUPT, -1, "token or weight section missing");
    if (has_idf != (m->idf != NULL))
        return bad(d, SPAMLR_ECORRUPT, -1, "idf section and flags disagree");
    return SPAMLR_OK;
}

static int parse_meta(spamlr_model *m, const unsigned char *q, uint32_t len, spamlr_diag *d)
{
    const unsigned char *f = q + META_U32 * 4;
    spamlr_text_opts *t = &m->text;

    spamlr_text_opts_init(t);
    t->ngrams = get_u32(q);
    t->max_token_len = get_u32(q + 4);
    t->number_fold = get_u32(q + 8);
    t->cjk_bigrams = get_u32(q + 12);
    t->features = get_u32(q + 16);
    t->normalize = get_u32(q + 20);
    t->mime = get_u32(q + 24);
    m->solver = get_u32(q + 28);
    m->class_weight = get_u32(q + 32);
    m->min_count = get_u32(q + 36);
    m->iterations = get_u32(q + 40);
    {
        uint32_t h = get_u32(q + 44);
        /* 0: a file from before the field was recorded, which used the
         * default set */
        t->header_fields = h & HDR_SET ? h & ~HDR_SET : SPAMLR_HDR_V01;
    }
    m->c = get_f64(f);
    m->tol = get_f64(f + 8);
    m->objective = get_f64(f + 16);
    m->grad_norm = get_f64(f + 24);
    m->threshold = get_f64(f + 32);
    m->bias = (float)get_f64(f + 40);
    f += META_F64 * 8;
    m->examples = get_u64(f);
    m->spam = get_u64(f + 8);
    m->ham = get_u64(f + 16);
    m->trained_at = (int64_t)get_u64(f + 24);
    m->l1 = 0;
    m->l2 = 1;
    t->fold = SPAMLR_FOLD_SIMPLE;
    t->subwords = 0;
    t->idf_power = 1; /* the idf before the power was recorded */
    if (len >= META_LEN_FOLD) {
        t->fold = get_u32(f + 48);
        t->subwords = get_u32(f + 52);
    }
    if (len >= META_LEN)
        t->idf_power = spamlr__idf_power(get_u32(f + 56));
    if (len >= META_LEN_V1) {
        m->l1 = get_f64(f + 32);
        m->l2 = get_f64(f + 40);
        if (!(m->l1 >= 0 && m->l2 >= 0 && isfinite(m->l1) && isfinite(m->l2)))
            return bad(d, SPAMLR_ECORRUPT, 20, "penalty weights out of range");
    }
    if (spamlr__text_opts_check(t) != SPAMLR_OK)
        return bad(d, SPAMLR_ECORRUPT, 20, "tokenizer settings out of range");
    if (!isfinite(m->bias) || !(m->threshold >= 0 && m->threshold <= 1))
        return bad(d, SPAMLR_ECORRUPT, 20, "bias or threshold out of range");
    return SPAMLR_OK;
}

/* The checks of a model file before its payload (spamlr__model_unframe):
 * *meta gets the model with its metadata, and where the zlib stream
 * starts (*zpos), its length and the payload's. */
static int unframe_head(const unsigned char *buf, size_t size, spamlr_model **meta,
                        size_t *zpos, uint64_t *zlen_out, uint64_t *ulen_out,
                        uint64_t *count_out, uint32_t *flags_out, spamlr_diag *d)
{
    spamlr_model *m = NULL;
    uint32_t version, flags, meta_len;
    uint64_t count, ulen, zlen;
    size_t pos;
    int rc;

    *meta = NULL;
    if (!buf && size)
        return SPAMLR_EINVAL;
    if (size < 8 || memcmp(buf, MAGIC, 8) != 0)
        return bad(d, SPAMLR_EMAGIC, 0, size < 8 && size && memcmp(buf, MAGIC, size) == 0
                   ? "file ends inside the magic number" : "not a spamlr model file (bad magic)");
    if (size < FIXED)
        return bad(d, SPAMLR_ETRUNC, (long long)size, "file ends inside the header");
    version = get_u32(buf + 8);
    flags = get_u32(buf + 12);
    meta_len = get_u32(buf + 16);
    /* version 3 is a delta's (flag bit 2), 4 the mapped layout's (flag
     * bit 3); any other above 2 comes from a later library */
    if (version > SPAMLR__MAPPED_VERSION ||
        (version == SPAMLR__DELTA_VERSION && !(flags & SPAMLR__FLAG_DELTA)) ||
        (version == SPAMLR__MAPPED_VERSION && !(flags & SPAMLR__FLAG_MAPPED)))
        return spamlr__diag(d, SPAMLR_EVERSION, NULL, 0, 8,
                            "format version %u is newer than this library reads (%u)", version,
                            SPAMLR__MAPPED_VERSION);
    if (version == 0)
        return bad(d, SPAMLR_ECORRUPT, 8, "format version 0 does not exist");
    if (meta_len < META_MIN || meta_len > META_MAX)
        return spamlr__diag(d, SPAMLR_ESIZE, NULL, 0, 16, "metadata length %u is impossible",
                            meta_len);
    if (flags > 15 || ((flags & SPAMLR__FLAG_DELTA) && version != SPAMLR__DELTA_VERSION) ||
        ((flags & SPAMLR__FLAG_MAPPED) && version != SPAMLR__MAPPED_VERSION))
        return bad(d, SPAMLR_ECORRUPT, 12, "unknown flags");
    pos = FIXED + meta_len;
    if (size < pos + 24 + 4)
        return bad(d, SPAMLR_ETRUNC, (long long)size, "file ends inside the header");
    count = get_u64(buf + pos);
    ulen = get_u64(buf + pos + 8);
    zlen = get_u64(buf + pos + 16);
    pos += 24;
    if (zlen > size - pos - 4 + 0ull) {
        if (zlen > ((uint64_t)1 << 40))
            return spamlr__diag(d, SPAMLR_ESIZE, NULL, 0, (long long)pos - 8,
                                "compressed length %llu is impossible",
                                (unsigned long long)zlen);
        return spamlr__diag(d, SPAMLR_ETRUNC, NULL, 0, (long long)size,
                            "file is %zu bytes but its header says %llu", size,
                            (unsigned long long)(pos + zlen + 4));
    }
    if (zlen < size - pos - 4)
        return spamlr__diag(d, SPAMLR_ESIZE, NULL, 0, (long long)(pos + zlen + 4),
                            "%llu unexpected bytes after the end of the model",
                            (unsigned long long)(size - pos - 4 - zlen));
    /* each token costs at least 2 bytes of weight and 1 of length; zlib
     * cannot expand more than ~1032:1; a delta holds at least its base's
     * checksum and size; a mapped file's optional sections lie inside it */
    if (count > UINT32_MAX - 2 ||
        ((flags & SPAMLR__FLAG_MAPPED)
         ? ulen > zlen
         : (ulen < ((flags & SPAMLR__FLAG_DELTA) ? 24 : count * 3 + 24) ||
            ulen > count * (4 + 4 + 8 + 2 + MAX_TOKEN) + 4096 || ulen > zlen * 1032 + 64)))
        return spamlr__diag(d, SPAMLR_ESIZE, NULL, 0, (long long)pos - 24,
                            "sizes are impossible (%llu words, %llu payload bytes)",
                            (unsigned long long)count, (unsigned long long)ulen);
    if (spamlr__crc32(0, buf, size - 4) != get_u32(buf + size - 4))
        return bad(d, SPAMLR_ECRC, (long long)size - 4, "checksum mismatch: the file is damaged");
    if ((rc = spamlr__model_new(&m, NULL)))
        return rc;
    if ((rc = parse_meta(m, buf + FIXED, meta_len, d)))
        goto out;
    m->has_bias = flags & 1;
    if (!m->has_bias)
        m->bias = 0;
    /* the file's own checksum identifies it (a CRC-32 of the whole file,
     * checksum included, is the same constant for every intact file) */
    m->file_crc = get_u32(buf + size - 4);
    *meta = m;
    *zpos = pos;
    *zlen_out = zlen;
    *ulen_out = ulen;
    *count_out = count;
    *flags_out = flags;
    return SPAMLR_OK;
out:
    spamlr_model_free(m);
    return rc;
}

int spamlr__model_unframe(const unsigned char *buf, size_t size, spamlr_model **meta,
                          unsigned char **payload_out, size_t *payload_len, uint64_t *count_out,
                          uint32_t *flags_out, spamlr_diag *d)
{
    spamlr_model *m = NULL;
    unsigned char *raw = NULL;
    uint64_t count = 0, ulen = 0, zlen = 0;
    uint32_t flags = 0;
    size_t pos = 0;
    int rc;

    *payload_out = NULL;
    if ((rc = unframe_head(buf, size, &m, &pos, &zlen, &ulen, &count, &flags, d)))
        return rc;
    *meta = NULL;
    if (flags & SPAMLR__FLAG_MAPPED) { /* nothing to inflate (spamlr_model_load_buffer reads it) */
        rc = bad(d, SPAMLR_EINVAL, 12, "a model in the mapped layout has no payload to inflate");
        goto out;
    }
    if (!(raw = malloc((size_t)ulen + 1))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    if ((rc = spamlr__zunpack(buf + pos, (size_t)zlen, raw, (size_t)ulen))) {
        if (rc == SPAMLR_ECORRUPT)
            bad(d, rc, (long long)pos, "compressed payload does not inflate");
        goto out;
    }
    *meta = m;
    *payload_out = raw;
    *payload_len = (size_t)ulen;
    *count_out = count;
    *flags_out = flags;
    return SPAMLR_OK;
out:
    free(raw);
    spamlr_model_free(m);
    return rc;
}

/* Parses the payload raw[0..ulen) into m and checks it. Frees raw, and m
 * unless it is loaded. */
static int load_payload(spamlr_model **out, spamlr_model *m, unsigned char *raw, size_t ulen,
                        uint64_t count, uint32_t flags, spamlr_diag *d)
{
    int rc;

    if (flags & SPAMLR__FLAG_DELTA)
        rc = spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, 12, "a per-user model stored as its "
                          "changes to a base model (a delta): load it with its base "
                          "(spamlr_model_load_delta; spamlr --store DIR --user NAME)");
    else
        rc = parse_payload(m, raw, ulen, count, (flags & 2) != 0, d);
    if (rc || (rc = spamlr__model_check_loaded(m, flags, d)))
        goto out;
    *out = m;
    m = NULL;
out:
    if (rc == SPAMLR_ENOMEM)
        spamlr__diag(d, rc, NULL, 0, -1, "out of memory loading the model");
    free(raw);
    spamlr_model_free(m);
    return rc;
}

uint32_t spamlr__model_flags(const unsigned char *buf, size_t size)
{
    return buf && size >= FIXED && memcmp(buf, MAGIC, 8) == 0 ? get_u32(buf + 12) : 0;
}

static void drop_free(void *mem, size_t len)
{
    (void)len;
    free(mem);
}

static void drop_unmap(void *mem, size_t len)
{
    munmap(mem, len);
}

/* A packed file at buf (the caller's). */
static int load_packed(spamlr_model **out, const unsigned char *buf, size_t size,
                       unsigned lflags, spamlr_diag *d)
{
    spamlr_model *m = NULL;
    unsigned char *raw;
    size_t ulen;
    uint64_t count;
    uint32_t flags;
    int rc;

    if ((rc = spamlr__model_unframe(buf, size, &m, &raw, &ulen, &count, &flags, d))) {
        if (rc == SPAMLR_ENOMEM)
            spamlr__diag(d, rc, NULL, 0, -1, "out of memory loading the model");
        return rc;
    }
    m->predict_only = (lflags & SPAMLR_LOAD_PREDICT) != 0;
    return load_payload(out, m, raw, ulen, count, flags, d);
}

/* A model file of either layout, size bytes at buf, read as lflags
 * (SPAMLR_LOAD_*) say: when drop is given, buf is the loader's to keep (a
 * mapped file read in place) and drop releases it; else it is the
 * caller's and a mapped file is copied. */
static int load_bytes(spamlr_model **out, const unsigned char *buf, size_t size,
                      void (*drop)(void *mem, size_t len), unsigned lflags, spamlr_diag *d)
{
    spamlr_model *m = NULL;
    unsigned char *mem;
    size_t pos = 0;
    uint64_t count = 0, zlen = 0, rest = 0;
    uint32_t flags = 0;
    void *copy = NULL;
    int rc;

    if (!(spamlr__model_flags(buf, size) & SPAMLR__FLAG_MAPPED)) { /* packed: parsed from buf */
        rc = load_packed(out, buf, size, lflags, d);
        if (drop)
            drop((void *)(uintptr_t)buf, size);
        return rc;
    }
    if ((rc = unframe_head(buf, size, &m, &pos, &zlen, &rest, &count, &flags, d))) {
        if (drop)
            drop((void *)(uintptr_t)buf, size);
        return rc;
    }
    m->predict_only = (lflags & SPAMLR_LOAD_PREDICT) != 0;
    mem = (unsigned char *)(uintptr_t)buf;
    if (!drop) { /* a copy whose arrays are aligned as in a mapped file */
        if (posix_memalign(&copy, 64, size + 1) != 0) {
            spamlr_model_free(m);
            return spamlr__diag(d, SPAMLR_ENOMEM, NULL, 0, -1, "out of memory loading the model");
        }
        mem = copy;
        memcpy(mem, buf, size);
        drop = drop_free;
    }
    return spamlr__model_load_mapped(out, m, mem, size, pos, count, rest, zlen, flags, drop, d);
}

int spamlr_model_load_buffer_ex(spamlr_model **out, const unsigned char *buf, size_t size,
                                unsigned lflags, spamlr_diag *d)
{
    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!out || (lflags & ~(unsigned)SPAMLR_LOAD_PREDICT))
        return SPAMLR_EINVAL;
    return load_bytes(out, buf, size, NULL, lflags, d);
}

int spamlr_model_load_buffer(spamlr_model **out, const unsigned char *buf, size_t size,
                             spamlr_diag *d)
{
    return spamlr_model_load_buffer_ex(out, buf, size, 0, d);
}

int spamlr__model_read_file(const char *path, unsigned char **buf, size_t *n, spamlr_diag *d)
{
    size_t cap = 0, k, first = 65536;
    struct stat st;
    FILE *f;

    *buf = NULL;
    *n = 0;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "is a directory, not a model file");
        /* room for the whole file at once (and a byte that shows its
         * end): no copy as the buffer grows */
        if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX / 2)
            first = (size_t)st.st_size + 1;
    }
    if (!(f = fopen(path, "rb")))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    do {
        if (spamlr__grow((void **)buf, &cap, *n + (*n ? 65536 : first), 1)) {
            fclose(f);
            free(*buf);
            *buf = NULL;
            return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
        }
        k = fread(*buf + *n, 1, cap - *n, f);
        *n += k;
    } while (k > 0);
    if (ferror(f)) {
        fclose(f);
        free(*buf);
        *buf = NULL;
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "read error");
    }
    fclose(f);
    return SPAMLR_OK;
}

int spamlr__model_loaded_from(spamlr_model **out, int rc, const char *path, spamlr_diag *d)
{
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    size_t len = strlen(name);

    if (rc) {
        if (d)
            snprintf(d->path, sizeof d->path, "%s", path);
        return rc;
    }
    if ((*out)->file_name)
        return SPAMLR_OK;
    if (!((*out)->file_name = malloc(len + 1))) {
        spamlr_model_free(*out);
        *out = NULL;
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
    }
    memcpy((*out)->file_name, name, len + 1);
    return SPAMLR_OK;
}

/* A regular file mapped whole (private, read-only, its pages read at
 * once), or NULL when it is not one or cannot be. Anything else is not
 * opened here (a FIFO opened and closed would release its writer). */
static unsigned char *map_file(const char *path, size_t *n)
{
    struct stat st;
    void *p = MAP_FAILED;
    int fd;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX / 2) {
        *n = (size_t)st.st_size;
#if defined(MAP_POPULATE)
        p = mmap(NULL, *n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
#else
        p = mmap(NULL, *n, PROT_READ, MAP_PRIVATE, fd, 0);
#endif
    }
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

int spamlr_model_load_ex(spamlr_model **out, const char *path, unsigned lflags,
                         spamlr_diag *d)
{
    unsigned char *buf;
    size_t n;
    int rc;

    if (out)
        *out = NULL;
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!out || !path || (lflags & ~(unsigned)SPAMLR_LOAD_PREDICT))
        return SPAMLR_EINVAL;
    /* a mapped model is read where it lies in the file; a packed one is
     * parsed from the mapping, which is then dropped */
    if ((buf = map_file(path, &n))) {
        rc = load_bytes(out, buf, n, drop_unmap, lflags, d);
        return spamlr__model_loaded_from(out, rc, path, d);
    }
    if ((rc = spamlr__model_read_file(path, &buf, &n, d)))
        return rc;
    rc = load_bytes(out, buf, n, NULL, lflags, d);
    free(buf);
    /* the file's name, which a model trained on this base records */
    return spamlr__model_loaded_from(out, rc, path, d);
}

int spamlr_model_load(spamlr_model **out, const char *path, spamlr_diag *d)
{
    return spamlr_model_load_ex(out, path, 0, d);
}
