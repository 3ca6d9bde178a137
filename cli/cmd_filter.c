/* cmd_filter.c - spamlr filter: a mail passes through with X-Spam-* headers
 * added, for procmail, maildrop, Sieve, Exim and Postfix pipes (as
 * bogofilter -p).
 *
 * The output is the input, byte for byte, with three header lines
 * inserted at the end of the header block (before the empty line that
 * ends it), using the message's own line ending (CRLF when its first line
 * ends in CRLF, else LF):
 *   X-Spam-Flag: YES|NO|UNSURE
 *   X-Spam-Probability: 0.xxxx
 *   X-Spam-Words: token=+0.123 subject:token=+0.045 ... | other=-0.020
 * (X-Spam- is the default prefix, --header-prefix changes it.) The words
 * come in two groups: first those that pushed the score towards the
 * verdict (positive for YES, negative for NO), largest first, then, after
 * " |", those that pushed against it, largest first; N in all, the
 * verdict's side first, so the field says why. UNSURE takes the side of
 * the threshold the probability is on.
 * A message without an empty line after its header gets them after its
 * last line (after an added line ending when its last line has none); a
 * message that does not start with a header field gets them, then an empty
 * line, in front. An empty standard input gives an empty output.
 *
 * Fields named PREFIX* that arrive in the header (forged by a sender, or
 * added by an earlier filter) are renamed PREFIXPrev-* (the name only;
 * value and folding are kept), so that a reader taking the first
 * X-Spam-Flag (Python's email module, procmail's ^X-Spam-Flag) sees ours.
 * Renamed rather than removed: the filter loses nothing, and what an
 * earlier filter or a forger wrote stays there for whoever looks.
 *
 * Exit status. By default (passthrough, bogofilter's -e) 0 whenever the
 * mail was written with the fields added, spam, ham or unsure alike: every
 * mail program that runs a filter (procmail's f flag, maildrop's xfilter,
 * Sieve's filter, Exim's transport_filter, a Postfix pipe) takes a
 * non-zero status for a failed filter and defers or discards the output,
 * and the recipes read the verdict from X-Spam-Flag. --exit-verdict gives
 * the verdict as the status instead: 0 spam, 1 ham, 3 unsure. Both: 2 for
 * an error.
 *
 * Every error path writes the mail out unchanged (exit 2): a usage error
 * or an unreadable model copies standard input through (unless it is a
 * terminal), and a mail that cannot be buffered (memory, read error) is
 * written as read with the rest of standard input copied after it. A pipe
 * never loses a mail. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_THRESHOLD, OPT_WORDS, OPT_PASS, OPT_VERDICT, OPT_PREFIX,
       OPT_HAMCUT, OPT_SPAMCUT };

static const cli_opt filter_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "threshold", 0, 1, OPT_THRESHOLD },
    { "words", 0, 1, OPT_WORDS },
    { "passthrough", 'e', 0, OPT_PASS },
    { "exit-verdict", 0, 0, OPT_VERDICT },
    { "header-prefix", 0, 1, OPT_PREFIX },
    { "ham-cutoff", 0, 1, OPT_HAMCUT },
    { "spam-cutoff", 0, 1, OPT_SPAMCUT },
    CONTACTS_OPTION,
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

enum { FILTER_SPAM = 0, FILTER_HAM = 1, FILTER_ERROR = 2, FILTER_UNSURE = 3 };
enum { V_SPAM, V_HAM, V_UNSURE };
#define MAX_WORDS 16
#define MAX_PREFIX 40

typedef struct filter_cfg {
    const char *model;
    int has_threshold;
    double threshold;
    int has_ham_cut, has_spam_cut;
    double ham_cut, spam_cut;
    unsigned long words;
    int verdict_exit;
    const char *prefix;
    size_t prefix_len;
    int help;
} filter_cfg;

static void filter_help(void)
{
    printf("usage: spamlr filter [-m MODEL] [-e|--exit-verdict] [options] < MAIL > MAIL\n\n"
           "Copies one mail from standard input to standard output unchanged, except\n"
           "for three header fields added at the end of its header:\n"
           "  X-Spam-Flag: YES|NO|UNSURE     spam when probability >= T\n"
           "  X-Spam-Probability: 0.xxxx\n"
           "  X-Spam-Words: w=+0.123 ... | v=-0.012   the words that pushed the score\n"
           "                                 towards the verdict, then (after |)\n"
           "                                 those against it; N in all\n"
           "Line endings (CRLF or LF, taken from the mail), 8-bit bytes and any size\n"
           "pass through byte for byte. X-Spam-* fields already in the header are\n"
           "renamed X-Spam-Prev-* (values kept), so that the first X-Spam-Flag is ours.\n"
           "An empty input gives an empty output.\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (default: $SPAMLR_MODEL, else\n"
           "                      ~/.spamlr/model.slr)\n"
           "  -e, --passthrough   exit 0 for spam, ham and unsure alike (the default;\n"
           "                      for procmail, maildrop, Sieve, Exim, Postfix)\n"
           "  --exit-verdict      exit 0 spam, 1 ham, 3 unsure (for scripts and\n"
           "                      procmail/maildrop recipes that test the status)\n"
           "  --threshold T       spam when probability >= T, no unsure zone\n"
           "                      (default: the model's threshold, or its zone)\n"
           "  --ham-cutoff L, --spam-cutoff H\n"
           "                      unsure zone: ham below L, spam from H on, UNSURE\n"
           "                      between (default: the model's zone, if it has one)\n"
           "  --words N           words in X-Spam-Words, 0..%d (default 5)\n"
           "  --header-prefix P   field names start with P (default X-Spam-; e.g.\n"
           "                      X-Spamlr- beside SpamAssassin)\n"
           CONTACTS_HELP
           STORE_HELP
           "  -h, --help          show this help\n\n"
           "Exit status: 0 the mail was passed through with the fields (spam or ham;\n"
           "with --exit-verdict: 0 spam, 1 ham, 3 unsure), 2 error (usage, unreadable\n"
           "model, ...). On any error the mail is still copied out unchanged (without\n"
           "the added fields), so a pipe never loses it.\n", MAX_WORDS);
}

/* A header field name prefix: 1..MAX_PREFIX printable ASCII characters
 * other than ':' (RFC 5322 ftext). */
