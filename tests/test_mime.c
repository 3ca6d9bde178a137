/* test_mime.c - the mime module: golden mails, broken mails, charsets,
 * HTML, limits, and a fixed-seed mutation loop.
 *
 * Golden files: tests/mime/NAME.eml is a message, tests/mime/NAME.out what
 * spamlr__mime_parse() makes of it with default options ("== text" then
 * the text, "== tokens" then one token per line). Files are found under
 * $SPAMLR_TEST_SRCDIR (default: the current directory, the repository
 * root). SPAMLR_MIME_REGEN=1 rewrites the .out files instead of comparing
 * (review the diff before committing them: the tokens depend on the
 * tokenizer too). */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <iconv.h>

#include "mail/charset.h"
#include "mail/fields.h"
#include "mail/header.h"
#include "mail/html.h"
#include "mail/mime.h"
#include "mail/opts.h"
#include "mail/transfer.h"

/* ------------------------------------------------------------ helpers */

static const char *srcdir(void)
{
    const char *d = getenv("SPAMLR_TEST_SRCDIR");
    return d && *d ? d : ".";
}

/* Reads a whole file; NULL when it does not exist. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *d = NULL;
    size_t cap = 0, n = 0, k;

    if (!f)
        return NULL;
    for (;;) {
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            d = realloc(d, cap);
            ck_assert_ptr_nonnull(d);
        }
        k = fread(d + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    d[n] = '\0';
    *len = n;
    return d;
}

/* Collects tokens as "tok\n" lines. */
typedef struct toks {
    spamlr__buf all;
    size_t n;
    size_t stop_after;       /* 0 = never stop */
} toks;

/* (Check records every passing assertion, so hot loops test first and
 * assert only on failure.) */
static int collect(void *ctx, const char *t, size_t n)
{
    toks *k = ctx;

    size_t i;

    if (n == 0)
        ck_abort_msg("empty token");
    for (i = 0; i < n; i++) /* printed in TSV columns, handed out as C strings */
        if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] == 0x7F)
            ck_abort_msg("token with a control byte %#x", (unsigned char)t[i]);
    if (spamlr__buf_append(&k->all, t, n) || spamlr__buf_putc(&k->all, '\n'))
        ck_abort_msg("out of memory");
    k->n++;
    return k->stop_after && k->n >= k->stop_after;
}

static int has_token(const toks *k, const char *t)
{
    size_t n = strlen(t);
    const char *p = k->all.data, *end = p ? p + k->all.len : NULL; /* no NULL + 0 */

    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(nl - p) == n && !memcmp(p, t, n))
            return 1;
        p = nl + 1;
    }
    return 0;
}

/* The text output must be valid UTF-8 without NUL, CR or other control
 * characters but LF and TAB. */
static void check_text(const spamlr__buf *b)
{
    size_t i;

    if (b->len == 0)
        return;
    ck_assert_uint_eq(spamlr__cs_utf8_prefix(b->data, b->len), b->len);
    ck_assert_int_eq(b->data[b->len], '\0');
    for (i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            ck_abort_msg("control %#x at %zu", c, i);
        if (c == 0xC2 && i + 1 < b->len && (unsigned char)b->data[i + 1] < 0xA0)
            ck_abort_msg("C1 control at %zu", i);
    }
}

/* Tokens never come from verdict headers nor from the bare presence of
 * a field. */
static void check_tokens(const toks *k)
{
    const char *p = k->all.data, *end = p ? p + k->all.len : NULL; /* no NULL + 0 */

    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);
        const char *colon = memchr(p, ':', n);
        if (n > 512 || (n >= 6 && !strncmp(p, "x-spam", 6)) ||
            (n >= 10 && !strncmp(p, "x-bogosity", 10)) || (n >= 7 && !strncmp(p, "x-dspam", 7)) ||
            (n >= 7 && !strncmp(p, "x-virus", 7)) || (n >= 10 && !strncmp(p, "x-keywords", 10)))
            ck_abort_msg("forbidden token %.*s", (int)n, p);
        if (colon && colon + 1 == p + n)
            ck_abort_msg("empty-value token %.*s", (int)n, p);
        p = nl + 1;
    }
}

/* Parses with the given options (NULL = defaults); checks invariants. */
static int parse(const spamlr__mime_opts *mo, const char *msg, size_t len, spamlr__buf *text,
                 toks *k)
{
    spamlr_text_opts to;
    int r;

    spamlr_text_opts_init(&to);
    r = spamlr__mime_parse(mo, &to, msg, len, text, collect, k);
    ck_assert_msg(r == SPAMLR_OK || r == SPAMLR_ELIMIT, "rc %d", r);
    check_text(text);
    check_tokens(k);
    return r;
}

static void toks_init(toks *k)
{
    memset(k, 0, sizeof *k);
    spamlr__buf_init(&k->all);
}

/* ---------------------------------------------------------------- golden */

static const char *const golden[] = {
    "nested_alt", "gb2312", "qp_latin1", "rfc822", "attach_only", "folding",
    "crlf", "html_tricks", "raw8bit_header", "trunc_base64", "no_close",
    "unused_boundary", "no_headers", "xfoobar_utf8", "xfoobar_gb", "lying_ascii",
};
#define NGOLDEN ((int)(sizeof golden / sizeof golden[0]))

static char *golden_mail(int i, size_t *len)
{
    char path[1024];
    char *d;

    snprintf(path, sizeof path, "%s/tests/mime/%s.eml", srcdir(), golden[i]);
    d = slurp(path, len);
    ck_assert_msg(d != NULL, "cannot read %s (set SPAMLR_TEST_SRCDIR)", path);
    return d;
}

/* Training and prediction read a mail through one path: a model trained
 * on the golden mails gives each the same score through spamlr_predict
 * (the model's scratch row) as through spamlr_predict_dataset, to the bit
 * (`spamlr predict` on many files and `spamlr explain`, `filter` or
 * `serve` on one print the same digits): on the dataset rows that
 * training read, headers, parts and charsets alike; on a dataset kept to
 * the model's words and on an open one, both reading the mails in the
 * reverse order, so that their rows hold the words in another order than
 * the model's ids. */
static void one_path_check(const spamlr_model *m, const spamlr_dataset *ds, int reverse,
                           const char *what)
{
    spamlr_scratch *s = NULL;
    double probs[NGOLDEN], scores[NGOLDEN], p, z;
    int i;

    ck_assert_int_eq(spamlr_predict_dataset(m, ds, probs, scores), SPAMLR_OK);
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (i = 0; i < NGOLDEN; i++) {
        size_t len;
        char *msg = golden_mail(i, &len);
        int r = reverse ? NGOLDEN - 1 - i : i;

        ck_assert_int_eq(spamlr_predict(m, s, msg, len, &p, &z), SPAMLR_OK);
        ck_assert_msg(z == scores[r] && p == probs[r], "%s, %s: predict %.17g, dataset %.17g",
                      what, golden[i], z, scores[r]);
        free(msg);
    }
    spamlr_scratch_free(s);
}

static void add_golden(spamlr_dataset *ds, int reverse)
{
    int i;

    for (i = 0; i < NGOLDEN; i++) {
        int g = reverse ? NGOLDEN - 1 - i : i;
        size_t len;
        char *msg = golden_mail(g, &len);

        ck_assert_int_eq(spamlr_dataset_add(ds, g % 2 ? SPAMLR_SPAM : SPAMLR_HAM, msg, len,
                                            NULL), SPAMLR_OK);
        free(msg);
    }
}

START_TEST(test_train_predict_one_path)
{
    spamlr_dataset *ds = NULL, *kept = NULL, *open = NULL;
    spamlr_model *m = NULL;
    spamlr_train_opts o;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), SPAMLR_OK);
    add_golden(ds, 0);
    spamlr_train_opts_init(&o);
    o.c = 10;
    o.min_count = 1;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
    one_path_check(m, ds, 0, "the training rows");
    ck_assert_int_eq(spamlr_dataset_create(&kept, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_dataset_keep_model_words(kept, m), SPAMLR_OK);
    add_golden(kept, 1);
    one_path_check(m, kept, 1, "a kept dataset");
    ck_assert_int_eq(spamlr_dataset_create(&open, NULL), SPAMLR_OK);
    add_golden(open, 1);
    one_path_check(m, open, 1, "an open dataset");
    spamlr_model_free(m);
    spamlr_dataset_free(open);
    spamlr_dataset_free(kept);
    spamlr_dataset_free(ds);
}
END_TEST

/* A parser state kept from message to message (as a dataset and a scratch
 * keep it) gives every golden mail, in turn and twice over, exactly the
 * text and tokens a fresh parse gives: nothing of one message leaks into
 * the next. */
START_TEST(test_state_reuse)
{
    /* the allow-list changes from mail to mail on passes 2 and 3: the
     * state's answers for field names must follow it */
    static const char *const lists[] = { "subject x-mailer", "from, received", "" };
    spamlr__mime_state *st = NULL;
    spamlr__mime_opts mo;
    spamlr_text_opts to;
    int i, pass;

    spamlr_text_opts_init(&to);
    for (pass = 0; pass < 4; pass++)
        for (i = 0; i < NGOLDEN; i++) {
            size_t len;
            char *msg = golden_mail(i, &len);
            const spamlr__mime_opts *o = NULL;
            spamlr__buf t1, t2;
            toks k1, k2;

            if (pass >= 2) {
                spamlr__mime_opts_init(&mo);
                mo.fields = lists[(i + pass) % 3];
                o = &mo;
            }
            spamlr__buf_init(&t1);
            spamlr__buf_init(&t2);
            toks_init(&k1);
            toks_init(&k2);
            parse(o, msg, len, &t1, &k1);
            ck_assert_int_eq(spamlr__mime_parse_state(&st, o, &to, msg, len, &t2, collect,
                                                      &k2), SPAMLR_OK);
            /* (memcmp of an empty buffer's NULL data is undefined) */
            ck_assert_msg(t1.len == t2.len && (!t1.len || !memcmp(t1.data, t2.data, t1.len)),
                          "%s: the text differs with a reused state", golden[i]);
            ck_assert_msg(k1.all.len == k2.all.len &&
                          (!k1.all.len || !memcmp(k1.all.data, k2.all.data, k1.all.len)),
                          "%s: the tokens differ with a reused state", golden[i]);
            spamlr__buf_free(&t1);
            spamlr__buf_free(&t2);
            spamlr__buf_free(&k1.all);
            spamlr__buf_free(&k2.all);
            free(msg);
        }
    spamlr__mime_state_free(st);
}
END_TEST

