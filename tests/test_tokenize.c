/* test_tokenize.c - Check suite for the UTF-8 helpers and the tokenizer.
 *
 * Every expectation tokenises a copy of its input in a buffer malloc'ed to
 * exactly the input's length, so a run under valgrind or ASan also proves
 * that nothing past `len` is read. */
#define _DEFAULT_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spamlr.h"
#include "text/fold.h"
#include "text/links.h"
#include "text/scan.h"
#include "text/tokenize.h"
#include "text/utf8.h"

/* ---------------------------------------------------------------- helpers */

/* ck_assert() reports every passing check to the parent process; in hot
 * loops only a failure may cost anything. */
#define REQUIRE(cond, ...)                                                    \
    do {                                                                      \
        if (!(cond))                                                          \
            ck_abort_msg("'" #cond "' failed: " __VA_ARGS__);                 \
    } while (0)

typedef struct toklist {
    char **v;
    size_t n, cap;
    size_t stop_after;  /* 0: never stop */
} toklist;

static int collect(void *ctx, const char *tok, size_t len)
{
    toklist *l = ctx;
    char *s;

    if (l->n == l->cap) {
        size_t ncap = l->cap ? 2 * l->cap : 16;
        char **nv = realloc(l->v, ncap * sizeof *nv);

        ck_assert_ptr_nonnull(nv);
        l->v = nv;
        l->cap = ncap;
    }
    s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, tok, len);
    s[len] = '\0';
    l->v[l->n++] = s;
    return l->stop_after && l->n >= l->stop_after;
}

