/* cmd_inspect.c - spamlr inspect: a model's parameters and word weights. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common.h"
#include "html.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_TOP, OPT_WORD, OPT_FORMAT, OPT_GREP, OPT_DUMP, OPT_DIFF, OPT_HTML,
       OPT_OUTPUT, OPT_CURVE };

static const cli_opt inspect_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "top", 0, 1, OPT_TOP },
    { "word", 0, 1, OPT_WORD },
    { "format", 0, 1, OPT_FORMAT },
    { "grep", 0, 1, OPT_GREP },
    { "dump", 0, 0, OPT_DUMP },
    { "diff", 0, 1, OPT_DIFF },
    { "html", 0, 0, OPT_HTML },
    { "output", 'o', 1, OPT_OUTPUT },
    { "curve", 0, 1, OPT_CURVE },
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TEXT, FORMAT_TSV, FORMAT_JSON };
static const char *const format_names[] = { "text", "tsv", "json", NULL };

#define DEFAULT_TOP 20
#define MAX_TOP 100000000UL

typedef struct inspect_cfg {
    const char *model;
    int format;
    int has_top;
    size_t top;
    const char **words; /* --word arguments, pointing into argv */
    size_t nwords, capwords;
    const char *grep;   /* --grep pattern, or NULL */
    int dump;
    const char *diff;   /* --diff BASE, or NULL */
    int html;
    const char *out, *curve; /* -o PAGE and --curve FILE of --html */
    int help;
} inspect_cfg;

/* A --word look-up: the word as given and the vocabulary token it matched. */
typedef struct word_hit {
    const char *query;
    char *token;  /* malloc'ed; NULL when not in the vocabulary */
    float weight;
    int several;  /* the text makes several tokens: none is looked up */
} word_hit;

/* Everything inspect prints. */
typedef struct inspect_view {
    const spamlr_model *m;
    spamlr_model_info info;
    long long disk_bytes; /* -1 when unknown */
    spamlr_word *spam, *ham;
    size_t nspam, nham;
    word_hit *hits;
    size_t nhits;
    spamlr_word *grep;  /* words matching --grep, by weight descending */
    size_t ngrep;
} inspect_view;

static void inspect_help(void)
{
    printf("usage: spamlr inspect [-m] MODEL [--top N] [--word W]... [--grep RE]\n"
           "                      [--format text|tsv|json] [--dump]\n"
           "       spamlr inspect MODEL --diff BASE [--top N] [--format text|tsv]\n\n"
           "       spamlr inspect MODEL --html [--top N] [--curve FILE] -o PAGE\n\n"
           "Shows a model's parameters: their count (vocabulary size), non-zero\n"
           "weights, bias, size on disk and in memory, the tokenizer and feature\n"
           "settings, how it was trained, the N most spammy and most hammy words\n"
           "and the weight of each word W.\n\n"
           "options:\n"
           "  -m, --model MODEL  the model (or MODEL alone, as the first argument)\n"
           "  --top N         how many spam and ham words to list (default %d)\n"
           "  --word W        weight of W (repeatable); W is looked up as given, then\n"
           "                  as the tokenizer would spell it (Viagra -> viagra)\n"
           "  --grep RE       every word matching RE (POSIX extended regular\n"
           "                  expression, e.g. '^subject:' or '中'), largest weight first\n"
           "  --format F      text (default); tsv: 'token<TAB>weight' lines for the\n"
           "                  --word words, the --grep matches, then the --top spam and\n"
           "                  ham words (every word when none is given); json: one object\n"
           "  --dump          write every parameter and setting as text, losslessly,\n"
           "                  the online learner's state too (its settings, counters,\n"
           "                  per-word accumulators and remembered messages), so that\n"
           "                  'spamlr import' gives back the same model file, which\n"
           "                  learns as the original would\n"
           "  --diff BASE     per word: BASE's weight, MODEL's and the change, the\n"
           "                  --top N largest changes first (0 = all): what the data\n"
           "                  of 'train --prior BASE' taught MODEL (any two models)\n"
           "  --html          write a report for a browser to PAGE: the parameter\n"
           "                  count, the settings, the top N spam and ham words as\n"
           "                  bars, a histogram of the weights; self-contained (no\n"
           "                  script, nothing fetched)\n"
           "  --curve FILE    with --html: add the size-vs-quality chart of FILE, the\n"
           "                  output of 'spamlr curve --format json' (or tsv)\n"
           "  -o, --output PAGE  the report's file, written atomically (with --html)\n"
           "  --store DIR --user NAME  instead of MODEL: user NAME's model in the\n"
           "                  store DIR (the base plus the user's delta)\n"
           "  -h, --help      show this help\n",
           DEFAULT_TOP);
}

