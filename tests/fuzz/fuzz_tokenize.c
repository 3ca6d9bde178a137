/* fuzz_tokenize.c - spamlr_tokenize on any bytes. The first two bytes pick
 * the options (n-grams, maximum token length, number folding, CJK
 * bigrams, the fold); every token must be non-empty, no longer than the
 * documented maximum, be valid UTF-8 and hold no NUL; and the tokens must
 * be those of the general path with the scalar byte classifier (the fast
 * path of ASCII words and the SIMD classifiers change the speed only). */
#include <string.h>

#include "fuzz.h"
#include "spamlr.h"
#include "text/scan.h"
#include "text/tokenize.h"

typedef struct tctx {
    const spamlr_text_opts *o;
    size_t n;
    char *rec;              /* the tokens, each as its length and bytes */
    size_t len, cap;
    int failed;             /* out of memory recording */
} tctx;

static void record(tctx *c, const char *tok, size_t len)
{
    if (c->failed)
        return;
    if (c->len + len + sizeof len > c->cap) {
        size_t cap = 2 * (c->len + len + sizeof len) + 256;
        char *p = realloc(c->rec, cap);
        if (!p) {
            c->failed = 1;
            return;
        }
        c->rec = p;
        c->cap = cap;
    }
    memcpy(c->rec + c->len, &len, sizeof len);
    memcpy(c->rec + c->len + sizeof len, tok, len);
    c->len += len + sizeof len;
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], k, cp;
        if (c < 0x80) {
            if (c == 0)
                return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (i + k + 1 > n)
            return 0;
        for (unsigned j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int check_tok(void *ctx, const char *tok, size_t len)
{
    tctx *c = ctx;
    size_t max = c->o->max_token_len;

    if (len == 0 || !tok)
        abort();
    /* documented: longer tokens are dropped; a word bigram "a b" may be
     * up to 2 * max + 1 bytes */
    if (len > (c->o->ngrams > 1 ? 2 * max + 1 : max))
        abort();
    if (!valid_utf8((const unsigned char *)tok, len))
        abort();
    c->n++;
    record(c, tok, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_text_opts o;
    tctx c, g;
    char *text;

    if (size < 2)
        return 0;
    spamlr_text_opts_init(&o);
    o.ngrams = (data[0] & 1) ? 2 : 1;
    o.cjk_bigrams = (data[0] >> 1) & 1;
    o.number_fold = (data[0] >> 2) & 7;
    o.max_token_len = 1 + (unsigned)data[1] * 4; /* 1 .. 1021 */
    o.fold = (data[0] >> 5) & 1 ? SPAMLR_FOLD_SIMPLE : SPAMLR_FOLD_NFKC;
    memset(&c, 0, sizeof c);
    c.o = &o;
    g = c;
    if (!(text = fuzz_copy(data + 2, size - 2)))
        return 0;
    if (spamlr_tokenize(&o, text, size - 2, check_tok, &c) != SPAMLR_OK)
        abort();
    if (spamlr__tokenize_general(&spamlr__scan_scalar, &o, text, size - 2, check_tok, &g) !=
        SPAMLR_OK)
        abort();
    if (!c.failed && !g.failed && (c.len != g.len || (c.len && memcmp(c.rec, g.rec, c.len))))
        abort(); /* the fast path or a SIMD classifier changed the tokens */
    free(c.rec);
    free(g.rec);
    free(text);
    return 0;
}
