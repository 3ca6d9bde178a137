/* tokenize.c - text -> tokens.
 *
 * What spamlr_tokenize() emits, in text order:
 *
 * Input. Any `len` bytes; nothing past len is read and no NUL terminator is
 *   assumed. Invalid UTF-8 (overlong forms, surrogates, > U+10FFFF,
 *   truncated or stray continuation bytes: each bad byte on its own) and NUL
 *   bytes are separators. Nothing is allocated: the token being built lives
 *   in a fixed buffer inside a stack frame.
 *
 * Folding, SPAMLR_FOLD_SIMPLE. Every code point is folded first
 *   (spamlr__utf8_fold): full-width ASCII U+FF01..FF5E, mathematical and
 *   enclosed Latin letters and the decimal digits of other scripts become
 *   ASCII; then simple one-to-one lower-casing (ASCII, Latin-1, Latin
 *   Extended-A/-B pairs and Additional, Greek, Cyrillic, Armenian,
 *   Georgian). "ÉCOLE" -> "école", "ＶＩＡＧＲＡ" -> "viagra". These are the
 *   0.1 tokens; models with fold 0 depend on them staying exactly so.
 *
 * Folding, SPAMLR_FOLD_NFKC (the default). Each maximal stretch of
 *   non-ASCII code points (with the ASCII letter before it when it starts
 *   with a combining mark) is folded as a whole to Unicode NFKC_Casefold
 *   (fold.c, libutf8proc): compatibility forms to their plain letters
 *   ("𝐶𝑎𝑠ℎ" -> "cash", "ﬁ" -> "fi", "ｶﾞ" -> "ガ", "㎏" -> "kg", "①" ->
 *   "1"), full case folding ("ß" -> "ss"), decomposed accents composed
 *   ("e" U+0301 -> "é"), default ignorable code points removed; "İ" is
 *   "i", "™" a separator. Then spamlr__utf8_fold (other scripts' digits to
 *   ASCII); conjoining Hangul jamo left over are CJK characters. A word
 *   holding Latin letters whose other letters are all Cyrillic or Greek
 *   look-alikes of Latin ones is written in Latin ("Рaypal" -> "paypal");
 *   a word without Latin letters is left ("сосо"). ASCII is never
 *   normalised (it only needs lower-casing), and the common letters and
 *   punctuation of CJK, Cyrillic, Greek, ... go through a fast path
 *   (spamlr__fold_quick) when nothing next to them can combine.
 *
 * Words. A word is a maximal run of letters and digits (Latin, Greek,
 *   Cyrillic, Armenian, Hebrew, Arabic, Indic, Thai, ... see utf8.c).
 *   Combining marks continue a word but never start one. Invisible format
 *   characters (soft hyphen, zero-width space and joiners, BOM, variation
 *   selectors) are skipped as if absent, so "vi<ZWSP>agra" is "viagra".
 *   Everything else separates words: spaces, punctuation (apostrophes and
 *   '_' included: "don't" -> "don" "t"), symbols, emoji.
 *
 * Numbers. A word made of digits only, with at least number_fold digits
 *   (number_fold > 0), becomes the shape token "#n<digits>" ("#n7"); shorter
 *   digit runs stay as they are; letter/digit mixes are words ("mp3").
 *
 * Length. A token longer than max_token_len bytes is dropped, not
 *   truncated; this applies to every token (words, "#n" shapes, CJK uni- and
 *   bigrams, url:, email:, currency) except word bigrams, which may be up to
 *   2 * max_token_len + 1 bytes.
 *
 * CJK. Han (URO, Ext A, Ext B.., compatibility), Hiragana, Katakana (and
 *   half-width), Bopomofo, Hangul syllables and compatibility jamo are never
 *   joined into words: each character is a token, and with cjk_bigrams each
 *   pair of adjacent CJK characters is one more, emitted right after its
 *   second character: "恭喜中奖" -> 恭 喜 恭喜 中 喜中 奖 中奖. Any non-CJK
 *   character (a space, a letter, an invalid byte; not an invisible format
 *   character, which is skipped) ends the run.
 *
 * URLs. At the start of a word, "http://" or "https://" (any case), or
 *   "www." followed by a letter or digit, starts a URL. It yields one token
 *   "url:<host>": the host is the run of ASCII letters, digits, '-' and '.'
 *   after the scheme and any "userinfo@", lower-cased, without trailing dots
 *   or a leading "www."; the port is dropped. The rest of the URL is skipped
 *   up to whitespace, a control byte, a quote (" ' `), '<', '>', ')' or any
 *   non-ASCII byte (so CJK text glued to a URL is still tokenised). Without
 *   a host ("http:// x") there is no URL and "http" is a word.
 *
 * E-mail. local@domain, where local is ASCII letters, digits and . - _ + %
 *   starting at a word start and the domain is ASCII letters, digits, '-'
 *   and '.', starts with a letter or digit and holds a '.' once trailing dots
 *   are dropped, yields "email:<domain>" (lower-cased); the local part gives
 *   no token.
 *
 * Currency. $ € £ ¥ (and their full-width forms) are tokens of their own.
 *
 * Word bigrams (ngrams = 2). After each word or number token comes the
 *   bigram "<previous> <this>" when the previous token was also a word or
 *   number. CJK, url:, email: and currency tokens, and dropped (too long)
 *   words, break the chain; separators do not.
 *
 * The callback may return non-zero to stop; spamlr_tokenize still returns
 * SPAMLR_OK.
 *
 * Speed. ASCII letters/digits and ASCII separators are handled in runs
 * (scan_alnum / scan_sep) without UTF-8 decoding; only bytes >= 0x80 go
 * through spamlr__utf8_decode. The scanners read bit masks of a 64-byte
 * block (letters/digits, letters, separators) that scan.h's classify
 * fills, with SIMD where the CPU has it (SSE2, AVX2, AVX-512BW; the choice
 * of lib/kernels, SPAMLR_SIMD), and find the end of a run with one bit
 * scan; the block also holds its bytes OR 0x20, so a word that lies in one
 * block is lower-cased by a fixed 64-byte copy. Without word bigrams and
 * sub-words, a word that starts after a separator and ends inside the
 * block before an ASCII separator takes a fast path (ascii_fast): it is
 * emitted straight from the lower-cased block, and the next word found by
 * bit scans (a fifth fewer instructions on SpamAssassin mail; the
 * tokeniser alone 459 -> 617 MB/s, tests/bench/tokbench.c); a word or a
 * separator run reaching the block's end goes on in a block classified
 * from its start (the mail path +2.3 %). The fast path takes a block's
 * words as pairs of a start bit and an end bit, lowest first, instead of
 * scanning each word's end and then its separators from where the last
 * scan stopped (the separators between two words cost nothing; 660 ->
 * 746 MB/s in tokbench, 2026-12-05). A word asks for a URL or an address
 * only where the block's link mask (scan.h) says one may start after it
 * ('@', "://", "www.", '.' '-' ... in a run of address bytes that reaches
 * an '@'), not at every '.', '-' or ':' after a word (a quarter of the
 * words of raw mail; tokbench alternated with the build before, 2026-12-05:
 * 740-748 -> 809-827 MB/s with AVX-512, 733-745 -> 771-778 with AVX2; SSE2,
 * which finds the mask's bytes with compares, the same). In the fast path
 * a word costs two bit scans, one test that is seldom true and the call:
 * the numbers to fold are found for the block at once (their end bits, by
 * a carry), the words are cut at the block's first '$' or byte >= 0x80
 * when its starts and ends are made, and the loop's state stays in
 * registers across the callback's calls (stop 42, 2026-12-06: 822 -> 1113
 * MB/s in alternated runs with the link searches' 16-byte steps of
 * links.c; tests/bench/HISTORY.md). Each version gives the same tokens,
 * and the same as the scalar one without the fast path
 * (tests/test_tokenize.c compares them).
 */
