/* test_limits.c - the documented limits (tests/README.md "Limits") hold
 * on pathological input, and peak memory stays bounded: every case runs in
 * a forked child that reports how much its peak resident size grew
 * (getrusage ru_maxrss) while the library worked on an input made before.
 *
 * Memory is not measured under valgrind or a sanitizer (their own
 * bookkeeping dominates); the inputs still run there, and shrink tenfold
 * under valgrind (SPAMLR_TEST_VALGRIND=1, set by make check-valgrind). */
#include "testutil.h"
#include <sys/resource.h>
#include <sys/wait.h>
#include <zlib.h>

#include "mail/mime.h"
#include "text/tokenize.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TU_SANITIZED 1
#endif
#endif
#ifndef TU_SANITIZED
#define TU_SANITIZED 0
#endif

#define MIB ((size_t)1 << 20)
/* Growth of peak RSS allowed while parsing one message: a part body is
 * decoded to at most max_part (16 MiB) and the text is cut at max_output
 * (4 MiB); with the buffers' doubling that is well under this. */
#define MEM_BOUND (64 * MIB)

static int valgrind(void) { return getenv("SPAMLR_TEST_VALGRIND") != NULL; }
static size_t scaled(size_t n) { return valgrind() ? n / 10 : n; }

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* What the child reports to the parent. */
typedef struct report {
    int rc;           /* library return code */
    size_t text_len;  /* decoded text length */
    size_t tokens;    /* header tokens or tokens counted */
    size_t longest;   /* longest token */
    long grew_kib;    /* ru_maxrss growth */
} report;

static int count_cb(void *ctx, const char *t, size_t n)
{
    report *r = ctx;
    (void)t;
    r->tokens++;
    if (n > r->longest)
        r->longest = n;
    return 0;
}

typedef void (*work_fn)(const char *msg, size_t len, report *r);

/* Runs fn on msg in a child; returns its report. */
static report in_child(work_fn fn, const char *msg, size_t len)
{
    int fds[2], status;
    report r;
    pid_t pid;

    memset(&r, 0, sizeof r);
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        long before;
        close(fds[0]);
        before = maxrss_kib();
        fn(msg, len, &r);
        r.grew_kib = maxrss_kib() - before;
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    ck_assert_int_eq((int)read(fds[0], &r, sizeof r), (int)sizeof r);
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (getenv("SPAMLR_TEST_VERBOSE"))
        fprintf(stderr, "limits: rc %d, text %zu bytes, %zu tokens, peak RSS +%ld KiB\n", r.rc,
                r.text_len, r.tokens, r.grew_kib);
    if (!TU_SANITIZED && !valgrind())
        ck_assert_msg((size_t)r.grew_kib * 1024 <= MEM_BOUND,
                      "peak memory grew by %ld KiB (bound %zu MiB)", r.grew_kib,
                      MEM_BOUND / MIB);
    return r;
}

static void mime_work(const char *msg, size_t len, report *r)
{
    spamlr__mime_opts mo;
    spamlr_text_opts to;
    spamlr__buf text;

    spamlr__mime_opts_init(&mo);
    spamlr_text_opts_init(&to);
    spamlr__buf_init(&text);
    r->rc = spamlr__mime_parse(&mo, &to, msg, len, &text, count_cb, r);
    r->text_len = text.len;
    spamlr__buf_free(&text);
}

/* The whole prediction path: parse, tokenise, look up. */
static void dataset_work(const char *msg, size_t len, report *r)
{
    spamlr_dataset *ds = NULL;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    r->rc = spamlr_dataset_add(ds, SPAMLR_SPAM, msg, len, "x");
    r->tokens = spamlr_dataset_vocab_size(ds);
    spamlr_dataset_free(ds);
}

static void tokenize_work(const char *msg, size_t len, report *r)
{
    spamlr_text_opts to;

    spamlr_text_opts_init(&to);
    r->rc = spamlr_tokenize(&to, msg, len, count_cb, r);
}