/* The field-name answers kept by a parser state are those of the lists
 * themselves, for names in any case, names that share the cache's slots
 * and names too long to be kept. */
START_TEST(test_field_cache)
{
    static const char *const names[] = {
        "Received", "received", "RECEIVED", "From", "To", "Subject", "X-Mailer", "x-mailer",
        "X-Spam-Status", "X-Keywords", "Status", "Content-Length", "Message-ID", "Date",
        "Reply-To", "X-Original-To", "Delivered-To", "List-Id", "X-Virus-Scanned",
        "Content-Type", "X-A", "X-B", "X-Mozilla-Status2", "X-Envelope-From",
        "A-Very-Long-Header-Field-Name-Beyond-The-Cache", "Received-SPF", "X-Spam",
        "X-Spamx", "user-agent", "User-Agent",
    };
    static const char *const lists[] = { NULL, "subject, received x-mailer", "" };
    spamlr__fcache fc;
    spamlr__fields fl;
    char name[40];
    size_t i, l, r;

    for (l = 0; l < 3; l++) {
        spamlr__fields_parse(&fl, lists[l]);
        spamlr__fcache_clear(&fc);
        for (r = 0; r < 3; r++)
            for (i = 0; i < sizeof names / sizeof *names; i++) {
                size_t n = strlen(names[i]);
                ck_assert_int_eq(spamlr__fields_find_cached(&fl, &fc, names[i], n),
                                 spamlr__fields_find(&fl, names[i], n));
            }
        /* 400 names of one length: many share a slot */
        for (i = 0; i < 400; i++) {
            snprintf(name, sizeof name, "x-f%03zu", (i * 7) % 200);
            ck_assert_int_eq(spamlr__fields_find_cached(&fl, &fc, name, 6),
                             spamlr__fields_find(&fl, name, 6));
        }
    }
}
END_TEST

START_TEST(test_golden)
{
    char path[1024];
    size_t len, elen;
    char *msg = golden_mail(_i, &len), *expect;
    spamlr__buf text, out;
    toks k;

    spamlr__buf_init(&text);
    spamlr__buf_init(&out);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, msg, len, &text, &k), SPAMLR_OK);
    spamlr__buf_append(&out, "== text\n", 8);
    spamlr__buf_append(&out, text.data, text.len);
    if (text.len && text.data[text.len - 1] != '\n')
        spamlr__buf_append(&out, "\n", 1);
    spamlr__buf_append(&out, "== tokens\n", 10);
    spamlr__buf_append(&out, k.all.data, k.all.len);

    snprintf(path, sizeof path, "%s/tests/mime/%s.out", srcdir(), golden[_i]);
    if (getenv("SPAMLR_MIME_REGEN")) {
        tu_write(path, out.data, out.len);
    } else {
        expect = slurp(path, &elen);
        ck_assert_msg(expect != NULL, "cannot read %s", path);
        if (elen != out.len || memcmp(expect, out.data, elen)) {
            size_t i = 0, line = 1;
            while (i < elen && i < out.len && expect[i] == out.data[i])
                if (expect[i++] == '\n')
                    line++;
            ck_abort_msg("%s: output differs from the golden file at line %zu:\n"
                         "--- got ---\n%s", golden[_i], line, out.data);
        }
        free(expect);
    }
    free(msg);
    spamlr__buf_free(&text);
    spamlr__buf_free(&out);
    spamlr__buf_free(&k.all);
}
END_TEST

/* Key facts of the golden mails, asserted directly so that a regenerated
 * golden file cannot silently lose them. */
START_TEST(test_golden_facts)
{
    static const struct {
        const char *mail, *text, *token, *absent;
    } facts[] = {
        {"nested_alt", "Total: 1 250 \xE2\x82\xAC", "part:application/pdf", "Your account"},
        {"nested_alt", "View it online", "url:billing.example.com", "PDF-1.4"},
        {"nested_alt", "Dear customer,\n\nYour invoice", "attach:pdf", "epilogue"},
        {"gb2312", "\xE4\xB8\xAD\xE5\xA5\x96", "subject:\xE4\xB8\xAD\xE5\xA5\x96", "12.0"},
        {"gb2312", "\xE5\x8F\x91\xE7\xA5\xA8", "charset:gb2312", "score"},
        {"gb2312", "\xE4\xBB\xA3\xE5\xBC\x80", "from:@example.cn", NULL},
        {"gb2312", NULL, "reply-to:@fapiao.example.cn", NULL},
        {"gb2312", NULL, "to:count:2-5", NULL},
        {"qp_latin1", "caf\xC3\xA9 pr\xC3\xA8s de la gare, \xC3\xA0 14h", "subject:r\xC3\xA9union",
         "=e9"},
        {"qp_latin1", "remise =ZZ et =4 restent", "from:ren\xC3\xA9", NULL},
        {"qp_latin1", "coup\xC3\xA9" "es en plein", "charset:iso-8859-1", NULL},
        {"rfc822", "Cheap meds online!", "part:message/rfc822", NULL},
        {"rfc822", "Cheap meds \xE2\x80\x93 50% off", "url:pills.example.biz", NULL},
        {"attach_only", NULL, "filename:m\xC3\xA4rz", NULL},
        {"attach_only", NULL, "attach:zip", NULL},
        {"folding", NULL, "subject:gr\xC3\xBC" "sse", NULL},    /* ß folded (NFKC) */
        {"folding", NULL, "subject:m\xC3\xBCnchen", NULL},
        {"folding", NULL, "from:j\xC3\xBCrgen", NULL},
        {"folding", NULL, "from:@mail.example.de", NULL},
        {"folding", NULL, "to:count:6+", NULL},
        {"folding", NULL, "cc:count:0", NULL},
        {"folding", NULL, "x-mailer:outlook", NULL},
        {"folding", NULL, "reply-to:@lists.example.net", NULL},
        {"crlf", "This week\xE2\x80\x99s deals \xE2\x80\x93 up to 50% off.\nLine two.",
         "charset:windows-1252", "\r"},
        {"html_tricks", "Viagra & Cialis <cheap> \"now\" \xC2\xA9 2024 \xC3\xA9t\xC3\xA9 "
                        "\xE4\xB8\xAD\xE6\x96\x87", "html:hidden", "not text"},
        {"html_tricks", "cell1 cell2", "url:ip", "hidden title"},
        {"html_tricks", "&unknown; & done end", "mailto:promo.example.com", "font-size"},
        {"html_tricks", NULL, "html:img:2-5", NULL},
        {"html_tricks", NULL, "url:www.promo.example.com", NULL},
        {"html_tricks", NULL, "html:script", NULL},
        {"raw8bit_header", NULL, "subject:\xE5\x8F\x91\xE7\xA5\xA8", NULL},
        {"trunc_base64", "You have won a free cruise", "content-type:text/plain", NULL},
        {"no_close", "first part\nsecond part, and the message just ends", NULL, "preamble"},
        {"unused_boundary", "This body never uses its boundary.", NULL, NULL},
        {"no_headers", "Hello there,\nthis message has no header", "content-type:text/plain",
         NULL},
        {"xfoobar_utf8", "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln \xE2\x80\x93 \xC3\xA7" "a va? "
                         "\xE4\xB8\xAD\xE5\xA5\x96", "charset:x-foobar", NULL},
        {"xfoobar_gb", "\xE6\x81\xAD\xE5\x96\x9C\xE4\xB8\xAD\xE5\xA5\x96", NULL, NULL},
        {"xfoobar_gb", "\xE4\xBB\xA3\xE5\xBC\x80\xE5\x8F\x91\xE7\xA5\xA8", NULL, NULL},
        {"lying_ascii", "Caf\xC3\xA9 cr\xEF\xBF\xBDme \xE2\x80\x9Cquoted\xE2\x80\x9D "
                        "\xE2\x82\xAC" "100 na\xC3\xAFve", NULL, NULL},
    };
    size_t f, len;
    int i;

    for (f = 0; f < sizeof facts / sizeof facts[0]; f++) {
        spamlr__buf text;
        toks k;
        char *msg = NULL;
        for (i = 0; i < NGOLDEN; i++)
            if (!strcmp(golden[i], facts[f].mail))
                msg = golden_mail(i, &len);
        ck_assert_ptr_nonnull(msg);
        spamlr__buf_init(&text);
        toks_init(&k);
        parse(NULL, msg, len, &text, &k);
        if (facts[f].text)
            ck_assert_msg(text.data && strstr(text.data, facts[f].text), "%s: text lacks %s",
                          facts[f].mail, facts[f].text);
        if (facts[f].token)
            ck_assert_msg(has_token(&k, facts[f].token), "%s: no token %s", facts[f].mail,
                          facts[f].token);
        if (facts[f].absent) {
            ck_assert_msg(!text.data || !strstr(text.data, facts[f].absent), "%s: text has %s",
                          facts[f].mail, facts[f].absent);
            ck_assert_msg(!k.all.data || !strstr(k.all.data, facts[f].absent),
                          "%s: tokens have %s", facts[f].mail, facts[f].absent);
        }
        free(msg);
        spamlr__buf_free(&text);
        spamlr__buf_free(&k.all);
    }
}
END_TEST

/* --------------------------------------------------------- broken input */

/* A header block is read only when it plausibly is one: plain text whose
 * first line merely looks like a field keeps its words as body text. */