#include <string.h>

#include "common/hash.h"
#include "text/fold.h"
#include "text/links.h"
#include "text/scan.h"
#include "text/tokenize.h"
#include "text/utf8.h"

/* ------------------------------------------------------------------ state */

/* Room for a bigram of two maximal words plus the space, with slack for a
 * "#n<count>" shape written where a word starts. */
#define TOK_BUF_SIZE (2 * SPAMLR__MAX_TOKEN_LEN + 64)

typedef struct tok {
    spamlr_token_fn fn;
    void *ctx;
    size_t maxlen;           /* max_token_len */
    size_t number_fold;
    int bigrams;             /* ngrams == 2 */
    int cjk_bigrams;
    unsigned subwords;       /* character n-gram length, 0 = none */
    int nfkc;                /* fold == SPAMLR_FOLD_NFKC */
    int lookalike;           /* nfkc: the word holds a Latin look-alike */
    int stop;                /* the callback asked to stop */
    int fast;                /* plain words may take ascii_fast */
    /* the word being built, at w[0..wlen) */
    int inword;
    int toolong;             /* outgrew maxlen: no longer stored, only counted */
    int nondigit;            /* holds something other than digits */
    size_t wlen;             /* bytes */
    size_t wcps;             /* code points */
    char *w;                 /* buf, or buf + plen + 1 after a previous word */
    /* the previous word of the bigram chain, at buf[0..plen) */
    int have_prev;
    size_t plen;
    /* the previous character of the current CJK run (cjk_len 0: none) */
    size_t cjk_len;
    char cjk[4];
    spamlr__links links;     /* what the search for addresses knows (links.h) */
    /* the classified block p[bbase .. bbase + bn) (bn 0: none yet) */
    const spamlr__scan *scan;
    size_t bbase, bn;
    spamlr__scan_block blk;
    /* + slack for append_ascii's fixed 64-byte copy */
    char buf[TOK_BUF_SIZE + SPAMLR__SCAN_BLOCK];
} tok;

