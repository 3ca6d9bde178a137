/* vocab.c - string interning with open addressing (linear probing). */
#include <stdlib.h>
#include <string.h>

#include "text/vocab.h"

void spamlr__vocab_init(spamlr__vocab *v)
{
    memset(v, 0, sizeof *v);
    v->seed = spamlr__hash_seed();
}

/* How many vocabularies read one slot table, id block and strings; mem
 * (when not NULL) is the memory they live in, not allocations of their
 * own: a model file mapped or read whole (spamlr__vocab_adopt), which
 * drop releases after the last reader. */
struct spamlr__vocab_ref {
    unsigned long refs;
    void *mem;
    size_t mem_len;
    void (*drop)(void *mem, size_t len);
};

/* Drops v's share of its arrays, freeing them when it was the last; v's
 * own count stays. */
static void release(spamlr__vocab *v)
{
    spamlr__vocab_ref *r = v->ref;

    if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        if (r && r->mem) {
            r->drop(r->mem, r->mem_len);
        } else {
            free(v->slots);
            free(v->off); /* the block holding len, hash and count too */
            free(v->chars);
        }
        free(r);
    }
    v->ref = NULL;
}

void spamlr__vocab_free(spamlr__vocab *v)
{
    if (!v)
        return;
    if (v->count_apart)
        free(v->count);
    release(v);
    memset(v, 0, sizeof *v);
}

size_t spamlr__vocab_bytes(const spamlr__vocab *v)
{
    return v->cap * sizeof *v->slots + v->id_cap * (sizeof *v->off + sizeof *v->len +
           sizeof *v->hash + sizeof *v->count) + v->chars_cap;
}

static void fill_slot(spamlr__slot *sl, uint32_t id, uint32_t h, const char *s, size_t len)
{
    sl->id1 = id + 1;
    sl->hl = spamlr__slot_hl(h, len);
    sl->key = spamlr__slot_key(s, len);
}

/* The slot table remade with ncap slots (whole: its size is final,
 * spamlr__alloc_whole). */
static int rehash_to(spamlr__vocab *v, size_t ncap, int whole)
{
    spamlr__slot *slots;
    size_t i, mask = ncap - 1;

    if (ncap > SIZE_MAX / sizeof *slots ||
        !(slots = whole ? spamlr__alloc_whole(ncap * sizeof *slots)
                        : spamlr__alloc_big(ncap * sizeof *slots)))
        return SPAMLR_ENOMEM;
    memset(slots, 0, ncap * sizeof *slots);
    for (i = 0; i < v->n; i++) {
        size_t s = v->hash[i] & mask;
        while (slots[s].id1)
            s = (s + 1) & mask;
        fill_slot(&slots[s], (uint32_t)i, v->hash[i], v->chars + v->off[i], v->len[i]);
    }
    free(v->slots);
    v->slots = slots;
    v->cap = ncap;
    return SPAMLR_OK;
}

static int rehash(spamlr__vocab *v, size_t ncap)
{
    return rehash_to(v, ncap, 0);
}

int64_t spamlr__vocab_find(const spamlr__vocab *v, const char *s, size_t len)
{
    size_t slot, i;

    if (v->n == 0)
        return -1;
    if (!v->cap) { /* the table was dropped (spamlr__vocab_drop_table) */
        for (i = 0; i < v->n; i++)
            if (v->len[i] == len && memcmp(v->chars + v->off[i], s, len) == 0)
                return (int64_t)i;
        return -1;
    }
    return spamlr__vocab_lookup(v, s, len, spamlr__vocab_hash(v, s, len), &slot);
}

/* Whether n ids fill a table of cap slots to 3/4 or more: tables stay
 * under 3/4 full. Training on the SpamAssassin split (90069 words): a
 * 2 MB table instead of 4 at 1/2, peak RSS on 2 threads 27.7 -> 25.2 MB,
 * the same time (11 pairs); 16-byte slots hold the key's first 8 bytes,
 * so the longer probes of a fuller table stay within a cache line or
 * two. */