START_TEST(test_plausible_header)
{
    static const struct {
        const char *msg, *in_text, *not_in_text;
    } cases[] = {
        { "Reminder: claim your free prize now\n", "claim your free prize now", NULL },
        { "Note: meeting moved\n\nsee you at five\n", "meeting moved", NULL },
        { "Re: your order\nthanks a lot\n", "your order", NULL },
        { "Subject: hello\n\nsee you\n", "see you", "Subject:" },
        { "Foo: aaa1\nBar: bbb2\n\nbody text\n", "body text", "aaa1" },
        { "X-Custom: zzz9\nplain line\n", "plain line", "zzz9" },
        { "received: from x by y\n\nhi\n", "hi", "from x by y" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        spamlr__buf text;
        toks k;

        spamlr__buf_init(&text);
        toks_init(&k);
        parse(NULL, cases[i].msg, strlen(cases[i].msg), &text, &k);
        spamlr__buf_append(&text, "", 1); /* NUL-terminated for strstr */
        ck_assert_msg(strstr(text.data, cases[i].in_text) != NULL, "case %zu: text '%s'", i,
                      text.data);
        if (cases[i].not_in_text)
            ck_assert_msg(strstr(text.data, cases[i].not_in_text) == NULL,
                          "case %zu: '%s' read as text", i, cases[i].not_in_text);
        spamlr__buf_free(&text);
        spamlr__buf_free(&k.all);
    }
}
END_TEST

START_TEST(test_empty_input)
{
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, "", 0, &text, &k), SPAMLR_OK);
    ck_assert_uint_eq(text.len, 0);
    ck_assert_uint_eq(k.n, 0);
    ck_assert_int_eq(parse(NULL, "\n", 1, &text, &k), SPAMLR_OK);
    ck_assert_uint_eq(text.len, 0);
    ck_assert_int_eq(parse(NULL, "\r\n\r\n", 4, &text, &k), SPAMLR_OK);
    ck_assert_uint_eq(text.len, 0);
    ck_assert_int_eq(spamlr__mime_parse(NULL, NULL, NULL, 0, &text, NULL, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr__mime_parse(NULL, NULL, NULL, 5, &text, NULL, NULL), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr__mime_parse(NULL, NULL, "x", 1, NULL, NULL, NULL), SPAMLR_EINVAL);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

START_TEST(test_nul_bytes)
{
    static const char m[] =
        "From: a\0b <x@exa\0mple.com>\n"
        "Subj\0ect: nul\0led\n"
        "Subject: fine subject\0here\n"
        "Content-Type: multipart/mixed; boundary=\"b\0b\"\n"
        "\n"
        "--b\0b\n"
        "Content-Type: text/plain\n"
        "\n"
        "one\0two three\0\0\0four\n"
        "--b\0b\n"
        "Content-Type: text/html\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "PGI+Ym9s\0ZDwvYj4g\0aXQ=\n"
        "--b\0b--\n";
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, m, sizeof m - 1, &text, &k), SPAMLR_OK);
    ck_assert_ptr_nonnull(text.data);
    ck_assert_uint_eq(strlen(text.data), text.len);
    ck_assert_ptr_nonnull(strstr(text.data, "one two three   four"));
    ck_assert_ptr_nonnull(strstr(text.data, "bold it"));
    ck_assert(has_token(&k, "subject:fine"));
    ck_assert(has_token(&k, "part:text/html"));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* NUL bytes everywhere: every 3rd byte of a golden mail */
    {
        size_t len, i;
        char *g = golden_mail(0, &len);
        for (i = 0; i < len; i += 3)
            g[i] = '\0';
        spamlr__buf_init(&text);
        toks_init(&k);
        parse(NULL, g, len, &text, &k);
        spamlr__buf_free(&text);
        spamlr__buf_free(&k.all);
        free(g);
    }
}
END_TEST

/* Builds `levels` multiparts nested in one another, each with a text part
 * "level N" before its nested multipart. */
static char *nested_multipart(unsigned levels, size_t *len)
{
    spamlr__buf b;
    char line[160];
    unsigned i;

    spamlr__buf_init(&b);
    spamlr__buf_append(&b, "Subject: deep\n", 14);
    for (i = 0; i < levels; i++) {
        int n = snprintf(line, sizeof line,
                         "Content-Type: multipart/mixed; boundary=\"b%u\"\n\n"
                         "--b%u\nContent-Type: text/plain\n\nlevel %u\n--b%u\n",
                         i, i, i, i);
        ck_assert_int_eq(spamlr__buf_append(&b, line, (size_t)n), 0);
    }
    spamlr__buf_append(&b, "Content-Type: text/plain\n\ninnermost\n", 36);
    for (i = levels; i-- > 0;) {
        int n = snprintf(line, sizeof line, "--b%u--\n", i);
        ck_assert_int_eq(spamlr__buf_append(&b, line, (size_t)n), 0);
    }
    *len = b.len;
    return b.data;
}

START_TEST(test_deep_multipart)
{
    size_t len;
    char *m = nested_multipart(10000, &len);
    spamlr__buf text;
    spamlr__mime_opts mo;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, m, len, &text, &k), SPAMLR_ELIMIT);
    ck_assert_ptr_nonnull(strstr(text.data, "level 0\n"));
    ck_assert_ptr_nonnull(strstr(text.data, "level 31"));   /* depth 32 */
    ck_assert_ptr_null(strstr(text.data, "level 32"));      /* depth 33 */
    ck_assert_ptr_null(strstr(text.data, "innermost"));
    ck_assert(has_token(&k, "subject:deep"));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* a smaller limit */
    spamlr__mime_opts_init(&mo);
    mo.max_depth = 3;
    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(&mo, m, len, &text, &k), SPAMLR_ELIMIT);
    ck_assert_ptr_nonnull(strstr(text.data, "level 2"));
    ck_assert_ptr_null(strstr(text.data, "level 3"));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* within the limit: everything, no error */
    free(m);
    m = nested_multipart(20, &len);
    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, m, len, &text, &k), SPAMLR_OK);
    ck_assert_ptr_nonnull(strstr(text.data, "level 19\ninnermost"));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* an absurd limit is clamped, so the stack stays bounded */
    free(m);
    m = nested_multipart(10000, &len);
    mo.max_depth = 4000000000u;
    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(&mo, m, len, &text, &k), SPAMLR_ELIMIT);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
    free(m);
}
END_TEST

START_TEST(test_deep_rfc822)
{
    spamlr__buf b, text;
    toks k;
    unsigned i;
    char line[96];

    spamlr__buf_init(&b);
    for (i = 0; i < 10000; i++) {
        int n = snprintf(line, sizeof line, "Subject: msg %u\nContent-Type: message/rfc822\n\n", i);
        spamlr__buf_append(&b, line, (size_t)n);
    }
    spamlr__buf_append(&b, "\nbottom\n", 8);
    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, b.data, b.len, &text, &k), SPAMLR_ELIMIT);
    ck_assert_ptr_nonnull(strstr(text.data, "msg 1\n"));   /* nested Subject as text */
    ck_assert_ptr_nonnull(strstr(text.data, "msg 32"));
    ck_assert_ptr_null(strstr(text.data, "msg 33"));
    ck_assert(has_token(&k, "subject:msg"));
    spamlr__buf_free(&b);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

START_TEST(test_huge_header_line)
{
    const size_t big = 1u << 20;
    spamlr__buf b, text;
    toks k;
    size_t i;

    /* a 1 MB Subject of words, a 1 MB X-Junk, a 1 MB folded To */
    spamlr__buf_init(&b);
    spamlr__buf_append(&b, "Subject: ", 9);
    for (i = 0; i < big / 8; i++)
        spamlr__buf_append(&b, "cheap x ", 8);
    spamlr__buf_append(&b, "\nX-Junk: ", 9);
    ck_assert_int_eq(spamlr__buf_reserve(&b, big), 0);
    memset(b.data + b.len, 'a', big);
    b.len += big;
    spamlr__buf_append(&b, "\nTo: ", 5);
    for (i = 0; i < big / 16; i++)
        spamlr__buf_append(&b, "u@example.com,\n ", 16);
    spamlr__buf_append(&b, "\n\nbody survives\n", 16);

    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, b.data, b.len, &text, &k), SPAMLR_OK);
    ck_assert_str_eq(text.data, "body survives\n");
    ck_assert(has_token(&k, "subject:cheap"));
    ck_assert(has_token(&k, "to:count:6+"));
    /* the unfolded Subject was cut at 64 KiB: at most 8192 words x 2 */
    ck_assert_uint_le(k.n, 65536 / 8 * 2 + 10);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* one endless header line and no body at all */
    b.len = 0;
    spamlr__buf_append(&b, "Subject: ", 9);
    ck_assert_int_eq(spamlr__buf_reserve(&b, big), 0);
    memset(b.data + b.len, 'z', big);
    b.len += big;
    spamlr__buf_init(&text);
    toks_init(&k);
    ck_assert_int_eq(parse(NULL, b.data, b.len, &text, &k), SPAMLR_OK);
    ck_assert_uint_eq(text.len, 0);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
    spamlr__buf_free(&b);
}
END_TEST

START_TEST(test_output_caps)
{
    spamlr__mime_opts mo;
    spamlr__buf b, text;
    toks k;
    size_t i;

    /* 3 MB of 3-byte characters, cap 1 MiB + 1: cut at a character */
    spamlr__buf_init(&b);
    spamlr__buf_append(&b, "Content-Type: text/plain; charset=utf-8\n\n", 41);
    for (i = 0; i < 1000000; i++)
        spamlr__buf_append(&b, "\xE4\xB8\xAD", 3);
    spamlr__mime_opts_init(&mo);
    mo.max_output = (1u << 20) + 1;
    spamlr__buf_init(&text);
    toks_init(&k);
    parse(&mo, b.data, b.len, &text, &k);
    ck_assert_uint_le(text.len, mo.max_output);
    ck_assert_uint_ge(text.len, mo.max_output - 3);
    ck_assert_uint_eq(text.len % 3, 0);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* the cap counts from what the buffer already held */
    spamlr__buf_init(&text);
    spamlr__buf_append(&text, "previous", 8);
    toks_init(&k);
    mo.max_output = 10;
    parse(&mo, b.data, b.len, &text, &k);
    ck_assert_uint_le(text.len, 8 + 10);
    ck_assert(!strncmp(text.data, "previous\n\xE4\xB8\xAD", 12));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);

    /* endless base64: decoding stops at max_part */
    b.len = 0;
    spamlr__buf_append(&b, "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n", 59);
    for (i = 0; i < (8u << 20) / 76; i++)
        spamlr__buf_append(&b, "PGI+YWJjPC9iPi"
                               "BQR0krWVdKalBDOWlQaUJQR0krWVdKalBDOWlQaUJQR0krWVdKalBDOWlQaUJQ\n",
                           77);
    spamlr__mime_opts_init(&mo);
    mo.max_part = 1u << 20;
    spamlr__buf_init(&text);
    toks_init(&k);
    parse(&mo, b.data, b.len, &text, &k);
    ck_assert_uint_gt(text.len, 1000);
    ck_assert_uint_le(text.len, mo.max_part);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
    spamlr__buf_free(&b);
}
END_TEST

