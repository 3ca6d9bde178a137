/* cmd_curve.c - spamlr curve: how many parameters does the job need?
 * Trains once, then prunes the model to ever fewer words and evaluates
 * each size on a test set (and, when the library has L1 training, follows
 * the L1 path too); prints a table and can draw it as SVG. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "curve.h"

enum {
    OPT_HELP = 1, OPT_TRAIN, OPT_TRAIN_SPAM, OPT_TRAIN_HAM, OPT_TRAIN_INDEX, OPT_TEST,
    OPT_TEST_SPAM, OPT_TEST_HAM, OPT_TEST_INDEX, OPT_SVG, OPT_FORMAT, OPT_C, OPT_TOL,
    OPT_SOLVER, OPT_THREADS, OPT_MIN_COUNT, OPT_NGRAMS, OPT_FEATURES, OPT_BITS, OPT_SIZES,
    OPT_QUIET
};

static const cli_opt curve_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "train", 0, 1, OPT_TRAIN },
    { "train-spam", 0, 1, OPT_TRAIN_SPAM },
    { "train-ham", 0, 1, OPT_TRAIN_HAM },
    { "train-index", 0, 1, OPT_TRAIN_INDEX },
    { "test", 0, 1, OPT_TEST },
    { "test-spam", 0, 1, OPT_TEST_SPAM },
    { "test-ham", 0, 1, OPT_TEST_HAM },
    { "test-index", 0, 1, OPT_TEST_INDEX },
    { "svg", 0, 1, OPT_SVG },
    { "format", 0, 1, OPT_FORMAT },
    { NULL, 'c', 1, OPT_C },
    { "tol", 0, 1, OPT_TOL },
    { "solver", 0, 1, OPT_SOLVER },
    { "threads", 0, 1, OPT_THREADS },
    { "min-count", 0, 1, OPT_MIN_COUNT },
    { "ngrams", 0, 1, OPT_NGRAMS },
    { "features", 0, 1, OPT_FEATURES },
    { "bits", 0, 1, OPT_BITS },
    { "sizes", 0, 1, OPT_SIZES },
    { "quiet", 'q', 0, OPT_QUIET },
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TEXT, FORMAT_TSV, FORMAT_JSON };
static const char *const format_names[] = { "text", "tsv", "json", NULL };
static const char *const solver_names[] = { "tron", "lbfgs", NULL };
static const char *const feature_names[] = { "binary", "logtf", "tfidf", NULL };

#define DEFAULT_SIZES "all,50%,20%,10%,5%,2%,1%,1000,300,100,30,10"
#define MAX_SIZES 64

/* One requested model size: a share of the vocabulary or a word count. */
typedef struct size_req {
    double share;   /* > 0: share of the vocabulary (1 = all) */
    size_t words;   /* else: this many words */
} size_req;

typedef struct curve_cfg {
    input_list train, test;
    const char *svg;
    int format;
    spamlr_text_opts text;
    spamlr_train_opts opts;
    unsigned bits;
    size_req sizes[MAX_SIZES];
    size_t nsizes;
    int quiet, help;
} curve_cfg;

