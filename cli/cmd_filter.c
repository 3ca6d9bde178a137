/* cmd_filter.c - spamlr filter: a mail passes through with X-Spam-* headers
 * added, for procmail, maildrop, Exim and Postfix pipes (as bogofilter -p).
 *
 * The output is the input, byte for byte, with three header lines
 * inserted at the end of the header block (before the empty line that
 * ends it), using the message's own line ending (CRLF when its first line
 * ends in CRLF, else LF):
 *   X-Spam-Flag: YES|NO
 *   X-Spam-Probability: 0.xxxx
 *   X-Spam-Words: token=+0.123 subject:token=-0.045 ...
 * A message without an empty line after its header gets them after its
 * last line (after an added line ending when its last line has none); a
 * message that does not start with a header field gets them, then an empty
 * line, in front.
 *
 * Fields named X-Spam-* that arrive in the header (forged by a sender, or
 * added by an earlier filter) are renamed X-Spam-Prev-* (the name only;
 * value and folding are kept), so that a reader taking the first
 * X-Spam-Flag (Python's email module, procmail's ^X-Spam-Flag) sees ours.
 * Renamed rather than removed: the filter loses nothing, and what an
 * earlier filter or a forger wrote stays there for whoever looks.
 *
 * When the mail cannot be buffered (memory, read error), what was read is
 * written out and the rest of standard input copied through unchanged,
 * with exit status 2: a pipe never loses a mail. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_THRESHOLD, OPT_WORDS };

static const cli_opt filter_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "threshold", 0, 1, OPT_THRESHOLD },
    { "words", 0, 1, OPT_WORDS },
    { NULL, 0, 0, 0 }
};

enum { FILTER_SPAM = 0, FILTER_HAM = 1, FILTER_ERROR = 2 };
#define MAX_WORDS 16

typedef struct filter_cfg {
    const char *model;
    int has_threshold;
    double threshold;
    unsigned long words;
    int help;
} filter_cfg;

static void filter_help(void)
{
    printf("usage: spamlr filter -m MODEL [--threshold T] [--words N] < MAIL > MAIL\n\n"
           "Copies one mail from standard input to standard output unchanged, except\n"
           "for three header fields added at the end of its header:\n"
           "  X-Spam-Flag: YES|NO            spam when probability >= T\n"
           "  X-Spam-Probability: 0.xxxx\n"
           "  X-Spam-Words: w=+0.123 ...     the N tokens that moved the score most\n"
           "Line endings (CRLF or LF, taken from the mail), 8-bit bytes and any size\n"
           "pass through byte for byte. X-Spam-* fields already in the header are\n"
           "renamed X-Spam-Prev-* (values kept), so that the first X-Spam-Flag is ours.\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (required)\n"
           "  --threshold T       spam when probability >= T (default: the model's)\n"
           "  --words N           tokens in X-Spam-Words, 0..%d (default 5)\n"
           "  -h, --help          show this help\n\n"
           "Exit status: 0 spam, 1 ham, 2 error (usage, unreadable model, ...). On an\n"
           "error after reading began (even a mail too big to hold in memory), the\n"
           "mail is still copied out unchanged (without the added fields), so a pipe\n"
           "never loses it.\n", MAX_WORDS);
}

static int parse_args(filter_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    int id;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, filter_opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR: return EXIT_USAGE;
        case OPT_HELP: cfg->help = 1; break;
        case OPT_MODEL: cfg->model = v; break;
        case OPT_THRESHOLD:
            cfg->has_threshold = 1;
            if (args_double(&a, v, 0, 1, &cfg->threshold))
                return EXIT_USAGE;
            break;
        case OPT_WORDS:
            if (args_uint(&a, v, 0, MAX_WORDS, &cfg->words))
                return EXIT_USAGE;
            break;
        default:
            return usage_error(a.cmd, "unexpected argument '%s' (the mail is read from "
                                      "standard input)", v);
        }
    }
    if (!cfg->help && !cfg->model)
        return usage_error(a.cmd, "no model given (-m MODEL)");
    return 0;
}

/* Reads all of stdin into *buf (malloc'ed), *len bytes. On failure
 * returns -1 with errno set and what was read in *buf, *len (the caller
 * frees it, and may write it out). */