static int add_word(inspect_cfg *cfg, const char *w)
{
    if (cfg->nwords == cfg->capwords) {
        size_t cap = cfg->capwords ? 2 * cfg->capwords : 8;
        const char **p;

        if (cap > SIZE_MAX / sizeof *p || !(p = realloc(cfg->words, cap * sizeof *p)))
            return report_failure(SPAMLR_ENOMEM, NULL, NULL);
        cfg->words = p;
        cfg->capwords = cap;
    }
    cfg->words[cfg->nwords++] = w;
    return 0;
}

static int parse_option(cli_args *a, void *c, int id, const char *v)
{
    inspect_cfg *cfg = c;
    unsigned long n;
    int i;

    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_TOP:
        if (args_uint(a, v, 0, MAX_TOP, &n))
            return EXIT_USAGE;
        cfg->has_top = 1;
        cfg->top = n;
        return 0;
    case OPT_WORD: return add_word(cfg, v);
    case OPT_GREP:
        if (cfg->grep)
            return usage_error(a->cmd, "one --grep only");
        cfg->grep = v;
        return 0;
    case OPT_DUMP: cfg->dump = 1; return 0;
    case OPT_DIFF: cfg->diff = v; return 0;
    case OPT_HTML: cfg->html = 1; return 0;
    case OPT_OUTPUT: cfg->out = v; return 0;
    case OPT_CURVE: cfg->curve = v; return 0;
    case OPT_STORE:
    case OPT_USER: return store_take(id, v);
    case OPT_FORMAT:
        if ((i = args_choice(a, v, format_names)) < 0)
            return EXIT_USAGE;
        cfg->format = i;
        return 0;
    case OPT_MODEL:
    default:
        if (cfg->model)
            return usage_error(a->cmd, "one model only ('%s' and '%s' given)",
                               cfg->model, v);
        cfg->model = v;
        return 0;
    }
}

static int parse_args(inspect_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = args_parse(&a, argc, argv, inspect_opts, parse_option, cfg)) != 0)
        return rc;
    if (!cfg->help && (rc = store_read_model(a.cmd, &cfg->model)))
        return rc;
    if (!cfg->help && !cfg->model)
        return usage_error(a.cmd, "no model given");
    if (cfg->dump && (cfg->has_top || cfg->nwords || cfg->grep || cfg->format != FORMAT_TEXT ||
                      cfg->html))
        return usage_error(a.cmd, "--dump writes the whole model; it takes no other option");
    if (cfg->diff && (cfg->dump || cfg->html || cfg->nwords || cfg->grep || cfg->format == FORMAT_JSON))
        return usage_error(a.cmd, "--diff takes only --top and --format text|tsv");
    if (cfg->html && (cfg->nwords || cfg->grep || cfg->format != FORMAT_TEXT))
        return usage_error(a.cmd, "--html writes a report; of the other options it takes "
                           "--top, --curve and -o only");
    if (cfg->html && !cfg->out)
        return usage_error(a.cmd, "--html writes a report: name its file with -o PAGE");
    if (!cfg->html && (cfg->out || cfg->curve))
        return usage_error(a.cmd, "%s is for the report of --html", cfg->out ? "-o" : "--curve");
    if (!cfg->help && cfg->out &&
        ((rc = output_check(a.cmd, "-o", cfg->out, "an HTML report")) ||
         (rc = output_vs_input(cfg->out, cfg->model)) ||
         (cfg->curve && (rc = output_vs_input(cfg->out, cfg->curve)))))
        return rc;
    if (cfg->grep) {
        regex_t re;
        int e = regcomp(&re, cfg->grep, REG_EXTENDED | REG_NOSUB);
        if (e != 0) {
            char msg[256];
            regerror(e, &re, msg, sizeof msg);
            return usage_error(a.cmd, "option '--grep': bad pattern '%s': %s", cfg->grep, msg);
        }
        regfree(&re);
    }
    return 0;
}

/* ------------------------------------------------------------- look-ups */

static char *dup_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = malloc(len);

    return p ? memcpy(p, s, len) : NULL;
}