static void curve_help(void)
{
    printf("usage: spamlr curve TRAIN-INPUT... TEST-INPUT... [options]\n\n"
           "How many parameters does the job need? Trains one model on the training\n"
           "set, then prunes it to ever fewer words (keeping the largest |weights|)\n"
           "and evaluates every size on the test set. Prints one row per size:\n"
           "parameters (words kept), non-zero weights, ROC AUC, (1-AUC)%%, accuracy,\n"
           "ham false positives, spam misses and the size of the model file. When\n"
           "the library can train with an L1 penalty, the L1 path (models sparse by\n"
           "construction) is measured as well.\n\n"
           "TRAIN-INPUT and TEST-INPUT (each at least once, repeatable):\n"
           "  --train FILE          a file of 'label<TAB>text' lines (a .csv as CSV),\n"
           "                        or an index of 'spam PATH'/'ham PATH' lines when\n"
           "                        its name ends in .idx or .index\n"
           "  --train-spam PATH     spam messages: a file or a directory (as --spam)\n"
           "  --train-ham PATH      ham messages (as --ham)\n"
           "  --train-index FILE    an index file (as --index)\n"
           "  --test FILE, --test-spam PATH, --test-ham PATH, --test-index FILE\n"
           "                        the same for the test set\n\n"
           "options:\n"
           "  --svg FILE            also draw parameters (log scale) against (1-AUC)%%\n"
           "                        as an SVG image\n"
           "  --format F            text (default), tsv or json\n"
           "  --sizes LIST          model sizes, comma-separated: 'all', shares like\n"
           "                        '5%%', word counts (default\n"
           "                        %s)\n"
           "  --bits 16|32          evaluate (and size) the models with 16-bit weights\n"
           "  -c C, --tol EPS, --solver tron|lbfgs, --threads N, --min-count N,\n"
           "  --ngrams 1|2, --features binary|logtf|tfidf\n"
           "                        training options, as for 'spamlr train'\n"
           "  -q, --quiet           no progress on standard error\n"
           "  -h, --help            show this help\n",
           DEFAULT_SIZES);
}

/* ---------------------------------------------------------------- options */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int parse_sizes(cli_args *a, curve_cfg *cfg, const char *v)
{
    const char *p = v;

    cfg->nsizes = 0;
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[32];
        size_req *r;
        double x;
        char *e;

        if (n == 0 || n >= sizeof item || cfg->nsizes == MAX_SIZES)
            return usage_error(a->cmd, "option '%s': bad size list '%s'", a->name, v);
        memcpy(item, p, n);
        item[n] = '\0';
        r = &cfg->sizes[cfg->nsizes++];
        memset(r, 0, sizeof *r);
        if (strcmp(item, "all") == 0) {
            r->share = 1;
        } else {
            x = strtod(item, &e);
            if (e == item || !(x > 0) || x > 1e12 ||
                (*e == '%' ? e[1] != '\0' || x > 100 : *e != '\0' || x != floor(x)))
                return usage_error(a->cmd, "option '%s': bad size '%s' (all, N%% or a "
                                           "number of words)", a->name, item);
            if (*e == '%')
                r->share = x / 100;
            else
                r->words = (size_t)x;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return cfg->nsizes ? 0 : usage_error(a->cmd, "option '%s': no sizes given", a->name);
}

static int parse_num_option(cli_args *a, curve_cfg *cfg, int id, const char *v)
{
    unsigned long n;
    int i;

    switch (id) {
    case OPT_C:
        return args_positive(a, v, 1e12, &cfg->opts.c) ? EXIT_USAGE : 0;
    case OPT_TOL:
        return args_positive(a, v, 1, &cfg->opts.tol) ? EXIT_USAGE : 0;
    case OPT_SOLVER:
        if ((i = args_choice(a, v, solver_names)) < 0)
            return EXIT_USAGE;
        cfg->opts.solver = (unsigned)i;
        return 0;
    case OPT_FEATURES:
        if ((i = args_choice(a, v, feature_names)) < 0)
            return EXIT_USAGE;
        cfg->text.features = (unsigned)i;
        return 0;
    case OPT_THREADS:
        return args_threads(a, v, &cfg->opts.threads);
    case OPT_MIN_COUNT:
        if (args_uint(a, v, 1, 4294967295UL, &n))
            return EXIT_USAGE;
        cfg->opts.min_count = (unsigned)n;
        return 0;
    case OPT_NGRAMS:
        if (args_uint(a, v, 1, 2, &n))
            return EXIT_USAGE;
        cfg->text.ngrams = (unsigned)n;
        return 0;
    default: /* OPT_BITS */
        if (args_uint(a, v, 16, 32, &n))
            return EXIT_USAGE;
        if (n != 16 && n != 32)
            return usage_error(a->cmd, "option '--bits': must be 16 or 32");
        cfg->bits = (unsigned)n;
        return 0;
    }
}

static int parse_option(cli_args *a, void *c, int id, const char *v)
{
    curve_cfg *cfg = c;
    int i;

    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_TRAIN:
        return input_take(&cfg->train, ends_with(v, ".idx") || ends_with(v, ".index")
                                            ? OPT_INDEX : ARGS_POSITIONAL, v, INPUT_LINES);
    case OPT_TRAIN_SPAM: return input_take(&cfg->train, OPT_SPAM, v, INPUT_LINES);
    case OPT_TRAIN_HAM: return input_take(&cfg->train, OPT_HAM, v, INPUT_LINES);
    case OPT_TRAIN_INDEX: return input_take(&cfg->train, OPT_INDEX, v, INPUT_LINES);
    case OPT_TEST:
        return input_take(&cfg->test, ends_with(v, ".idx") || ends_with(v, ".index")
                                           ? OPT_INDEX : ARGS_POSITIONAL, v, INPUT_LINES);
    case OPT_TEST_SPAM: return input_take(&cfg->test, OPT_SPAM, v, INPUT_LINES);
    case OPT_TEST_HAM: return input_take(&cfg->test, OPT_HAM, v, INPUT_LINES);
    case OPT_TEST_INDEX: return input_take(&cfg->test, OPT_INDEX, v, INPUT_LINES);
    case OPT_SVG: cfg->svg = v; return 0;
    case OPT_FORMAT:
        if ((i = args_choice(a, v, format_names)) < 0)
            return EXIT_USAGE;
        cfg->format = i;
        return 0;
    case OPT_SIZES: return parse_sizes(a, cfg, v);
    case OPT_QUIET: cfg->quiet = cli_quiet = 1; return 0;
    case ARGS_POSITIONAL:
        return usage_error(a->cmd, "unexpected argument '%s' (use --train FILE or "
                                   "--test FILE)", v);
    default: return parse_num_option(a, cfg, id, v);
    }
}