static void emit(tok *t, const char *s, size_t n)
{
    if (!t->stop && t->fn(t->ctx, s, n))
        t->stop = 1;
}

/* A token that breaks the bigram chain (currency, CJK, url:, email:). */
static void emit_single(tok *t, const char *s, size_t n)
{
    t->have_prev = 0;
    if (n <= t->maxlen)
        emit(t, s, n);
}

/* pre + s[0..n) lower-cased (s is ASCII host characters). No word is in
 * progress, so buf is free. */
static void emit_prefixed(tok *t, const char *pre, size_t np,
                          const unsigned char *s, size_t n)
{
    size_t k;

    t->have_prev = 0;
    if (np + n > t->maxlen)
        return;
    memcpy(t->buf, pre, np);
    /* copied whole, then lower-cased 8 bytes a step ('|' 0x20 keeps
     * digits, '-' and '.'); the steps may pass n into buf's slack */
    spamlr__copy_short(t->buf + np, (const char *)s, n);
    for (k = 0; k < n; k += 8) {
        uint64_t x;

        memcpy(&x, t->buf + np + k, 8);
        x |= 0x2020202020202020ULL;
        memcpy(t->buf + np + k, &x, 8);
    }
    emit(t, t->buf, np + n);
}

/* u[0..n) is one CJK character (folding leaves CJK unchanged, so these are
 * the input bytes); every CJK code point is >= U+3005, so n is 3 or 4 and
 * the copies below have fixed sizes. */
static void emit_cjk(tok *t, const unsigned char *u, size_t n)
{
    char b[8];

    emit_single(t, (const char *)u, n);
    if (t->cjk_bigrams && t->cjk_len) {
        memcpy(b, t->cjk, 4);
        memcpy(b + t->cjk_len, u, 3);
        if (n == 4)
            b[t->cjk_len + 3] = (char)u[3];
        emit_single(t, b, t->cjk_len + n);
    }
    memcpy(t->cjk, u, 3);
    if (n == 4)
        t->cjk[3] = (char)u[3];
    t->cjk_len = n;
}

/* ------------------------------------------------------------------ words */

static void begin_word(tok *t)
{
    t->inword = 1;
    t->toolong = 0;
    t->nondigit = 0;
    t->wlen = 0;
    t->wcps = 0;
    if (t->have_prev) {
        t->buf[t->plen] = ' ';
        t->w = t->buf + t->plen + 1;
    } else {
        t->w = t->buf;
    }
}

/* Appends the n ASCII letters/digits at p[i..] (classes OR-ed in `seen`);
 * from the classified block when they lie in it. */
static void append_ascii(tok *t, const unsigned char *p, size_t i, size_t n, unsigned seen)
{
    const unsigned char *s = p + i;
    char *w;
    size_t k, off = i - t->bbase;

    t->wcps += n;
    if (seen & SPAMLR__AC_LETTER)
        t->nondigit = 1;
    if (t->toolong)
        return;
    if (n > t->maxlen - t->wlen) {
        t->toolong = 1;
        return;
    }
    w = t->w + t->wlen;
    if (off < t->bn && n <= t->bn - off) {
        /* w + 64 stays in buf (its slack); blk.low + off + 64 in blk.low */
        memcpy(w, t->blk.low + off, SPAMLR__SCAN_BLOCK);
    } else {
        for (k = 0; k < n; k++)
            w[k] = (char)(s[k] | 0x20);     /* lower-cases letters, keeps digits */
    }
    t->wlen += n;
}

static void append_cp(tok *t, uint32_t cp, int cls)
{
    char u[4];
    size_t n = spamlr__utf8_encode(cp, u);

    t->wcps++;
    if (cls != SPAMLR__CP_DIGIT)
        t->nondigit = 1;
    if (t->toolong)
        return;
    if (n > t->maxlen - t->wlen) {
        t->toolong = 1;
        return;
    }
    memcpy(t->w + t->wlen, u, n);
    t->wlen += n;
}