/* Looks w up as the library does (spamlr_model_lookup: exactly, then as
 * the single token the model's tokenizer makes of it). Returns 0
 * (hit->token NULL when not found) or EXIT_RUNTIME. */
static int lookup_word(const inspect_view *v, const char *w, word_hit *hit)
{
    spamlr_word e;
    int rc;

    hit->query = w;
    hit->token = NULL;
    hit->weight = 0;
    hit->several = 0;
    if ((rc = spamlr_model_lookup(v->m, w, strlen(w), &e)) != SPAMLR_OK) {
        hit->several = rc == SPAMLR_EINVAL;
        return 0;
    }
    hit->weight = e.weight;
    hit->token = dup_string(e.token);
    return hit->token ? 0 : report_failure(SPAMLR_ENOMEM, NULL, NULL);
}

/* Fills v->spam / v->ham with the top k words each. */
static int collect_top(inspect_view *v, size_t k)
{
    if (k == 0)
        return 0;
    if (k > SIZE_MAX / sizeof *v->spam || !(v->spam = malloc(k * sizeof *v->spam)) ||
        !(v->ham = malloc(k * sizeof *v->ham)))
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    v->nspam = spamlr_model_top(v->m, 1, v->spam, k);
    v->nham = spamlr_model_top(v->m, -1, v->ham, k);
    return 0;
}

static int collect_words(inspect_view *v, const inspect_cfg *cfg)
{
    size_t i;
    int rc;

    if (cfg->nwords == 0)
        return 0;
    if (!(v->hits = calloc(cfg->nwords, sizeof *v->hits)))
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    for (i = 0; i < cfg->nwords; i++) {
        if ((rc = lookup_word(v, cfg->words[i], &v->hits[i])) != 0)
            return rc;
        v->nhits++;
    }
    return 0;
}

/* by weight descending, then token */
static int cmp_word_desc(const void *pa, const void *pb)
{
    const spamlr_word *a = pa, *b = pb;

    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return strcmp(a->token, b->token);
}

static int collect_grep(inspect_view *v, const char *pattern)
{
    size_t i, n = spamlr_model_vocab_size(v->m);
    regex_t re;

    if (!pattern)
        return 0;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) /* checked when parsed */
        return runtime_error("bad pattern '%s'", pattern);
    if (!(v->grep = malloc((n + 1) * sizeof *v->grep))) {
        regfree(&re);
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    }
    for (i = 0; i < n; i++) {
        spamlr_word w;
        if (spamlr_model_word(v->m, i, &w) == SPAMLR_OK &&
            regexec(&re, w.token, 0, NULL, 0) == 0)
            v->grep[v->ngrep++] = w;
    }
    regfree(&re);
    qsort(v->grep, v->ngrep, sizeof *v->grep, cmp_word_desc);
    return 0;
}

static void view_free(inspect_view *v)
{
    size_t i;

    free(v->grep);
    for (i = 0; i < v->nhits; i++)
        free(v->hits[i].token);
    free(v->hits);
    free(v->spam);
    free(v->ham);
}

/* ----------------------------------------------------------------- text */