static int parse_args(curve_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = args_parse(&a, argc, argv, curve_opts, parse_option, cfg)) != 0)
        return rc;
    if (cfg->help)
        return 0;
    if (cfg->train.n == 0)
        return usage_error(a.cmd, "no training set given (--train FILE, --train-index ...)");
    if (cfg->test.n == 0)
        return usage_error(a.cmd, "no test set given (--test FILE, --test-index ...)");
    return 0;
}

/* ------------------------------------------------------------ measuring */

static int add_point(curve *c, const point *p)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        point *q = realloc(c->p, cap * sizeof *q);
        if (!q)
            return report_failure(SPAMLR_ENOMEM, NULL, NULL);
        c->p = q;
        c->cap = cap;
    }
    c->p[c->n++] = *p;
    return 0;
}

/* Evaluates m on the test set into pt (label left as it is). */
static int measure(const spamlr_model *m, const spamlr_dataset *test, const int *labels,
                   point *pt)
{
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_metrics mx = SPAMLR_METRICS_INIT;
    double *probs = NULL;
    unsigned char *buf = NULL;
    size_t size = 0;
    int rc, err;

    spamlr_model_info_get(m, &info);
    if ((rc = predict_rows(m, test, &probs, NULL)) != 0)
        return rc;
    err = spamlr_metrics_compute(labels, probs, spamlr_dataset_rows(test), info.threshold, &mx);
    if (err == SPAMLR_OK)
        err = spamlr_model_save_buffer(m, &buf, &size);
    free(probs);
    free(buf);
    if (err != SPAMLR_OK)
        return report_failure(err, NULL, NULL);
    pt->parameters = info.parameters;
    pt->nonzero = info.nonzero;
    pt->auc = mx.auc;
    pt->one_minus_auc_pct = mx.one_minus_auc_pct;
    pt->accuracy = mx.accuracy;
    pt->fp = mx.fp;
    pt->fn = mx.fn;
    pt->bytes = size;
    return 0;
}

typedef struct keep_size {
    size_t k;
    char label[24]; /* as asked for: "all", "5%", "1000" */
} keep_size;

static int cmp_size_desc(const void *pa, const void *pb)
{
    size_t a = ((const keep_size *)pa)->k, b = ((const keep_size *)pb)->k;

    return (a < b) - (a > b);
}