/* Writes "#n<count>" at w and returns its length (at most 22). */
static size_t number_shape(char *w, size_t count)
{
    char digits[24];
    size_t n = 0, k;

    do {
        digits[n++] = (char)('0' + count % 10);
        count /= 10;
    } while (count);
    w[0] = '#';
    w[1] = 'n';
    for (k = 0; k < n; k++)
        w[2 + k] = digits[n - 1 - k];
    return 2 + n;
}

/* The character n-grams of the word at w[0..wlen) (wcps code points, more
 * than t->subwords), its ends marked '<' and '>': "cN:<gram>". */
static void emit_subwords(tok *t)
{
    uint16_t off[SPAMLR__MAX_TOKEN_LEN + 3];
    char g[3 + 6 * 4];
    size_t n = t->subwords, k = 0, i, a, b;
    const unsigned char *w = (const unsigned char *)t->w;

    g[0] = 'c';
    g[1] = (char)('0' + n);
    g[2] = ':';
    /* off[k]: where code point k of "<word>" starts in w, shifted by one for
     * the '<'; off[0] is the '<' itself */
    off[k++] = 0;
    for (i = 0; i < t->wlen; i++)
        if ((w[i] & 0xC0) != 0x80)
            off[k++] = (uint16_t)(i + 1);
    off[k++] = (uint16_t)(t->wlen + 1);   /* the '>' */
    off[k] = (uint16_t)(t->wlen + 2);
    for (i = 0; i + n <= k && !t->stop; i++) {
        size_t len = 3;

        a = off[i];
        b = off[i + n];
        if (a == 0)
            g[len++] = '<', a = 1;
        if (b == t->wlen + 2)
            b = t->wlen + 1;
        memcpy(g + len, w + a - 1, b - a);
        len += b - a;
        if (off[i + n] == t->wlen + 2)
            g[len++] = '>';
        emit(t, g, len);
    }
}
static void fold_lookalikes(tok *t);

static void end_word(tok *t)
{
    size_t n;

    if (t->lookalike)
        fold_lookalikes(t);
    t->inword = 0;
    if (!t->nondigit && t->number_fold && t->wcps >= t->number_fold) {
        t->wlen = number_shape(t->w, t->wcps);
        t->toolong = t->wlen > t->maxlen;
    }
    if (t->toolong) {
        t->have_prev = 0;
        return;
    }
    emit(t, t->w, t->wlen);
    if (t->subwords && t->nondigit && t->wcps > t->subwords)
        emit_subwords(t);
    if (!t->bigrams)
        return;
    if (t->have_prev) {
        n = t->plen + 1 + t->wlen;
        if (n <= 2 * t->maxlen + 1)
            emit(t, t->buf, n);
    }
    if (t->w != t->buf)
        memmove(t->buf, t->w, t->wlen);
    t->plen = t->wlen;
    t->have_prev = 1;
}

/* ------------------------------------------------------- run scanners */

/* Classifies the block p[i .. i + 64) (or up to len). */
static void block_at(tok *t, const unsigned char *p, size_t len, size_t i)
{
    size_t n = len - i;

    if (n > SPAMLR__SCAN_BLOCK)
        n = SPAMLR__SCAN_BLOCK;
    t->scan->classify(p + i, n, &t->blk);
    t->bbase = i;
    t->bn = n;
}

/* End of the run of ASCII letters/digits starting at i; ORs their classes
 * into *seen. In a block of bn < 64 bytes (the last one) the bits past bn
 * are not letters/digits, so the run stops at len; in a whole block with
 * no stop, the run goes on in the next block. */
static size_t scan_alnum(tok *t, const unsigned char *p, size_t i, size_t len,
                         unsigned *seen)
{
    for (;;) {
        size_t off = i - t->bbase;     /* huge when i < bbase */
        uint64_t m, run;

        if (off >= t->bn) {
            if (i >= len)
                return i;
            block_at(t, p, len, i);
            off = 0;
        }
        m = ~t->blk.alnum >> off;
        run = m ? (m & (0 - m)) - 1 : ~(uint64_t)0;
        if ((t->blk.letter >> off) & run)
            *seen |= SPAMLR__AC_LETTER;
        if (m)
            return i + spamlr__ctz64(m);
        i = t->bbase + t->bn;
    }
}