static int prefix_ok(const char *p)
{
    size_t i;

    for (i = 0; p[i]; i++)
        if (p[i] < 33 || p[i] > 126 || p[i] == ':')
            return 0;
    return i > 0 && i <= MAX_PREFIX;
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
        case OPT_CONTACTS: cli_contacts = v; break;
        case OPT_STORE:
        case OPT_USER: store_take(id, v); break;
        case OPT_THRESHOLD:
            cfg->has_threshold = 1;
            if (args_double(&a, v, 0, 1, &cfg->threshold))
                return EXIT_USAGE;
            break;
        case OPT_HAMCUT:
            cfg->has_ham_cut = 1;
            if (args_double(&a, v, 0, 1, &cfg->ham_cut))
                return EXIT_USAGE;
            break;
        case OPT_SPAMCUT:
            cfg->has_spam_cut = 1;
            if (args_double(&a, v, 0, 1, &cfg->spam_cut))
                return EXIT_USAGE;
            break;
        case OPT_WORDS:
            if (args_uint(&a, v, 0, MAX_WORDS, &cfg->words))
                return EXIT_USAGE;
            break;
        case OPT_PASS: cfg->verdict_exit = 0; break;
        case OPT_VERDICT: cfg->verdict_exit = 1; break;
        case OPT_PREFIX:
            if (!prefix_ok(v))
                return usage_error(a.cmd, "--header-prefix: '%s' is not the start of a header "
                                          "field name (1 to %d printable ASCII characters, "
                                          "no ':' or space)", v, MAX_PREFIX);
            cfg->prefix = v;
            break;
        default:
            return usage_error(a.cmd, "unexpected argument '%s' (the mail is read from "
                                      "standard input)", v);
        }
    }
    if (cfg->help)
        return 0;
    if (cfg->has_threshold && (cfg->has_ham_cut || cfg->has_spam_cut))
        return usage_error(a.cmd, "give either --threshold or the cutoffs, not both");
    if (cfg->has_ham_cut != cfg->has_spam_cut)
        return usage_error(a.cmd, "give both --ham-cutoff and --spam-cutoff");
    if (cfg->has_ham_cut && cfg->ham_cut > cfg->spam_cut)
        return usage_error(a.cmd, "--ham-cutoff %g is above --spam-cutoff %g", cfg->ham_cut,
                           cfg->spam_cut);
    if (store_read_model(a.cmd, &cfg->model))
        return EXIT_USAGE;
    if (!cfg->model && !(cfg->model = default_model(a.cmd)))
        return EXIT_USAGE;
    cfg->prefix_len = strlen(cfg->prefix);
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

/* One item of X-Spam-Words: " token=+0.123" (the token made fit for a
 * header line by mail_token). */
static void put_word(FILE *f, const spamlr_contribution *c)
{
    char tok[MAIL_TOKEN_MAX + 1];

    mail_token(tok, c->token, 0);
    fprintf(f, " %s=%+.3f", tok, c->contribution);
}

/* Writes X-Spam-Words from w[0..n) (sorted by |contribution|, largest
 * first): up to `words` items, those whose sign is `side` (+1: towards
 * spam) first, then " |" and those of the other sign. */
