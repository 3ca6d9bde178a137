/* testutil.h - shared helpers for the Check suites. */
#ifndef SPAMLR_TESTUTIL_H
#define SPAMLR_TESTUTIL_H

#define _DEFAULT_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spamlr.h"
#include "common/common.h" /* spamlr__crc32 */
#include "model/sections.h" /* get_u32, set_u64, ... */
#include "model/zpack.h"

#define SPAMLR_TEST_MAIN(make_suite)                        \
    int main(void)                                          \
    {                                                       \
        SRunner *sr = srunner_create(make_suite());         \
        int nf;                                             \
        srunner_run_all(sr, CK_ENV);                        \
        nf = srunner_ntests_failed(sr);                     \
        srunner_free(sr);                                   \
        return nf ? EXIT_FAILURE : EXIT_SUCCESS;            \
    }

/* a and b have the same words with the same weights, in the same order. */
static inline void tu_same_words(const spamlr_model *a, const spamlr_model *b)
{
    size_t i, n = spamlr_model_vocab_size(a);

    ck_assert_uint_eq(n, spamlr_model_vocab_size(b));
    for (i = 0; i < n; i++) {
        spamlr_word x, y;
        ck_assert_int_eq(spamlr_model_word(a, i, &x), 0);
        ck_assert_int_eq(spamlr_model_word(b, i, &y), 0);
        ck_assert_str_eq(x.token, y.token);
        ck_assert(x.weight == y.weight);
    }
}

/* A fresh temporary directory (static buffer per call site). */
static inline char *tu_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/spamlr-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
    return buf;
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static inline void tu_rmrf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* Path of a file in the source tree's data/ directory. */
static inline const char *tu_data(char *buf, size_t n, const char *name)
{
    const char *d = getenv("SPAMLR_TEST_DATA");
    snprintf(buf, n, "%s/%s", d ? d : "data", name);
    return buf;
}

#ifdef ck_assert_int_eq
/* Lines [from, to) (1-based lines from + 1 .. to) of data/corpus.tsv
 * ("label<TAB>text") in a new dataset with text options o (NULL: the
 * defaults). */
static inline spamlr_dataset *tu_corpus_lines(const spamlr_text_opts *o, size_t from, size_t to)
{
    spamlr_dataset *ds = NULL;
    char path[256], line[8192];
    size_t n = 0;
    FILE *f;

    ck_assert_int_eq(spamlr_dataset_create(&ds, o), SPAMLR_OK);
    ck_assert_ptr_nonnull(f = fopen(tu_data(path, sizeof path, "corpus.tsv"), "r"));
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        size_t len;

        if (n++ < from || n > to || !tab)
            continue;
        len = strcspn(tab + 1, "\r\n");
        ck_assert_int_eq(spamlr_dataset_add(ds, strncmp(line, "spam", 4) == 0 ? SPAMLR_SPAM
                                                                              : SPAMLR_HAM,
                                            tab + 1, len, NULL), SPAMLR_OK);
    }
    fclose(f);
    return ds;
}

/* A plain-text dataset (mime off) of n spam and n ham texts, alternating. */
static inline spamlr_dataset *tu_plain_pairs(const char *const *spam, const char *const *ham,
                                             size_t n)
{
    spamlr_text_opts t;
    spamlr_dataset *ds;
    size_t i;

    spamlr_text_opts_init(&t);
    t.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &t), SPAMLR_OK);
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, spam[i], strlen(spam[i]), NULL), 0);
        ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, ham[i], strlen(ham[i]), NULL), 0);
    }
    return ds;
}
#endif

/* a and b save to the same bytes (the model file is the whole model:
 * weights, words, solver state, memory). */
static inline void tu_same_saved(const spamlr_model *a, const spamlr_model *b)
{
    unsigned char *x = NULL, *y = NULL;
    size_t nx, ny;

    ck_assert_int_eq(spamlr_model_save_buffer(a, &x, &nx), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_save_buffer(b, &y, &ny), SPAMLR_OK);
    ck_assert_uint_eq(nx, ny);
    ck_assert_mem_eq(x, y, nx);
    free(x);
    free(y);
}

/* A packed model file's (or a delta's) payload, inflated: its bytes in a
 * new buffer, their number in *ulen. The file's sizes follow its metadata
 * (20 + M bytes in), as model_io.c frames them. */
static inline unsigned char *tu_payload(const unsigned char *file, size_t *ulen)
{
    size_t sizes = 20 + get_u32(file + 16), zlen = get_u64(file + sizes + 16);
    unsigned char *raw;

    *ulen = get_u64(file + sizes + 8);
    raw = malloc(*ulen + 1);
    ck_assert_ptr_nonnull(raw);
    ck_assert_int_eq(spamlr__zunpack(file + sizes + 24, zlen, raw, *ulen), 0);
    return raw;
}

/* The file again with the payload raw[0..ulen) (the same length as the
 * one it replaces), deflated, its compressed size and CRC made right: a
 * new buffer, its size in *size. */
static inline unsigned char *tu_repack(const unsigned char *file, const unsigned char *raw,
                                       size_t ulen, size_t *size)
{
    size_t sizes = 20 + get_u32(file + 16), zlen;
    unsigned char *z = malloc(spamlr__zpack_bound(ulen)), *out;

    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(spamlr__zpack(raw, ulen, z, &zlen), 0);
    *size = sizes + 24 + zlen + 4;
    out = malloc(*size);
    ck_assert_ptr_nonnull(out);
    memcpy(out, file, sizes + 24);
    set_u64(out + sizes + 16, zlen);
    memcpy(out + sizes + 24, z, zlen);
    set_u32(out + *size - 4, spamlr__crc32(0, out, *size - 4));
    free(z);
    return out;
}

#endif