/* End of the run of ASCII separators starting at i. */
static size_t scan_sep(tok *t, const unsigned char *p, size_t i, size_t len)
{
    for (;;) {
        size_t off = i - t->bbase;
        uint64_t m;

        if (off >= t->bn) {
            if (i >= len)
                return i;
            block_at(t, p, len, i);
            off = 0;
        }
        m = ~t->blk.sep >> off;
        if (m)
            return i + spamlr__ctz64(m);
        i = t->bbase + t->bn;
    }
}

/* ----------------------------------------------------------- URL, e-mail */

/* A URL or an address at the word start s (its letters and digits end at
 * e < len, where spamlr__link_may says one may start): emits its token and
 * returns its end; else returns s. */
static size_t link_token(tok *t, const unsigned char *p, size_t len, size_t s, size_t e)
{
    const char *pre;
    size_t from, n, r = spamlr__link_at(&t->links, p, len, s, e, &pre, &from, &n);

    if (r != s)
        emit_prefixed(t, pre, strlen(pre), p + from, n);
    return r;
}

/* ------------------------------------------------------------- main loop */

/* p[i] is an ASCII letter or digit. */
static size_t ascii_word(tok *t, const unsigned char *p, size_t len, size_t i)
{
    unsigned seen = 0;
    size_t e, r;
    int start = !t->inword;

    t->cjk_len = 0;
    /* p[i] is a letter or digit: the scan starts after it (so the loop
     * in run() always moves on) */
    seen = spamlr__ascii_class[p[i]] & SPAMLR__AC_LETTER;
    e = scan_alnum(t, p, i + 1, len, &seen);
    if (start && e < len && spamlr__link_may(&t->links, p, i, e) &&
        (r = link_token(t, p, len, i, e)) != i)
        return r;
    if (start)
        begin_word(t);
    append_ascii(t, p, i, e - i, seen);
    return e;
}

/* One folded code point cp of class cls (SPAMLR__CP_OTHER for an invalid
 * byte); u[0..n) is its UTF-8 (for a CJK character). */
static void put_cp(tok *t, uint32_t cp, int cls, const unsigned char *u,
                   size_t n)
{
    char c[4];

    switch (cls) {
    case SPAMLR__CP_LETTER:
    case SPAMLR__CP_DIGIT:
        t->cjk_len = 0;
        if (!t->inword)
            begin_word(t);
        append_cp(t, cp, cls);
        break;
    case SPAMLR__CP_MARK:
        t->cjk_len = 0;
        if (t->inword)
            append_cp(t, cp, cls);
        break;
    case SPAMLR__CP_IGNORE:
        break;
    case SPAMLR__CP_CJK:
        if (t->inword)
            end_word(t);
        emit_cjk(t, u, n);
        break;
    case SPAMLR__CP_CURRENCY:
        if (t->inword)
            end_word(t);
        t->cjk_len = 0;
        emit_single(t, c, spamlr__utf8_encode(cp, c));
        break;
    default:
        if (t->inword)
            end_word(t);
        t->cjk_len = 0;
        break;
    }
}

/* The word ends, and it holds a look-alike: Latin it becomes, when all its
 * other letters are Latin (fold.h). */
static void fold_lookalikes(tok *t)
{
    t->lookalike = 0;
    if (!t->toolong)
        t->wlen = spamlr__fold_lookalikes(t->w, t->wlen);
}

/* The fast path of utf8_nfkc() from p[i]: a code point whose fold
 * spamlr__fold_quick() knows goes straight to the word when what follows
 * it is ASCII, the end, or such a code point too. Returns where the code
 * points it took end (i: none). */
static size_t utf8_quick(tok *t, const unsigned char *p, size_t len, size_t i)
{
    uint32_t cp, f, next = 0, g = 0;
    size_t n = spamlr__utf8_decode(p + i, len - i, &cp), m = 0;
    int cls;

    f = cp == SPAMLR__UTF8_BAD ? 0 : spamlr__fold_quick(cp);
    while (f) {
        if (i + n < len && p[i + n] >= 0x80) {
            m = spamlr__utf8_decode(p + i + n, len - i - n, &next);
            if (next == SPAMLR__UTF8_BAD || !(g = spamlr__fold_quick(next)))
                break;
        } else {
            g = 0;          /* ASCII or the end: the loop stops after cp */
        }
        cls = spamlr__utf8_class(f);
        put_cp(t, f, cls, p + i, n);    /* f == cp when cls is CJK */
        if (cls == SPAMLR__CP_LETTER && spamlr__fold_lookalike(f))
            t->lookalike = 1;
        i += n;
        n = m;
        f = g;
    }
    return i;
}

