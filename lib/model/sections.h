/* sections.h - private to lib/model: the little-endian byte helpers of the
 * .slr file format, shared by model_io.c (the file: header, metadata, core
 * sections, framing) and sections.c (the optional payload sections), and
 * the two calls by which model_io.c hands the optional sections over. */
#ifndef SPAMLR_MODEL_SECTIONS_H
#define SPAMLR_MODEL_SECTIONS_H

#include <string.h>

#include "model/model.h"

/* ------------------------------------------------------- byte helpers */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int err;
} wbuf;

static inline void put(wbuf *b, const void *src, size_t n)
{
    if (b->err)
        return;
    /* (the test inline: a section puts its values one at a time) */
    if (b->n + n > b->cap && spamlr__grow((void **)&b->p, &b->cap, b->n + n, 1)) {
        b->err = SPAMLR_ENOMEM;
        return;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void put_u32(wbuf *b, uint32_t v)
{
    unsigned char t[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, t, 4);
}

static inline void put_u64(wbuf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static inline void put_f64(wbuf *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64(b, v);
}

static inline void put_f32(wbuf *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(b, v);
}

/* v little-endian into p[0..4) or p[0..8) (a place already written). */
static inline void set_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void set_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static inline double get_f64(const unsigned char *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static inline float get_f32(const unsigned char *p)
{
    uint32_t v = get_u32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* An unsigned LEB128 number (7 bits a byte, low first, high bit = more). */
static inline void put_varint(wbuf *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;

    do {
        t[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            t[n] |= 0x80;
        n++;
    } while (v);
    put(b, t, n);
}

/* Reads one from p[*pos..n) into *v, advancing *pos; -1 when it runs past
 * n or is longer than 5 bytes (ids are below 2^32), else 0. */
static inline int get_varint(const unsigned char *p, size_t n, size_t *pos, uint64_t *v)
{
    unsigned shift = 0;

    *v = 0;
    for (;;) {
        if (*pos >= n || shift > 28)
            return -1;
        *v |= (uint64_t)(p[*pos] & 0x7f) << shift;
        shift += 7;
        if (!(p[(*pos)++] & 0x80))
            return 0;
    }
}

/* A section's head: its 4-byte tag and its u64 length. */
static inline void put_tag(wbuf *b, const char tag[4], uint64_t len)
{
    put(b, tag, 4);
    put_u64(b, len);
}

/* A damaged file: code, byte offset (-1 = inside the payload), message. */
static inline int bad(spamlr_diag *d, int code, long long off, const char *what)
{
    return spamlr__diag(d, code, NULL, 0, off, "%s", what);
}

/* ------------------------------------------------- optional sections */

/* Appends the optional sections of m to the payload pl, in file order:
 * "prun", "unsr", "cpth", "base", "ctct", "seen", "onln" and "onmm"; each
 * only when m holds it. Errors are left in pl->err. */
void spamlr__sections_put(const spamlr_model *m, wbuf *pl);

/* The online learner's scalars as "onln" and a delta's "DONL" both start:
 * u32 solver, u32 0, 6 x f64 (eta, beta, l1, l2, bias accumulator, bias
 * z), u64 updates, u64 last hash, f64 last gradient factor. */
#define SPAMLR__ONLINE_HEAD (4 + 4 + 6 * 8 + 8 + 8 + 8)
void spamlr__online_head_put(const spamlr_model *m, wbuf *pl);
/* Reads them (p: SPAMLR__ONLINE_HEAD bytes) into m; the solver as is (the
 * caller checks it and the values). */
void spamlr__online_head_get(spamlr_model *m, const unsigned char *p);

/* Optional sections by name, for spamlr__sections_put_only. */
enum {
    SPAMLR__SEC_PRUN = 1u << 0,
    SPAMLR__SEC_UNSR = 1u << 1,
    SPAMLR__SEC_CPTH = 1u << 2,
    SPAMLR__SEC_BASE = 1u << 3,
    SPAMLR__SEC_CTCT = 1u << 4,
    SPAMLR__SEC_SEEN = 1u << 5,
    SPAMLR__SEC_ONLN = 1u << 6, /* "onln" and "onmm" */
    SPAMLR__SEC_ONMM = 1u << 7, /* "onmm" alone (a delta's memory) */
    SPAMLR__SEC_PRIO = 1u << 8,
    SPAMLR__SEC_DFRQ = 1u << 9,
    SPAMLR__SEC_ALL = 0x7fu | SPAMLR__SEC_PRIO | SPAMLR__SEC_DFRQ
};

/* The ids j < m->prior_n whose prior weight is not the word's saved weight,
 * into a new array *ids (free() it), *k of them ("prio" and the dump list
 * only these). 0 or SPAMLR_ENOMEM. */
int spamlr__prior_changed(const spamlr_model *m, uint32_t **ids, size_t *k);

/* spamlr__sections_put limited to the sections in `which`. */
void spamlr__sections_put_only(const spamlr_model *m, wbuf *pl, unsigned which);

/* What one reading of a payload has met of the sections that may appear
 * only once (zero it before the first section). */
typedef struct spamlr__sections_met {
    int online, memory;
} spamlr__sections_met;

/* The next tagged section of p[0..n) from *pos (a 4-byte tag, a u64
 * length, the bytes): *tag and *len, its bytes at *tag + 12, and *pos
 * past it. 1: a section; 0: the end; SPAMLR_ECORRUPT (d says what, in
 * `where`, e.g. "the payload") when it runs past n. */
int spamlr__section_next(const unsigned char *p, size_t n, size_t *pos,
                         const unsigned char **tag, size_t *len, const char *where,
                         spamlr_diag *d);

/* n f32 values at p into a new array *out (n + 1 floats, the caller's
 * to free whatever is returned): each finite, and with idf each a value
 * an idf may have (spamlr__idf_ok). On a bad value d names it (`what`)
 * and its byte offset, off + 4 i, when off >= 0. */
int spamlr__read_f32s(float **out, const unsigned char *p, size_t n, long long off, int idf,
                      const char *what, spamlr_diag *d);

/* Reads the optional (lower-case) section tag, len bytes at p, into m, a
 * model of count words. A section this library does not know, or one of
 * a size it does not know, is skipped: SPAMLR_OK. */
int spamlr__sections_read(spamlr_model *m, const unsigned char tag[4], const unsigned char *p,
                          size_t len, uint64_t count, spamlr__sections_met *met,
                          spamlr_diag *d);

/* ------------------------------------------- file framing (model_io.c) */

/* A per-user delta (delta.c) is a model file of format version 3 with
 * flag bit 2 set: its payload holds the delta's sections, not the model's. */
#define SPAMLR__DELTA_VERSION 3u
#define SPAMLR__FLAG_DELTA 4u
/* A model in the mapped layout (mapped.c) is format version 4 with flag
 * bit 3 set. */
#define SPAMLR__MAPPED_VERSION 4u
#define SPAMLR__FLAG_MAPPED 8u

/* (head.c) The file's head: magic, version, flags (m's bias and idf bits
 * | flags) and m's metadata (META_LEN bytes), up to the word count. */
extern const unsigned char spamlr__model_magic[8];
#define HDR_SET 0x80000000u /* marks a recorded header-field set */
#define META_U32 12
#define META_F64 6
#define META_U64 4
#define META_MIN (META_U32 * 4 + META_F64 * 8 + META_U64 * 8)
#define META_LEN_V1 (META_MIN + 2 * 8)     /* with l1, l2 */
#define META_LEN_FOLD (META_LEN_V1 + 2 * 4) /* with fold, subwords */
#define META_LEN (META_LEN_FOLD + 4)        /* with idf_power */
void spamlr__model_head(const spamlr_model *m, wbuf *b, uint32_t version, uint32_t flags);

/* (head.c) What every whole model file's loader checks last, whatever its
 * layout: the metadata in range (spamlr__model_meta_check) and the idf
 * flag (bit 1 of flags) agreeing with the feature setting. 0 or
 * SPAMLR_ECORRUPT with d saying which. */
int spamlr__model_check_loaded(const spamlr_model *m, uint32_t flags, spamlr_diag *d);

/* (head.c) The file's end: the CRC-32 of b's bytes appended, and b's
 * buffer handed over in *out (b keeps none). 0 or b's error. */
int spamlr__model_finish(wbuf *b, unsigned char **out, size_t *size);

/* (mapped.c) m in the mapped layout, into a new buffer *out (malloc'ed). 0
 * or SPAMLR_ENOMEM. */
int spamlr__model_save_mapped(const spamlr_model *m, unsigned char **out, size_t *size);

/* (mapped.c) The words, weights and sections of a mapped file (size
 * bytes at file, its directory at pos; count words, rest_len bytes of
 * optional sections, region_len bytes from the directory to the CRC,
 * framing and CRC checked) into m, its metadata read: *out = m. The
 * words are read in place when the host is little-endian and file is
 * aligned to 64 bytes, and file is then the model's until it is freed;
 * else they are copied. Either way drop(file, size) is called once file
 * is no longer needed (at once on failure, when m is freed too). */
int spamlr__model_load_mapped(spamlr_model **out, spamlr_model *m, unsigned char *file,
                              size_t size, size_t pos, uint64_t count, uint64_t rest_len,
                              uint64_t region_len, uint32_t flags,
                              void (*drop)(void *mem, size_t len), spamlr_diag *d);

/* The flags field of buf (size bytes) when it starts as a model file
 * (magic, version, flags), else 0: which kind of file the framing will
 * check (SPAMLR__FLAG_DELTA, SPAMLR__FLAG_MAPPED). */
uint32_t spamlr__model_flags(const unsigned char *buf, size_t size);

/* The model file around a payload: magic, version, flags (m's bias and idf
 * bits | flags), m's metadata, count (the vocabulary size), the payload
 * compressed, the CRC. *out is malloc'ed. 0 or SPAMLR_ENOMEM. */
int spamlr__model_frame(const spamlr_model *m, const unsigned char *payload_bytes,
                        size_t payload_len, uint64_t count, uint32_t version, uint32_t flags,
                        unsigned char **out, size_t *size);

/* The reverse: checks the framing (magic, version, sizes, CRC), reads the
 * metadata into a new model *meta (bias and file_crc set, no words) and
 * inflates the payload into *payload (malloc'ed, *payload_len bytes).
 * On failure nothing is returned and d says what was wrong. */
/* A model file's bytes (*buf malloc'ed; a directory refused), and what
 * a load from path does once they are parsed with result rc: on failure
 * the diag names path; else the model records the file's name. */
int spamlr__model_read_file(const char *path, unsigned char **buf, size_t *n, spamlr_diag *d);
int spamlr__model_loaded_from(spamlr_model **out, int rc, const char *path, spamlr_diag *d);
int spamlr__model_unframe(const unsigned char *buf, size_t size, spamlr_model **meta,
                          unsigned char **payload, size_t *payload_len, uint64_t *count,
                          uint32_t *flags, spamlr_diag *d);

/* (save.c) Writes buf[0..size) in place of the file path names, as
 * spamlr_model_save does: temporary file, fsync, rename, directory fsync. */
int spamlr__save_bytes(const unsigned char *buf, size_t size, const char *path,
                       spamlr_diag *d);

#endif