static void put_words(FILE *f, const spamlr_contribution *w, size_t n, unsigned long words,
                      int side)
{
    size_t i, shown = 0, pro = 0;

    for (i = 0; i < n && shown < words; i++)
        if ((w[i].contribution > 0) == (side > 0) && w[i].contribution != 0) {
            put_word(f, &w[i]);
            shown++;
            pro++;
        }
    for (i = 0; i < n && shown < words; i++)
        if ((w[i].contribution > 0) != (side > 0) && w[i].contribution != 0) {
            if (shown == pro)
                fputs(" |", f);
            put_word(f, &w[i]);
            shown++;
        }
}

static const char *const flag_name[] = { "YES", "NO", "UNSURE" };

static void put_headers(FILE *f, const filter_cfg *cfg, const char *eol, int verdict, double p,
                        int side, const spamlr_contribution *w, size_t n)
{
    fprintf(f, "%sFlag: %s%s", cfg->prefix, flag_name[verdict], eol);
    fprintf(f, "%sProbability: %.4f%s", cfg->prefix, p, eol);
    fprintf(f, "%sWords:", cfg->prefix);
    put_words(f, w, n, cfg->words, side);
    fputs(eol, f);
}

/* Explains msg into *w (malloc'ed, at least `want` per side when the
 * message has them): the largest contributions of both signs. */
static int explain_words(const spamlr_model *m, spamlr_scratch *s, const char *msg, size_t len,
                         unsigned long want, spamlr_explanation *ex, spamlr_contribution **w)
{
    size_t cap = 64, i, pos, neg;
    int err;

    for (;;) {
        free(*w);
        if (!(*w = malloc(cap * sizeof **w)))
            return SPAMLR_ENOMEM;
        if ((err = spamlr_explain(m, s, msg, len, ex, *w, cap)))
            return err;
        for (i = pos = neg = 0; i < ex->n; i++)
            (*w)[i].contribution > 0 ? pos++ : neg++;
        if (ex->n == ex->total || (pos >= want && neg >= want))
            return 0;
        cap = ex->total; /* every contribution: the next pass sees them all */
    }
}

/* The cutoffs: spam when p >= *hi, ham when p < *lo, unsure between
 * (lo == hi: no unsure zone). */
static void cutoffs(const filter_cfg *cfg, const spamlr_model *m, double *lo, double *hi)
{
    if (cfg->has_threshold) {
        *lo = *hi = cfg->threshold;
        return;
    }
    if (cfg->has_ham_cut) {
        *lo = cfg->ham_cut;
        *hi = cfg->spam_cut;
        return;
    }
    spamlr_model_unsure(m, lo, hi); /* the threshold when there is no zone */
}

static int classify(const filter_cfg *cfg, const char *msg, size_t len)
{
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    spamlr_contribution *w = NULL;
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    double p, lo, hi;
    size_t at;
    int err, pre, post, verdict, side;
    const char *eol;

    if (model_open_to_predict(&m, cfg->model))
        goto fail;
    if ((err = spamlr_scratch_create(&s)) ||
        (err = explain_words(m, s, msg, len, cfg->words, &ex, &w))) {
        report_failure(err, NULL, "standard input");
        goto fail;
    }
    p = ex.prob;
    cutoffs(cfg, m, &lo, &hi);
    verdict = p >= hi ? V_SPAM : p < lo ? V_HAM : V_UNSURE;
    side = verdict == V_SPAM ? 1 : verdict == V_HAM ? -1 : p >= (lo + hi) / 2 ? 1 : -1;
    at = mail_insert_point(msg, len, &pre, &post);
    eol = mail_eol(msg, len);
    mail_put_header_block(stdout, msg, at, cfg->prefix);
    if (pre)
        fputs(eol, stdout);
    put_headers(stdout, cfg, eol, verdict, p, side, w, ex.n);
    if (post)
        fputs(eol, stdout);
    fwrite(msg + at, 1, len - at, stdout);
    free(w);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    if (!cfg->verdict_exit)
        return EXIT_OK;
    return verdict == V_SPAM ? FILTER_SPAM : verdict == V_HAM ? FILTER_HAM : FILTER_UNSURE;
fail:
    fwrite(msg, 1, len, stdout);
    free(w);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return FILTER_ERROR;
}

/* After a usage error: the mail on standard input goes out unchanged
 * (unless standard input is a terminal: there is no mail to save). */
static void copy_through(void)
{
    if (!isatty(STDIN_FILENO))
        pass_through(NULL, 0);
    fflush(stdout);
}

int cmd_filter(int argc, char **argv)
{
    filter_cfg cfg;
    char *msg = NULL;
    size_t len = 0;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.words = 5;
    cfg.prefix = "X-Spam-";
    rc = parse_args(&cfg, argc, argv);
    if (rc) {
        copy_through();
        return FILTER_ERROR;
    }
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
    /* no mail, no header: an empty input stays empty (and is not spam) */
    rc = len == 0 ? (cfg.verdict_exit ? FILTER_HAM : EXIT_OK) : classify(&cfg, msg, len);
    free(msg);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        runtime_error("error writing to standard output");
        return FILTER_ERROR;
    }
    return rc;
}