static void format_time(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm *tm = gmtime(&tt);

    if (!tm || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", tm) == 0)
        snprintf(buf, size, "unknown");
}

static void print_summary(const char *path, const inspect_view *v)
{
    const spamlr_model_info *in = &v->info;
    char when[64];

    format_time(in->trained_at, when, sizeof when);
    printf("model             %s\n", path);
    printf("parameters        %zu word weights (vocabulary size)%s\n", in->parameters,
           in->has_bias ? " + 1 bias" : "");
    printf("non-zero weights  %zu\n", in->nonzero);
    if (in->has_bias)
        printf("bias              %+.6f\n", in->bias);
    else
        printf("bias              none\n");
    if (in->pruned_from)
        printf("pruned from       %zu words\n", in->pruned_from);
    printf("weight precision  %s\n", in->weight_bits == 16 ? "16-bit (65535 steps)"
                                                            : "32-bit float");
    printf("file layout       %s\n", in->layout == SPAMLR_LAYOUT_MAPPED
                                        ? "mapped (read in place when loaded)" : "packed");
    if (v->disk_bytes >= 0)
        printf("bytes on disk     %lld\n", v->disk_bytes);
    printf("bytes in memory   %zu\n", in->memory_bytes);
    printf("tokenizer         ngrams=%u max_token_len=%u number_fold=%u "
           "cjk_bigrams=%u mime=%u fold=%s subwords=%u\n", in->text.ngrams,
           in->text.max_token_len, in->text.number_fold, in->text.cjk_bigrams, in->text.mime,
           in->text.fold ? "nfkc" : "simple", in->text.subwords);
    printf("features          %s", features_name(in->text.features));
    if (in->text.features == SPAMLR_FEAT_TFIDF)
        printf(" (idf to the power %u%s)", in->text.idf_power,
               in->idf_learned ? ", of the messages learned" : "");
    printf(", %s\n", in->text.normalize ? "L2-normalised" : "not normalised");
    printf("trained           %s\n", when);
    printf("solver            %s, C=%g, l1=%g, l2=%g, tol=%g, min_count=%u, "
           "class_weight=%s\n", solver_name(in->solver), in->c, in->l1, in->l2, in->tol,
           in->min_count, class_weight_name(in->class_weight));
    print_path(stdout, v->m);
    {
        spamlr_model_base_info b;

        if (spamlr_model_base(v->m, &b)) {
            format_time(b.trained_at, when, sizeof when);
            fputs("base model        ", stdout);
            token_text(stdout, b.name[0] ? b.name : "(not from a file)");
            printf(" (crc %08lx, trained %s): the penalty pulls towards its weights\n",
                   (unsigned long)b.crc, when);
        }
    }
    {
        const spamlr_contacts *ct = spamlr_model_contacts(v->m);

        if (ct)
            printf("contacts          %zu entries (sender:contact, sender:unknown, ... are "
                   "learned)\n", spamlr_contacts_count(ct));
    }
    printf("examples          %zu (%zu spam, %zu ham)\n", in->examples, in->spam,
           in->ham);
    if (in->memory)
        printf("memory            up to %u of each class; holds %zu of the %llu spam, "
               "%zu of the %llu ham it learned%s\n", in->memory, in->remembered[1],
               (unsigned long long)in->memory_offered[1], in->remembered[0],
               (unsigned long long)in->memory_offered[0],
               in->remembered[0] == in->memory_offered[0] &&
                       in->remembered[1] == in->memory_offered[1] ? " (all of them)"
                                                                  : "");
    printf("objective         %.10g\n", in->objective);
    printf("gradient norm     %.10g\n", in->grad_norm);
    printf("iterations        %u\n", in->iterations);
    printf("threshold         %g\n", in->threshold);
    {
        double lo, hi;
        if (spamlr_model_unsure(v->m, &lo, &hi))
            printf("unsure zone       ham below %g, spam from %g on\n", lo, hi);
    }
}

static void print_word_list(const char *title, size_t k, const spamlr_word *w,
                            size_t n)
{
    size_t i;

    printf("\ntop %zu %s words:\n", k, title);
    for (i = 0; i < n; i++) {
        printf("  %+.4f  ", w[i].weight);
        token_text(stdout, w[i].token);
        putchar('\n');
    }
    if (n == 0)
        printf("  (none)\n");
}

static void print_text(const char *path, const inspect_view *v, size_t k,
                       const char *cfg_grep)
{
    size_t i;

    print_summary(path, v);
    if (k > 0) {
        print_word_list("spam", k, v->spam, v->nspam);
        print_word_list("ham", k, v->ham, v->nham);
    }
    if (v->grep) {
        printf("\n%zu words match /%s/:\n", v->ngrep, cfg_grep);
        for (i = 0; i < v->ngrep; i++) {
            printf("  %+.4f  ", v->grep[i].weight);
            token_text(stdout, v->grep[i].token);
            putchar('\n');
        }
    }
    if (v->nhits > 0)
        printf("\nwords:\n");
    for (i = 0; i < v->nhits; i++) {
        const word_hit *h = &v->hits[i];

        fputs("  ", stdout);
        token_text(stdout, h->query);
        if (!h->token) {
            printf(h->several ? "  several words: give each its own --word\n"
                              : "  not in vocabulary\n");
        } else if (strcmp(h->token, h->query) != 0) {
            fputs(" (as ", stdout);
            token_text(stdout, h->token);
            printf(")  %+.4f\n", h->weight);
        } else {
            printf("  %+.4f\n", h->weight);
        }
    }
}

/* ------------------------------------------------------------------ tsv */

static void tsv_line(const char *token, float w)
{
    token_text(stdout, token);
    printf("\t%.9g\n", w);
}

static int print_all_words(const spamlr_model *m)
{
    size_t i, n = spamlr_model_vocab_size(m);
    spamlr_word w;
    int err;

    for (i = 0; i < n; i++) {
        if ((err = spamlr_model_word(m, i, &w)) != SPAMLR_OK)
            return report_failure(err, NULL, NULL);
        tsv_line(w.token, w.weight);
    }
    return 0;
}

static int print_tsv(const inspect_view *v, const inspect_cfg *cfg)
{
    size_t i;

    if (!cfg->has_top && cfg->nwords == 0 && !cfg->grep)
        return print_all_words(v->m);
    for (i = 0; i < v->nhits; i++) {
        if (v->hits[i].token)
            tsv_line(v->hits[i].token, v->hits[i].weight);
        else
            warning(v->hits[i].several ? "'%s': several words; give each its own --word"
                                       : "'%s': not in vocabulary", v->hits[i].query);
    }
    for (i = 0; i < v->ngrep; i++)
        tsv_line(v->grep[i].token, v->grep[i].weight);
    for (i = 0; i < v->nspam; i++)
        tsv_line(v->spam[i].token, v->spam[i].weight);
    for (i = 0; i < v->nham; i++)
        tsv_line(v->ham[i].token, v->ham[i].weight);
    return 0;
}

/* ----------------------------------------------------------------- json */

static void json_weight(float w)
{
    if (isfinite(w))
        printf("%.9g", w);
    else
        fputs("null", stdout);
}

static void json_words(const char *key, const spamlr_word *w, size_t n)
{
    size_t i;

    printf(",\"%s\":[", key);
    for (i = 0; i < n; i++) {
        fputs(i ? ",{\"token\":" : "{\"token\":", stdout);
        json_string(stdout, w[i].token);
        fputs(",\"weight\":", stdout);
        json_weight(w[i].weight);
        putchar('}');
    }
    putchar(']');
}

static void json_hits(const inspect_view *v)
{
    size_t i;

    fputs(",\"words\":[", stdout);
    for (i = 0; i < v->nhits; i++) {
        const word_hit *h = &v->hits[i];

        fputs(i ? ",{\"token\":" : "{\"token\":", stdout);
        json_string(stdout, h->query);
        fputs(",\"match\":", stdout);
        if (h->token)
            json_string(stdout, h->token);
        else
            fputs("null", stdout);
        fputs(",\"weight\":", stdout);
        if (h->token)
            json_weight(h->weight);
        else
            fputs("null", stdout);
        putchar('}');
    }
    putchar(']');
}

static void json_text_opts(const spamlr_text_opts *t)
{
    printf(",\"text\":{\"ngrams\":%u,\"max_token_len\":%u,\"number_fold\":%u,"
           "\"cjk_bigrams\":%s,\"features\":\"%s\",\"normalize\":%s,\"mime\":%s,"
           "\"fold\":\"%s\",\"subwords\":%u,\"idf_power\":%u}",
           t->ngrams, t->max_token_len, t->number_fold, t->cjk_bigrams ? "true" : "false",
           features_name(t->features), t->normalize ? "true" : "false",
           t->mime ? "true" : "false",
           t->fold ? "nfkc" : "simple", t->subwords, t->idf_power);
}

static void json_key_number(const char *key, double x)
{
    printf(",\"%s\":", key);
    json_number(stdout, x);
}

static void print_json(const char *path, const inspect_view *v)
{
    const spamlr_model_info *in = &v->info;
    char when[64];

    format_time(in->trained_at, when, sizeof when);
    fputs("{\"model\":", stdout);
    json_string(stdout, path);
    printf(",\"parameters\":%zu,\"nonzero\":%zu,\"has_bias\":%s,\"bias\":",
           in->parameters, in->nonzero, in->has_bias ? "true" : "false");
    json_number(stdout, in->has_bias ? in->bias : NAN);
    json_key_number("bytes_on_disk", v->disk_bytes >= 0 ? (double)v->disk_bytes : NAN);
    printf(",\"weight_bits\":%u,\"pruned_from\":%zu", in->weight_bits, in->pruned_from);
    printf(",\"layout\":\"%s\"", in->layout == SPAMLR_LAYOUT_MAPPED ? "mapped" : "packed");
    printf(",\"idf_learned\":%s", in->idf_learned ? "true" : "false");
    printf(",\"memory\":{\"per_class\":%u,\"spam\":%zu,\"spam_learned\":%llu,"
           "\"ham\":%zu,\"ham_learned\":%llu}", in->memory, in->remembered[1],
           (unsigned long long)in->memory_offered[1], in->remembered[0],
           (unsigned long long)in->memory_offered[0]);
    printf(",\"memory_bytes\":%zu,\"solver\":\"%s\"", in->memory_bytes,
           solver_name(in->solver));
    json_key_number("c", in->c);
    fputs(",\"c_path\":", stdout);
    json_path(stdout, v->m);
    json_key_number("l1", in->l1);
    json_key_number("l2", in->l2);
    json_key_number("tol", in->tol);
    json_key_number("objective", in->objective);
    json_key_number("grad_norm", in->grad_norm);
    printf(",\"iterations\":%u,\"examples\":%zu,\"spam\":%zu,\"ham\":%zu,"
           "\"min_count\":%u,\"class_weight\":\"%s\",\"trained_at\":\"%s\"",
           in->iterations, in->examples, in->spam, in->ham, in->min_count,
           class_weight_name(in->class_weight), when);
    json_key_number("threshold", in->threshold);
    {
        double lo, hi;
        int zone = spamlr_model_unsure(v->m, &lo, &hi);
        fputs(",\"ham_cutoff\":", stdout);
        zone ? json_number(stdout, lo) : (void)fputs("null", stdout);
        fputs(",\"spam_cutoff\":", stdout);
        zone ? json_number(stdout, hi) : (void)fputs("null", stdout);
    }
    {
        spamlr_model_base_info b;

        fputs(",\"base\":", stdout);
        if (spamlr_model_base(v->m, &b)) {
            format_time(b.trained_at, when, sizeof when);
            fputs("{\"name\":", stdout);
            json_string(stdout, b.name);
            printf(",\"crc\":\"%08lx\",\"trained_at\":\"%s\"}", (unsigned long)b.crc, when);
        } else
            fputs("null", stdout);
    }
    json_text_opts(&in->text);
    json_words("top_spam", v->spam, v->nspam);
    json_words("top_ham", v->ham, v->nham);
    json_hits(v);
    if (v->grep)
        json_words("grep", v->grep, v->ngrep);
    fputs("}\n", stdout);
}

/* ----------------------------------------------------------------- dump */

static int print_dump(const spamlr_model *m, const char *path)
{
    char *text = NULL;
    size_t len;
    int err = spamlr_model_dump(m, &text, &len);

    if (err != SPAMLR_OK)
        return report_failure(err, NULL, path);
    fwrite(text, 1, len, stdout);
    free(text);
    return finish_output(EXIT_OK);
}

/* ------------------------------------------------------------------ run */

static int run(const inspect_cfg *cfg)
{
    spamlr_model *m = NULL;
    inspect_view v;
    struct stat st;
    size_t k = cfg->has_top ? cfg->top : DEFAULT_TOP;
    int rc;

    memset(&v, 0, sizeof v);
    if ((rc = model_open(&m, cfg->model)) != 0)
        return rc;
    v.m = m;
    v.info.size = sizeof v.info;
    spamlr_model_info_get(m, &v.info);
    v.disk_bytes = stat(cfg->model, &st) == 0 ? (long long)st.st_size : -1;
    if (cfg->dump) {
        rc = print_dump(m, cfg->model);
        goto out;
    }
    if (cfg->diff) {
        rc = finish_output(inspect_diff(cfg->model, m, cfg->diff, k,
                                        cfg->format == FORMAT_TSV));
        goto out;
    }
    if (cfg->html) {
        rc = inspect_html(cfg->out, cfg->model, m, v.disk_bytes, k, cfg->curve);
        goto out;
    }
    if (cfg->format == FORMAT_TSV && !cfg->has_top)
        k = 0;
    if ((rc = collect_top(&v, k)) || (rc = collect_words(&v, cfg)) ||
        (rc = collect_grep(&v, cfg->grep)))
        goto out;
    if (cfg->format == FORMAT_JSON)
        print_json(cfg->model, &v);
    else if (cfg->format == FORMAT_TSV)
        rc = print_tsv(&v, cfg);
    else
        print_text(cfg->model, &v, k, cfg->grep);
    rc = finish_output(rc);
out:
    view_free(&v);
    spamlr_model_free(m);
    return rc;
}

int cmd_inspect(int argc, char **argv)
{
    inspect_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.format = FORMAT_TEXT;
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.help) {
        inspect_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    free(cfg.words);
    return rc;
}