/* The pruning path: every requested size, largest first, each once. */
static int prune_path(const curve_cfg *cfg, const spamlr_model *full,
                      const spamlr_dataset *test, const int *labels, curve *out)
{
    size_t vocab = spamlr_model_vocab_size(full), n = 0, i, j;
    keep_size keep[MAX_SIZES];
    int rc = 0;

    for (i = 0; i < cfg->nsizes; i++) {
        const size_req *r = &cfg->sizes[i];
        size_t k = r->share > 0 ? (size_t)floor(r->share * (double)vocab + 0.5) : r->words;
        if (k > vocab)
            continue;
        for (j = 0; j < n && keep[j].k != k; j++)
            ;
        if (j < n)
            continue;
        keep[n].k = k;
        if (r->share == 1)
            snprintf(keep[n].label, sizeof keep[n].label, "all");
        else if (r->share > 0)
            snprintf(keep[n].label, sizeof keep[n].label, "%g%%", r->share * 100);
        else
            snprintf(keep[n].label, sizeof keep[n].label, "%zu", r->words);
        n++;
    }
    qsort(keep, n, sizeof *keep, cmp_size_desc);
    for (i = 0; i < n && rc == 0; i++) {
        spamlr_model *p = NULL;
        point pt;
        int err = spamlr_model_prune(&p, full, keep[i].k, 0);

        if (err == SPAMLR_OK && cfg->bits)
            err = spamlr_model_set_weight_bits(p, cfg->bits);
        if (err != SPAMLR_OK) {
            spamlr_model_free(p);
            return report_failure(err, NULL, NULL);
        }
        memset(&pt, 0, sizeof pt);
        memcpy(pt.label, keep[i].label, sizeof keep[i].label);
        rc = measure(p, test, labels, &pt);
        if (rc == 0)
            rc = add_point(out, &pt);
        if (rc == 0 && !cfg->quiet)
            fprintf(stderr, "spamlr curve: %zu words: (1-AUC)%% %.4f\n", pt.parameters,
                    pt.one_minus_auc_pct);
        spamlr_model_free(p);
    }
    return rc;
}

/* Trains ds with options o; reports failures; *m NULL on error. */
static int fit(spamlr_model **m, const spamlr_dataset *ds, const spamlr_train_opts *o)
{
    spamlr_train_opts keep;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    keep = *o;
    keep.keep_unconverged = 1;
    err = spamlr_train(m, ds, &keep, NULL, &d);
    if (err == SPAMLR_OK && d.message[0]) {
        warning("the solver stopped at max_iter before reaching the tolerance");
        return 0;
    }
    if (err != SPAMLR_OK) {
        spamlr_model_free(*m);
        *m = NULL;
        return report_failure(err, &d, NULL);
    }
    return 0;
}

/* The L1 path: one model per L1 strength (OWL-QN), sparse by
 * construction. */
static int l1_path(const curve_cfg *cfg, const spamlr_dataset *train,
                   const spamlr_dataset *test, const int *labels, curve *out)
{
    static const double L1[] = { 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100 };
    spamlr_train_opts o = cfg->opts;
    size_t i;
    int rc = 0;

    for (i = 0; i < sizeof L1 / sizeof *L1 && rc == 0; i++) {
        spamlr_model *m = NULL;
        point pt;

        o.l1 = L1[i];
        if ((rc = fit(&m, train, &o)) != 0)
            break;
        /* words L1 set to exactly 0 leave the model, as they would leave
         * a user's file (spamlr prune --min-abs 1e-30) */
        {
            spamlr_model *p = NULL;
            int err = spamlr_model_prune(&p, m, SIZE_MAX, 1e-30);
            if (err != SPAMLR_OK) {
                spamlr_model_free(m);
                rc = report_failure(err, NULL, NULL);
                break;
            }
            spamlr_model_free(m);
            m = p;
        }
        if (cfg->bits)
            spamlr_model_set_weight_bits(m, cfg->bits);
        memset(&pt, 0, sizeof pt);
        snprintf(pt.label, sizeof pt.label, "l1=%g", L1[i]);
        rc = measure(m, test, labels, &pt);
        if (rc == 0)
            rc = add_point(out, &pt);
        if (rc == 0 && !cfg->quiet)
            fprintf(stderr, "spamlr curve: l1=%g: %zu non-zero: (1-AUC)%% %.4f\n", L1[i],
                    pt.nonzero, pt.one_minus_auc_pct);
        spamlr_model_free(m);
    }
    return rc;
}