static int read_stdin(char **buf, size_t *len)
{
    size_t cap = 1 << 16, n = 0, k;
    char *p = malloc(cap), *np;

    *buf = p;
    *len = 0;
    if (!p)
        return -1;
    while ((k = fread(p + n, 1, cap - n, stdin)) > 0) {
        n += k;
        *len = n;
        if (n == cap) {
            if (cap > ((size_t)-1) / 2 || !(np = realloc(p, cap * 2))) {
                errno = ENOMEM;
                return -1;
            }
            *buf = p = np;
            cap *= 2;
        }
    }
    if (ferror(stdin)) {
        errno = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* After a failure to buffer the mail: writes the n bytes read, then
 * copies the rest of standard input to standard output unchanged. */
static void pass_through(const char *p, size_t n)
{
    static char chunk[1 << 16];
    size_t k;

    if (n)
        fwrite(p, 1, n, stdout);
    while ((k = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        fwrite(chunk, 1, k, stdout);
}

static void put_headers(FILE *f, const char *eol, double p, double t,
                        const spamlr_contribution *w, size_t n)
{
    size_t i;

    fprintf(f, "X-Spam-Flag: %s%s", p >= t ? "YES" : "NO", eol);
    fprintf(f, "X-Spam-Probability: %.4f%s", p, eol);
    fputs("X-Spam-Words:", f);
    for (i = 0; i < n; i++) {
        char tok[MAIL_TOKEN_MAX + 1];

        mail_token(tok, w[i].token, 0);
        fprintf(f, " %s", tok);
        fprintf(f, "=%+.3f", w[i].contribution);
    }
    fputs(eol, f);
}

static int classify(const filter_cfg *cfg, const char *msg, size_t len)
{
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    spamlr_model_info info;
    spamlr_contribution w[MAX_WORDS];
    spamlr_explanation ex;
    double p = 0, t;
    size_t n = 0, at;
    int err, pre, post, rc = FILTER_ERROR;
    const char *eol;

    if (model_open(&m, cfg->model))
        goto fail;
    if ((err = spamlr_scratch_create(&s)) ||
        (err = spamlr_explain(m, s, msg, len, &ex, w, cfg->words))) {
        report_failure(err, NULL, "standard input");
        goto fail;
    }
    p = ex.prob;
    n = ex.n;
    spamlr_model_info_get(m, &info);
    t = cfg->has_threshold ? cfg->threshold : info.threshold;
    at = mail_insert_point(msg, len, &pre, &post);
    eol = mail_eol(msg, len);
    mail_put_header_block(stdout, msg, at);
    if (pre)
        fputs(eol, stdout);
    put_headers(stdout, eol, p, t, w, n);
    if (post)
        fputs(eol, stdout);
    fwrite(msg + at, 1, len - at, stdout);
    rc = p >= t ? FILTER_SPAM : FILTER_HAM;
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return rc;
fail:
    fwrite(msg, 1, len, stdout);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return FILTER_ERROR;
}

int cmd_filter(int argc, char **argv)
{
    filter_cfg cfg;
    char *msg = NULL;
    size_t len = 0;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.words = 5;
    rc = parse_args(&cfg, argc, argv);
    if (rc)
        return FILTER_ERROR;
    if (cfg.help) {
        filter_help();
        return finish_output(EXIT_OK) ? FILTER_ERROR : EXIT_OK;
    }
    if (read_stdin(&msg, &len)) {
        int e = errno;
        runtime_error("standard input: cannot hold the mail (%s after %zu bytes); copying it "
                      "through unchanged", strerror(e), len);
        pass_through(msg, len);
        free(msg);
        fflush(stdout);
        return FILTER_ERROR;
    }
    rc = classify(&cfg, msg, len);
    free(msg);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        runtime_error("error writing to standard output");
        return FILTER_ERROR;
    }
    return rc;
}