static void toklist_free(toklist *l)
{
    size_t k;

    for (k = 0; k < l->n; k++)
        free(l->v[k]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A copy of text[0..len) in a buffer of exactly len bytes (1 when len is
 * 0, so that the pointer is never NULL). */
static char *exact_copy(const char *text, size_t len)
{
    char *b = malloc(len ? len : 1);

    ck_assert_ptr_nonnull(b);
    if (len)
        memcpy(b, text, len);
    return b;
}

static void append(char *dst, size_t size, const char *s)
{
    size_t n = strlen(dst);

    snprintf(dst + n, size - n, "%s", s);
}

static void describe(char *dst, size_t size, char *const *v, size_t n)
{
    size_t k;

    dst[0] = '\0';
    for (k = 0; k < n; k++) {
        append(dst, size, k ? " | " : "");
        append(dst, size, v[k]);
    }
}

static void expect_one(int line, const spamlr_text_opts *o, const char *text,
                       size_t len, const char *const *want);

/* Tokenises text[0..len) with o and checks the exact list want (NULL
 * terminated). o NULL: the defaults (fold NFKC) and the same with fold
 * SIMPLE must both give want, so every such line also pins the 0.1
 * tokens; where the two differ, a test names each. */
static void expect_at(int line, const spamlr_text_opts *o, const char *text,
                      size_t len, const char *const *want)
{
    spamlr_text_opts simple;

    expect_one(line, o, text, len, want);
    if (!o) {
        spamlr_text_opts_init(&simple);
        simple.fold = SPAMLR_FOLD_SIMPLE;
        expect_one(line, &simple, text, len, want);
    }
}

static void expect_one(int line, const spamlr_text_opts *o, const char *text,
                       size_t len, const char *const *want)
{
    toklist l = {0};
    char *buf = exact_copy(text, len);
    size_t nw = 0, k;
    int rc, same;

    rc = spamlr_tokenize(o, buf, len, collect, &l);
    ck_assert_msg(rc == SPAMLR_OK, "line %d: spamlr_tokenize returned %d", line, rc);
    while (want[nw])
        nw++;
    same = nw == l.n;
    for (k = 0; same && k < nw; k++)
        same = strcmp(want[k], l.v[k]) == 0;
    if (!same) {
        static char got[8192], exp[8192];

        describe(got, sizeof got, l.v, l.n);
        describe(exp, sizeof exp, (char *const *)want, nw);
        ck_abort_msg("line %d (fold %s):\n  want [%s]\n  got  [%s]", line,
                     o && o->fold == SPAMLR_FOLD_SIMPLE ? "simple" : "nfkc", exp, got);
    }
    toklist_free(&l);
    free(buf);
}

#define EXPECT(o, text, ...)                                                  \
    expect_at(__LINE__, (o), (text), sizeof(text) - 1,                      \
              (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_NONE(o, text)                                                  \
    expect_at(__LINE__, (o), (text), sizeof(text) - 1, (const char *const[]){NULL})

static spamlr_text_opts opts(void)
{
    spamlr_text_opts o;

    spamlr_text_opts_init(&o);
    return o;
}

static spamlr_text_opts opts_fold(unsigned fold)
{
    spamlr_text_opts o = opts();

    o.fold = fold;
    return o;
}

/* xorshift64*, fixed seed: the random tests are reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static int count_cb(void *ctx, const char *tok, size_t len)
{
    (void)tok;
    (void)len;
    ++*(size_t *)ctx;
    return 0;
}

/* ------------------------------------------------------------------ UTF-8 */

START_TEST(utf8_roundtrip_all)
{
    uint32_t cp, back;
    char b[4];
    size_t n;

    for (cp = 0; cp <= 0x10FFFF; cp++) {
        n = spamlr__utf8_encode(cp, b);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            REQUIRE(n == 0, "U+%04X", (unsigned)cp);
            continue;
        }
        REQUIRE(n == (cp < 0x80 ? 1u : cp < 0x800 ? 2u : cp < 0x10000 ? 3u : 4u),
                "U+%04X", (unsigned)cp);
        REQUIRE(spamlr__utf8_decode((const unsigned char *)b, n, &back) == n && back == cp,
                "U+%04X", (unsigned)cp);
        /* one byte short is invalid and consumes one byte */
        if (n > 1)
            REQUIRE(spamlr__utf8_decode((const unsigned char *)b, n - 1, &back) == 1 &&
                    back == SPAMLR__UTF8_BAD, "U+%04X", (unsigned)cp);
    }
    ck_assert_uint_eq(spamlr__utf8_encode(0x110000, b), 0);
}
END_TEST

START_TEST(utf8_decode_invalid)
{
    static const char *const bad[] = {
        "\xC0\x80", "\xC1\xBF", "\x80", "\xBF", "\xE0\x80\xAF", "\xED\xA0\x80",
        "\xED\xBF\xBF", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
        "\xFF", "\xFE", "\xC3\x28", "\xE4\xB8\x28", "\xF0\x9F\x98\x28",
    };
    size_t k;
    uint32_t cp;

    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_uint_eq(spamlr__utf8_decode((const unsigned char *)bad[k],
                                              strlen(bad[k]), &cp), 1);
        ck_assert_msg(cp == SPAMLR__UTF8_BAD, "case %zu", k);
        ck_assert(!spamlr__utf8_valid(bad[k], strlen(bad[k])));
    }
    ck_assert(spamlr__utf8_valid("", 0));
    ck_assert(spamlr__utf8_valid("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", 10));
    ck_assert(!spamlr__utf8_valid("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", 9));
}
END_TEST

START_TEST(utf8_classes_and_case)
{
    uint32_t cp, f;

    ck_assert_int_eq(spamlr__utf8_class('a'), SPAMLR__CP_LETTER);
    ck_assert_int_eq(spamlr__utf8_class('7'), SPAMLR__CP_DIGIT);
    ck_assert_int_eq(spamlr__utf8_class(' '), SPAMLR__CP_OTHER);
    ck_assert_int_eq(spamlr__utf8_class('$'), SPAMLR__CP_CURRENCY);
    ck_assert_int_eq(spamlr__utf8_class(0x20AC), SPAMLR__CP_CURRENCY);
    ck_assert_int_eq(spamlr__utf8_class(0xE9), SPAMLR__CP_LETTER);      /* é */
    ck_assert_int_eq(spamlr__utf8_class(0xD7), SPAMLR__CP_OTHER);       /* × */
    ck_assert_int_eq(spamlr__utf8_class(0x0436), SPAMLR__CP_LETTER);    /* ж */
    ck_assert_int_eq(spamlr__utf8_class(0x05D0), SPAMLR__CP_LETTER);    /* א */
    ck_assert_int_eq(spamlr__utf8_class(0x0627), SPAMLR__CP_LETTER);    /* ا */
    ck_assert_int_eq(spamlr__utf8_class(0x0E01), SPAMLR__CP_LETTER);    /* ก */
    ck_assert_int_eq(spamlr__utf8_class(0x0301), SPAMLR__CP_MARK);
    ck_assert_int_eq(spamlr__utf8_class(0x4E2D), SPAMLR__CP_CJK);       /* 中 */
    ck_assert_int_eq(spamlr__utf8_class(0x3400), SPAMLR__CP_CJK);       /* Ext A */
    ck_assert_int_eq(spamlr__utf8_class(0x20000), SPAMLR__CP_CJK);      /* Ext B */
    ck_assert_int_eq(spamlr__utf8_class(0xF900), SPAMLR__CP_CJK);
    ck_assert_int_eq(spamlr__utf8_class(0x3042), SPAMLR__CP_CJK);       /* あ */
    ck_assert_int_eq(spamlr__utf8_class(0x30AB), SPAMLR__CP_CJK);       /* カ */
    ck_assert_int_eq(spamlr__utf8_class(0x30FB), SPAMLR__CP_OTHER);     /* ・ */
    ck_assert_int_eq(spamlr__utf8_class(0xFF76), SPAMLR__CP_CJK);       /* ｶ */
    ck_assert_int_eq(spamlr__utf8_class(0xD55C), SPAMLR__CP_CJK);       /* 한 */
    ck_assert_int_eq(spamlr__utf8_class(0x3002), SPAMLR__CP_OTHER);     /* 。 */
    ck_assert_int_eq(spamlr__utf8_class(0x1F600), SPAMLR__CP_OTHER);    /* emoji */
    ck_assert_int_eq(spamlr__utf8_class(0x200B), SPAMLR__CP_IGNORE);
    ck_assert_int_eq(spamlr__utf8_class(SPAMLR__UTF8_BAD), SPAMLR__CP_OTHER);

    ck_assert_uint_eq(spamlr__utf8_lower('Q'), 'q');
    ck_assert_uint_eq(spamlr__utf8_lower(0xC9), 0xE9);      /* É */
    ck_assert_uint_eq(spamlr__utf8_lower(0xDF), 0xDF);      /* ß */
    ck_assert_uint_eq(spamlr__utf8_lower(0x178), 0xFF);     /* Ÿ */
    ck_assert_uint_eq(spamlr__utf8_lower(0x141), 0x142);    /* Ł */
    ck_assert_uint_eq(spamlr__utf8_lower(0x179), 0x17A);    /* Ź */
    ck_assert_uint_eq(spamlr__utf8_lower(0x218), 0x219);    /* Ș */
    ck_assert_uint_eq(spamlr__utf8_lower(0x3A3), 0x3C3);    /* Σ */
    ck_assert_uint_eq(spamlr__utf8_lower(0x38F), 0x3CE);    /* Ώ */
    ck_assert_uint_eq(spamlr__utf8_lower(0x401), 0x451);    /* Ё */
    ck_assert_uint_eq(spamlr__utf8_lower(0x42F), 0x44F);    /* Я */
    ck_assert_uint_eq(spamlr__utf8_lower(0x490), 0x491);    /* Ґ */
    ck_assert_uint_eq(spamlr__utf8_lower(0x1EA0), 0x1EA1);  /* Ạ */
    ck_assert_uint_eq(spamlr__utf8_fold(0xFF21), 'a');      /* Ａ */
    ck_assert_uint_eq(spamlr__utf8_fold(0xFF19), '9');      /* ９ */
    ck_assert_uint_eq(spamlr__utf8_fold(0x0663), '3');      /* ٣ */
    ck_assert_uint_eq(spamlr__utf8_fold(0x1D41A), 'a');     /* 𝐚 */

    /* folding is idempotent, keeps letters letters, and lower-cases no
     * upper-case ASCII out of anything */
    for (cp = 0; cp <= 0x10FFFF; cp++) {
        f = spamlr__utf8_fold(cp);
        REQUIRE(spamlr__utf8_fold(f) == f, "U+%04X", (unsigned)cp);
        if (spamlr__utf8_class(cp) == SPAMLR__CP_LETTER)
            REQUIRE(spamlr__utf8_class(f) == SPAMLR__CP_LETTER, "U+%04X", (unsigned)cp);
        REQUIRE(!(f >= 'A' && f <= 'Z'), "U+%04X", (unsigned)cp);
    }
}
END_TEST

/* -------------------------------------------------------------- tokenizer */

START_TEST(opts_defaults)
{
    spamlr_text_opts o;
    size_t k;

    memset(&o, 0xAB, sizeof o);
    spamlr_text_opts_init(&o);
    ck_assert_uint_eq(o.version, SPAMLR_OPTS_VERSION);
    ck_assert_uint_eq(o.ngrams, 1);
    ck_assert_uint_eq(o.max_token_len, 40);
    ck_assert_uint_eq(o.number_fold, 5);
    ck_assert_uint_eq(o.cjk_bigrams, 1);
    ck_assert_uint_eq(o.features, SPAMLR_FEAT_TFIDF);
    ck_assert_uint_eq(o.normalize, 1);
    ck_assert_uint_eq(o.mime, 1);
    ck_assert_uint_eq(o.fold, SPAMLR_FOLD_NFKC);
    for (k = 0; k < sizeof o.reserved / sizeof o.reserved[0]; k++)
        ck_assert_uint_eq(o.reserved[k], 0);
    ck_assert_int_eq(spamlr__text_opts_check(&o), SPAMLR_OK);
    spamlr_text_opts_init(NULL);    /* must not crash */
}
END_TEST

START_TEST(english)
{
    EXPECT(NULL, "Hello, World! This is a TEST of the tokenizer.",
           "hello", "world", "this", "is", "a", "test", "of", "the", "tokenizer");
    EXPECT(NULL, "  \t\r\nWIN\tbig--now!!!\n", "win", "big", "now");
    EXPECT(NULL, "don't won\xE2\x80\x99t snake_case", "don", "t", "won", "t", "snake", "case");
}
END_TEST

START_TEST(case_folding)
{
    spamlr_text_opts s = opts_fold(SPAMLR_FOLD_SIMPLE), n = opts_fold(SPAMLR_FOLD_NFKC);

    EXPECT(NULL, "ÉCOLE École école", "école", "école", "école");
    EXPECT(NULL, "ПРИВЕТ, Мир! ЁЛКА", "привет", "мир", "ёлка");
    EXPECT(NULL, "ΚΑΛΗΜΕΡΑ Ώρα", "καλημερα", "ώρα");
    EXPECT(&s, "STRAẞE Straße ŁÓDŹ İstanbul", "straße", "straße", "łódź", "istanbul");
    EXPECT(&n, "STRAẞE Straße ŁÓDŹ İstanbul", "strasse", "strasse", "łódź", "istanbul");
    EXPECT(NULL, "ÀBC123 naïve Élan", "àbc123", "naïve", "élan");
    EXPECT(NULL, "ＶＩＡＧＲＡ ｆｒｅｅ１２", "viagra", "free12");
    EXPECT(NULL, "𝐅𝐑𝐄𝐄 Ⓥⓘⓐⓖⓡⓐ", "free", "viagra");
}
END_TEST

START_TEST(scripts_and_marks)
{
    spamlr_text_opts s = opts_fold(SPAMLR_FOLD_SIMPLE), n = opts_fold(SPAMLR_FOLD_NFKC);

    EXPECT(NULL, "مرحبا بالعالم", "مرحبا", "بالعالم");
    EXPECT(NULL, "שָׁלוֹם עולם", "שָׁלוֹם", "עולם");
    EXPECT(NULL, "สวัสดี नमस्ते Բարեւ", "สวัสดี", "नमस्ते", "բարեւ");
    /* a decomposed accent joins its word, but cannot start one */
    EXPECT(&s, "cafe\xCC\x81 \xCC\x81x", "cafe\xCC\x81", "x");
    EXPECT(&n, "cafe\xCC\x81 \xCC\x81x", "caf\xC3\xA9", "x");
    /* invisible format characters vanish */
    EXPECT(NULL, "vi\xE2\x80\x8B" "ag\xC2\xAD" "ra \xEF\xBB\xBFhello", "viagra", "hello");
    EXPECT(NULL, "中\xE2\x80\x8B奖", "中", "奖", "中奖");
    /* emoji and symbols separate */
    EXPECT(NULL, "win\xF0\x9F\x98\x80now©®", "win", "now");
}
END_TEST

START_TEST(cjk)
{
    spamlr_text_opts o = opts(), s = opts_fold(SPAMLR_FOLD_SIMPLE);

    EXPECT(NULL, "恭喜您中奖了", "恭", "喜", "恭喜", "您", "喜您", "中", "您中",
           "奖", "中奖", "了", "奖了");
    EXPECT(NULL, "恭喜 中奖！大奖", "恭", "喜", "恭喜", "中", "奖", "中奖", "大", "奖",
           "大奖");
    /* compatibility ideograph (NFKC: its unified twin U+8C48), Ext A, Ext B */
    EXPECT(&s, "\xEF\xA4\x80\xE3\x90\x80\xF0\xA0\x80\x80", "\xEF\xA4\x80",
           "\xE3\x90\x80", "\xEF\xA4\x80\xE3\x90\x80", "\xF0\xA0\x80\x80",
           "\xE3\x90\x80\xF0\xA0\x80\x80");
    EXPECT(&o, "\xEF\xA4\x80\xE3\x90\x80\xF0\xA0\x80\x80", "\xE8\xB1\x88",
           "\xE3\x90\x80", "\xE8\xB1\x88\xE3\x90\x80", "\xF0\xA0\x80\x80",
           "\xE3\x90\x80\xF0\xA0\x80\x80");
    o.cjk_bigrams = 0;
    EXPECT(&o, "恭喜您中奖了", "恭", "喜", "您", "中", "奖", "了");
}
END_TEST

START_TEST(cjk_bigram_present)
{
    const char *text = "恭喜您中奖了";
    toklist l = {0};
    size_t k;
    int found = 0;

    ck_assert_int_eq(spamlr_tokenize(NULL, text, strlen(text), collect, &l), SPAMLR_OK);
    for (k = 0; k < l.n; k++)
        found |= strcmp(l.v[k], "中奖") == 0;
    ck_assert_msg(found, "中奖 not among the tokens");
    toklist_free(&l);
}
END_TEST

START_TEST(japanese)
{
    spamlr_text_opts s = opts_fold(SPAMLR_FOLD_SIMPLE), o = opts();

    EXPECT(NULL, "こんにちは", "こ", "ん", "こん", "に", "んに", "ち", "にち", "は", "ちは");
    EXPECT(NULL, "メール・無料です", "メ", "ー", "メー", "ル", "ール", "無", "料",
           "無料", "で", "料で", "す", "です");
    EXPECT(&s, "ｶﾀｶﾅ", "ｶ", "ﾀ", "ｶﾀ", "ｶ", "ﾀｶ", "ﾅ", "ｶﾅ");
    EXPECT(&o, "ｶﾀｶﾅ", "カ", "タ", "カタ", "カ", "タカ", "ナ", "カナ");
}
END_TEST

START_TEST(korean)
{
    EXPECT(NULL, "안녕하세요 친구", "안", "녕", "안녕", "하", "녕하", "세", "하세",
           "요", "세요", "친", "구", "친구");
}
END_TEST

START_TEST(mixed_scripts)
{
    EXPECT(NULL, "免费viagra中奖", "免", "费", "免费", "viagra", "中", "奖", "中奖");
    EXPECT(NULL, "限时3天", "限", "时", "限时", "3", "天");
    EXPECT(NULL, "Привет123мир", "привет123мир");
}
END_TEST

START_TEST(urls)
{
    EXPECT(NULL, "Visit http://Example.COM/path?x=1 now", "visit", "url:example.com", "now");
    EXPECT(NULL, "https://www.PayPal.com:8080/login?a=b", "url:paypal.com");
    EXPECT(NULL, "go to www.Spam-Shop.biz/buy.", "go", "to", "url:spam-shop.biz");
    EXPECT(NULL, "HTTPS://USER:pw@Host.Example.org:80/x y", "url:host.example.org", "y");
    EXPECT(NULL, "HtTp://WWW.X.CN", "url:x.cn");
    EXPECT(NULL, "(see http://a.b/c) ok", "see", "url:a.b", "ok");
    EXPECT(NULL, "<a href=\"http://evil.ru/x\">click</a>", "a", "href", "url:evil.ru",
           "click", "a");
    EXPECT(NULL, "http://example.com.", "url:example.com");
    EXPECT(NULL, "http://192.168.0.1:8080/", "url:192.168.0.1");
    EXPECT(NULL, "http://x.com/a@b.com/c", "url:x.com");
    /* inside a run of local-part bytes that reaches no '@' (no address can
     * start there), a URL still can */
    EXPECT(NULL, "x-www.example.com and x.http://y.org", "x", "url:example.com", "and", "x",
           "url:y.org");
    /* not URLs */
    EXPECT(NULL, "http:// nothing", "http", "nothing");
    EXPECT(NULL, "http://user@/x", "http", "user", "x");
    EXPECT(NULL, "xhttp://foo.com wwwx.com www. x", "xhttp", "foo", "com", "wwwx", "com",
           "www", "x");
    /* a URL stops at non-ASCII, so glued CJK text is still tokenised */
    EXPECT(NULL, "访问http://x.cn/路径", "访", "问", "访问", "url:x.cn", "路", "径", "路径");
}
END_TEST

START_TEST(emails)
{
    spamlr_text_opts o = opts();

    EXPECT(NULL, "Contact John.Smith+news@Mail.Example.COM. today", "contact",
           "email:mail.example.com", "today");
    EXPECT(NULL, "mailto:info@spam.biz", "mailto", "email:spam.biz");
    EXPECT(NULL, "<a_b-c%d@x-y.co.uk>", "email:x-y.co.uk");
    EXPECT(NULL, "a@b me@localhost.", "a", "b", "me", "localhost");
    EXPECT(NULL, "a@b@c.com", "a", "email:c.com");
    EXPECT(NULL, "x@.com", "x", "com");
    EXPECT(NULL, "a.b.c. d", "a", "b", "c", "d");
    /* the e-mail token obeys max_token_len as a whole */
    o.max_token_len = 12;
    EXPECT(&o, "a@example.com b@ab.cd", "email:ab.cd");
}
END_TEST

START_TEST(numbers)
{
    spamlr_text_opts o = opts();
    static const char digits50[] = "12345678901234567890123456789012345678901234567890";

    EXPECT(NULL, "1234 12345 123456 mp3 2for1 007", "1234", "#n5", "#n6", "mp3", "2for1", "007");
    EXPECT(NULL, "3.14159 1,000,000", "3", "#n5", "1", "000", "000");
    EXPECT(NULL, digits50, "#n50");              /* longer than max_token_len */
    EXPECT(NULL, "１２３４５ ٠١٢", "#n5", "012");   /* full-width, Arabic-Indic */
    o.number_fold = 0;
    EXPECT(&o, "12345 1234567", "12345", "1234567");
    o.number_fold = 1;
    EXPECT(&o, "7 42 a1", "#n1", "#n2", "a1");
    o.number_fold = 4;
    EXPECT(&o, "123 1234", "123", "#n4");
    /* the shape, not the digits, must fit max_token_len */
    o.number_fold = 5;
    o.max_token_len = 3;
    EXPECT(&o, "1234 12345 123456789012 123", "#n5", "123");
}
END_TEST

START_TEST(currency)
{
    EXPECT(NULL, "$100 €50 £20 ¥1000 ＄5 ￥8", "$", "100", "€", "50", "£", "20", "¥",
           "1000", "$", "5", "¥", "8");
    EXPECT(NULL, "US$5 中奖¥", "us", "$", "5", "中", "奖", "中奖", "¥");
}
END_TEST

START_TEST(word_bigrams)
{
    spamlr_text_opts o = opts();

    o.ngrams = 2;
    EXPECT(&o, "Cheap meds now", "cheap", "meds", "cheap meds", "now", "meds now");
    EXPECT(&o, "a, b. c", "a", "b", "a b", "c", "b c");
    EXPECT(&o, "win 12345 now", "win", "#n5", "win #n5", "now", "#n5 now");
    EXPECT(&o, "buy http://x.com now cheap", "buy", "url:x.com", "now", "cheap", "now cheap");
    EXPECT(&o, "mail a@b.com now", "mail", "email:b.com", "now");
    EXPECT(&o, "pay $5 now", "pay", "$", "5", "now", "5 now");
    EXPECT(&o, "买 cheap 药 now", "买", "cheap", "药", "now");
    EXPECT(&o, "école ÉTÉ", "école", "été", "école été");
    o.max_token_len = 5;    /* a dropped word breaks the chain */
    EXPECT(&o, "ab abcdefgh cd ef", "ab", "cd", "ef", "cd ef");
    EXPECT(&o, "abcde fghij", "abcde", "fghij", "abcde fghij");
}
END_TEST

START_TEST(subwords)
{
    spamlr_text_opts o = opts();

    o.subwords = 4;
    /* a word of more than 4 characters gives its 4-grams, ends marked;
     * shorter words, numbers, URLs and CJK give none */
    EXPECT(&o, "Rolex now", "rolex", "c4:<rol", "c4:role", "c4:olex", "c4:lex>", "now");
    EXPECT(&o, "1234567 mp3s http://x.com 中奖", "#n7", "mp3s", "url:x.com", "中", "奖",
           "中奖");
    EXPECT(&o, "watch", "watch", "c4:<wat", "c4:watc", "c4:atch", "c4:tch>");
    o.subwords = 3;     /* n-grams count characters, not bytes */
    EXPECT(&o, "CAFÉS", "cafés", "c3:<ca", "c3:caf", "c3:afé", "c3:fés", "c3:és>");
    o.subwords = 6;
    EXPECT(&o, "v1agra", "v1agra");
    EXPECT(&o, "v1agras", "v1agras", "c6:<v1agr", "c6:v1agra", "c6:1agras", "c6:agras>");
    o.ngrams = 2;       /* n-grams do not break the word-pair chain */
    o.subwords = 5;
    EXPECT(&o, "cheap rolexes", "cheap", "rolexes",
           "c5:<role", "c5:rolex", "c5:olexe", "c5:lexes", "c5:exes>", "cheap rolexes");
    o.subwords = 2;
    ck_assert_int_eq(spamlr__text_opts_check(&o), SPAMLR_EINVAL);
    o.subwords = 7;
    ck_assert_int_eq(spamlr__text_opts_check(&o), SPAMLR_EINVAL);
}
END_TEST

START_TEST(max_token_len)
{
    spamlr_text_opts o = opts();
    char text[64];
    const char *want[2] = {NULL, NULL};

    memset(text, 'a', 41);
    want[0] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";    /* 40 */
    expect_at(__LINE__, NULL, text, 40, want);
    want[0] = NULL;
    expect_at(__LINE__, NULL, text, 41, want);
    o.max_token_len = 5;
    EXPECT(&o, "hello worlds hi", "hello", "hi");
    EXPECT(&o, "éé ééé", "éé");                 /* bytes, not characters */
    EXPECT(&o, "aaaaaaaaaaaaaaaaaaaaééééééé b", "b");
    o.max_token_len = 3;
    EXPECT(&o, "中奖", "中", "奖");              /* bigram is 6 bytes */
    o.max_token_len = 2;
    EXPECT_NONE(&o, "中奖");
    o.max_token_len = 1;
    EXPECT(&o, "a bc d $ €", "a", "d", "$");
    o.max_token_len = 1024;
    EXPECT(&o, "ok", "ok");
}
END_TEST

START_TEST(invalid_utf8)
{
    EXPECT(NULL, "ab\xC0\x80" "cd", "ab", "cd");                /* overlong NUL */
    EXPECT(NULL, "ab\xE0\x80\xAF" "cd", "ab", "cd");            /* overlong '/' */
    EXPECT(NULL, "ab\x80" "cd\xBF", "ab", "cd");                /* lone continuation */
    EXPECT(NULL, "ab\xF0\x9F\x98" "cd", "ab", "cd");            /* truncated 4-byte */
    EXPECT(NULL, "ab\xF0\x9F\x98", "ab");                       /* ... at the end */
    EXPECT(NULL, "ab\xED\xA0\x80" "cd", "ab", "cd");            /* surrogate */
    EXPECT(NULL, "ab\xF4\x90\x80\x80" "cd", "ab", "cd");        /* > U+10FFFF */
    EXPECT(NULL, "ab\xFF\xFE" "cd", "ab", "cd");
    EXPECT(NULL, "\xC3" "\xA9t\xC3\xA9", "été");                /* valid split */
    EXPECT(NULL, "\xE4\xB8\xAD\xFF\xE5\xA5\x96", "中", "奖");    /* no bigram */
    EXPECT(NULL, "caf\xC3", "caf");
    EXPECT_NONE(NULL, "\x80\x80\xC0\xC1\xF5\xF8\xFF");
}
END_TEST

START_TEST(embedded_nul)
{
    EXPECT(NULL, "foo\0bar\0\0baz", "foo", "bar", "baz");
    EXPECT(NULL, "http://a.com\0b", "url:a.com", "b");
    EXPECT(NULL, "\0\0\0中\0奖", "中", "奖");
    EXPECT_NONE(NULL, "\0");
}
END_TEST

START_TEST(empty_text)
{
    size_t n = 0;

    ck_assert_int_eq(spamlr_tokenize(NULL, NULL, 0, count_cb, &n), SPAMLR_OK);
    ck_assert_int_eq(spamlr_tokenize(NULL, "", 0, count_cb, &n), SPAMLR_OK);
    ck_assert_int_eq(spamlr_tokenize(NULL, "not read", 0, count_cb, &n), SPAMLR_OK);
    ck_assert_uint_eq(n, 0);
    EXPECT_NONE(NULL, "");
    EXPECT_NONE(NULL, "  ,,, !!! ... \xE3\x80\x82 @@ ://");
}
END_TEST

/* Inputs cut in the middle of a character, a URL, an address: the buffer
 * ends exactly there (see expect_at). */
START_TEST(never_past_len)
{
    EXPECT(NULL, "hello \xE4\xB8", "hello");
    EXPECT(NULL, "hello \xF0\x9F\x98", "hello");
    EXPECT(NULL, "x\xC3", "x");
    EXPECT(NULL, "see http://exam", "see", "url:exam");
    EXPECT(NULL, "see http://exam.", "see", "url:exam");
    EXPECT(NULL, "http://", "http");
    EXPECT(NULL, "http:/", "http");
    EXPECT(NULL, "https:", "https");
    EXPECT(NULL, "http://u@", "http", "u");
    EXPECT(NULL, "www.", "www");
    EXPECT(NULL, "www.ab", "url:ab");
    EXPECT(NULL, "a@b.c", "email:b.c");
    EXPECT(NULL, "a@b.", "a", "b");
    EXPECT(NULL, "a@", "a");
    EXPECT(NULL, "a.", "a");
    EXPECT(NULL, "$", "$");
    EXPECT(NULL, "中", "中");
}
END_TEST

START_TEST(callback_stop)
{
    spamlr_text_opts o = opts();
    toklist l = {0};

    l.stop_after = 2;
    ck_assert_int_eq(spamlr_tokenize(NULL, "one two three four", 18, collect, &l), SPAMLR_OK);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_str_eq(l.v[1], "two");
    toklist_free(&l);

    l.stop_after = 3;   /* stops right after a CJK bigram */
    ck_assert_int_eq(spamlr_tokenize(NULL, "恭喜中奖", strlen("恭喜中奖"), collect, &l),
                     SPAMLR_OK);
    ck_assert_uint_eq(l.n, 3);
    ck_assert_str_eq(l.v[2], "恭喜");
    toklist_free(&l);

    o.ngrams = 2;       /* stops between a word and its bigram */
    l.stop_after = 2;
    ck_assert_int_eq(spamlr_tokenize(&o, "a b c", 5, collect, &l), SPAMLR_OK);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_str_eq(l.v[1], "b");
    toklist_free(&l);

    l.stop_after = 1;   /* at the very last token */
    ck_assert_int_eq(spamlr_tokenize(NULL, "x", 1, collect, &l), SPAMLR_OK);
    ck_assert_uint_eq(l.n, 1);
    toklist_free(&l);
}
END_TEST

START_TEST(bad_options)
{
    spamlr_text_opts o;
    size_t n = 0;

#define BAD(field, value)                                                   \
    do {                                                                    \
        o = opts();                                                         \
        o.field = (value);                                                  \
        ck_assert_int_eq(spamlr_tokenize(&o, "x", 1, count_cb, &n), SPAMLR_EINVAL); \
        ck_assert_int_eq(spamlr__text_opts_check(&o), SPAMLR_EINVAL);       \
    } while (0)
    BAD(version, 0);
    BAD(version, SPAMLR_OPTS_VERSION + 1);
    BAD(ngrams, 0);
    BAD(ngrams, 3);
    BAD(max_token_len, 0);
    BAD(max_token_len, SPAMLR__MAX_TOKEN_LEN + 1);
    BAD(max_token_len, 0xFFFFFFFFu);
    BAD(features, 3);
    BAD(cjk_bigrams, 2);
#undef BAD
    ck_assert_uint_eq(n, 0);
    o = opts();
    ck_assert_int_eq(spamlr_tokenize(&o, "x", 1, NULL, NULL), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_tokenize(&o, NULL, 1, count_cb, &n), SPAMLR_EINVAL);
    o.max_token_len = 1;
    ck_assert_int_eq(spamlr_tokenize(&o, "x", 1, count_cb, &n), SPAMLR_OK);
    o.max_token_len = SPAMLR__MAX_TOKEN_LEN;
    o.number_fold = 0xFFFFFFFFu;
    o.features = SPAMLR_FEAT_TFIDF;
    ck_assert_int_eq(spamlr_tokenize(&o, "x", 1, count_cb, &n), SPAMLR_OK);
    ck_assert_uint_eq(n, 2);
}
END_TEST


/* ------------------------------------------------------------ NFKC fold */

/* Issue 18, item 7: each way of dodging the simple tables, with the tokens
 * SPAMLR_FOLD_SIMPLE gives (unchanged: old models depend on them) and
 * those SPAMLR_FOLD_NFKC gives. */
START_TEST(nfkc_issue_cases)
{
    spamlr_text_opts s = opts_fold(SPAMLR_FOLD_SIMPLE), n = opts_fold(SPAMLR_FOLD_NFKC);

    /* letters filling the gaps of the mathematical alphabets: ℂ ℎ */
    EXPECT(&s, "𝔽𝕣𝕖𝕖 ℂ𝕒𝕤𝕙", "free", "ash");
    EXPECT(&n, "𝔽𝕣𝕖𝕖 ℂ𝕒𝕤𝕙", "free", "cash");
    EXPECT(&s, "𝐶𝑎𝑠ℎ", "cas");
    EXPECT(&n, "𝐶𝑎𝑠ℎ", "cash");
    /* ligatures */
    EXPECT(&s, "ﬁnance", "ﬁnance");
    EXPECT(&n, "ﬁnance", "finance");
    EXPECT(&n, "ＦＩＮＡＮＣＥ ﬃ", "finance", "ffi");
    /* half-width katakana, with the voiced marks joined */
    EXPECT(&s, "ｶﾀｶﾅ", "ｶ", "ﾀ", "ｶﾀ", "ｶ", "ﾀｶ", "ﾅ", "ｶﾅ");
    EXPECT(&n, "ｶﾀｶﾅ", "カ", "タ", "カタ", "カ", "タカ", "ナ", "カナ");
    EXPECT(&n, "ｶﾞｲﾄﾞ", "ガ", "イ", "ガイ", "ド", "イド");
    EXPECT(&n, "ﾊﾟﾁﾝｺ", "パ", "チ", "パチ", "ン", "チン", "コ", "ンコ");
    /* decomposed accents compose, whether after ASCII or not */
    EXPECT(&s, "cafe\xCC\x81 CAFÉ", "cafe\xCC\x81", "café");
    EXPECT(&n, "cafe\xCC\x81 CAFE\xCC\x81 café", "café", "café", "café");
    EXPECT(&n, "\xD0\xB8\xCC\x86" "од", "йод");
    EXPECT(&n, "e\xCC\x81" "t\xC3\xA9", "été");
    EXPECT(&n, "\xCC\x81x", "x");           /* a mark still starts no word */
    /* a Cyrillic Р in a Latin word */
    EXPECT(&s, "Рaypal", "рaypal");
    EXPECT(&n, "Рaypal", "paypal");
}
END_TEST

START_TEST(nfkc_lookalikes)
{
    spamlr_text_opts n = opts_fold(SPAMLR_FOLD_NFKC);

    EXPECT(&n, "РАYРАL Аmazоn аррle", "paypal", "amazon", "apple");
    EXPECT(&n, "Αpple vіаgrа Ьank", "apple", "viagra", "ьank");
    EXPECT(&n, "bitсоin2024", "bitcoin2024");
    /* real Cyrillic and Greek stay, even when every letter looks Latin */
    EXPECT(&n, "привет сосо СОСО вот ΚΑΛΗΜΕΡΑ οχι", "привет", "сосо", "сосо", "вот",
           "καλημερα", "οχι");
    /* a letter of another script that looks like no Latin one: no fold */
    EXPECT(&n, "пpивет pуб", "пpивет", "pуб");
    /* each word on its own */
    EXPECT(&n, "Рaypal сосо", "paypal", "сосо");
    ck_assert_uint_eq(spamlr__fold_lookalike(0x0440), 'p');
    ck_assert_uint_eq(spamlr__fold_lookalike(0x03BF), 'o');
    ck_assert_uint_eq(spamlr__fold_lookalike(0x0420), 0);   /* upper case: folded first */
    ck_assert_uint_eq(spamlr__fold_lookalike('p'), 0);
    ck_assert_uint_eq(spamlr__fold_lookalike(0x0436), 0);   /* ж */
}
END_TEST

START_TEST(nfkc_other_forms)
{
    spamlr_text_opts n = opts_fold(SPAMLR_FOLD_NFKC);

    EXPECT(&n, "Hello, World! don't", "hello", "world", "don", "t");
    EXPECT(&n, "𝐅𝐑𝐄𝐄 Ⓥⓘⓐⓖⓡⓐ ＶＩＡＧＲＡ", "free", "viagra", "viagra");
    EXPECT(&n, "STRAẞE Straße İSTANBUL İstanbul", "strasse", "strasse", "istanbul",
           "istanbul");
    EXPECT(&n, "eBay™ eBay℠ DELL™\xCC\x81", "ebay", "ebay", "dell");
    EXPECT(&n, "①②③④⑤ ٣٤ ２０２４", "#n5", "34", "2024");
    EXPECT(&n, "5㎏ ㎏ ™ ℡ ＄9 ￥", "5kg", "kg", "tel", "$", "9", "¥");
    EXPECT(&n, "vi\xE2\x80\x8B" "ag\xC2\xAD" "ra", "viagra");
    EXPECT(&n, "恭喜您中奖", "恭", "喜", "恭喜", "您", "喜您", "中", "您中", "奖", "中奖");
    EXPECT(&n, "㈱ 中奖", "株", "中", "奖", "中奖");
    /* Hangul: compatibility jamo and decomposed syllables stay one token a
     * character */
    EXPECT(&n, "ㅋㅋ 안녕", "\xE1\x84\x8F", "\xE1\x84\x8F", "\xE1\x84\x8F\xE1\x84\x8F",
           "안", "녕", "안녕");
    EXPECT(&n, "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "한");
    EXPECT(&n, "Visit http://Example.COM/ or a@B.com", "visit", "url:example.com", "or",
           "email:b.com");
    EXPECT(&n, "ab\xC0\x80" "cd\xE4\xB8\xAD\xFF\xE5\xA5\x96", "ab", "cd", "中", "奖");
    EXPECT(&n, "caf\xC3", "caf");
    /* what the fast path takes, next to what it does not */
    EXPECT(&n, "ＡＢＣ\xCC\x81 中文，ｶﾞ", "abć", "中", "文", "中文", "ガ");
    EXPECT(&n, "か\xE3\x82\x99き ë\xCC\xA3", "が", "き", "がき", "\xE1\xBA\xB9\xCC\x88");
    EXPECT(&n, "\xC2\xA0x\xE3\x80\x80y«z»", "x", "y", "z");
    ck_assert(spamlr__fold_attaches(0x0301));
    ck_assert(spamlr__fold_attaches(0xFF9E));              /* ﾞ -> U+3099 */
    ck_assert(spamlr__fold_attaches(0x1161));              /* jamo vowel */
    ck_assert(!spamlr__fold_attaches(0xE9));
    ck_assert(!spamlr__fold_attaches(0x4E2D));
    ck_assert(!spamlr__fold_attaches(0xFF76));             /* ｶ */
}
END_TEST

/* The tokenizer's fast path agrees with utf8proc: each code point it
 * knows folds alone to what it says, attaches to nothing, and a pair of
 * them folds to the pair. */
START_TEST(nfkc_quick_agrees)
{
    static const uint32_t after[] = {'a', 0xE9, 0x4E2D, 0xAC00, 0x30AB, 0x0430, 0xFF21};
    uint32_t cp, q, out[SPAMLR__FOLD_CAP];
    unsigned char u[8];
    size_t n, nout, k, known = 0;

    for (cp = 0x80; cp <= 0x10FFFF; cp++) {
        if (!(q = spamlr__fold_quick(cp)))
            continue;
        known++;
        n = spamlr__utf8_encode(cp, (char *)u);
        REQUIRE(spamlr__fold_nfkc(u, n, out, &nout) == n && nout == 1 && out[0] == q,
                "U+%04X", (unsigned)cp);
        REQUIRE(!spamlr__fold_attaches(cp), "U+%04X", (unsigned)cp);
        for (k = 0; k < sizeof after / sizeof after[0]; k++) {
            size_t m = n + spamlr__utf8_encode(after[k], (char *)u + n);

            REQUIRE(spamlr__fold_nfkc(u, m, out, &nout) == m && nout == 2 && out[0] == q &&
                    out[1] == (after[k] == 0xFF21 ? 'a' : after[k]), "U+%04X", (unsigned)cp);
        }
    }
    ck_assert_uint_gt(known, 40000);
}
END_TEST

/* Tokens of text[0..len) with o, as one string "a|b|c|". */
static char *joined(const spamlr_text_opts *o, const char *text, size_t len)
{
    toklist l = {0};
    size_t k, n = 1;
    char *s;

    ck_assert_int_eq(spamlr_tokenize(o, text, len, collect, &l), SPAMLR_OK);
    for (k = 0; k < l.n; k++)
        n += strlen(l.v[k]) + 1;
    s = malloc(n);
    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (k = 0; k < l.n; k++) {
        strcat(s, l.v[k]);
        strcat(s, "|");
    }
    toklist_free(&l);
    return s;
}

static char *repeat(const char *piece, size_t times, size_t *len)
{
    size_t m = strlen(piece), k;
    char *b = malloc(m * times + 1);

    ck_assert_ptr_nonnull(b);
    for (k = 0; k < times; k++)
        memcpy(b + k * m, piece, m);
    b[m * times] = '\0';
    *len = m * times;
    return b;
}

/* Long non-ASCII stretches are folded in pieces; a piece never ends
 * between a character and the mark that combines with it. */
START_TEST(nfkc_long_runs)
{
    static const char *const pairs[][2] = {
        {"ｶﾞ", "ガ"}, {"\xD0\xB8\xCC\x86", "й"}, {"ｶﾞﾊﾟ", "ガパ"},
        {"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "한"},
        {"\xEF\xB7\xBA", "صلى الله عليه وسلم"}, {"ﬁ", "fi"}, {"ж\xCC\x81", "ж\xCC\x81"},
    };
    spamlr_text_opts n = opts_fold(SPAMLR_FOLD_NFKC);
    size_t k, times, la, lb;

    n.max_token_len = SPAMLR__MAX_TOKEN_LEN;
    for (k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        for (times = 1; times < 300; times += 37) {
            char *a = repeat(pairs[k][0], times, &la), *b = repeat(pairs[k][1], times, &lb);
            char *ta = joined(&n, a, la), *tb = joined(&n, b, lb);

            ck_assert_msg(strcmp(ta, tb) == 0, "pair %zu x %zu:\n%s\n%s", k, times,
                          ta, tb);
            free(ta);
            free(tb);
            free(a);
            free(b);
        }
    }
}
END_TEST

/* Pure ASCII needs no normalising: both folds give the same tokens. */
START_TEST(nfkc_ascii_same)
{
    static char text[300];
    spamlr_text_opts s, n;
    int iter;

    for (iter = 0; iter < 3000; iter++) {
        size_t len = rnd() % sizeof text, k;
        char *a, *b;

        for (k = 0; k < len; k++)
            text[k] = rnd() % 4 ? (char)(0x20 + rnd() % 95) : "aeiou .@:/"[rnd() % 10];
        s = opts_fold(SPAMLR_FOLD_SIMPLE);
        s.ngrams = 1 + (unsigned)(iter % 2);
        n = s;
        n.fold = SPAMLR_FOLD_NFKC;
        a = joined(&s, text, len);
        b = joined(&n, text, len);
        ck_assert_msg(strcmp(a, b) == 0, "%.*s", (int)len, text);
        free(a);
        free(b);
    }
}
END_TEST

/* -------------------------------------------------------------- random */

typedef struct rcheck {
    const spamlr_text_opts *o;
    size_t n;
    size_t words;   /* tokens without a space */
} rcheck;

static int random_cb(void *ctx, const char *tok, size_t len)
{
    rcheck *r = ctx;
    size_t max = r->o->ngrams == 2 ? 2 * (size_t)r->o->max_token_len + 1
                                   : r->o->max_token_len;
    size_t k;
    int space = 0;

    REQUIRE(len > 0 && len <= max, "len %zu", len);
    REQUIRE(spamlr__utf8_valid(tok, len), "%.*s", (int)len, tok);
    for (k = 0; k < len; k++) {
        unsigned char c = (unsigned char)tok[k];

        REQUIRE(c >= 0x20 && c != 0x7F && !(c >= 'A' && c <= 'Z'), "byte %02X", c);
        space |= c == ' ';
    }
    if (space) {
        REQUIRE(r->o->ngrams == 2, "%.*s", (int)len, tok);
        REQUIRE(tok[0] != ' ' && tok[len - 1] != ' ', "%.*s", (int)len, tok);
    } else {
        REQUIRE(len <= r->o->max_token_len, "%.*s", (int)len, tok);
        r->words++;
    }
    r->n++;
    return 0;
}

static const char *const pieces[] = {
    "http://", "HTTPS://", "www.", "@", ".", "-", "_", "+", ":", "/", " ", "\t",
    "\0", "a", "Z", "7", "12345", "ÉCOLE", "é", "\xCC\x81", "中", "奖", "ｶ", "한",
    "\xE2\x80\x8B", "$", "€", "\xEF\xBC\x84", "\xE4\xB8", "\xC0\x80", "\x80",
    "\xED\xA0\x80", "\xF0\x9F\x98\x80", "\xF4\x90\x80\x80", "'", "\"", ")", "<",
    "x.com", "user", "ж", "\xD9\xA3", "𝕖", "ℂ", "ﬁ", "ﾞ", "Р", "ο", "\xEF\xB7\xBA",
    "ㅋ", "\xE1\x85\xA1", "①",
};

static size_t random_text(char *buf, size_t cap)
{
    size_t n = 0, want = rnd() % cap;

    while (n < want) {
        if (rnd() % 3 == 0) {
            buf[n++] = (char)(rnd() & 0xFF);
        } else {
            size_t k = rnd() % (sizeof pieces / sizeof pieces[0]);
            size_t m = pieces[k][0] ? strlen(pieces[k]) : 1;

            if (n + m > want)
                break;
            memcpy(buf + n, pieces[k], m);
            n += m;
        }
    }
    return n;
}

START_TEST(random_robustness)
{
    static char text[400];
    spamlr_text_opts o, o1;
    rcheck r, r1;
    int iter;

    for (iter = 0; iter < 20000; iter++) {
        size_t len = random_text(text, sizeof text);
        char *buf = exact_copy(text, len);

        o = opts();
        o.ngrams = 1 + (unsigned)(rnd() % 2);
        o.max_token_len = rnd() % 4 ? 1 + (unsigned)(rnd() % 48) : SPAMLR__MAX_TOKEN_LEN;
        o.number_fold = (unsigned)(rnd() % 8);
        o.cjk_bigrams = (unsigned)(rnd() % 2);
        o.fold = (unsigned)(iter & 1);
        memset(&r, 0, sizeof r);
        r.o = &o;
        REQUIRE(spamlr_tokenize(&o, buf, len, random_cb, &r) == SPAMLR_OK, "iter %d", iter);
        /* word bigrams only add tokens: the rest is the ngrams=1 stream */
        o1 = o;
        o1.ngrams = 1;
        memset(&r1, 0, sizeof r1);
        r1.o = &o1;
        REQUIRE(spamlr_tokenize(&o1, buf, len, random_cb, &r1) == SPAMLR_OK, "iter %d", iter);
        REQUIRE(r1.n == r1.words && r.words == r1.n, "iter %d", iter);
        REQUIRE(o.ngrams == 2 || r.n == r1.n, "iter %d", iter);
        free(buf);
    }
}
END_TEST

/* A long run without separators and a long chain of would-be addresses
 * stay linear (a quadratic scan would time out here). */
START_TEST(long_inputs)
{
    size_t len = 4u << 20, k, n = 0;
    char *big = malloc(len);

    ck_assert_ptr_nonnull(big);
    for (k = 0; k < len; k++)
        big[k] = k % 2 ? '.' : 'a';
    ck_assert_int_eq(spamlr_tokenize(NULL, big, len, count_cb, &n), SPAMLR_OK);
    ck_assert_uint_eq(n, len / 2);
    memset(big, 'a', len);
    n = 0;
    ck_assert_int_eq(spamlr_tokenize(NULL, big, len, count_cb, &n), SPAMLR_OK);
    ck_assert_uint_eq(n, 0);
    memset(big, '7', len);
    ck_assert_int_eq(spamlr_tokenize(NULL, big, len, count_cb, &n), SPAMLR_OK);
    ck_assert_uint_eq(n, 1);    /* "#n4194304" */
    {
        spamlr_text_opts o = opts_fold(SPAMLR_FOLD_NFKC);

        for (k = 0; k + 2 <= len; k += 2)
            memcpy(big + k, k % 64 ? "\xD0\xB6" : "\xCC\x81", 2);   /* ж, marks */
        n = 0;
        ck_assert_int_eq(spamlr_tokenize(&o, big, len, count_cb, &n), SPAMLR_OK);
        ck_assert_uint_eq(n, 0);    /* one word, too long */
    }
    free(big);
}
END_TEST


/* ------------------------------------------------ SIMD versions (scan.h) */

/* The byte classifier of every version this CPU runs against the scalar
 * one: every byte value, every block length 1..64, every alignment, and
 * data that ends where the buffer ends (ASan sees a read past it). */
static void classify_case(const spamlr__scan *v, const unsigned char *p, size_t n,
                          const char *what)
{
    spamlr__scan_block a, b;
    size_t k;

    memset(&a, 0xA5, sizeof a);
    memset(&b, 0x5A, sizeof b);
    spamlr__scan_scalar.classify(p, n, &a);
    v->classify(p, n, &b);
    REQUIRE(a.link == b.link, "%s/%s n=%zu: link %016llx vs scalar %016llx", v->name, what, n,
            (unsigned long long)b.link, (unsigned long long)a.link);
    REQUIRE(a.alnum == b.alnum && a.letter == b.letter && a.sep == b.sep,
            "%s/%s n=%zu: %016llx %016llx %016llx vs scalar %016llx %016llx %016llx",
            v->name, what, n, (unsigned long long)b.alnum, (unsigned long long)b.letter,
            (unsigned long long)b.sep, (unsigned long long)a.alnum,
            (unsigned long long)a.letter, (unsigned long long)a.sep);
    REQUIRE((a.alnum | a.letter | a.sep | a.link) >> (n - 1) >> 1 == 0, "%s n=%zu: bits past n",
            what, n);
    for (k = 0; k < n; k++)
        REQUIRE(a.low[k] == b.low[k], "%s/%s n=%zu low[%zu]", v->name, what, n, k);
    for (k = SPAMLR__SCAN_BLOCK; k < 2 * SPAMLR__SCAN_BLOCK; k++)
        REQUIRE(b.low[k] == 0x5A, "%s/%s n=%zu wrote low[%zu]", v->name, what, n, k);
}

START_TEST(scan_versions_classify)
{
    unsigned char all[256 + 64], *buf;
    const spamlr__scan *v;
    size_t i, j, n, off, k;

    ck_assert_ptr_eq(spamlr__scan_choose("scalar"), &spamlr__scan_scalar);
    ck_assert_ptr_eq(spamlr__scan_choose(NULL), spamlr__scan_available(0));
    for (i = 0; (v = spamlr__scan_available(i)) != NULL; i++)
        ck_assert_ptr_eq(spamlr__scan_choose(v->name), v);
    ck_assert_ptr_eq(spamlr__scan_available(i - 1), &spamlr__scan_scalar);
    ck_assert_ptr_eq(spamlr__scan_get(), spamlr__scan_choose(getenv("SPAMLR_SIMD")));
#if defined(__x86_64__)
    ck_assert_str_eq(spamlr__scan_choose("sse2")->name, "sse2");
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        ck_assert_str_eq(spamlr__scan_available(0)->name, "avx512");
#endif
    for (k = 0; k < sizeof all; k++)
        all[k] = (unsigned char)k;
    for (i = 0; (v = spamlr__scan_available(i)) != NULL; i++) {
        /* every byte value at every place of a block */
        for (off = 0; off + 64 <= sizeof all; off++)
            classify_case(v, all + off, 64, "bytes");
        for (k = 0; k < 2000; k++) {
            unsigned char r[64];

            n = 1 + rnd() % 64;
            off = rnd() % 64;
            for (j = 0; j < 64; j++)
                r[j] = (unsigned char)rnd();
            buf = malloc(off + n);
            ck_assert_ptr_nonnull(buf);
            memcpy(buf + off, r, n);
            classify_case(v, buf + off, n, "random");
            free(buf);
        }
    }
}
END_TEST

/* Blocks that end at an unmapped page: a version that read past n would
 * fault (masked loads must not). */
START_TEST(scan_versions_page_end)
{
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *m;
    const spamlr__scan *v;
    size_t i, n;

    ck_assert(pg > 0);
    m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(m != MAP_FAILED);
    ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
    for (i = 0; i < (size_t)pg; i++)
        m[i] = (unsigned char)(i * 7 + 3);
    for (i = 0; (v = spamlr__scan_available(i)) != NULL; i++)
        for (n = 1; n <= 64; n++)
            classify_case(v, m + pg - n, n, "page end");
    munmap(m, 2 * (size_t)pg);
}
END_TEST

/* The link searches' runs (host, local-part and URL bytes; 16 bytes a
 * step where SSE2 is there) against the class table a byte at a time:
 * random bytes drawn mostly from a class with its near misses (so that
 * runs of every length end on every kind of byte), every start, at the
 * end of a mapped page before one that faults (a read past len would). */
static size_t span_ref(const unsigned char *p, size_t i, size_t len, unsigned cls, int out)
{
    for (; i < len && ((spamlr__ascii_class[p[i]] & cls) != 0) != out; i++)
        ;
    return i;
}

static size_t authority_ref(const unsigned char *p, size_t i, size_t len, size_t *host)
{
    *host = i;
    for (; i < len && !(spamlr__ascii_class[p[i]] & SPAMLR__AC_URLEND) && p[i] != '/' &&
           p[i] != '?' && p[i] != '#'; i++)
        if (p[i] == '@')
            *host = i + 1;
    return i;
}

/* spamlr__span_authority against authority_ref at p[i..n). */
static void same_authority(const unsigned char *p, size_t i, size_t n, const char *what)
{
    size_t h1, h2, e1 = spamlr__span_authority(p, i, n, &h1), e2 = authority_ref(p, i, n, &h2);

    REQUIRE(e1 == e2 && h1 == h2, "authority %s: %zu of %zu: end %zu host %zu, want %zu %zu",
            what, i, n, e1, h1, e2, h2);
}

START_TEST(link_spans)
{
    static const char pool[] = "azAZ09mQ-._+%/:?#@=&~!;,'\"`<>() \t\r\n\x7F\x80\xC3\xFF[]{}^";
    const unsigned host = SPAMLR__AC_ALNUM | SPAMLR__AC_HOSTP;
    const unsigned local = SPAMLR__AC_ALNUM | SPAMLR__AC_LOCALP;
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *m, *p;
    size_t iter, i, n, k;

    ck_assert(pg > 0);
    m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(m != MAP_FAILED);
    ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
    for (iter = 0; iter < 3000; iter++) {
        n = rnd() % 100;
        p = m + pg - n;
        for (k = 0; k < n; k++) {
            unsigned r = (unsigned)(rnd() % 64);

            /* a letter, digit or '-' '.' most of the time; any byte now and then */
            p[k] = r < 40 ? (unsigned char)"abcXYZ059-."[r % 11]
                 : r < 62 ? (unsigned char)pool[r % (sizeof pool - 1)] : (unsigned char)rnd();
        }
        for (i = 0; i <= n; i++) {
            REQUIRE(spamlr__span_host(p, i, n) == span_ref(p, i, n, host, 0),
                    "host: %zu of %zu", i, n);
            REQUIRE(spamlr__span_local(p, i, n) == span_ref(p, i, n, local, 0),
                    "local: %zu of %zu", i, n);
            REQUIRE(spamlr__span_url(p, i, n) == span_ref(p, i, n, SPAMLR__AC_URLEND, 1),
                    "url: %zu of %zu", i, n);
            same_authority(p, i, n, "random");
        }
    }
    /* every byte value once as the one that ends a run of 40 */
    p = m + pg - 41;
    for (k = 0; k < 256; k++) {
        memset(p, 'a', 40);
        p[40] = (unsigned char)k;
        REQUIRE(spamlr__span_host(p, 0, 41) == span_ref(p, 0, 41, host, 0), "byte %zu", k);
        REQUIRE(spamlr__span_local(p, 0, 41) == span_ref(p, 0, 41, local, 0), "byte %zu", k);
        REQUIRE(spamlr__span_url(p, 0, 41) == span_ref(p, 0, 41, SPAMLR__AC_URLEND, 1),
                "byte %zu", k);
        same_authority(p, 0, 41, "byte");
        p[3] = p[19] = p[33] = '@';     /* '@'s before the end, in and across chunks */
        same_authority(p, 0, 41, "byte after '@'");
        same_authority(p, 4, 41, "byte after '@'");
    }
    munmap(m, 2 * (size_t)pg);
}
END_TEST

/* The token stream as one byte string: each token's length, then its
 * bytes. */
typedef struct stream {
    unsigned char *b;
    size_t n, cap;
} stream;

static int stream_cb(void *ctx, const char *tok, size_t len)
{
    stream *s = ctx;

    if (s->n + len + 4 > s->cap) {
        size_t ncap = 2 * (s->n + len + 4) + 256;
        unsigned char *nb = realloc(s->b, ncap);

        ck_assert_ptr_nonnull(nb);
        s->b = nb;
        s->cap = ncap;
    }
    s->b[s->n++] = (unsigned char)len;
    s->b[s->n++] = (unsigned char)(len >> 8);
    s->b[s->n++] = (unsigned char)(len >> 16);
    s->b[s->n++] = (unsigned char)(len >> 24);
    memcpy(s->b + s->n, tok, len);
    s->n += len;
    return 0;
}

/* The option sets every version is compared under: both folds, and the
 * options that change what a word becomes. */
static spamlr_text_opts version_opts(unsigned k)
{
    spamlr_text_opts o = opts();

    o.fold = k & 1 ? SPAMLR_FOLD_SIMPLE : SPAMLR_FOLD_NFKC;
    switch (k >> 1) {
    case 1:
        o.ngrams = 2;
        o.number_fold = 3;
        break;
    case 2:
        o.max_token_len = 7;
        o.cjk_bigrams = 0;
        o.subwords = 3;
        break;
    case 3:
        o.max_token_len = SPAMLR__MAX_TOKEN_LEN;
        o.ngrams = 2;
        o.number_fold = 0;
        break;
    case 4: /* every digit word folded, shapes longer than the limit */
        o.max_token_len = 4;
        o.number_fold = 1;
        break;
    default:
        break;
    }
    return o;
}

#define NVERSION_OPTS 10

/* text[0..len) placed at alignment `align` (from a 64-byte boundary) in a
 * buffer that ends where it ends, tokenised by every version (with the
 * fast path of plain ASCII words where the options allow it) and by the
 * scalar one without that fast path, under option set k: the streams must
 * be equal. */
static void same_tokens(const char *text, size_t len, size_t align, unsigned k,
                        const char *what)
{
    spamlr_text_opts o = version_opts(k);
    stream want = { NULL, 0, 0 }, got = { NULL, 0, 0 };
    const spamlr__scan *v;
    void *mem;
    char *buf;
    size_t i;

    ck_assert_int_eq(posix_memalign(&mem, 64, align + len ? align + len : 1), 0);
    buf = (char *)mem + align;
    memcpy(buf, text, len);
    REQUIRE(spamlr__tokenize_general(&spamlr__scan_scalar, &o, buf, len, stream_cb, &want) ==
            SPAMLR_OK, "%s", what);
    for (i = 0; (v = spamlr__scan_available(i)) != NULL; i++) {
        got.n = 0;
        REQUIRE(spamlr__tokenize_with(v, &o, buf, len, stream_cb, &got) == SPAMLR_OK, "%s",
                what);
        REQUIRE(got.n == want.n && (!want.n || !memcmp(got.b, want.b, want.n)),
                "%s: version %s, options %u, %zu bytes at alignment %zu: %zu vs %zu "
                "stream bytes", what, v->name, k, len, align, got.n, want.n);
    }
    free(want.b);
    free(got.b);
    free(mem);
}

/* Random text: mostly ASCII words and separators (runs that cross 64-byte
 * blocks), the tokenizer's pieces (URLs, addresses, CJK, marks, invalid
 * UTF-8), valid random UTF-8 and random bytes. */
static size_t version_text(char *buf, size_t cap)
{
    static const char alnum[] = "abcxyzABCXYZ0189";
    static const char seps[] = " \t\r\n.,;:!?-_'\"()<>/@#%&*=+[]{}|\\^`~\x01\x7F";
    size_t n = 0, kind = rnd() % 4;

    while (n < cap) {
        size_t r = rnd() % 16, m, k;

        if (r < 6 || (kind == 0 && r < 12)) {         /* a word, sometimes long */
            m = rnd() % 4 ? 1 + rnd() % 9 : 1 + rnd() % 80;
            for (k = 0; k < m && n < cap; k++)
                buf[n++] = alnum[rnd() % (sizeof alnum - 1)];
        } else if (r < 10) {                          /* separators */
            m = rnd() % 4 ? 1 + rnd() % 2 : 1 + rnd() % 80;
            for (k = 0; k < m && n < cap; k++)
                buf[n++] = seps[rnd() % (sizeof seps - 1)];
        } else if (r < 12 && kind != 3) {             /* a piece */
            const char *pc = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];

            m = pc[0] ? strlen(pc) : 1;
            if (n + m > cap)
                break;
            memcpy(buf + n, pc, m);
            n += m;
        } else if (r < 14) {                          /* a random code point */
            uint32_t cp = (uint32_t)(rnd() % 4 ? rnd() % 0x3000 : rnd() % 0x110000);
            char u[4];

            if (cp - 0xD800u < 0x800u)
                cp = 0x4E2D;
            m = spamlr__utf8_encode(cp, u);
            if (n + m > cap)
                break;
            memcpy(buf + n, u, m);
            n += m;
        } else {                                      /* a random byte */
            buf[n++] = (char)rnd();
        }
    }
    return n;
}

/* Every version, every option set: random texts of every length 0 .. 2 *
 * 64 + 1 at every alignment 0..63 (and longer ones). */
START_TEST(scan_versions_random)
{
    static char text[4096];
    size_t len, align, iter;

    for (len = 0; len <= 2 * SPAMLR__SCAN_BLOCK + 1; len++) {
        for (align = 0; align < 64; align++) {
            size_t n = version_text(text, len);

            same_tokens(text, n, align, (unsigned)((len + align) % NVERSION_OPTS), "random");
        }
    }
    for (iter = 0; iter < 3000; iter++) {
        len = version_text(text, rnd() % 3 ? rnd() % 400 : rnd() % sizeof text);
        same_tokens(text, len, rnd() % 64, (unsigned)(iter % NVERSION_OPTS), "random long");
    }
}
END_TEST

/* Reads a whole file; NULL when it cannot. */
static char *slurp_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *d;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(d = malloc((size_t)n + 1))) {
        fclose(f);
        return NULL;
    }
    *len = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

/* URLs and addresses at every place of a 64-byte block, so that each
 * piece the block's link mask (scan.h) looks at ("://", "www.", the run
 * of address bytes before '@') straddles a block edge somewhere: the
 * fast path, which asks for a link only where the mask says one may
 * start, must find every one the general path finds. */
START_TEST(scan_versions_links_at_block_edges)
{
    static const char *const links[] = {
        "http://Example.com/x", "see HTTPS://a.b/c", "www.Example.org/", "w.x www.y",
        "john.smith-x_y+z%q@Example.com", "a@b.co", "x.y.z.w.v.u.t.s.r.q.p.o.n@host.example",
        "no.at.here.", "http:/x", "ftp://a.b"
    };
    char text[256];
    size_t i, k, n;

    for (i = 0; i < sizeof links / sizeof links[0]; i++)
        for (k = 0; k < 140; k++) {
            memset(text, 'q', k);
            for (n = 3; n < k; n += 4)
                text[n] = ' ';
            if (k)
                text[k - 1] = ' ';
            n = strlen(links[i]);
            memcpy(text + k, links[i], n);
            memcpy(text + k + n, " end", 4);
            same_tokens(text, k + n + 4, 0, 0, links[i]);
            same_tokens(text, k + n, 0, 0, links[i]);  /* the link ends the text */
        }
}
END_TEST

/* Every version, every option set, on the golden mails (tests/mime, the
 * .eml files, raw): the whole mail at alignments 0..63, and pieces of every length
 * 0 .. 2 * 64 + 1 from places spread through it. */
START_TEST(scan_versions_golden_mails)
{
    const char *d = getenv("SPAMLR_TEST_SRCDIR");
    char dir[1024], path[2048];
    DIR *dp;
    struct dirent *e;
    size_t nmail = 0;

    snprintf(dir, sizeof dir, "%s/tests/mime", d && *d ? d : ".");
    dp = opendir(dir);
    ck_assert_msg(dp != NULL, "%s", dir);
    while ((e = readdir(dp)) != NULL) {
        size_t nl = strlen(e->d_name), len = 0, align, start, n;
        unsigned k;
        char *m;

        if (nl < 5 || strcmp(e->d_name + nl - 4, ".eml") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        m = slurp_file(path, &len);
        ck_assert_msg(m != NULL, "%s", path);
        nmail++;
        for (align = 0; align < 64; align++)
            same_tokens(m, len, align, (unsigned)(align % NVERSION_OPTS), e->d_name);
        for (k = 0; k < NVERSION_OPTS; k++)
            for (start = 0; start < len; start += 1 + len / 7)
                for (n = 0; n <= 2 * SPAMLR__SCAN_BLOCK + 1 && start + n <= len; n++)
                    same_tokens(m + start, n, (start + n) % 64, k, e->d_name);
        free(m);
    }
    closedir(dp);
    ck_assert_uint_ge(nmail, 10);
}
END_TEST

/* ------------------------------------------------------------------ main */

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");

    tcase_add_test(tc, utf8_roundtrip_all);
    tcase_add_test(tc, utf8_decode_invalid);
    tcase_add_test(tc, utf8_classes_and_case);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *tokenize_suite(void)
{
    Suite *s = suite_create("tokenize");
    TCase *tc = tcase_create("tokens");
    TCase *rob = tcase_create("robustness");

    tcase_add_test(tc, opts_defaults);
    tcase_add_test(tc, english);
    tcase_add_test(tc, case_folding);
    tcase_add_test(tc, scripts_and_marks);
    tcase_add_test(tc, cjk);
    tcase_add_test(tc, cjk_bigram_present);
    tcase_add_test(tc, japanese);
    tcase_add_test(tc, korean);
    tcase_add_test(tc, mixed_scripts);
    tcase_add_test(tc, urls);
    tcase_add_test(tc, emails);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, currency);
    tcase_add_test(tc, word_bigrams);
    tcase_add_test(tc, max_token_len);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, embedded_nul);
    tcase_add_test(tc, empty_text);
    tcase_add_test(tc, never_past_len);
    tcase_add_test(tc, callback_stop);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, subwords);
    tcase_add_test(tc, nfkc_issue_cases);
    tcase_add_test(tc, nfkc_lookalikes);
    tcase_add_test(tc, nfkc_other_forms);
    tcase_add_test(tc, nfkc_long_runs);
    tcase_add_test(tc, nfkc_quick_agrees);
    tcase_add_test(tc, nfkc_ascii_same);
    suite_add_tcase(s, tc);
    tcase_set_timeout(rob, 120);
    tcase_add_test(rob, random_robustness);
    tcase_add_test(rob, long_inputs);
    tcase_add_test(rob, scan_versions_classify);
    tcase_add_test(rob, scan_versions_page_end);
    tcase_add_test(rob, scan_versions_random);
    tcase_add_test(rob, scan_versions_golden_mails);
    tcase_add_test(rob, scan_versions_links_at_block_edges);
    tcase_add_test(rob, link_spans);
    suite_add_tcase(s, rob);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(utf8_suite());
    int failed;

    srunner_add_suite(sr, tokenize_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