/* -------------------------------------------------------------- output */

static void print_rows_text(const char *title, const curve *c)
{
    size_t i;

    printf("\n%s\n%-9s %10s %9s %9s %10s %9s %7s %7s %10s\n", title, "size", "parameters",
           "non-zero", "ROC AUC", "(1-AUC)%", "accuracy", "ham FP", "spam FN", "file bytes");
    for (i = 0; i < c->n; i++) {
        const point *p = &c->p[i];
        printf("%-9s %10zu %9zu %9.5f %10.4f %9.4f %7zu %7zu %10zu\n", p->label,
               p->parameters, p->nonzero, p->auc, p->one_minus_auc_pct, p->accuracy, p->fp,
               p->fn, p->bytes);
    }
}

static void print_rows_tsv(const char *path, const curve *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        const point *p = &c->p[i];
        printf("%s\t%s\t%zu\t%zu\t%.6f\t%.4f\t%.6f\t%zu\t%zu\t%zu\n", path, p->label,
               p->parameters, p->nonzero, p->auc, p->one_minus_auc_pct, p->accuracy, p->fp,
               p->fn, p->bytes);
    }
}

static void print_rows_json(const char *key, const curve *c)
{
    size_t i;

    printf(",\"%s\":[", key);
    for (i = 0; i < c->n; i++) {
        const point *p = &c->p[i];
        fputs(i ? ",{\"size\":" : "{\"size\":", stdout);
        json_string(stdout, p->label);
        printf(",\"parameters\":%zu,\"nonzero\":%zu,\"auc\":", p->parameters, p->nonzero);
        json_number(stdout, p->auc);
        fputs(",\"one_minus_auc_pct\":", stdout);
        json_number(stdout, p->one_minus_auc_pct);
        fputs(",\"accuracy\":", stdout);
        json_number(stdout, p->accuracy);
        printf(",\"ham_fp\":%zu,\"spam_fn\":%zu,\"bytes\":%zu}", p->fp, p->fn, p->bytes);
    }
    putchar(']');
}

static void print_table(const curve_cfg *cfg, const spamlr_model *full,
                        const spamlr_dataset *test, const curve *pr, const curve *l1)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;

    spamlr_model_info_get(full, &in);
    if (cfg->format == FORMAT_TSV) {
        printf("path\tsize\tparameters\tnonzero\tauc\tone_minus_auc_pct\taccuracy\t"
               "ham_fp\tspam_fn\tbytes\n");
        print_rows_tsv("prune", pr);
        print_rows_tsv("l1", l1);
        return;
    }
    if (cfg->format == FORMAT_JSON) {
        printf("{\"train\":{\"examples\":%zu,\"spam\":%zu,\"ham\":%zu},\"test\":{\"n\":%zu,"
               "\"spam\":%zu,\"ham\":%zu},\"solver\":\"%s\",\"c\":", in.examples, in.spam,
               in.ham, spamlr_dataset_rows(test), spamlr_dataset_count(test, SPAMLR_SPAM),
               spamlr_dataset_count(test, SPAMLR_HAM), solver_name(in.solver));
        json_number(stdout, in.c);
        printf(",\"weight_bits\":%u,\"threshold\":", cfg->bits ? cfg->bits : 32);
        json_number(stdout, in.threshold);
        print_rows_json("prune", pr);
        print_rows_json("l1", l1);
        fputs("}\n", stdout);
        return;
    }
    printf("trained on %zu messages (%zu spam, %zu ham): %s, C=%g, %zu words\n"
           "tested on %zu messages (%zu spam, %zu ham), threshold %g, %u-bit weights\n",
           in.examples, in.spam, in.ham, solver_name(in.solver), in.c, in.parameters,
           spamlr_dataset_rows(test), spamlr_dataset_count(test, SPAMLR_SPAM),
           spamlr_dataset_count(test, SPAMLR_HAM), in.threshold, cfg->bits ? cfg->bits : 32);
    print_rows_text("Pruned to the largest |weights|:", pr);
    print_rows_text("L1 path (OWL-QN, words at 0 removed):", l1);
}