/* SPAMLR_FOLD_NFKC, p[i] >= 0x80: the stretch of non-ASCII code points
 * from i (or one invalid byte), folded to NFKC_Casefold as a whole, then
 * each code point through spamlr__utf8_fold (other scripts' digits);
 * Hangul jamo stay one token each, as in SPAMLR_FOLD_SIMPLE. An
 * ASCII letter just before a combining mark is taken back from the word
 * and folded with it ("e" U+0301 -> "é"); ASCII after the stretch never
 * combines with it. */
static size_t utf8_nfkc(tok *t, const unsigned char *p, size_t len, size_t i)
{
    uint32_t cps[SPAMLR__FOLD_CAP], cp;
    unsigned char u[4];
    size_t e, s = i, n, k;
    int cls;

    if ((k = utf8_quick(t, p, len, i)) > i)
        return k;
    if (!(e = spamlr__fold_span(p + i, len - i))) {
        put_cp(t, SPAMLR__UTF8_BAD, SPAMLR__CP_OTHER, NULL, 0);
        return i + 1;
    }
    e += i;
    if (t->inword && i > 0 && (spamlr__ascii_class[p[i - 1]] & SPAMLR__AC_LETTER)) {
        spamlr__utf8_decode(p + i, len - i, &cp);
        if (spamlr__fold_attaches(cp)) {
            s = i - 1;
            t->wcps--;
            if (!t->toolong)
                t->wlen--;
        }
    }
    while (s < e && !t->stop) {
        s += spamlr__fold_nfkc(p + s, e - s, cps, &n);
        for (k = 0; k < n; k++) {
            cp = spamlr__utf8_fold(cps[k]);
            cls = spamlr__utf8_class(cp);
            if (cp - 0x1100u < 0x100u)  /* conjoining jamo left over (the */
                cls = SPAMLR__CP_CJK;   /* fold of compatibility jamo) */
            put_cp(t, cp, cls, u, cls == SPAMLR__CP_CJK ?
                   spamlr__utf8_encode(cp, (char *)u) : 0);
            if (cls == SPAMLR__CP_LETTER && spamlr__fold_lookalike(cp))
                t->lookalike = 1;
        }
    }
    return e;
}

/* p[i] >= 0x80: one code point (or one invalid byte). */
static size_t utf8_char(tok *t, const unsigned char *p, size_t len, size_t i)
{
    uint32_t cp;
    size_t n;
    int cls = SPAMLR__CP_OTHER;

    if (t->nfkc)
        return utf8_nfkc(t, p, len, i);
    n = spamlr__utf8_decode(p + i, len - i, &cp);
    if (cp != SPAMLR__UTF8_BAD) {
        cp = spamlr__utf8_fold(cp);
        cls = spamlr__utf8_class(cp);
    }
    put_cp(t, cp, cls, p + i, n);
    return i + n;
}

/* Whether bit i of mask m is set, i in the classified block. */
static inline int block_bit(const tok *t, uint64_t m, size_t i)
{
    size_t off = i - t->bbase;   /* huge when i < bbase */

    return off < t->bn && ((m >> off) & 1);
}

/* The fast path of ASCII words (no word bigrams, no sub-words): from a
 * word start at p[i] (no word in progress), the words followed by an
 * ASCII separator, found and lower-cased from the classified block's
 * masks and emitted from blk.low, a word a pair of bit scans (its start
 * and its end among the block's starts and ends), the separator runs
 * between them skipped with no scan of their own; a URL or an e-mail address starting at one of them
 * is taken as ascii_word takes it. A word or a separator run that reaches
 * the block's end goes on in a block classified from where it starts (the
 * blocks overlap), so that block edges cost a classification and not a
 * word in the general path. It stops, leaving the state as the general
 * path would, at a word of 64 bytes or more, a word that ends the text or
 * is followed by '$' or a byte >= 0x80, at such a byte, and after a URL
 * or an address. Returns where it stopped (i: at once). */
