/* vocab.h - string interning: token -> dense id, with a count per id. */
#ifndef SPAMLR_VOCAB_H
#define SPAMLR_VOCAB_H

#include <string.h>

#include "common/common.h"
#include "common/hash.h"

/* Ids are dense, 0..n-1, in order of first insertion. Strings are stored
 * NUL-terminated in one arena, so spamlr__vocab_str() pointers stay valid
 * until the next insertion (the arena may move) or free. */
/* A slot of the open-addressing table: id + 1 (0 = empty); the hash's top
 * 24 bits and the length (255 = 255 or more) in `hl`; the first 8 bytes
 * of the string, zero-padded, in `key`. A string of up to 8 bytes (three
 * tokens in four) is found or rejected from the slot alone, without
 * touching the id arrays or the strings: one cache miss instead of three. */
typedef struct spamlr__slot {
    uint32_t id1;
    uint32_t hl;
    uint64_t key;
} spamlr__slot;

typedef struct spamlr__vocab_ref spamlr__vocab_ref;

typedef struct spamlr__vocab {
    spamlr__slot *slots; /* open addressing, linear probing */
    size_t cap;         /* slots, a power of two */
    size_t n;           /* number of ids */
    size_t id_cap;
    uint64_t *off;      /* id -> offset of its string in chars */
    uint32_t *len;      /* id -> length in bytes (without NUL) */
    uint32_t *hash;     /* id -> hash */
    uint32_t *count;    /* id -> count (the caller decides what it counts) */
    char *chars;
    size_t chars_len, chars_cap;
    /* The seed of this table's hash (spamlr__vocab_hash), random per
     * table (spamlr__hash_seed): the tokens are chosen by whoever writes
     * the mail, and with a hash they cannot predict they cannot craft
     * words that all land in one probe chain. Ids, the files and every
     * result depend on insertion order only, never on the hash, so
     * models stay byte-reproducible. */
    uint64_t seed;
    /* Non-NULL when the slot table, the id arrays and the strings are
     * shared with other vocabularies (spamlr__vocab_share): they are read,
     * never written, until a change copies them for this one alone (and
     * the last one freed frees them). */
    spamlr__vocab_ref *ref;
    int count_apart;    /* count is an allocation of its own, not in off's block */
} spamlr__vocab;

/* The hash of s[0..len) in v's table. */
static inline uint32_t spamlr__vocab_hash(const spamlr__vocab *v, const char *s, size_t len)
{
    return spamlr__hash_seeded(v->seed, s, len);
}

/* The same for a string of len <= 8 whose slot key (spamlr__slot_key) is
 * key: no bytes read again. */
static inline uint32_t spamlr__vocab_hash_key8(const spamlr__vocab *v, uint64_t key, size_t len)
{
    return spamlr__hash_key8(v->seed, key, len);
}

/* A vocabulary's arrays as they lie in memory another owns (a model file
 * in the mapped layout): what spamlr__vocab_adopt reads. */
typedef struct spamlr__vocab_view {
    const spamlr__slot *slots; /* cap slots, cap a power of two above n */
    size_t cap, n;
    const uint64_t *off;    /* n offsets into chars */
    const uint32_t *len, *hash; /* n lengths, n hashes (of seed) */
    const char *chars;      /* each word followed by a NUL */
    size_t chars_len;
    uint64_t seed;
} spamlr__vocab_view;

void spamlr__vocab_init(spamlr__vocab *v);

/* Makes the empty v read the words of w in place, in memory mem (mem_len
 * bytes) that drop(mem, mem_len) releases once v and every vocabulary
 * sharing its arrays are freed; v never writes them (a change copies the
 * words for v first, as for shared arrays). The caller has checked that
 * w is whole: ids in the slots below n, every word inside chars and
 * NUL-terminated, fewer used slots than cap. SPAMLR_OK, SPAMLR_EINVAL
 * (v not empty) or SPAMLR_ENOMEM (nothing changed, mem not dropped). */
int spamlr__vocab_adopt(spamlr__vocab *v, const spamlr__vocab_view *w, void *mem,
                        size_t mem_len, void (*drop)(void *mem, size_t len));

/* The table v's words get under the hash seed `seed`: their hashes in
 * hash[0..n), and a slot table of *cap slots (a power of two, under 3/4
 * full) in *slots, malloc'd, filled in id order (so the same words give
 * the same bytes). SPAMLR_OK or SPAMLR_ENOMEM. */
int spamlr__vocab_image(const spamlr__vocab *v, uint64_t seed, uint32_t *hash,
                        spamlr__slot **slots, size_t *cap);
void spamlr__vocab_free(spamlr__vocab *v);

/* Id of s[0..len), inserting it (count 0) when new. *added (may be NULL)
 * tells whether it was new. Returns 0 or SPAMLR_ENOMEM / SPAMLR_ELIMIT
 * (more than UINT32_MAX-1 ids). */
int spamlr__vocab_intern(spamlr__vocab *v, const char *s, size_t len, uint32_t *id,
                         int *added);

/* The slot fields of s[0..len) with hash h: the hash's top 24 bits and
 * the length; the first 8 bytes. */
static inline uint32_t spamlr__slot_hl(uint32_t h, size_t len)
{
    return (h & 0xFFFFFF00u) | (uint32_t)(len < 255 ? len : 255);
}