/* ----------------------------------------------------------------- run */

/* Reads a set of inputs into a new dataset with the curve's text options. */
static int read_set(spamlr_dataset **ds, const curve_cfg *cfg, const input_list *in)
{
    int err = spamlr_dataset_create(ds, &cfg->text);

    if (err != SPAMLR_OK)
        return report_failure(err, NULL, NULL);
    spamlr_dataset_set_threads(*ds, cfg->opts.threads);
    return input_read_all(in, *ds);
}

static int run(const curve_cfg *cfg)
{
    spamlr_dataset *train = NULL, *test = NULL;
    spamlr_model *full = NULL;
    curve pr = { NULL, 0, 0 }, l1 = { NULL, 0, 0 };
    int *labels = NULL, rc;
    size_t i, n;

    /* the drawing is written last: what would stop it is found first */
    if (cfg->svg && ((rc = output_check("curve", "--svg", cfg->svg, "an SVG drawing")) ||
                     (rc = output_vs_inputs(cfg->svg, &cfg->train)) ||
                     (rc = output_vs_inputs(cfg->svg, &cfg->test))))
        goto out;
    if ((rc = read_set(&train, cfg, &cfg->train)) || (rc = read_set(&test, cfg, &cfg->test)))
        goto out;
    n = spamlr_dataset_rows(test);
    if (spamlr_dataset_count(test, SPAMLR_SPAM) + spamlr_dataset_count(test, SPAMLR_HAM) == 0) {
        rc = runtime_error("the test set holds no labelled messages");
        goto out;
    }
    if (!spamlr_dataset_count(test, SPAMLR_SPAM) || !spamlr_dataset_count(test, SPAMLR_HAM)) {
        rc = runtime_error("the test set holds only %s (%zu messages): ROC AUC, which the "
                           "curve measures, is undefined; add %s", spamlr_dataset_count(test,
                           SPAMLR_SPAM) ? "spam" : "ham", n, spamlr_dataset_count(test,
                           SPAMLR_SPAM) ? "ham" : "spam");
        goto out;
    }
    if (!(labels = malloc((n + 1) * sizeof *labels))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    for (i = 0; i < n; i++)
        labels[i] = spamlr_dataset_label(test, i);
    if (!cfg->quiet)
        fprintf(stderr, "spamlr curve: training on %zu messages\n", spamlr_dataset_rows(train));
    if ((rc = fit(&full, train, &cfg->opts)) || (rc = prune_path(cfg, full, test, labels, &pr)) ||
        (rc = l1_path(cfg, train, test, labels, &l1)))
        goto out;
    print_table(cfg, full, test, &pr, &l1);
    rc = finish_output(EXIT_OK);
    if (rc == 0 && cfg->svg) {
        spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
        curve_info ci;
        char sub[256];

        spamlr_model_info_get(full, &in);
        memset(&ci, 0, sizeof ci);
        ci.has_meta = 1;
        ci.train_n = in.examples;
        ci.test_n = n;
        ci.c = in.c;
        ci.threshold = in.threshold;
        snprintf(ci.solver, sizeof ci.solver, "%s", solver_name(in.solver));
        curve_subtitle(&ci, sub, sizeof sub);
        rc = curve_svg(cfg->svg, &pr, &l1, sub);
    }
out:
    free(pr.p);
    free(l1.p);
    free(labels);
    spamlr_model_free(full);
    spamlr_dataset_free(train);
    spamlr_dataset_free(test);
    return rc;
}

int cmd_curve(int argc, char **argv)
{
    curve_cfg cfg;
    cli_args a;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    spamlr_text_opts_init(&cfg.text);
    spamlr_train_opts_init(&cfg.opts);
    args_init(&a, 1, argv);
    rc = parse_sizes(&a, &cfg, DEFAULT_SIZES);
    if (rc == 0)
        rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.help) {
        curve_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    input_free(&cfg.train);
    input_free(&cfg.test);
    return rc;
}