static size_t ascii_fast(tok *t, const unsigned char *p, size_t len, size_t i)
{
    /* the shortest number folded, 65 (none: a word here is under 64
     * bytes) for number_fold 0 */
    size_t nf = t->number_fold && t->number_fold < 65 ? t->number_fold : 65;
    spamlr_token_fn fn = t->fn;
    void *ctx = t->ctx;
    size_t maxlen = t->maxlen, base = 0, bn, e = 0;

    t->cjk_len = 0;         /* p[i] is a letter or digit: as ascii_word would */
    for (;;) {
        size_t off = i - t->bbase, lim, s, r;
        uint64_t m, alnum, keep, starts, ends, nums, link;

        if (off >= t->bn) {     /* past the block (or before it) */
            if (i >= len)
                return i;
            block_at(t, p, len, i);
            off = 0;
        }
        if (!((t->blk.alnum >> off) & 1)) {
            if (!((t->blk.sep >> off) & 1))
                return i;       /* '$' or a byte >= 0x80: the general path's */
            m = ~t->blk.sep >> off;
            i = m ? i + spamlr__ctz64(m) : t->bbase + t->bn;  /* the separators */
            continue;
        }
        /* A word starts at off: the block's words from there, as pairs of
         * a start bit (a letter or digit after none) and an end bit (the
         * byte after the word), taken lowest first; lim is the first byte
         * from off that is neither (a '$' or a byte >= 0x80), where the
         * general path takes over. */
        bn = t->bn;
        keep = spamlr__scan_first(bn) & ~spamlr__scan_first(off);
        alnum = t->blk.alnum;
        m = ~(alnum | t->blk.sep) & keep;
        lim = m ? spamlr__ctz64(m) : bn;
        /* only the words before lim: one that runs into it has no end bit
         * and goes where a word reaching the block's end goes */
        keep &= spamlr__scan_first(lim);
        starts = ((alnum & ~(alnum << 1)) | ((uint64_t)1 << off)) & keep;
        ends = ~alnum & (alnum << 1) & keep;
        /* the ends of the words without a letter (numbers): adding a
         * run's letters to it carries into its end bit, so a run with a
         * letter has its end bit set in the sum (runs cut at off) */
        nums = ends & ~((alnum & keep) + (t->blk.letter & keep));
        /* what the loop reads of t, in registers across the callback's
         * calls (a call could change t for all the compiler knows); t->stop
         * is 0 here, and the loop returns as soon as the callback asks */
        base = t->bbase;
        link = t->blk.link;
        for (;;) {
            if (!starts) {      /* separators (or lim) to the block's end */
                if (lim < bn)
                    return base + lim;
                i = base + bn;
                break;
            }
            s = spamlr__ctz64(starts);
            i = base + s;
            if (!ends) {        /* the word reaches lim or the block's end */
                if (lim < bn || s == 0 || base + bn >= len)
                    return i;   /* '$' or a byte >= 0x80 right after it, 64
                                 * bytes or more, or the text's last word */
                block_at(t, p, len, i);
                break;
            }
            e = spamlr__ctz64(ends);
            if (((link >> e) & 1) && spamlr__link_may(&t->links, p, i, base + e) &&
                (r = link_token(t, p, len, i, base + e)) != i)
                return r;       /* (no link found: nothing emitted, t as it was) */
            /* a number to fold: one without a letter and long enough,
             * tested without a branch on each (a fifth of words are
             * numbers, at random: the branches mispredicted) */
            if (SPAMLR__UNLIKELY((nums >> e) & (((uint64_t)nf - 1 - (e - s)) >> 63))) {
                size_t k = number_shape(t->buf, e - s);

                if (k <= maxlen && fn(ctx, t->buf, k))
                    goto stop;
            } else if (e - s <= maxlen && fn(ctx, (const char *)t->blk.low + s, e - s)) {
                goto stop;
            }
            starts &= starts - 1;
            ends &= ends - 1;
        }
    }
stop:
    t->stop = 1;
    return base + e;
}

static void run(tok *t, const unsigned char *p, size_t len)
{
    size_t i = 0;

    while (i < len && !t->stop) {
        unsigned k = spamlr__ascii_class[p[i]];

        if (k & SPAMLR__AC_ALNUM) {
            if (t->fast && !t->inword) {
                size_t j = ascii_fast(t, p, len, i);

                if (j != i) {
                    i = j;
                    continue;
                }
            }
            i = ascii_word(t, p, len, i);
            /* mostly a plain separator follows: the block's mask says so
             * without looking the byte up */
            if (t->stop || !block_bit(t, t->blk.sep, i))
                continue;
            k = SPAMLR__AC_SEP;
        } else if (p[i] >= 0x80) {
            i = utf8_char(t, p, len, i);
            continue;
        }
        t->cjk_len = 0;
        if (t->inword)
            end_word(t);
        if (k & SPAMLR__AC_DOLLAR)
            emit_single(t, "$", 1);
        i = scan_sep(t, p, i + 1, len);
    }
    if (t->inword)
        end_word(t);
}

/* ---------------------------------------------------------------- public */

