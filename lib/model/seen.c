/* seen.c - the record of learned messages (as SpamAssassin's bayes_seen):
 * a bounded ring of 64-bit message keys, each with the class it was
 * learned as, oldest first, and a hash index on it for O(1) look-ups.
 *
 * An entry is key | class: keys have bit 0 clear (spamlr__seen_key), bit 0
 * is 1 for spam. A 0 entry is a hole left by a deleted message; holes keep
 * their place in the ring until the ring wraps over them, and are not
 * saved. The index is open addressing with linear probing (ring slot + 1,
 * 0 = empty), at most half full, deleting by backward shift (no
 * tombstones). */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t spamlr__seen_token(const char *tok, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)tok[i]) * 0x100000001b3ull;
    return mix(h);
}

uint64_t spamlr__seen_key(uint64_t sum)
{
    uint64_t k = mix(sum ^ 0x5365656e4c6f6721ull) & ~(uint64_t)1;

    return k ? k : 2;
}

static size_t max_of(const spamlr__seen *s)
{
    return s->max ? s->max : SPAMLR__SEEN_MAX;
}

void spamlr__seen_free(spamlr__seen *s)
{
    size_t max = s->max;

    free(s->e);
    free(s->ix);
    memset(s, 0, sizeof *s);
    s->max = max;
}

/* Index slot of key: the slot holding it, or the empty slot it would take. */
static size_t ix_slot(const spamlr__seen *s, uint64_t key)
{
    size_t mask = s->ixn - 1, i = (size_t)mix(key) & mask;

    while (s->ix[i] && (s->e[s->ix[i] - 1] & ~(uint64_t)1) != key)
        i = (i + 1) & mask;
    return i;
}

static int rebuild(spamlr__seen *s, size_t ixn)
{
    uint32_t *ix = calloc(ixn, sizeof *ix);
    size_t j;

    if (!ix)
        return SPAMLR_ENOMEM;
    free(s->ix);
    s->ix = ix;
    s->ixn = ixn;
    for (j = 0; j < s->n; j++) {
        size_t r = (s->head + j) % s->cap;
        if (s->e[r])
            s->ix[ix_slot(s, s->e[r] & ~(uint64_t)1)] = (uint32_t)(r + 1);
    }
    return SPAMLR_OK;
}

int spamlr__seen_find(const spamlr__seen *s, uint64_t key)
{
    size_t i;

    if (!s->ixn)
        return -1;
    i = ix_slot(s, key);
    return s->ix[i] ? (int)(s->e[s->ix[i] - 1] & 1) : -1;
}

/* Drops index slot i, shifting the probe runs after it back. */
static void ix_del(spamlr__seen *s, size_t i)
{
    size_t mask = s->ixn - 1, j = i;

    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!s->ix[j])
            break;
        home = (size_t)mix(s->e[s->ix[j] - 1] & ~(uint64_t)1) & mask;
        /* the entry at j may move to i when its home is not in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            s->ix[i] = s->ix[j];
            i = j;
        }
    }
    s->ix[i] = 0;
}

void spamlr__seen_del(spamlr__seen *s, uint64_t key)
{
    size_t i;

    if (!s->ixn)
        return;
    i = ix_slot(s, key);
    if (!s->ix[i])
        return;
    s->e[s->ix[i] - 1] = 0;
    s->live--;
    ix_del(s, i);
}

int spamlr__seen_put(spamlr__seen *s, uint64_t key, int y01)
{
    size_t max = max_of(s), r;

    spamlr__seen_del(s, key); /* learned again: it becomes the newest */
    if (s->n < max && s->n == s->cap) { /* grow (head is 0 until full) */
        size_t cap = s->cap ? 2 * s->cap : 64;
        uint64_t *e;
        if (cap > max)
            cap = max;
        if (!(e = realloc(s->e, cap * sizeof *e)))
            return SPAMLR_ENOMEM;
        s->e = e;
        s->cap = cap;
    }
    if (s->ixn < 2 * s->cap) {
        size_t ixn = 64;
        while (ixn < 2 * s->cap)
            ixn *= 2;
        if (rebuild(s, ixn))
            return SPAMLR_ENOMEM;
    }
    if (s->n < s->cap) {
        r = (s->head + s->n++) % s->cap;
    } else { /* full: the oldest is dropped */
        r = s->head;
        s->head = (s->head + 1) % s->cap;
        if (s->e[r]) {
            ix_del(s, ix_slot(s, s->e[r] & ~(uint64_t)1));
            s->live--;
        }
    }
    s->e[r] = key | (uint64_t)(y01 != 0);
    s->ix[ix_slot(s, key)] = (uint32_t)(r + 1);
    s->live++;
    return SPAMLR_OK;
}

uint64_t spamlr__seen_at(const spamlr__seen *s, size_t *j)
{
    while (*j < s->n) {
        uint64_t e = s->e[(s->head + *j) % s->cap];
        ++*j;
        if (e)
            return e;
    }
    return 0;
}

int spamlr__seen_copy(spamlr__seen *dst, const spamlr__seen *src)
{
    size_t j = 0;
    uint64_t e;
    int rc;

    spamlr__seen_free(dst);
    dst->max = src->max;
    while ((e = spamlr__seen_at(src, &j)))
        if ((rc = spamlr__seen_put(dst, e & ~(uint64_t)1, (int)(e & 1))))
            return rc;
    return SPAMLR_OK;
}