/* Fills a buffer: head, then `n` bytes repeating `unit`, then tail. */
static char *make(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    size_t h = strlen(head), u = strlen(unit), t = strlen(tail), i;
    char *p = malloc(h + n + t + 1);

    ck_assert_ptr_nonnull(p);
    memcpy(p, head, h);
    for (i = 0; i < n; i++)
        p[h + i] = unit[i % u];
    memcpy(p + h + n, tail, t + 1);
    *len = h + n + t;
    return p;
}

START_TEST(base64_line_of_100mb)
{
    size_t len;
    char *m = make("Subject: big\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n",
                   "aGVsbG8gd29ybGQgZnJlZSBwcml6ZSA", scaled(100 * MIB), "\n", &len);
    report r = in_child(mime_work, m, len);

    ck_assert_int_eq(r.rc, SPAMLR_OK);
    /* the part is decoded up to max_part, the text cut at max_output */
    ck_assert_uint_le(r.text_len, 4 * MIB + 1);
    ck_assert_uint_gt(r.text_len, valgrind() ? MIB : 3 * MIB);
    r = in_child(dataset_work, m, len);
    ck_assert_int_eq(r.rc, SPAMLR_OK);
    free(m);
}
END_TEST

START_TEST(plain_body_line_of_100mb)
{
    size_t len;
    char *m = make("Subject: big\n\n", "lorem ipsum dolor ", scaled(100 * MIB), "", &len);
    report r = in_child(mime_work, m, len);

    ck_assert_int_eq(r.rc, SPAMLR_OK);
    ck_assert_uint_le(r.text_len, 4 * MIB + 1);
    free(m);
}
END_TEST

START_TEST(nested_multiparts_1e5)
{
    size_t n = valgrind() ? 10000 : 100000, i, len = 0, cap = n * 80 + 64;
    char *m = malloc(cap);
    report r;

    ck_assert_ptr_nonnull(m);
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(m + len, cap - len,
                                "Content-Type: multipart/mixed; boundary=b%zu\n\n--b%zu\n", i, i);
    len += (size_t)snprintf(m + len, cap - len, "Content-Type: text/plain\n\ndeep text\n");
    r = in_child(mime_work, m, len);
    /* deeper than max_depth (32): skipped, reported, no stack overflow */
    ck_assert_int_eq(r.rc, SPAMLR_ELIMIT);
    r = in_child(dataset_work, m, len);
    ck_assert_int_eq(r.rc, SPAMLR_OK); /* what could be read is kept */
    /* nested message/rfc822 the same way */
    for (i = 0, len = 0; i < n; i++)
        len += (size_t)snprintf(m + len, cap - len, "Content-Type: message/rfc822\n\n");
    len += (size_t)snprintf(m + len, cap - len, "\ndeep text\n");
    r = in_child(mime_work, m, len);
    ck_assert_int_eq(r.rc, SPAMLR_ELIMIT);
    free(m);
}
END_TEST

START_TEST(header_line_of_50mb)
{
    size_t len;
    char *m = make("Subject: ", "free prize ", scaled(50 * MIB), "\n\nbody\n", &len);
    report r = in_child(mime_work, m, len);

    ck_assert_int_eq(r.rc, SPAMLR_OK);
    /* the field is cut at max_header_line (64 KiB): at most that many
     * bytes' worth of subject tokens */
    ck_assert_uint_le(r.tokens, 65536 / 2);
    ck_assert_uint_gt(r.tokens, 1000);
    free(m);
    /* folded over a million continuation lines, the same */
    m = make("Subject: x", "\n y", scaled(50 * MIB), "\n\nbody\n", &len);
    r = in_child(mime_work, m, len);
    ck_assert_int_eq(r.rc, SPAMLR_OK);
    ck_assert_uint_le(r.tokens, 65536 / 2 + 1); /* "x" and 32768 " y" */
    free(m);
}
END_TEST

START_TEST(many_header_fields)
{
    size_t len;
    char *m = make("", "X-Junk: a\n", scaled(50 * MIB), "\nbody\n", &len);
    report r = in_child(mime_work, m, len);

    ck_assert_int_eq(r.rc, SPAMLR_OK);
    free(m);
}
END_TEST