void spamlr_text_opts_init(spamlr_text_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->version = SPAMLR_OPTS_VERSION;
    o->ngrams = 1;
    o->max_token_len = 40;
    o->number_fold = 5;
    o->cjk_bigrams = 1;
    o->features = SPAMLR_FEAT_TFIDF;
    o->normalize = 1;
    o->mime = 1;
    o->header_fields = SPAMLR_HDR_DEFAULT;
    o->fold = SPAMLR_FOLD_NFKC;
    o->idf_power = spamlr__idf_power(0);
}

/* Whether a and b tokenise alike and give the same feature values. */
int spamlr__text_opts_equal(const spamlr_text_opts *a, const spamlr_text_opts *b)
{
    return a->ngrams == b->ngrams && a->max_token_len == b->max_token_len &&
           a->number_fold == b->number_fold && a->cjk_bigrams == b->cjk_bigrams &&
           a->features == b->features && a->normalize == b->normalize && a->mime == b->mime &&
           a->header_fields == b->header_fields && a->fold == b->fold &&
           a->subwords == b->subwords &&
           spamlr__idf_power(a->idf_power) == spamlr__idf_power(b->idf_power);
}

int spamlr__text_opts_check(const spamlr_text_opts *o)
{
    /* older versions have every field (none was added since 1) */
    if (o->version < 1 || o->version > SPAMLR_OPTS_VERSION)
        return SPAMLR_EINVAL;
    if (o->ngrams < 1 || o->ngrams > 2)
        return SPAMLR_EINVAL;
    if (o->max_token_len < 1 || o->max_token_len > SPAMLR__MAX_TOKEN_LEN)
        return SPAMLR_EINVAL;
    if (o->features > SPAMLR_FEAT_TFIDF)
        return SPAMLR_EINVAL;
    if (o->fold > SPAMLR_FOLD_NFKC || (o->subwords && (o->subwords < 3 || o->subwords > 6)) ||
        o->idf_power > 4)
        return SPAMLR_EINVAL;
    if (o->cjk_bigrams > 1 || o->normalize > 1 || o->mime > 1 ||
        (o->header_fields & ~(unsigned)(SPAMLR_HDR_ALL | SPAMLR_HDR_RECEIVED_ORIGIN)))
        return SPAMLR_EINVAL;
    return SPAMLR_OK;
}

static int tokenize(const spamlr__scan *scan, const spamlr_text_opts *o, const char *text,
                    size_t len, spamlr_token_fn fn, void *ctx, int fast)
{
    spamlr_text_opts def;
    tok t;

    if (!o) {
        spamlr_text_opts_init(&def);
        o = &def;
    }
    if (spamlr__text_opts_check(o) != SPAMLR_OK || !fn || (!text && len))
        return SPAMLR_EINVAL;
    t.fn = fn;
    t.ctx = ctx;
    t.maxlen = o->max_token_len;
    t.number_fold = o->number_fold;
    t.bigrams = o->ngrams == 2;
    t.cjk_bigrams = o->cjk_bigrams != 0;
    t.subwords = o->subwords;
    t.fast = fast && !t.bigrams && !t.subwords;
    t.nfkc = o->fold == SPAMLR_FOLD_NFKC;
    t.lookalike = 0;
    t.stop = 0;
    t.inword = 0;
    t.toolong = 0;
    t.nondigit = 0;
    t.wlen = 0;
    t.wcps = 0;
    t.w = t.buf;
    t.have_prev = 0;
    t.plen = 0;
    t.cjk_len = 0;
    spamlr__links_init(&t.links);
    t.scan = scan;
    t.bbase = 0;
    t.bn = 0;
    memset(t.blk.low + SPAMLR__SCAN_BLOCK, 0, SPAMLR__SCAN_BLOCK);
    if (len)
        run(&t, (const unsigned char *)text, len);
    return SPAMLR_OK;
}

int spamlr__tokenize_with(const spamlr__scan *scan, const spamlr_text_opts *o,
                          const char *text, size_t len, spamlr_token_fn fn, void *ctx)
{
    return tokenize(scan, o, text, len, fn, ctx, 1);
}

int spamlr__tokenize_general(const spamlr__scan *scan, const spamlr_text_opts *o,
                             const char *text, size_t len, spamlr_token_fn fn, void *ctx)
{
    return tokenize(scan, o, text, len, fn, ctx, 0);
}

int spamlr_tokenize(const spamlr_text_opts *o, const char *text, size_t len,
                    spamlr_token_fn fn, void *ctx)
{
    return spamlr__tokenize_with(spamlr__scan_get(), o, text, len, fn, ctx);
}
