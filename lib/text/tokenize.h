/* tokenize.h - text -> tokens (the public spamlr_tokenize() lives in
 * tokenize.c; this header holds what other modules share with it). */
#ifndef SPAMLR_TOKENIZE_H
#define SPAMLR_TOKENIZE_H

#include "common/common.h"

/* Largest accepted spamlr_text_opts.max_token_len, in bytes. */
#define SPAMLR__MAX_TOKEN_LEN SPAMLR_MAX_TOKEN_LEN

/* Checks text options as spamlr_tokenize() does: version ==
 * SPAMLR_OPTS_VERSION, ngrams 1 or 2, max_token_len 1..SPAMLR__MAX_TOKEN_LEN,
 * features 0..2, cjk_bigrams, normalize and mime 0 or 1. o must not be
 * NULL. Returns SPAMLR_OK or SPAMLR_EINVAL. Thread-safe. */
int spamlr__text_opts_check(const spamlr_text_opts *o);

struct spamlr__scan;

/* spamlr_tokenize() with the byte classifier `scan` (scan.h) instead of
 * the one chosen for this CPU: for tests comparing every version, which
 * must give the same tokens. scan must be one this CPU runs. */
int spamlr__tokenize_with(const struct spamlr__scan *scan, const spamlr_text_opts *o,
                          const char *text, size_t len, spamlr_token_fn fn, void *ctx);

/* spamlr__tokenize_with without the fast path of plain ASCII words (every
 * word through the general one): for tests, which compare the two. */
int spamlr__tokenize_general(const struct spamlr__scan *scan, const spamlr_text_opts *o,
                             const char *text, size_t len, spamlr_token_fn fn, void *ctx);

/* spamlr_text_opts.idf_power with 0 read as the default, 2. */
static inline unsigned spamlr__idf_power(unsigned p)
{
    return p ? p : 2u;
}

/* Whether two text options tokenise alike and give the same feature
 * values (every field but version and reserved). */
int spamlr__text_opts_equal(const spamlr_text_opts *a, const spamlr_text_opts *b);

#endif