START_TEST(token_length)
{
    spamlr_text_opts to;
    size_t len;
    char *m = make("short ", "a", scaled(50 * MIB), " words", &len);
    report r = in_child(tokenize_work, m, len);

    /* a 50 MB word is dropped, not truncated; nothing is allocated */
    ck_assert_int_eq(r.rc, SPAMLR_OK);
    ck_assert_uint_eq(r.tokens, 2);
    ck_assert_uint_le(r.longest, 40);
    free(m);
    spamlr_text_opts_init(&to);
    to.max_token_len = SPAMLR__MAX_TOKEN_LEN;
    ck_assert_int_eq(spamlr_tokenize(&to, "x", 1, count_cb, &r), SPAMLR_OK);
    to.max_token_len = SPAMLR__MAX_TOKEN_LEN + 1;
    ck_assert_int_eq(spamlr_tokenize(&to, "x", 1, count_cb, &r), SPAMLR_EINVAL);
    ck_assert_int_eq(SPAMLR__MAX_TOKEN_LEN, 1024);
}
END_TEST

static int url_cb(void *ctx, const char *t, size_t n)
{
    size_t *count = ctx;
    *count += n > 4 && memcmp(t, "url:", 4) == 0;
    return 0;
}

/* Structure tokens (url:, part:, ...) are given once each, at most 256
 * distinct ones per message. */
START_TEST(structure_tokens_per_message)
{
    size_t cap = 1000 * 48 + 128, len, i, urls = 0;
    char *m = malloc(cap);
    spamlr__mime_opts mo;
    spamlr_text_opts to;
    spamlr__buf text;

    ck_assert_ptr_nonnull(m);
    len = (size_t)snprintf(m, cap, "Content-Type: text/html\n\n<p>");
    for (i = 0; i < 1000; i++)
        len += (size_t)snprintf(m + len, cap - len, "<a href=\"http://h%zu.example/\">x</a>", i);
    spamlr__mime_opts_init(&mo);
    spamlr_text_opts_init(&to);
    spamlr__buf_init(&text);
    ck_assert_int_eq(spamlr__mime_parse(&mo, &to, m, len, &text, url_cb, &urls), SPAMLR_OK);
    ck_assert_uint_le(urls, 256);
    ck_assert_uint_ge(urls, 200);
    spamlr__buf_free(&text);
    free(m);
}
END_TEST

/* A model file holding one token of `toklen` bytes: the fixed header and
 * metadata of a real model, then a hand-made payload. */
static unsigned char *model_with_token(const unsigned char *orig, size_t toklen, size_t *size)
{
    uint32_t meta = (uint32_t)orig[16] | (uint32_t)orig[17] << 8;
    size_t head = 20 + meta, ulen = 12 + 2 + toklen + 12 + 4, pos, i;
    unsigned char *pl = malloc(ulen), *out;
    uLongf zlen = compressBound((uLong)ulen);
    uint32_t crc;

    ck_assert_ptr_nonnull(pl);
    memcpy(pl, "TOKS", 4);
    for (i = 0; i < 8; i++)
        pl[4 + i] = (unsigned char)((uint64_t)(2 + toklen) >> (8 * i));
    pl[12] = (unsigned char)(0x80 | (toklen & 0x7f));
    pl[13] = (unsigned char)(toklen >> 7);
    memset(pl + 14, 'x', toklen);
    pos = 14 + toklen;
    memcpy(pl + pos, "WF32", 4);
    for (i = 0; i < 8; i++)
        pl[pos + 4 + i] = (unsigned char)(i == 0 ? 4 : 0);
    memset(pl + pos + 12, 0, 4); /* weight 0.0f */
    out = malloc(head + 24 + zlen + 4);
    ck_assert_ptr_nonnull(out);
    memcpy(out, orig, head);
    out[12] &= 1; /* no idf */
    ck_assert_int_eq(compress2(out + head + 24, &zlen, pl, (uLong)ulen, 6), Z_OK);
    for (i = 0; i < 8; i++) {
        out[head + i] = (unsigned char)(i == 0 ? 1 : 0);
        out[head + 8 + i] = (unsigned char)((uint64_t)ulen >> (8 * i));
        out[head + 16 + i] = (unsigned char)((uint64_t)zlen >> (8 * i));
    }
    pos = head + 24 + zlen;
    crc = (uint32_t)crc32(0L, out, (uInt)pos);
    for (i = 0; i < 4; i++)
        out[pos + i] = (unsigned char)(crc >> (8 * i));
    *size = pos + 4;
    free(pl);
    return out;
}