static int too_full(size_t n, size_t cap)
{
    return 4 * n >= 3 * cap;
}

/* The table size for n ids: a power of two, 1024 at least, under 3/4
 * full. */
static size_t table_for(size_t n)
{
    size_t cap = 1024;

    while (too_full(n, cap))
        cap *= 2;
    return cap;
}

static int grow_ids_to(spamlr__vocab *v, size_t ncap);

/* Before v changes its words: arrays shared with another vocabulary are
 * copied for v alone (the others keep reading theirs). */
static int own(spamlr__vocab *v)
{
    spamlr__vocab c;
    int rc;

    if (!v->ref)
        return SPAMLR_OK;
    if (!v->ref->mem && __atomic_load_n(&v->ref->refs, __ATOMIC_ACQUIRE) == 1) {
        free(v->ref); /* the others are gone: the arrays are v's */
        v->ref = NULL;
        return SPAMLR_OK;
    }
    memset(&c, 0, sizeof c);
    c.seed = v->seed;
    if ((rc = spamlr__vocab_clone(&c, v))) {
        spamlr__vocab_free(&c);
        return rc;
    }
    if (v->n)
        memcpy(c.count, v->count, v->n * sizeof *c.count);
    if (v->count_apart)
        free(v->count);
    release(v);
    *v = c;
    return SPAMLR_OK;
}

void spamlr__vocab_drop_table(spamlr__vocab *v)
{
    if (v->ref)
        return; /* the table is another vocabulary's too */
    free(v->slots);
    v->slots = NULL;
    v->cap = 0;
    /* the id arrays grew by doubling: down to the ids there are (for
     * SpamAssassin's 90,000 words 1.8 MB instead of 2.6; when there is no
     * memory for the copy, they stay as they are) */
    if (v->n && v->id_cap > v->n + v->n / 8)
        (void)grow_ids_to(v, v->n);
}

/* The id arrays (off, len, hash, count) live in one block (one
 * allocation, on huge pages once large), off first, each as long as the
 * block has ids: len, hash and count (k = 0, 1, 2) start here in a block
 * of cap ids. */
static size_t ids_at(size_t cap, int k)
{
    return cap * (sizeof(uint64_t) + (size_t)k * sizeof(uint32_t));
}

/* The id arrays in the block blk of ncap ids. */
static void set_ids(spamlr__vocab *v, unsigned char *blk, size_t ncap)
{
    v->off = (uint64_t *)(void *)blk;
    v->len = (uint32_t *)(void *)(blk + ids_at(ncap, 0));
    v->hash = (uint32_t *)(void *)(blk + ids_at(ncap, 1));
    v->count = (uint32_t *)(void *)(blk + ids_at(ncap, 2));
    v->id_cap = ncap;
}

/* Makes the block ncap ids long (ncap >= v->n): the block (v's own:
 * shared arrays are copied by own() before any change) is reallocated and
 * its arrays moved inside it (up, the last first, when it grows; down, the
 * first first, before it shrinks), so that a big block's pages move, not
 * copied, and the old and the new are never both resident (the peak of
 * reading SpamAssassin's training mail). Counts kept apart (after
 * sharing) come into the block. */
