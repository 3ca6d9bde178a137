/* test_seed.c - the vocabulary hash is seeded per table: words chosen to
 * collide under a known hash do not pile up in a seeded table, tables get
 * different seeds, and models do not depend on the seed (byte-for-byte
 * the same words and weights whatever the seeds). */
#include "testutil.h"

#include "common/common.h"
#include "common/hash.h"
#include "text/vocab.h"

#define CRAFTED 1500
#define LOW_BITS 12

/* The longest run of occupied slots: the worst probe a lookup makes. */
static size_t longest_chain(const spamlr__vocab *v)
{
    size_t i, run = 0, best = 0;

    for (i = 0; i < 2 * v->cap; i++) {
        run = v->slots[i & (v->cap - 1)].id1 ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* CRAFTED words whose unseeded hashes share their low LOW_BITS bits, as
 * an attacker who knows the hash would write them. */
static char (*crafted(void))[16]
{
    char(*w)[16] = malloc(CRAFTED * sizeof *w);
    unsigned long k = 0;
    size_t n = 0;

    ck_assert_ptr_nonnull(w);
    while (n < CRAFTED) {
        int len = snprintf(w[n], sizeof w[n], "x%lx", k++);
        if ((spamlr__hash(w[n], (size_t)len) & ((1u << LOW_BITS) - 1)) == 0)
            n++;
    }
    return w;
}

/* The token pipeline's short-string moves (common/hash.h) against the
 * library calls they stand for, at every length up to 64 and several
 * alignments: copy_short writes exactly n bytes, prefix8 is the first
 * bytes zero-padded, same_after8 is memcmp for strings sharing their
 * first 8 bytes, whichever byte after them differs; and the hash of a
 * short token from its slot key (what the dataset hashes it with) is its
 * hash from its bytes (what the vocabulary looks it up and merges with),
 * for any seed. */
START_TEST(short_moves)
{
    unsigned char src[96], dst[96], want[96];
    size_t n, off, d;

    for (n = 0; n < sizeof src; n++)
        src[n] = (unsigned char)(n * 37 + 11);
    for (off = 0; off < 8; off++)
        for (n = 0; n <= 64; n++) {
            uint64_t k = 0;

            memset(dst, 0xA5, sizeof dst);
            memset(want, 0xA5, sizeof want);
            memcpy(want + 3, src + off, n);
            spamlr__copy_short((char *)dst + 3, (const char *)src + off, n);
            ck_assert_msg(memcmp(dst, want, sizeof dst) == 0, "copy_short n %zu off %zu", n,
                          off);
            memcpy(&k, src + off, n < 8 ? n : 8);
            ck_assert(spamlr__prefix8((const char *)src + off, n) == k);
            if (n <= 8) {
                uint64_t seeds[3] = {0, 0x0123456789abcdefULL, ~(uint64_t)0};
                for (d = 0; d < 3; d++)
                    ck_assert_msg(spamlr__hash_key8(seeds[d], k, n) ==
                                  spamlr__hash_seeded(seeds[d], src + off, n),
                                  "hash_key8 n %zu off %zu", n, off);
                continue;
            }
            memcpy(dst, src + off, n);
            ck_assert(spamlr__same_after8((const char *)dst, (const char *)src + off, n));
            for (d = 8; d < n; d++) {
                dst[d] ^= 0x20;
                ck_assert_msg(!spamlr__same_after8((const char *)dst, (const char *)src + off, n),
                              "same_after8 n %zu misses byte %zu", n, d);
                dst[d] ^= 0x20;
            }
        }
}
END_TEST

START_TEST(crafted_collisions)
{
    char(*w)[16] = crafted();
    spamlr__vocab a, b;
    uint32_t id;
    size_t i;

    spamlr__vocab_init(&a);
    spamlr__vocab_init(&b);
    a.seed = 0; /* the unseeded hash the words were made for */
    for (i = 0; i < CRAFTED; i++) {
        ck_assert_int_eq(spamlr__vocab_intern(&a, w[i], strlen(w[i]), &id, NULL), SPAMLR_OK);
        ck_assert_int_eq(spamlr__vocab_intern(&b, w[i], strlen(w[i]), &id, NULL), SPAMLR_OK);
        ck_assert_uint_eq(id, i);
    }
    ck_assert_uint_le(a.cap, (size_t)1 << LOW_BITS);
    /* unseeded: one chain of them all, each lookup walks it */
    ck_assert_uint_ge(longest_chain(&a), CRAFTED);
    /* seeded: spread as any words are. At the table's load (1500 words
     * in 2048 slots) the longest run of 1500 words had a median of 59
     * slots and a maximum of 195 over 2000 seeds, crafted or not; the
     * crafted words unseeded make one run of all 1500 */
    ck_assert_uint_lt(longest_chain(&b), CRAFTED / 4);
    for (i = 0; i < CRAFTED; i++)
        ck_assert_int_eq(spamlr__vocab_find(&b, w[i], strlen(w[i])), (int64_t)i);
    spamlr__vocab_free(&a);
    spamlr__vocab_free(&b);
    free(w);
}
END_TEST

/* A vocabulary whose slot table was dropped still finds every word (by a
 * scan), gives an existing word its id and a new one the next when words
 * go in again (the table rebuilt from the ids), and clones into one that
 * finds them all. */
START_TEST(dropped_table)
{
    spamlr__vocab v, c;
    char w[32];
    uint32_t id;
    int added, len;
    size_t i;

    spamlr__vocab_init(&v);
    spamlr__vocab_init(&c);
    for (i = 0; i < 3000; i++) {
        len = snprintf(w, sizeof w, "word%zu-%s", i, i % 2 ? "long enough to pass 8" : "s");
        ck_assert_int_eq(spamlr__vocab_intern(&v, w, (size_t)len, &id, NULL), SPAMLR_OK);
    }
    spamlr__vocab_drop_table(&v);
    ck_assert_uint_eq(v.cap, 0);
    ck_assert_int_eq(spamlr__vocab_find(&v, "word7-long enough to pass 8", 27), 7);
    ck_assert_int_eq(spamlr__vocab_find(&v, "absent", 6), -1);
    ck_assert_int_eq(spamlr__vocab_clone(&c, &v), SPAMLR_OK);
    for (i = 0; i < 3000; i += 7) {
        len = snprintf(w, sizeof w, "word%zu-%s", i, i % 2 ? "long enough to pass 8" : "s");
        ck_assert_int_eq(spamlr__vocab_find(&c, w, (size_t)len), (int64_t)i);
    }
    ck_assert_int_eq(spamlr__vocab_intern(&v, "word12-s", 8, &id, &added), SPAMLR_OK);
    ck_assert_uint_eq(id, 12);
    ck_assert_int_eq(added, 0);
    ck_assert_int_eq(spamlr__vocab_intern(&v, "new", 3, &id, &added), SPAMLR_OK);
    ck_assert_uint_eq(id, 3000);
    ck_assert_int_eq(added, 1);
    ck_assert_uint_gt(3 * v.cap, 4 * v.n); /* rebuilt at the load factor, under 3/4 */
    for (i = 0; i < 3000; i += 7) {
        len = snprintf(w, sizeof w, "word%zu-%s", i, i % 2 ? "long enough to pass 8" : "s");
        ck_assert_int_eq(spamlr__vocab_find(&v, w, (size_t)len), (int64_t)i);
    }
    spamlr__vocab_free(&v);
    spamlr__vocab_free(&c);
}
END_TEST

/* Word i of the id-array tests, and its count. */
static int grow_word(char *w, size_t size, size_t i)
{
    return snprintf(w, size, "w%zu%s", i, i % 3 ? "-a word past eight bytes" : "");
}

/* Every word below n has its id, string, length, hash and count 3i + 1. */
static void check_ids(const spamlr__vocab *v, size_t n)
{
    char w[48];
    size_t i;

    ck_assert_uint_eq(v->n, n);
    for (i = 0; i < n; i++) {
        int len = grow_word(w, sizeof w, i);

        ck_assert_str_eq(spamlr__vocab_str(v, (uint32_t)i), w);
        ck_assert_uint_eq(v->len[i], (unsigned)len);
        ck_assert_uint_eq(v->hash[i], spamlr__vocab_hash(v, w, (size_t)len));
        ck_assert_uint_eq(v->count[i], 3 * i + 1);
        if (i % 97 == 0)
            ck_assert_int_eq(spamlr__vocab_find(v, w, (size_t)len), (int64_t)i);
    }
}

static void add_words(spamlr__vocab *v, size_t from, size_t to)
{
    char w[48];
    uint32_t id;
    size_t i;

    for (i = from; i < to; i++) {
        int len = grow_word(w, sizeof w, i);

        ck_assert_int_eq(spamlr__vocab_intern(v, w, (size_t)len, &id, NULL), SPAMLR_OK);
        ck_assert_uint_eq(id, i);
        v->count[id] = (uint32_t)(3 * i + 1);
    }
}

/* The id arrays (off, len, hash, count: one block) keep every entry as
 * the block grows past the size of big blocks (moved inside it as it is
 * reallocated), shrinks to the ids when the table is dropped, and grows
 * again with its counts apart (a vocabulary that shared another's words,
 * the other freed). */
START_TEST(id_arrays_grow_in_place)
{
    spamlr__vocab v, s;

    spamlr__vocab_init(&v);
    spamlr__vocab_init(&s);
    add_words(&v, 0, 40000); /* 65536 ids of 20 bytes: a big block */
    ck_assert_uint_eq(v.id_cap, 65536);
    check_ids(&v, 40000);
    spamlr__vocab_drop_table(&v);
    ck_assert_uint_eq(v.id_cap, 40000); /* shrunk to the ids */
    check_ids(&v, 40000);
    add_words(&v, 40000, 40010);        /* grows again from 40000 */
    check_ids(&v, 40010);
    ck_assert_int_eq(spamlr__vocab_share(&s, &v), SPAMLR_OK);
    spamlr__vocab_free(&v);
    /* s: the shared arrays are its own now, its counts apart */
    ck_assert_uint_lt(s.n, s.id_cap);
    for (size_t i = 0; i < s.n; i++)
        s.count[i] = (uint32_t)(3 * i + 1);
    add_words(&s, 40010, 90000);        /* the block grows */
    ck_assert_uint_ge(s.id_cap, 90000);
    check_ids(&s, 90000);
    spamlr__vocab_free(&s);
}
END_TEST

/* A vocabulary reserved as final (a loaded model's: whole huge pages)
 * takes its words without growing, then grows past them like any other
 * (a loaded model that learns new words), its ids and strings kept; the
 * blocks are 2 MiB-aligned and whole huge pages. */
START_TEST(final_reserve_then_grow)
{
    spamlr__vocab v;
    unsigned char *w;

    spamlr__vocab_init(&v);
    ck_assert_int_eq(spamlr__vocab_reserve_final(&v, 40000, 40000 * 12), SPAMLR_OK);
    ck_assert_uint_eq(v.id_cap, 40000);
    ck_assert_uint_eq((uintptr_t)v.off % SPAMLR_HUGE_PAGE, 0);
    ck_assert_uint_eq((uintptr_t)v.slots % SPAMLR_HUGE_PAGE, 0);
    add_words(&v, 0, 40000);
    ck_assert_uint_eq(v.id_cap, 40000); /* nothing grew */
    check_ids(&v, 40000);
    add_words(&v, 40000, 90000);        /* the block and the table grow */
    ck_assert_uint_ge(v.id_cap, 90000);
    check_ids(&v, 90000);
    spamlr__vocab_free(&v);
    /* a block just over the threshold: huge-page aligned, its bytes
     * usable to the last one asked for (ASan would see a short block) */
    w = spamlr__alloc_whole(SPAMLR_BIG_BYTES + 1);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq((uintptr_t)w % SPAMLR_HUGE_PAGE, 0);
    w[SPAMLR_BIG_BYTES] = 1;
    free(w);
}
END_TEST

START_TEST(seed_per_table)
{
    spamlr__vocab a, b;

    spamlr__vocab_init(&a);
    spamlr__vocab_init(&b);
    ck_assert(a.seed != b.seed);
    ck_assert(spamlr__vocab_hash(&a, "viagra", 6) != spamlr__vocab_hash(&b, "viagra", 6) ||
              spamlr__vocab_hash(&a, "meeting", 7) != spamlr__vocab_hash(&b, "meeting", 7));
    spamlr__vocab_free(&a);
    spamlr__vocab_free(&b);
}
END_TEST

/* Two trainings on the same data (each dataset and model its own seed)
 * give the same vocabulary order and weights, and so the same file but
 * for the training time. */
START_TEST(models_do_not_depend_on_seed)
{
    static const char *t[] = { "free money now", "lunch at noon", "win a free prize",
                               "meeting notes attached", "cheap pills online",
                               "see you at lunch", "free cheap prize money",
                               "notes for the meeting" };
    spamlr_model *m[2] = { NULL, NULL };
    spamlr_train_opts o;
    size_t i, k;

    spamlr_train_opts_init(&o);
    o.c = 10;
    for (k = 0; k < 2; k++) {
        spamlr_dataset *ds = NULL;
        ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
        for (i = 0; i < 8; i++)
            ck_assert_int_eq(spamlr_dataset_add(ds, i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, t[i],
                                                strlen(t[i]), NULL),
                             SPAMLR_OK);
        ck_assert_int_eq(spamlr_train(&m[k], ds, &o, NULL, NULL), SPAMLR_OK);
        spamlr_dataset_free(ds);
    }
    ck_assert_uint_eq(spamlr_model_vocab_size(m[0]), spamlr_model_vocab_size(m[1]));
    for (i = 0; i < spamlr_model_vocab_size(m[0]); i++) {
        spamlr_word a, b;
        ck_assert_int_eq(spamlr_model_word(m[0], i, &a), SPAMLR_OK);
        ck_assert_int_eq(spamlr_model_word(m[1], i, &b), SPAMLR_OK);
        ck_assert_str_eq(a.token, b.token);
        ck_assert(a.weight == b.weight);
    }
    spamlr_model_free(m[0]);
    spamlr_model_free(m[1]);
}
END_TEST

static Suite *seed_suite(void)
{
    Suite *s = suite_create("seed");
    TCase *tc = tcase_create("seed");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, crafted_collisions);
    tcase_add_test(tc, short_moves);
    tcase_add_test(tc, seed_per_table);
    tcase_add_test(tc, dropped_table);
    tcase_add_test(tc, id_arrays_grow_in_place);
    tcase_add_test(tc, final_reserve_then_grow);
    tcase_add_test(tc, models_do_not_depend_on_seed);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(seed_suite)