static inline uint64_t spamlr__slot_key(const char *s, size_t len)
{
    return spamlr__prefix8(s, len);
}

/* The id of s[0..len) (hash h) in v's table (which must exist), or -1
 * with *slot the empty slot where it would go. Inline: every token of
 * every message is looked up, and a hit is mostly found in its slot
 * alone. */
static inline int64_t spamlr__vocab_lookup_key(const spamlr__vocab *v, const char *s, size_t len,
                                               uint32_t h, uint64_t key, size_t *slot)
{
    size_t mask = v->cap - 1, i = h & mask;
    uint32_t hl = spamlr__slot_hl(h, len);

    for (;; i = (i + 1) & mask) {
        const spamlr__slot *e = &v->slots[i];
        uint32_t id;

        if (!e->id1) {
            *slot = i;
            return -1;
        }
        if (e->hl != hl || e->key != key)
            continue;
        id = e->id1 - 1;
        /* up to 8 bytes: same length and the same bytes, found; under 255
         * the slot holds the exact length too */
        if ((len < 255 || v->len[id] == len) &&
            spamlr__same_after8(v->chars + v->off[id], s, len))
            return id;
    }
}

static inline int64_t spamlr__vocab_lookup(const spamlr__vocab *v, const char *s, size_t len,
                                           uint32_t h, size_t *slot)
{
    return spamlr__vocab_lookup_key(v, s, len, h, spamlr__slot_key(s, len), slot);
}

/* spamlr__vocab_intern_hashed when the string is new (its empty slot
 * found: `slot`) or the table must be made first (slot SIZE_MAX). */
int spamlr__vocab_intern_slow(spamlr__vocab *v, const char *s, size_t len, uint32_t h,
                              size_t slot, uint32_t *id, int *added);

/* The same with h = spamlr__vocab_hash(v, s, len) computed by the caller (who may
 * have prefetched its slot with spamlr__vocab_prefetch). A string already
 * in the table is found inline. */
static inline int spamlr__vocab_intern_key(spamlr__vocab *v, const char *s, size_t len,
                                           uint32_t h, uint64_t key, uint32_t *id, int *added)
{
    size_t slot = SIZE_MAX;
    int64_t e;

    if (v->cap && len <= UINT32_MAX - 1 &&
        (e = spamlr__vocab_lookup_key(v, s, len, h, key, &slot)) >= 0) {
        if (added)
            *added = 0;
        *id = (uint32_t)e;
        return SPAMLR_OK;
    }
    return spamlr__vocab_intern_slow(v, s, len, h, slot, id, added);
}

static inline int spamlr__vocab_intern_hashed(spamlr__vocab *v, const char *s, size_t len,
                                              uint32_t h, uint32_t *id, int *added)
{
    return spamlr__vocab_intern_key(v, s, len, h, spamlr__slot_key(s, len), id, added);
}

/* Frees the slot table, for a vocabulary only read by id for a while (a
 * consumed dataset's during training: 2 MB for 90,000 words), and fits
 * the id arrays to the ids. The next insertion rebuilds the table from
 * the ids; a lookup meanwhile is a linear scan. */
void spamlr__vocab_drop_table(spamlr__vocab *v);

/* Makes room for `more` new ids holding `chars` bytes of strings in all
 * (NULs included), so that interning them grows nothing. */
int spamlr__vocab_reserve(spamlr__vocab *v, size_t more, size_t chars);

/* The same for a vocabulary that will hold those ids and no more (a
 * loaded model's): an empty one gets its id arrays and slot table in
 * whole huge pages (spamlr__alloc_whole). */
int spamlr__vocab_reserve_final(spamlr__vocab *v, size_t more, size_t chars);

/* Adds s[0..len), which the caller knows to be absent, with its hash h
 * (spamlr__vocab_hash), skipping the comparisons of a lookup. */
int spamlr__vocab_add_new(spamlr__vocab *v, const char *s, size_t len, uint32_t h,
                          uint32_t *id);

/* A hint that the slot of hash h is about to be read. */
static inline void spamlr__vocab_prefetch(const spamlr__vocab *v, uint32_t h)
{
#if defined(__GNUC__)
    if (v->cap)
        __builtin_prefetch(&v->slots[h & (v->cap - 1)]);
#else
    (void)v;
    (void)h;
#endif
}

/* Makes the empty dst a copy of src (same ids and seed; counts 0). */
int spamlr__vocab_clone(spamlr__vocab *dst, const spamlr__vocab *src);

/* The same without copying (dst holding no words: an empty table it
 * holds is freed): dst reads src's slot table, ids and strings
 * where they are (counts of its own, 0), and either may be freed first.
 * Whichever of them changes its words later copies them first. src is
 * only given a reference (atomically), so that several threads may share
 * one vocabulary they all only read. Returns 0 or SPAMLR_ENOMEM (dst then
 * empty, its seed 0: init it again). */
int spamlr__vocab_share(spamlr__vocab *dst, const spamlr__vocab *src);

/* Id of s[0..len), or -1 when absent. Read-only: safe from many threads. */
int64_t spamlr__vocab_find(const spamlr__vocab *v, const char *s, size_t len);

static inline const char *spamlr__vocab_str(const spamlr__vocab *v, uint32_t id)
{
    return v->chars + v->off[id];
}

/* Bytes of heap the vocabulary holds. */
size_t spamlr__vocab_bytes(const spamlr__vocab *v);

#endif