static int grow_ids_to(spamlr__vocab *v, size_t ncap)
{
    const size_t per = sizeof *v->off + sizeof *v->len + sizeof *v->hash + sizeof *v->count;
    uint32_t *apart = v->count_apart ? v->count : NULL;
    size_t n = v->n, cap = v->id_cap, w = n * sizeof(uint32_t);
    int k, arrays = apart ? 2 : 3; /* len, hash and (unless apart) count */
    unsigned char *blk = (unsigned char *)v->off, *p;

    if (ncap > SIZE_MAX / per || ncap < n)
        return SPAMLR_ENOMEM;
    if (ncap < cap) {
        for (k = 0; k < arrays; k++)
            memmove(blk + ids_at(ncap, k), blk + ids_at(cap, k), w);
        /* (a block that does not shrink stays as it is, the arrays
         * already in their places) */
        if ((p = spamlr__realloc_big(blk, cap * per, ncap * per)))
            blk = p;
    } else {
        if (!(blk = spamlr__realloc_big(blk, cap * per, ncap * per)))
            return SPAMLR_ENOMEM;
        for (k = arrays - 1; k >= 0; k--)
            memmove(blk + ids_at(ncap, k), blk + ids_at(cap, k), w);
    }
    set_ids(v, blk, ncap);
    if (apart) {
        if (n)
            memcpy(v->count, apart, w);
        free(apart);
        v->count_apart = 0;
    }
    return SPAMLR_OK;
}

/* grow_ids_to for a vocabulary without ids yet whose size is final: the
 * block from spamlr__alloc_whole. */
static int grow_ids_whole(spamlr__vocab *v, size_t ncap)
{
    const size_t per = sizeof *v->off + sizeof *v->len + sizeof *v->hash + sizeof *v->count;
    unsigned char *blk;

    if (v->off || v->n || v->count_apart)
        return grow_ids_to(v, ncap);
    if (ncap > SIZE_MAX / per || !(blk = spamlr__alloc_whole(ncap * per)))
        return SPAMLR_ENOMEM;
    set_ids(v, blk, ncap);
    return SPAMLR_OK;
}

static int grow_ids(spamlr__vocab *v)
{
    return grow_ids_to(v, v->id_cap ? v->id_cap * 2 : 256);
}

static int reserve(spamlr__vocab *v, size_t more, size_t chars, int whole)
{
    size_t need, cap;
    int rc;

    if (more > UINT32_MAX - v->n)
        return SPAMLR_ELIMIT;
    if ((rc = own(v)))
        return rc;
    need = v->n + more;
    if (need > v->id_cap &&
        (rc = whole ? grow_ids_whole(v, need) : grow_ids_to(v, need)))
        return rc;
    if ((rc = spamlr__grow((void **)&v->chars, &v->chars_cap, v->chars_len + chars, 1)))
        return rc;
    cap = table_for(need); /* under 3/4 full up to `need` ids */
    if (cap > v->cap)
        return rehash_to(v, cap, whole);
    return SPAMLR_OK;
}

int spamlr__vocab_reserve(spamlr__vocab *v, size_t more, size_t chars)
{
    return reserve(v, more, chars, 0);
}

int spamlr__vocab_reserve_final(spamlr__vocab *v, size_t more, size_t chars)
{
    return reserve(v, more, chars, 1);
}

/* Before a string of len bytes goes in: its length is storable and the
 * slot table exists. */