/* Tokens in a model file are at most 4096 bytes: one of 4096 loads, one of
 * 4097 is refused as corrupt. */
START_TEST(model_token_limit)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL, *l = NULL;
    spamlr_text_opts to;
    unsigned char *buf = NULL, *big;
    size_t size, bsize;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    spamlr_text_opts_init(&to);
    to.mime = 0;
    to.features = SPAMLR_FEAT_BINARY; /* model_with_token writes no idf */
    ck_assert_int_eq(spamlr_dataset_create(&ds, &to), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_SPAM, "a", 1, NULL), 0);
    ck_assert_int_eq(spamlr_dataset_add(ds, SPAMLR_HAM, "b", 1, NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), 0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    big = model_with_token(buf, 4096, &bsize);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, big, bsize, &d), SPAMLR_OK);
    ck_assert_uint_eq(spamlr_model_vocab_size(l), 1);
    spamlr_model_free(l);
    free(big);
    big = model_with_token(buf, 4097, &bsize);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, big, bsize, &d), SPAMLR_ECORRUPT);
    ck_assert_ptr_null(l);
    ck_assert_ptr_nonnull(strstr(d.message, "token longer"));
    free(big);
    free(buf);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
}
END_TEST

/* A gzip bomb (256 MiB of zeros in 256 KiB) under a 4 MiB input limit:
 * refused with SPAMLR_ELIMIT after reading past the limit, the buffer never
 * grown past it (the old reader doubled to twice the file size). */
static const char *bomb_path;

static void bomb_work(const char *msg, size_t len, report *r)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf = NULL;
    size_t n = 0;

    (void)msg;
    (void)len;
    setenv("SPAMLR_MAX_INPUT", "4194304", 1);
    r->rc = spamlr_read_file(bomb_path, &buf, &n, &d);
    r->text_len = n;
    if (r->rc == SPAMLR_ELIMIT && !strstr(d.message, "4194304-byte limit"))
        r->rc = 1;
    free(buf);
}

START_TEST(gzip_bomb_under_the_input_limit)
{
    char path[] = "/tmp/spamlr-bomb-XXXXXX";
    static char zeros[1 << 16];
    size_t i, total = scaled(256 * MIB);
    gzFile gz;
    report r;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_ptr_nonnull(gz = gzdopen(fd, "wb1"));
    for (i = 0; i < total; i += sizeof zeros)
        ck_assert_int_eq(gzwrite(gz, zeros, sizeof zeros), (int)sizeof zeros);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    bomb_path = path;
    r = in_child(bomb_work, NULL, 0);
    unlink(path);
    ck_assert_int_eq(r.rc, SPAMLR_ELIMIT);
    ck_assert_uint_eq(r.text_len, 0);
    if (!TU_SANITIZED && !valgrind())
        ck_assert_msg((size_t)r.grew_kib * 1024 <= 16 * MIB,
                      "a 4 MiB limit cost %ld KiB", r.grew_kib);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("limits");
    TCase *t = tcase_create("limits");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, base64_line_of_100mb);
    tcase_add_test(t, plain_body_line_of_100mb);
    tcase_add_test(t, nested_multiparts_1e5);
    tcase_add_test(t, header_line_of_50mb);
    tcase_add_test(t, many_header_fields);
    tcase_add_test(t, token_length);
    tcase_add_test(t, structure_tokens_per_message);
    tcase_add_test(t, model_token_limit);
    tcase_add_test(t, gzip_bomb_under_the_input_limit);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