START_TEST(test_base64_qp_tolerance)
{
    static const char m1[] =
        "Content-Transfer-Encoding: BASE64 \n\n"
        "SGVs#bG8g!d2\n9y\r\nbGQ=SGk=\n~~\nIQ";      /* garbage, padding mid-way, cut end */
    static const char m2[] =
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "soft=\nbreak, soft with blanks=  \nhere, =4a=4B=e9 =\r\nend=";
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    parse(NULL, m1, sizeof m1 - 1, &text, &k);
    ck_assert_str_eq(text.data, "Hello worldHi!");
    text.len = 0;
    parse(NULL, m2, sizeof m2 - 1, &text, &k);
    ck_assert_str_eq(text.data, "softbreak, soft with blankshere, JK\xC3\xA9 end");
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

/* ---------------------------------------------------------- header tokens */

START_TEST(test_encoded_words)
{
    /* 中奖 in GB2312 is D6 D0 BD B1: split across two B words */
    static const char m[] =
        "Subject: =?gb2312?B?1tC9?= =?gb2312?B?sQ==?= =?utf-8?Q?a?=  =?utf-8?Q?b?= x"
        " =?utf-8?Q?c?= =?bogus?X?zz?= =?utf-8?B?w6k=?=\n\n";
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    parse(NULL, m, sizeof m - 1, &text, &k);
    ck_assert(has_token(&k, "subject:\xE4\xB8\xAD\xE5\xA5\x96"));
    ck_assert(has_token(&k, "subject:ab"));       /* adjacent words joined */
    ck_assert(has_token(&k, "subject:x"));
    ck_assert(has_token(&k, "subject:c"));        /* "x" kept apart */
    ck_assert(has_token(&k, "subject:bogus"));    /* not an encoded word */
    ck_assert(has_token(&k, "subject:\xC3\xA9"));
    ck_assert(has_token(&k, "charset:gb2312"));
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

START_TEST(test_allow_list)
{
    static const char m[] =
        "Received: from relay.example.net by mx\n"
        "Subject: Hello World\n"
        "X-Spam-Status: Yes, score=9\n"
        "X-Keywords: \n"
        "X-Mailer: Foo\n"
        "From: Eve <eve@evil.example>\n"
        "\nbody\n";
    spamlr__mime_opts mo;
    spamlr__buf text;
    toks k;

    spamlr__mime_opts_init(&mo);
    mo.fields = "subject, Received: x-spam-status X-KEYWORDS";
    spamlr__buf_init(&text);
    toks_init(&k);
    parse(&mo, m, sizeof m - 1, &text, &k);
    ck_assert(has_token(&k, "subject:hello"));
    ck_assert(has_token(&k, "received:relay.example.net") || has_token(&k, "received:relay"));
    ck_assert(!has_token(&k, "x-mailer:foo"));
    ck_assert(!has_token(&k, "from:eve"));
    ck_assert(!has_token(&k, "content-type:text/plain"));   /* not listed */
    ck_assert_ptr_null(strstr(k.all.data, "x-spam"));
    ck_assert_ptr_null(strstr(k.all.data, "x-keywords"));
    ck_assert_str_eq(text.data, "body\n");
    spamlr__buf_free(&k.all);

    /* "" = no header tokens at all */
    mo.fields = "";
    toks_init(&k);
    text.len = 0;
    parse(&mo, m, sizeof m - 1, &text, &k);
    ck_assert_uint_eq(k.n, 0);
    ck_assert_str_eq(text.data, "body\n");
    spamlr__buf_free(&k.all);

    /* defaults: From name and domain, no Received */
    toks_init(&k);
    parse(NULL, m, sizeof m - 1, &text, &k);
    ck_assert(has_token(&k, "from:eve"));
    ck_assert(has_token(&k, "from:@evil.example"));
    ck_assert(has_token(&k, "x-mailer:foo"));
    ck_assert(!has_token(&k, "received:relay"));
    spamlr__buf_free(&k.all);

    /* a token callback that stops: no more tokens, text still complete */
    toks_init(&k);
    k.stop_after = 2;
    text.len = 0;
    parse(NULL, m, sizeof m - 1, &text, &k);
    ck_assert_uint_eq(k.n, 2);
    ck_assert_str_eq(text.data, "body\n");
    spamlr__buf_free(&k.all);
    spamlr__buf_free(&text);
}
END_TEST

/* Field-aware header tokens (the default header set) from a golden
 * message: a Received chain with IPv4 and IPv6, a folded Message-ID, an
 * odd Date, address domains with their parents; deny-listed fields give
 * nothing, with or without every other field. */
static void parse_fields(unsigned bits, const char *m, toks *k)
{
    spamlr_text_opts to;
    spamlr__mime_opts mo;
    spamlr__buf text;
    char buf[SPAMLR__MIME_FIELDS_MAX];

    spamlr_text_opts_init(&to);
    if (bits)
        to.header_fields = bits;
    spamlr__mime_opts_for(&mo, &to, buf);
    spamlr__buf_init(&text);
    toks_init(k);
    ck_assert_int_eq(spamlr__mime_parse(&mo, &to, m, strlen(m), &text, collect, k), SPAMLR_OK);
    check_tokens(k);
    spamlr__buf_free(&text);
}

START_TEST(test_field_aware)
{
    static const char m[] =
        "Received: from mail.sender.example.co.uk (mail.sender.example.co.uk [192.0.2.45])\n"
        "\tby mx.local.test (Postfix) with ESMTP id ABC123\n"
        "\tfor <u@local.test>; Tue, 3 Dec 2002 10:00:00 +0100\n"
        "Received: from [IPv6:2001:DB8:85a3::7334] by relay.test with SMTP id 77;\n"
        "   3 Dec 2002 09:59:58 -0000\n"
        "Message-ID:\n <20021203.GA4155@Host.Example.ORG>\n"
        "Date: Tue,  3 Dec 2002 10:00:00 -0500 (EST)\n"
        "From: Alice <alice@news.sender.example.co.uk>\n"
        "Reply-To: offers@other.example\n"
        "To: undisclosed-recipients:;\n"
        "X-Mailer: Microsoft Outlook Express 6.00.2800.1106\n"
        "X-Spam-Status: Yes, hits=9\n"
        "X-Keywords: junk\n"
        "Status: RO\n"
        "X-Original-Date: Mon, 1 Jan 2001\n"
        "Delivered-To: u@local.test\n"
        "X-Custom-Thing: Cheap Pills\n"
        "Authentication-Results: mx.local.test; spf=pass smtp.mailfrom=sender.example\n"
        "Received-SPF: pass (mx.local.test: domain of sender.example)\n"
        "X-Rspamd-Score: 12.5\n"
        "X-Gmail-Labels: Spam,Important\n"
        "X-MS-Exchange-Organization-SCL: 9\n"
        "Content-Type: multipart/alternative; boundary=\"----=_NextPart_000_0001_01C29A\"\n"
        "\n------=_NextPart_000_0001_01C29A\nContent-Type: text/plain\n\nhi\n"
        "------=_NextPart_000_0001_01C29A--\n";
    static const char *const want[] = {
        "received:from:mail.sender.example.co.uk", "received:from:sender.example.co.uk",
        "received:from:example.co.uk", "received:ip:192.0.2", "received:ip:192.0",
        "received:shape:from-by-with-id-for", "received:shape:from-by-with-id",
        "received:ip6:2001:db8", "message-id:@host.example.org", "message-id:@example.org",
        "message-id:shape:9.A9",
        "from:alice", "from:@news.sender.example.co.uk", "from:@sender.example.co.uk",
        "reply-to:@other.example", "reply-to:other-domain", "to:undisclosed",
        "x-mailer:name:microsoft_outlook_express", "x-mailer:ver:microsoft_outlook_express/6",
        "content-type:boundary:----=_A_9_9_9A9A", "content-type:multipart/alternative",
    };
    static const char *const never[] = {
        "received:by:mx.local.test", "received:by:relay.test",
        "status:ro", "x-original-date:mon", "delivered-to:u", "x-keywords:junk",
        "authentication-results:spf", "received-spf:pass", "x-rspamd-score:12",
        "x-gmail-labels:spam", "x-ms-exchange-organization-scl:9",
    };
    static const char odd[] =
        "Date: 3 Dec 02 10:00 GMT\nMessage-ID: no-at-sign-here\nReceived: from localhost\n"
        "Subject: x\n\nbody\n";
    size_t i;
    toks k;

    parse_fields(0, m, &k);
    for (i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(has_token(&k, want[i]), "no token %s in\n%s", want[i], k.all.data);
    for (i = 0; i < sizeof never / sizeof *never; i++)
        ck_assert_msg(!has_token(&k, never[i]), "token %s", never[i]);
    /* the default is every field but the deny-list: the custom one too */
    ck_assert(has_token(&k, "x-custom-thing:cheap"));
    ck_assert(has_token(&k, "date:tz:-0500"));
    ck_assert(has_token(&k, "date:shape:A, 9 A 9 9:9:9 -9 (A)"));
    spamlr__buf_free(&k.all);
    /* the twelve named fields alone: not the custom one, nor Date */
    parse_fields(SPAMLR_HDR_ALL & ~(unsigned)SPAMLR_HDR_OTHER, m, &k);
    ck_assert(!has_token(&k, "x-custom-thing:cheap"));
    ck_assert(!has_token(&k, "date:tz:-0500"));
    for (i = 0; i < sizeof never / sizeof *never; i++)
        ck_assert_msg(!has_token(&k, never[i]), "token %s", never[i]);
    ck_assert_ptr_null(strstr(k.all.data, "x-spam"));
    ck_assert_ptr_null(strstr(k.all.data, "\nstatus:"));
    spamlr__buf_free(&k.all);
    /* the 0.1 set gives none of the new tokens */
    parse_fields(SPAMLR_HDR_V01, m, &k);
    ck_assert(!has_token(&k, "reply-to:other-domain") && !has_token(&k, "to:undisclosed") &&
              !has_token(&k, "from:@sender.example.co.uk") && has_token(&k, "from:@news.sender.example.co.uk"));
    spamlr__buf_free(&k.all);
    /* odd values */
    parse_fields(SPAMLR_HDR_ALL, odd, &k);
    ck_assert(has_token(&k, "date:tz:gmt"));
    ck_assert(has_token(&k, "date:shape:9 A 9 9:9 A"));
    ck_assert(has_token(&k, "message-id:no-at"));
    ck_assert(has_token(&k, "message-id:shape:a-a-a-a"));
    ck_assert(has_token(&k, "received:shape:from"));
    ck_assert_ptr_null(strstr(k.all.data, "received:from:"));  /* "localhost" is no domain */
    spamlr__buf_free(&k.all);
    /* control bytes in a shape: printable (a boundary's once kept a NUL,
     * which no model file can hold: found by fuzz_learn) */
    parse_fields(SPAMLR_HDR_ALL,
                 "Message-ID: <a\x01" "b\x7f" "c@host.example>\n"
                 "Content-Type: multipart/mixed; boundary=\"q\x02q\"\n\n--q\x02q\n\nx\n--q\x02q--\n",
                 &k);
    ck_assert_msg(has_token(&k, "message-id:shape:acaca"), "%s", k.all.data);
    ck_assert_msg(has_token(&k, "content-type:boundary:aca"), "%s", k.all.data);
    spamlr__buf_free(&k.all);
}
END_TEST

/* By default Received gives tokens for its two earliest fields only (the
 * last two of the header: the hops nearest the sender); SPAMLR_HDR_ALL
 * (the 0.3 default) gives every one; without field-aware tokens the two
 * earliest give their words. */
START_TEST(test_received_origin)
{
    static const char m[] =
        "Received: from relay4.inbound.test (relay4.inbound.test [10.1.2.3]) by mx.inbound.test\n"
        "\twith ESMTP id AAA; Mon, 2 Sep 2002 10:00:00 +0100\n"
        "Received: from relay3.inbound.test ([192.0.2.33]) by relay4.inbound.test;\n"
        "\tMon, 2 Sep 2002 09:59:00 +0100\n"
        "Received: from smtp.isp.example ([198.51.100.7]) by relay3.inbound.test;\n"
        "\tMon, 2 Sep 2002 09:58:00 +0100\n"
        "Received: from origin.sender.example ([203.0.113.9]) by smtp.isp.example;\n"
        "\tMon, 2 Sep 2002 09:57:00 +0100\n"
        "From: a@sender.example\nSubject: hello\n\nbody words\n";
    static const char *const near[] = {
        "received:from:smtp.isp.example", "received:ip:198.51.100",
        "received:from:origin.sender.example", "received:ip:203.0.113",
    };
    static const char *const far[] = {
        "received:from:relay4.inbound.test", "received:ip:10.1.2",
        "received:from:relay3.inbound.test", "received:ip:192.0.2",
    };
    size_t i;
    toks k;

    parse_fields(0, m, &k);
    for (i = 0; i < 4; i++) {
        ck_assert_msg(has_token(&k, near[i]), "no token %s in\n%s", near[i], k.all.data);
        ck_assert_msg(!has_token(&k, far[i]), "token %s", far[i]);
    }
    ck_assert(has_token(&k, "subject:hello"));
    spamlr__buf_free(&k.all);
    parse_fields(SPAMLR_HDR_ALL, m, &k);
    for (i = 0; i < 4; i++)
        ck_assert_msg(has_token(&k, near[i]) && has_token(&k, far[i]), "%s, %s", near[i], far[i]);
    spamlr__buf_free(&k.all);
    parse_fields(SPAMLR_HDR_DEFAULT & ~(unsigned)SPAMLR_HDR_FIELD_AWARE, m, &k);
    ck_assert_msg(has_token(&k, "received:isp") && has_token(&k, "received:origin"), "%s",
                  k.all.data);
    /* (relay3 is the host "by" which the second earliest field was
     * written: in it) */
    ck_assert(!has_token(&k, "received:relay4") && !has_token(&k, "received:mx") &&
              !has_token(&k, "received:esmtp"));
    spamlr__buf_free(&k.all);
}
END_TEST

START_TEST(test_filenames)
{
    static const char m[] =
        "Content-Type: multipart/mixed; boundary=zz\n\n"
        "--zz\n"
        "Content-Type: application/octet-stream; name=\"=?utf-8?B?5Y+R56Wo?=.EXE\"\n\n"
        "MZ\n"
        "--zz\n"
        "Content-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename*0*=utf-8''%E4%B8%AD; filename*1=\"x.doc\"\n\n"
        "xx\n"
        "--zz\n"
        "Content-Type: image/gif; name=pic.GIF\n"
        "Content-Disposition: inline; filename=\"photo.jpg\"\n\n"
        "GIF89a\n"
        "--zz--\n";
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    parse(NULL, m, sizeof m - 1, &text, &k);
    ck_assert(has_token(&k, "attach:exe"));
    ck_assert(has_token(&k, "filename:\xE5\x8F\x91\xE7\xA5\xA8"));
    ck_assert(has_token(&k, "attach:doc"));
    ck_assert(has_token(&k, "attach:jpg"));      /* disposition wins over name */
    ck_assert(!has_token(&k, "attach:gif"));
    ck_assert(has_token(&k, "part:image/gif"));
    ck_assert(has_token(&k, "part:application/octet-stream"));
    ck_assert_uint_eq(text.len, 0);
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

START_TEST(test_structure)
{
    /* multipart/digest: parts without Content-Type are messages */
    static const char digest[] =
        "Content-Type: multipart/digest; boundary=d\n\n"
        "--d\n\nSubject: first\n\nfirst body\n"
        "--d\n\nSubject: second\n\nsecond body\n"
        "--d--\n";
    /* HTML without a Content-Type is recognised */
    static const char sniff[] = "Subject: x\n\n<html><body><p>hi&nbsp;there</p></body></html>\n";
    /* declared text/plain holding HTML stays as it is */
    static const char plain[] = "Content-Type: text/plain\n\n<html>&amp;</html>\n";
    /* boundary with trailing blanks, a close delimiter first, junk after */
    static const char odd[] =
        "Content-Type: multipart/mixed; boundary=\"q\"\n\n"
        "--qq\nnot a delimiter\n--q \t\nContent-Type: text/plain\n\npart one\n--q--junk\n"
        "--q\nContent-Type: text/plain\n\nepilogue, ignored\n";
    /* charset in HTML meta only */
    static const char meta[] =
        "Content-Type: text/html\n\n<meta http-equiv=Content-Type content=\"text/html; "
        "charset=koi8-r\"><p>\xF0\xD2\xC9\xD7\xC5\xD4</p>\n";
    /* a blank line inside a folded field (broken spamware) */
    static const char stray[] =
        "Subject: first\n\n second\n\n third\nTo: a@example.com\n"
        "Content-Type: text/html\n\n<p>body</p>\n";
    /* a blank line then an indented body line: the body starts */
    static const char indented[] = "Subject: s\n\n   indented body\nNote: no header\n";
    /* no Content-Type, but a multipart body all the same */
    static const char nocte[] =
        "Subject: x\nMIME-Version: 1.0\n\nThis is a multipart MIME message.\n\n"
        "--= Multipart Boundary 0626\nContent-Type: text/plain\n\nhello\n"
        "--= Multipart Boundary 0626\nContent-Type: application/octet-stream; name=a.exe\n"
        "Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAA\n"
        "--= Multipart Boundary 0626--\n";
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    parse(NULL, stray, sizeof stray - 1, &text, &k);
    ck_assert_str_eq(text.data, "body");
    ck_assert(has_token(&k, "subject:third"));
    ck_assert(has_token(&k, "to:count:1"));
    spamlr__buf_free(&k.all);
    toks_init(&k);
    text.len = 0;
    parse(NULL, indented, sizeof indented - 1, &text, &k);
    ck_assert_str_eq(text.data, "   indented body\nNote: no header\n");
    text.len = 0;
    parse(NULL, nocte, sizeof nocte - 1, &text, &k);
    ck_assert_str_eq(text.data, "hello");
    ck_assert(has_token(&k, "attach:exe"));
    text.len = 0;
    parse(NULL, digest, sizeof digest - 1, &text, &k);
    ck_assert_str_eq(text.data, "first\nfirst body\nsecond\nsecond body");
    ck_assert(has_token(&k, "part:message/rfc822"));
    text.len = 0;
    parse(NULL, sniff, sizeof sniff - 1, &text, &k);
    ck_assert_str_eq(text.data, "hi there");
    text.len = 0;
    parse(NULL, plain, sizeof plain - 1, &text, &k);
    ck_assert_str_eq(text.data, "<html>&amp;</html>\n");
    text.len = 0;
    parse(NULL, odd, sizeof odd - 1, &text, &k);
    ck_assert_str_eq(text.data, "part one");
    text.len = 0;
    parse(NULL, meta, sizeof meta - 1, &text, &k);
    ck_assert_str_eq(text.data, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    /* text already in the buffer is kept and separated by "\n" */
    text.len = 0;
    spamlr__buf_append(&text, "before", 6);
    parse(NULL, plain, sizeof plain - 1, &text, &k);
    ck_assert_str_eq(text.data, "before\n<html>&amp;</html>\n");
    spamlr__buf_free(&text);
    spamlr__buf_free(&k.all);
}
END_TEST

/* --------------------------------------------------------------- charsets */

static void decode_ok(const char *cs, const char *in, size_t len, const char *want)
{
    spamlr__iconv_cache ic;
    spamlr__buf scratch;
    const char *out;
    size_t olen;

    spamlr__iconv_cache_init(&ic);
    spamlr__buf_init(&scratch);
    ck_assert_int_eq(spamlr__charset_decode(&ic, cs, cs ? strlen(cs) : 0, in, len, &scratch,
                                            &out, &olen, 1u << 20),
                     0);
    ck_assert_uint_eq(spamlr__cs_utf8_prefix(out, olen), olen);
    ck_assert_msg(olen == strlen(want) && !memcmp(out, want, olen),
                  "charset %s: got '%.*s' want '%s'", cs ? cs : "(none)", (int)olen, out, want);
    spamlr__buf_free(&scratch);
    spamlr__iconv_cache_free(&ic);
}

/* Encodes UTF-8 text in charset cs with the system's iconv. */
static size_t encode(const char *cs, const char *utf8, char *out, size_t size)
{
    iconv_t cd = iconv_open(cs, "UTF-8");
    char *ip = (char *)utf8, *op = out;
    size_t il = strlen(utf8), ol = size;

    ck_assert_msg(cd != (iconv_t)-1, "iconv has no %s", cs);
    ck_assert_msg(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1, "cannot encode in %s", cs);
    iconv(cd, NULL, NULL, &op, &ol);
    iconv_close(cd);
    return size - ol;
}

START_TEST(test_charsets)
{
    static const struct {
        const char *name, *sample;
    } cs[] = {
        {"utf-8", "Gr\xC3\xBC\xC3\x9F" "e \xE4\xB8\xAD\xE5\xA5\x96"},
        {"us-ascii", "plain ascii text"},
        {"iso-8859-1", "caf\xC3\xA9 na\xC3\xAFve \xC3\x80 bient\xC3\xB4t"},
        {"iso-8859-2", "Za\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87 g\xC4\x99\xC5\x9Bl\xC4\x85 ja\xC5\xBA\xC5\x84"},
        {"iso-8859-3", "\xC4\xA6" "ab \xC4\x9C" "ardeno"},
        {"iso-8859-4", "\xC4\x80" "boli \xC5\xAA" "dens"},
        {"iso-8859-5", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80"},
        {"iso-8859-6", "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"},
        {"iso-8859-7", "\xCE\x93\xCE\xB5\xCE\xB9\xCE\xB1 \xCF\x83\xCE\xBF\xCF\x85"},
        {"iso-8859-8", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"},
        {"iso-8859-9", "\xC4\xB0stanbul \xC4\x9F\xC3\xBC\xC5\x9F"},
        {"iso-8859-10", "\xC4\x90" "ur \xC5\x8A" "ak"},
        {"iso-8859-11", "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA"},
        {"iso-8859-13", "\xC4\x80" "ra \xC5\xAB" "d"},
        {"iso-8859-14", "\xE1\xB8\x82" "ore \xC5\xB5"},
        {"iso-8859-15", "Prix \xE2\x82\xAC 10 \xC5\x93uvre"},
        {"windows-1250", "P\xC5\x99\xC3\xADli\xC5\xA1 \xC5\xBElu\xC5\xA5ou\xC4\x8Dk\xC3\xBD"},
        {"windows-1251", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},
        {"windows-1252", "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x80\x93 \xE2\x82\xAC" "5"},
        {"windows-1253", "\xCE\x93\xCE\xB5\xCE\xB9\xCE\xB1"},
        {"windows-1254", "\xC4\xB0stanbul \xC5\x9F"},
        {"windows-1255", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"},
        {"windows-1256", "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7"},
        {"windows-1257", "\xC4\x80" "ra \xC5\xAB" "d"},
        {"windows-1258", "Vi\xE1\xBB\x87t"},
        {"koi8-r", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80"},
        {"gb2312", "\xE4\xB8\xAD\xE5\xA5\x96 \xE5\x8F\x91\xE7\xA5\xA8 \xE4\xBB\xA3\xE5\xBC\x80"},
        {"gbk", "\xE4\xB8\xAD\xE5\xA5\x96 \xE7\x99\xBC\xE7\xA5\xA8"},
        {"gb18030", "\xE4\xB8\xAD\xE5\xA5\x96 \xE2\x82\xAC"},
        {"big5", "\xE4\xB8\xAD\xE7\x8D\x8E \xE7\x99\xBC\xE7\xA5\xA8"},
        {"shift_jis", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD"},
        {"euc-jp", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD"},
        {"iso-2022-jp", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD"},
        {"euc-kr", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"},
        {"ks_c_5601-1987", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"},
        {"utf-16", "wide \xE4\xB8\xAD"},
    };
    char enc[256], quoted[64];
    size_t i, n;

    for (i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        const char *ename = strcmp(cs[i].name, "ks_c_5601-1987") ? cs[i].name : "CP949";
        n = encode(ename, cs[i].sample, enc, sizeof enc);
        decode_ok(cs[i].name, enc, n, cs[i].sample);
        /* names are case-insensitive and may be quoted */
        snprintf(quoted, sizeof quoted, "\"%s\"", cs[i].name);
        for (n = 0; quoted[n]; n++)
            if (quoted[n] >= 'a' && quoted[n] <= 'z')
                quoted[n] = (char)(quoted[n] - 32);
        n = encode(ename, cs[i].sample, enc, sizeof enc);
        decode_ok(quoted, enc, n, cs[i].sample);
    }
}
END_TEST

START_TEST(test_charset_fallback)
{
    /* 中奖发票 in GB2312 / GB18030 bytes */
    static const char gb[] = "\xD6\xD0\xBD\xB1\xB7\xA2\xC6\xB1";
    static const char gb_utf8[] = "\xE4\xB8\xAD\xE5\xA5\x96\xE5\x8F\x91\xE7\xA5\xA8";

    decode_ok("x-foobar", gb, 8, gb_utf8);
    decode_ok(NULL, gb, 8, gb_utf8);
    decode_ok("utf-8", gb, 8, gb_utf8);            /* declared UTF-8, is GB */
    decode_ok("iso-8859-1", gb, 8, gb_utf8);       /* declared Latin-1, is GB */
    decode_ok("gb2312", "\x81\x40", 2, "\xE4\xB8\x82");  /* GBK-only char via GB18030 */
    decode_ok("x-foobar", gb_utf8, strlen(gb_utf8), gb_utf8);
    decode_ok("iso-8859-1", "caf\xC3\xA9", 5, "caf\xC3\xA9");   /* declared Latin-1, is UTF-8 */
    decode_ok("koi8-r", "caf\xC3\xA9", 5, "caf\xC3\xA9");
    /* Latin-1 text never turns Chinese */
    decode_ok("iso-8859-1", "Informa\xE7\xE3o", 10, "Informa\xC3\xA7\xC3\xA3o");
    decode_ok(NULL, "A\xC9t\xE9 \xE0 Paris", 12, "A\xC3\x89t\xC3\xA9 \xC3\xA0 Paris");
    /* mixed UTF-8 and windows-1252, undefined bytes as one U+FFFD */
    decode_ok("utf-8", "\xC3\xA9 \x93x\x94 \x81\x8D!", 10,
              "\xC3\xA9 \xE2\x80\x9Cx\xE2\x80\x9D \xEF\xBF\xBD!");
    /* invalid multibyte input: replaced, never an error */
    decode_ok("shift_jis", "ok\x81\x20" "ok", 6, "ok\xEF\xBF\xBD ok");
    decode_ok("euc-kr", "ab\xB0", 3, "ab\xEF\xBF\xBD");
    decode_ok("utf-16le", "a\0b", 3, "a\xEF\xBF\xBD");
    /* iconv output is checked: glibc passes UCS-4 above U+10FFFF through */
    decode_ok("ucs-4", "\x7F\xFF\xFF\xFF\0\0\0A", 8, "\xEF\xBF\xBD" "A");
    /* a BOM is dropped */
    decode_ok("utf-8", "\xEF\xBB\xBFhi", 5, "hi");
    decode_ok("utf-16", "\xFF\xFEh\0i\0", 6, "hi");
    /* names iconv does not know or must not see */
    decode_ok("UTF-8//TRANSLIT", "a\xE9", 2, "a\xC3\xA9");
    decode_ok("default_charset", "a\xE9", 2, "a\xC3\xA9");
    decode_ok("", "plain", 5, "plain");
}
END_TEST

/* ------------------------------------------------------------------ HTML */

static void html_ok(const char *in, const char *want, spamlr__html_info *info)
{
    spamlr__buf b;

    spamlr__buf_init(&b);
    ck_assert_int_eq(spamlr__html_to_text(&b, 1u << 20, in, strlen(in), info), 0);
    ck_assert_msg(!strcmp(b.data ? b.data : "", want), "html '%s': got '%s' want '%s'", in,
                  b.data ? b.data : "", want);
    check_text(&b);
    spamlr__buf_free(&b);
}

typedef struct links {
    char all[1024];
} links;

static void on_link(void *ctx, int kind, const char *host, size_t len)
{
    links *l = ctx;
    size_t n = strlen(l->all);

    snprintf(l->all + n, sizeof l->all - n, "%s%.*s ", kind == SPAMLR__HTML_MAILTO ? "@" : "",
             (int)len, host);
}

START_TEST(test_html)
{
    spamlr__html_info info;
    links l;

    html_ok("&lt;b&gt; &amp; &quot;q&quot; &apos;", "<b> & \"q\" '", NULL);
    html_ok("&copy;&eacute;&Eacute;&#233;&#xE9;&#XE9;&#x4e2d;&euro;&hellip;",
            "\xC2\xA9\xC3\xA9\xC3\x89\xC3\xA9\xC3\xA9\xC3\xA9\xE4\xB8\xAD\xE2\x82\xAC\xE2\x80\xA6",
            NULL);
    html_ok("a&nbsp;b&nbspc &ampd &notin; &#150;&#0;&#xD800;&#99999999;",
            "a b c &d \xC2\xACin; \xE2\x80\x93\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", NULL);
    html_ok("V&shy;i&#8203;a&#x200b;gra", "Viagra", NULL);
    html_ok("<p>one</p><p>two<br>three</p><div>four</div><li>five<td>six", 
            "one\ntwo\nthree\nfour\nfive six", NULL);
    html_ok("x<script>document.write('<p>no</p>')</script>y<style>p{}</style>z", "x y z", NULL);
    html_ok("<head><title>T</title><meta x=1>junk</head><body>real", "real", NULL);
    html_ok("<head><title>T</title><p>no body tag", "no body tag", NULL);
    html_ok("a<!-- c -->b<!x>c<?php ?>d<!-- unterminated", "abcd", NULL);
    html_ok("1 < 2 and 3 <4 </ >", "1 < 2 and 3 <4 </ >", NULL);
    html_ok("  lots \n\t of   \r\n space  ", "lots of space", NULL);
    html_ok("<a href='x>y'>link</a> <img alt=\"a>b\">after", "link after", NULL);
    html_ok("<script src=x.js />visible", "visible", NULL);
    html_ok("<p unterminated tag", "", NULL);
    html_ok("bad \xFF\xC0 bytes \x01 ctl", "bad bytes ctl", NULL);

    memset(&info, 0, sizeof info);
    memset(&l, 0, sizeof l);
    info.link = on_link;
    info.link_ctx = &l;
    html_ok("<a href=\"http://Ex.COM/a\">a</a><a href=https://u:p@sub.ex.org:81/x?y>b</a>"
            "<a href=\"//cdn.ex.net\">c</a><a href='/relative'>d</a><a href=\"javascript:x\">e</a>"
            "<a href=\"mailto:Me@Mail.Ex.com?subject=hi\">f</a><img src=\"http://10.1.2.3/x.gif\">"
            "<img src=\"http://3232235777/\"><a href=\"http://%65x.com\">g</a>"
            "<a href=\"&#104;ttp://ent.example/\">h</a><form action=\"http://f.example/p\">"
            "<a href=\"http://bad host/\">i</a>",
            "abcdef gh\ni", &info);
    ck_assert_str_eq(l.all, "ex.com sub.ex.org cdn.ex.net @mail.ex.com ip ip ex.com ent.example "
                            "f.example ");
    ck_assert_uint_eq(info.images, 2);
    ck_assert_uint_eq(info.forms, 1);
    ck_assert_uint_eq(info.hidden, 0);

    memset(&info, 0, sizeof info);
    html_ok("<span style=\"DISPLAY : none\">a</span><div style='visibility:hidden'>b</div>"
            "<font size=0>c</font><font size=\"1\">d</font><span style=\"font-size:1px\">e</span>"
            "<span style=\"font-size: 0.1em\">f</span><p style=\"color:#FFF\">g</p>"
            "<font color=white>h</font><p style=\"color: rgb(0,0,0)\">i</p><div hidden>j</div>",
            "a\nb\ncdef\ng\nh\ni\nj", &info);
    ck_assert_uint_eq(info.hidden, 9);
    memset(&info, 0, sizeof info);
    html_ok("<p style=\"background-color:#fff; font-size:12px\">a</p><font size=2 color=red>b"
            "</font><font size=\"+1\">c</font><p style=\"color:#f0f0f0f\">d</p>",
            "a\nbc\nd", &info);
    ck_assert_uint_eq(info.hidden, 0);

    {
        const char *cs;
        size_t n = spamlr__html_meta_charset("<html><META content=\"text/html; charset=GB2312\">",
                                             48, &cs);
        ck_assert_uint_eq(n, 6);
        ck_assert(!strncmp(cs, "GB2312", 6));
        ck_assert_uint_eq(spamlr__html_meta_charset("<p>charset=x</p>", 16, &cs), 0);
        ck_assert(spamlr__html_sniff(" \n<!DOCTYPE HTML PUBLIC", 23));
        ck_assert(!spamlr__html_sniff("Hello <html>", 12));
    }
}
END_TEST

/* Every element name the text cares about, in either case, and near
 * misses that are not elements of any kind. */
START_TEST(test_html_elements)
{
    static const char *const block[] = {
        "p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
        "ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "center", "form", "section",
        "article", "header", "footer", "nav", "address", "caption", "fieldset", "legend",
        "option", "body", "html", "tbody", "thead", "tfoot", "aside", "main", "figure",
        "figcaption", "frame", "frameset",
    };
    static const char *const cell[] = { "td", "th", "img", "input", "button" };
    static const char *const raw[] = {
        "script", "style", "title", "template", "iframe", "noembed", "textarea", "xml",
    };
    static const char *const none[] = {
        "a", "b", "span", "font", "pp", "divx", "blockquotes", "h7", "tds", "o", "scrip",
    };
    spamlr__html_info info;
    char in[128], up[32];
    size_t i, k;

    for (i = 0; i < sizeof block / sizeof *block; i++) {
        snprintf(in, sizeof in, "a<%s>b</%s>c", block[i], block[i]);
        html_ok(in, "a\nb\nc", NULL);
        for (k = 0; block[i][k]; k++)
            up[k] = (char)toupper((unsigned char)block[i][k]);
        up[k] = 0;
        snprintf(in, sizeof in, "a<%s x=1>b", up);
        html_ok(in, "a\nb", NULL);
    }
    for (i = 0; i < sizeof cell / sizeof *cell; i++) {
        snprintf(in, sizeof in, "a<%s>b</%s>c", cell[i], cell[i]);
        html_ok(in, "a b c", NULL);
    }
    for (i = 0; i < sizeof raw / sizeof *raw; i++) {
        snprintf(in, sizeof in, "a<%s>hidden</%s>b", raw[i], raw[i]);
        html_ok(in, "a b", NULL);
    }
    for (i = 0; i < sizeof none / sizeof *none; i++) {
        snprintf(in, sizeof in, "a<%s>b</%s>c", none[i], none[i]);
        html_ok(in, "abc", NULL);
    }
    /* what may stand in <head> keeps it open: text there is dropped */
    html_ok("<head><meta><link><base><noscript></noscript><basefont><bgsound><o:p>x</head>y",
            "y", NULL);
    html_ok("<head><p>x", "x", NULL);
    memset(&info, 0, sizeof info);
    html_ok("<img><IMG><script></script><iframe></iframe><frame><form><object><embed>"
            "<applet>", "", &info);
    ck_assert_uint_eq(info.images, 2);
    ck_assert_uint_eq(info.scripts, 1);
    ck_assert_uint_eq(info.iframes, 2);
    ck_assert_uint_eq(info.forms, 1);
    ck_assert_uint_eq(info.objects, 3);
}
END_TEST

START_TEST(test_html_tokens_in_mail)
{
    static const char m[] =
        "Content-Type: text/html\n\n"
        "<img src=a><img src=b><img src=c><img src=d><img src=e><img src=f>"
        "<a href=http://x.example/1>1</a><a href=http://x.example/2>2</a>"
        "<iframe src=http://y.example/>fallback</iframe><embed src=z.swf>";
    spamlr__mime_opts mo;
    spamlr__buf text;
    toks k;

    spamlr__buf_init(&text);
    toks_init(&k);
    parse(NULL, m, sizeof m - 1, &text, &k);
    ck_assert(has_token(&k, "html:img:6+"));
    ck_assert(has_token(&k, "url:x.example"));
    ck_assert(has_token(&k, "url:y.example"));
    ck_assert(has_token(&k, "html:iframe"));
    ck_assert(has_token(&k, "html:object"));
    ck_assert_ptr_null(strstr(text.data, "fallback"));
    /* url:x.example once per message */
    ck_assert_ptr_null(strstr(strstr(k.all.data, "url:x.example") + 1, "url:x.example"));
    spamlr__buf_free(&k.all);

    spamlr__mime_opts_init(&mo);
    mo.html_tokens = 0;
    toks_init(&k);
    text.len = 0;
    parse(&mo, m, sizeof m - 1, &text, &k);
    ck_assert_ptr_null(strstr(k.all.data, "html:"));
    ck_assert_ptr_null(strstr(k.all.data, "url:"));
    spamlr__buf_free(&k.all);
    spamlr__buf_free(&text);
}
END_TEST

/* ------------------------------------------------------------- mutations */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* ------------------------------------------- Received: IPv4 addresses */

typedef struct iplist {
    char s[4096];
    size_t n;
} iplist;

static void ip_add(iplist *l, const char *t, size_t n)
{
    if (l->n + n + 2 < sizeof l->s) {
        memcpy(l->s + l->n, t, n);
        l->n += n;
        l->s[l->n++] = ' ';
        l->s[l->n] = '\0';
    }
}

static void on_ip(void *ctx, const char *prefix, const char *t, size_t n)
{
    if (!strcmp(prefix, "received:ip:"))
        ip_add(ctx, t, n);
}

/* The definition, one byte at a time: at every digit that no digit or dot
 * comes right before, a dotted quad (1-3 digits a part, each <= 255, no
 * digit or ".digit" after it) gives its /24 and /16 prefixes. */
static void ipv4_by_byte(const char *v, size_t n, iplist *l)
{
    size_t i, j, p, d, mark[4];
    unsigned x;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)v[i]) || (i > 0 && (isdigit((unsigned char)v[i - 1]) ||
                                                         v[i - 1] == '.')))
            continue;
        for (j = i, p = 0; p < 4; p++) {
            for (x = 0, d = 0; j < n && isdigit((unsigned char)v[j]) && d < 4; j++, d++)
                x = x * 10 + (unsigned)(v[j] - '0');
            if (d == 0 || d > 3 || x > 255)
                break;
            mark[p] = j;
            if (p < 3 && (j >= n || v[j++] != '.'))
                break;
        }
        if (p == 4 && !(j < n && (isdigit((unsigned char)v[j]) ||
                                  (v[j] == '.' && j + 1 < n && isdigit((unsigned char)v[j + 1]))))) {
            ip_add(l, v + i, mark[2] - i);
            ip_add(l, v + i, mark[1] - i);
        }
    }
}

START_TEST(test_received_ipv4)
{
    static const char alpha[] = "0123456789012345.....  a[]();:x";
    static const char *const fixed[] = {
        "from a ([10.1.2.3]) by b", "1.2.3.4", "1.2.3.4.5", "a.1.2.3.4", "1234.5.6.7",
        "256.1.1.1 1.1.1.256 255.255.255.255", "1.2.3.4.x 1.2.3", "9.8.7.6.", "0.0.0.0",
        "x1.2.3.4 (1.2.3.4) 01.002.3.4 1..2.3.4 12.34.56.78:25",
    };
    iplist want, got;
    char v[200];
    size_t i, k, n;

    for (i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        memset(&want, 0, sizeof want);
        memset(&got, 0, sizeof got);
        ipv4_by_byte(fixed[i], strlen(fixed[i]), &want);
        spamlr__field_received(fixed[i], strlen(fixed[i]), on_ip, &got);
        ck_assert_msg(!strcmp(want.s, got.s), "'%s': want '%s' got '%s'", fixed[i], want.s,
                      got.s);
    }
    /* the first line's, spelled out */
    memset(&got, 0, sizeof got);
    spamlr__field_received(fixed[0], strlen(fixed[0]), on_ip, &got);
    ck_assert_str_eq(got.s, "10.1.2 10.1 ");
    rng_state = 0x243F6A8885A308D3ULL;
    for (k = 0; k < 20000; k++) {
        n = rnd() % sizeof v;
        for (i = 0; i < n; i++)
            v[i] = alpha[rnd() % (sizeof alpha - 1)];
        memset(&want, 0, sizeof want);
        memset(&got, 0, sizeof got);
        ipv4_by_byte(v, n, &want);
        spamlr__field_received(v, n, on_ip, &got);
        ck_assert_msg(!strcmp(want.s, got.s), "'%.*s': want '%s' got '%s'", (int)n, v, want.s,
                      got.s);
    }
}
END_TEST

/* A random text for the run-at-a-time tests: up to cap - 1 bytes drawn
 * from alpha (a string literal) into v, and a cap on the output of 1 to
 * cap + 20 bytes (*max); returns the length. */
static size_t random_text(char *v, size_t cap, const char *alpha, size_t *max)
{
    size_t i, n = rnd() % cap, na = strlen(alpha);

    *max = 1 + rnd() % (cap + 20);
    for (i = 0; i < n; i++)
        v[i] = alpha[rnd() % na];
    return n;
}

/* Unfolding drops every CR and LF and keeps at most max bytes, then trims:
 * the run-at-a-time copy against that definition, on random values. */
START_TEST(test_unfold_random)
{
    static const char alpha[] = "ab \t\r\n\r\nc";
    char v[300], want[300];
    spamlr__buf hv;
    size_t k, i, n, max, m;

    spamlr__buf_init(&hv);
    rng_state = 0x13198A2E03707344ULL;
    for (k = 0; k < 20000; k++) {
        const char *out, *w = want;
        size_t olen;

        n = random_text(v, sizeof v, alpha, &max);
        for (i = 0, m = 0; i < n && m < max; i++)
            if (v[i] != '\r' && v[i] != '\n')
                want[m++] = v[i];
        while (m > 0 && (*w == ' ' || *w == '\t'))
            w++, m--;
        while (m > 0 && (w[m - 1] == ' ' || w[m - 1] == '\t'))
            m--;
        ck_assert_int_eq(spamlr__hdr_unfold(&hv, max, v, n, &out, &olen), 0);
        ck_assert_msg(olen == m && !memcmp(out, w, m), "value %zu of %zu bytes, max %zu", k, n,
                      max);
    }
    spamlr__buf_free(&hv);
}
END_TEST

/* Quoted-printable, a byte at a time: the definition the decoder's
 * run-at-a-time copy of a body is checked against. */
static size_t qp_reference(const char *s, size_t n, char *o, size_t max, int header)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, j, m = 0, cap = n < max ? n : max;

    while (i < n && m < cap) {
        const char *h1, *h2;

        if (s[i] == '_' && header) {
            o[m++] = ' ';
            i++;
        } else if (s[i] != '=') {
            o[m++] = s[i++];
        } else if (i + 2 < n && s[i + 1] && s[i + 2] &&
                   (h1 = strchr(hex, toupper((unsigned char)s[i + 1]))) &&
                   (h2 = strchr(hex, toupper((unsigned char)s[i + 2])))) {
            o[m++] = (char)((h1 - hex) * 16 + (h2 - hex));
            i += 3;
        } else {
            for (j = i + 1; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
                ;
            if (j < n && s[j] == '\r')
                j++;
            if (j >= n)
                i = n;
            else if (s[j] == '\n')
                i = j + 1;
            else
                o[m++] = s[i++];
        }
    }
    return m;
}

/* The decoder against that definition on random text full of '=',
 * hex digits, soft line breaks and '_', as a body and as a header, with
 * every kind of cap. */
START_TEST(test_qp_random)
{
    static const char alpha[] = "==aF09 _\t\r\nxyz=\r\n";
    char v[300], want[300];
    spamlr__buf out;
    size_t k, n, max, m;

    spamlr__buf_init(&out);
    rng_state = 0x243F6A8885A308D3ULL;
    for (k = 0; k < 20000; k++) {
        int header = (int)(k & 1);

        n = random_text(v, sizeof v, alpha, &max);
        m = qp_reference(v, n, want, max, header);
        out.len = 0;
        ck_assert_int_eq(spamlr__qp_decode(v, n, &out, max, header), 0);
        ck_assert_msg(out.len == m && !memcmp(out.data, want, m),
                      "text %zu of %zu bytes, max %zu, header %d: %zu bytes, want %zu", k, n,
                      max, header, out.len, m);
    }
    spamlr__buf_free(&out);
}
END_TEST

/* The first charset= of a message: any case, quoted or not, cut at the
 * buffer; none gives "". */
START_TEST(test_first_charset)
{
    char cs[8];
    const char *m = "x: y\nContent-Type: text/plain; CHARSET=\"koi8-r\"; a=b charset=utf-8";

    ck_assert_uint_eq(spamlr__hdr_first_charset(m, strlen(m), cs, sizeof cs), 6);
    ck_assert_str_eq(cs, "koi8-r");
    ck_assert_uint_eq(spamlr__hdr_first_charset("a=b; charset=gb2312\n", 20, cs, sizeof cs), 6);
    ck_assert_str_eq(cs, "gb2312");
    ck_assert_uint_eq(spamlr__hdr_first_charset("charset=windows-1251", 20, cs, sizeof cs), 7);
    ck_assert_str_eq(cs, "windows");
    /* "charset=" must start before the last 8 bytes; none at all */
    ck_assert_uint_eq(spamlr__hdr_first_charset("charset=", 8, cs, sizeof cs), 0);
    ck_assert_str_eq(cs, "");
    ck_assert_uint_eq(spamlr__hdr_first_charset("= = charsets = x", 16, cs, sizeof cs), 0);
    ck_assert_str_eq(cs, "");
}
END_TEST

START_TEST(test_mutations)
{
    static const char specials[] = "=-\n\r<>&;:\"?_ \t\0#@/BbQq";
    size_t len, mlen, i, n, total = 0;
    char *orig = golden_mail(_i, &len);
    char *m = malloc(len * 2 + 64);
    spamlr__mime_opts mo;
    int round;

    ck_assert_ptr_nonnull(m);
    rng_state = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(_i + 1) * 0x2545F4914F6CDD1DULL;
    spamlr__mime_opts_init(&mo);
    for (round = 0; round < 300; round++) {
        spamlr__buf text;
        toks k;
        memcpy(m, orig, len);
        mlen = len;
        n = 1 + rnd() % 8;
        for (i = 0; i < n && mlen > 0; i++) {
            size_t at = rnd() % mlen;
            switch (rnd() % 6) {
            case 0:                                /* flip a bit */
                m[at] = (char)(m[at] ^ (1 << (rnd() % 8)));
                break;
            case 1:                                /* insert a special byte */
                if (mlen < len * 2 + 32) {
                    memmove(m + at + 1, m + at, mlen - at);
                    m[at] = specials[rnd() % (sizeof specials - 1)];
                    mlen++;
                }
                break;
            case 2:                                /* delete a run */
            {
                size_t d = 1 + rnd() % 16;
                if (d > mlen - at)
                    d = mlen - at;
                memmove(m + at, m + at + d, mlen - at - d);
                mlen -= d;
                break;
            }
            case 3:                                /* truncate */
                mlen = at;
                break;
            case 4:                                /* random byte */
                m[at] = (char)rnd();
                break;
            default:                               /* duplicate a chunk */
            {
                size_t d = 1 + rnd() % 32;
                if (d > mlen - at)
                    d = mlen - at;
                if (mlen + d <= len * 2 + 32) {
                    memmove(m + at + d, m + at, mlen - at);
                    mlen += d;
                }
                break;
            }
            }
        }
        mo.max_depth = 1 + rnd() % 40;
        spamlr__buf_init(&text);
        toks_init(&k);
        parse(&mo, m, mlen, &text, &k);  /* asserts the invariants */
        spamlr__buf_free(&text);
        spamlr__buf_free(&k.all);
        total++;
    }
    ck_assert_uint_eq(total, 300);
    free(m);
    free(orig);
}
END_TEST

/* Options as tests/fuzz/fuzz_mime.c picks them from the first byte. */
static void fuzz_opts(unsigned sel, spamlr__mime_opts *mo)
{
    spamlr__mime_opts_init(mo);
    if (sel & 1) {
        mo->max_depth = sel >> 5;
        mo->max_output = 64 + (sel & 0x1e) * 8;
        mo->max_header_line = 32 + (sel & 0x1e);
        mo->max_part = 100 + (sel & 0x1e) * 16;
    }
    if (sel & 2)
        mo->fields = "subject received x-spam-status date message-id content-type from to";
    if (sel & 4)
        mo->html_tokens = 0;
}

/* Replays the fuzzer's corpus (tests/fuzz/corpus/mime) as the fuzz target
 * reads it: crashers that were found and fixed must stay fixed. */
START_TEST(test_fuzz_corpus)
{
    char dir[1024], path[2048];
    DIR *d;
    struct dirent *e;
    size_t len, files = 0;
    spamlr__mime_opts mo;

    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/mime", srcdir());
    d = opendir(dir);
    if (!d)
        return;                                    /* no corpus yet */
    while ((e = readdir(d)) != NULL) {
        spamlr__buf text;
        toks k;
        char *m;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        m = slurp(path, &len);
        if (!m)
            continue;
        spamlr__buf_init(&text);
        toks_init(&k);
        fuzz_opts(len ? (unsigned char)m[0] : 0, &mo);
        parse(&mo, len ? m + 1 : m, len ? len - 1 : 0, &text, &k);
        ck_assert_uint_le(text.len, mo.max_output);
        spamlr__buf_free(&text);
        spamlr__buf_free(&k.all);
        free(m);
        files++;
    }
    closedir(d);
    ck_assert_uint_gt(files, 0);
}
END_TEST

static Suite *mime_suite(void)
{
    Suite *s = suite_create("mime");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_golden, 0, NGOLDEN);
    tcase_add_test(tc, test_golden_facts);
    tcase_add_test(tc, test_state_reuse);
    tcase_add_test(tc, test_field_cache);
    tcase_add_test(tc, test_train_predict_one_path);
    tcase_add_test(tc, test_empty_input);
    tcase_add_test(tc, test_plausible_header);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_deep_multipart);
    tcase_add_test(tc, test_deep_rfc822);
    tcase_add_test(tc, test_huge_header_line);
    tcase_add_test(tc, test_output_caps);
    tcase_add_test(tc, test_base64_qp_tolerance);
    tcase_add_test(tc, test_encoded_words);
    tcase_add_test(tc, test_allow_list);
    tcase_add_test(tc, test_field_aware);
    tcase_add_test(tc, test_received_origin);
    tcase_add_test(tc, test_filenames);
    tcase_add_test(tc, test_structure);
    tcase_add_test(tc, test_charsets);
    tcase_add_test(tc, test_charset_fallback);
    tcase_add_test(tc, test_html);
    tcase_add_test(tc, test_html_elements);
    tcase_add_test(tc, test_received_ipv4);
    tcase_add_test(tc, test_unfold_random);
    tcase_add_test(tc, test_qp_random);
    tcase_add_test(tc, test_first_charset);
    tcase_add_test(tc, test_html_tokens_in_mail);
    tcase_add_loop_test(tc, test_mutations, 0, NGOLDEN);
    tcase_add_test(tc, test_fuzz_corpus);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(mime_suite)