static int table_ready(spamlr__vocab *v, size_t len)
{
    if (len > UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    return v->cap ? SPAMLR_OK : rehash(v, table_for(v->n));
}

/* Stores s (absent; hash h) as id n in the empty slot `slot`. */
static int insert_at(spamlr__vocab *v, const char *s, size_t len, uint32_t h, size_t slot,
                     uint32_t *id)
{
    int rc;

    if (v->n >= UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    if (v->n == v->id_cap && (rc = grow_ids(v)))
        return rc;
    if (v->chars_len + len + 1 > v->chars_cap &&
        (rc = spamlr__grow((void **)&v->chars, &v->chars_cap, v->chars_len + len + 1, 1)))
        return rc;
    memcpy(v->chars + v->chars_len, s, len);
    v->chars[v->chars_len + len] = '\0';
    v->off[v->n] = v->chars_len;
    v->len[v->n] = (uint32_t)len;
    v->hash[v->n] = h;
    v->count[v->n] = 0;
    v->chars_len += len + 1;
    fill_slot(&v->slots[slot], (uint32_t)v->n, h, s, len);
    *id = (uint32_t)v->n++;
    if (too_full(v->n, v->cap) && (rc = rehash(v, v->cap * 2)))
        return rc;
    return SPAMLR_OK;
}

int spamlr__vocab_intern(spamlr__vocab *v, const char *s, size_t len, uint32_t *id,
                         int *added)
{
    return spamlr__vocab_intern_hashed(v, s, len, spamlr__vocab_hash(v, s, len), id, added);
}

int spamlr__vocab_intern_slow(spamlr__vocab *v, const char *s, size_t len, uint32_t h,
                              size_t slot, uint32_t *id, int *added)
{
    int64_t e;
    int rc;

    if (added)
        *added = 0;
    if (v->ref) { /* shared: the copy is v's own, its table another */
        if ((rc = own(v)))
            return rc;
        slot = SIZE_MAX;
    }
    if (slot == SIZE_MAX) { /* no table yet, or a length the slots cannot hold */
        if ((rc = table_ready(v, len)))
            return rc;
        e = spamlr__vocab_lookup(v, s, len, h, &slot);
        if (e >= 0) {
            *id = (uint32_t)e;
            return SPAMLR_OK;
        }
    }
    if ((rc = insert_at(v, s, len, h, slot, id)))
        return rc;
    if (added)
        *added = 1;
    return SPAMLR_OK;
}

int spamlr__vocab_add_new(spamlr__vocab *v, const char *s, size_t len, uint32_t h,
                          uint32_t *id)
{
    size_t mask, i;
    int rc;

    if ((rc = own(v)) || (rc = table_ready(v, len)))
        return rc;
    mask = v->cap - 1;
    for (i = h & mask; v->slots[i].id1; i = (i + 1) & mask)
        ;
    return insert_at(v, s, len, h, i, id);
}

int spamlr__vocab_clone(spamlr__vocab *dst, const spamlr__vocab *src)
{
    int rc;

    if (dst->n || dst->cap || dst->ref)
        return SPAMLR_EINVAL;
    dst->seed = src->seed; /* the hashes copied below are of its seed */
    if (src->n == 0)
        return SPAMLR_OK;
    if ((rc = grow_ids_to(dst, src->n)) ||
        (rc = spamlr__grow((void **)&dst->chars, &dst->chars_cap, src->chars_len, 1)))
        return rc;
    memcpy(dst->off, src->off, src->n * sizeof *dst->off);
    memcpy(dst->len, src->len, src->n * sizeof *dst->len);
    memcpy(dst->hash, src->hash, src->n * sizeof *dst->hash);
    memset(dst->count, 0, src->n * sizeof *dst->count);
    memcpy(dst->chars, src->chars, src->chars_len);
    dst->chars_len = src->chars_len;
    dst->n = src->n;
    if (!src->cap) /* src's table was dropped: built from the ids */
        return rehash(dst, table_for(dst->n));
    if (src->cap > SIZE_MAX / sizeof *dst->slots ||
        !(dst->slots = spamlr__alloc_big(src->cap * sizeof *dst->slots)))
        return SPAMLR_ENOMEM;
    dst->cap = src->cap;
    memcpy(dst->slots, src->slots, src->cap * sizeof *dst->slots);
    return SPAMLR_OK;
}

int spamlr__vocab_share(spamlr__vocab *dst, const spamlr__vocab *src)
{
    spamlr__vocab_ref *r, *mine;
    spamlr__vocab_ref **at = (spamlr__vocab_ref **)(uintptr_t)&src->ref;
    uint32_t *count;

    if (dst->n || dst->ref)
        return SPAMLR_EINVAL;
    spamlr__vocab_free(dst); /* (no words, but maybe an empty table) */
    if (!src->n || !src->cap) /* nothing to share, or no table to read */
        return spamlr__vocab_clone(dst, src);
    if (!(count = calloc(src->id_cap, sizeof *count)))
        return SPAMLR_ENOMEM;
    /* src's reference is made once, by whichever sharer comes first (src
     * is const to its callers: the reference is the one field that
     * changes, and atomically) */
    if (!(r = __atomic_load_n(at, __ATOMIC_ACQUIRE))) {
        if (!(mine = calloc(1, sizeof *mine))) {
            free(count);
            return SPAMLR_ENOMEM;
        }
        mine->refs = 1;
        if (__atomic_compare_exchange_n(at, &r, mine, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            r = mine;
        else
            free(mine);
    }
    __atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
    /* field by field: src's ref is not read but atomically */
    dst->slots = src->slots;
    dst->cap = src->cap;
    dst->n = src->n;
    dst->id_cap = src->id_cap;
    dst->off = src->off;
    dst->len = src->len;
    dst->hash = src->hash;
    dst->chars = src->chars;
    dst->chars_len = src->chars_len;
    dst->chars_cap = src->chars_cap;
    dst->seed = src->seed;
    dst->ref = r;
    dst->count = count;
    dst->count_apart = 1;
    return SPAMLR_OK;
}

int spamlr__vocab_adopt(spamlr__vocab *v, const spamlr__vocab_view *w, void *mem,
                        size_t mem_len, void (*drop)(void *mem, size_t len))
{
    spamlr__vocab_ref *r;
    uint32_t *count;

    if (v->n || v->ref || v->cap || !w->n || !mem || !drop)
        return SPAMLR_EINVAL;
    if (!(count = calloc(w->n, sizeof *count)))
        return SPAMLR_ENOMEM;
    if (!(r = calloc(1, sizeof *r))) {
        free(count);
        return SPAMLR_ENOMEM;
    }
    spamlr__vocab_free(v);
    r->refs = 1;
    r->mem = mem;
    r->mem_len = mem_len;
    r->drop = drop;
    /* the arrays are read, never written: a change copies them (own) */
    v->slots = (spamlr__slot *)(uintptr_t)w->slots;
    v->cap = w->cap;
    v->n = w->n;
    v->id_cap = w->n;
    v->off = (uint64_t *)(uintptr_t)w->off;
    v->len = (uint32_t *)(uintptr_t)w->len;
    v->hash = (uint32_t *)(uintptr_t)w->hash;
    v->chars = (char *)(uintptr_t)w->chars;
    v->chars_len = v->chars_cap = w->chars_len;
    v->seed = w->seed;
    v->ref = r;
    v->count = count;
    v->count_apart = 1;
    return SPAMLR_OK;
}

#define IMAGE_AHEAD 8

int spamlr__vocab_image(const spamlr__vocab *v, uint64_t seed, uint32_t *hash,
                        spamlr__slot **slots, size_t *cap)
{
    size_t id, i, mask, c = table_for(v->n);
    spamlr__slot *t;

    *slots = NULL;
    *cap = 0;
    if (c > SIZE_MAX / sizeof *t || !(t = calloc(c, sizeof *t)))
        return SPAMLR_ENOMEM;
    mask = c - 1;
    /* the hashes first, then the insertions with the slot IMAGE_AHEAD
     * words on asked for ahead (the table is larger than the cache) */
    for (id = 0; id < v->n; id++)
        hash[id] = spamlr__hash_seeded(seed, v->chars + v->off[id], v->len[id]);
    for (id = 0; id < v->n; id++) {
#if defined(__GNUC__)
        if (id + IMAGE_AHEAD < v->n)
            __builtin_prefetch(&t[hash[id + IMAGE_AHEAD] & mask], 1);
#endif
        for (i = hash[id] & mask; t[i].id1; i = (i + 1) & mask)
            ;
        fill_slot(&t[i], (uint32_t)id, hash[id], v->chars + v->off[id], v->len[id]);
    }
    *slots = t;
    *cap = c;
    return SPAMLR_OK;
}
