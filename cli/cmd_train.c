/* cmd_train.c - spamlr train: learn a model from labelled messages. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

enum {
    OPT_HELP = 1, OPT_OUT, OPT_C, OPT_TOL, OPT_MAX_ITER, OPT_SOLVER, OPT_THREADS,
    OPT_NO_BIAS, OPT_REG_BIAS, OPT_CLASS_WEIGHT, OPT_MIN_COUNT, OPT_NGRAMS,
    OPT_FEATURES, OPT_NO_NORMALIZE, OPT_MAX_TOKEN_LEN, OPT_QUIET, OPT_FORMAT
};

static const cli_opt train_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "output", 'o', 1, OPT_OUT },
    { NULL, 'c', 1, OPT_C },
    { "tol", 0, 1, OPT_TOL },
    { "max-iter", 0, 1, OPT_MAX_ITER },
    { "solver", 0, 1, OPT_SOLVER },
    { "threads", 0, 1, OPT_THREADS },
    { "no-bias", 0, 0, OPT_NO_BIAS },
    { "regularize-bias", 0, 0, OPT_REG_BIAS },
    { "class-weight", 0, 1, OPT_CLASS_WEIGHT },
    { "min-count", 0, 1, OPT_MIN_COUNT },
    { "ngrams", 0, 1, OPT_NGRAMS },
    { "features", 0, 1, OPT_FEATURES },
    { "no-normalize", 0, 0, OPT_NO_NORMALIZE },
    { "max-token-len", 0, 1, OPT_MAX_TOKEN_LEN },
    { "quiet", 'q', 0, OPT_QUIET },
    { "format", 0, 1, OPT_FORMAT },
    INPUT_OPTIONS,
    { NULL, 0, 0, 0 }
};

static const char *const solver_names[] = { "tron", "lbfgs", NULL };
static const char *const feature_names[] = { "binary", "logtf", "tfidf", NULL };
static const char *const format_names[] = { "text", "libsvm", NULL };

typedef struct train_cfg {
    const char *out;
    spamlr_text_opts text;
    spamlr_train_opts train;
    int quiet;
    int help;
    unsigned format;        /* of positional FILEs: 0 text lines, 1 libsvm */
    input_list inputs;
} train_cfg;

static void train_help(void)
{
    printf("usage: spamlr train [options] -o MODEL INPUT...\n\n"
           "Learns an L2-regularised logistic-regression spam model, solved to the\n"
           "optimum, and writes it to MODEL (atomically: a failed run leaves an\n"
           "existing MODEL untouched). A report goes to standard error.\n\n"
           "options:\n"
           "  -o, --output MODEL     model file to write (required)\n"
           "  -c C                   inverse regularisation strength (default 1)\n"
           "  --tol EPS              stop when |grad| <= EPS * |grad at start| (1e-4)\n"
           "  --max-iter N           outer iterations at most (default 1000)\n"
           "  --solver tron|lbfgs    trust-region Newton (default) or L-BFGS\n"
           "  --threads N            worker threads, 0 = all cores, one for small\n"
           "                         problems (default 0)\n"
           "  --no-bias              learn no bias term\n"
           "  --regularize-bias      include the bias in the L2 penalty\n"
           "  --class-weight W       balanced, none (default) or SPAM:HAM, e.g. 2:1\n"
           "  --min-count N          drop words seen in fewer than N messages (1)\n"
           "  --ngrams 1|2           1 = words (default), 2 = words + word pairs\n"
           "  --features F           binary (default), logtf or tfidf\n"
           "  --no-normalize         do not scale rows to unit length\n"
           "  --max-token-len N      drop tokens longer than N bytes (default 40)\n"
           "  --format text|libsvm   how FILE arguments are read (default text)\n"
           "  -q, --quiet            print no report\n"
           "  -h, --help             show this help\n\n"
           "%s"
           "  FILE               lines 'label<TAB>text', label spam/ham or 1/0;\n"
           "                     a .csv file is read as CSV (label, text)\n\n"
           "Exit status: 0 success (also when the solver stopped at --max-iter: the\n"
           "model is saved with a warning), 1 error, 2 usage error.\n",
           input_help);
}

/* --class-weight balanced|none|SPAM:HAM */
static int parse_class_weight(cli_args *a, train_cfg *cfg, const char *v)
{
    char buf[128];
    char *colon;
    double ws, wh;

    if (strcmp(v, "balanced") == 0) {
        cfg->train.class_weight = SPAMLR_CW_BALANCED;
        return 0;
    }
    if (strcmp(v, "none") == 0) {
        cfg->train.class_weight = SPAMLR_CW_NONE;
        return 0;
    }
    if (strlen(v) >= sizeof buf || !(colon = strchr(strcpy(buf, v), ':')))
        return usage_error(a->cmd, "option '%s': '%s' is not balanced, none or "
                                   "SPAM:HAM", a->name, v);
    *colon = '\0';
    if (args_double(a, buf, 0, 1e9, &ws) || args_double(a, colon + 1, 0, 1e9, &wh))
        return EXIT_USAGE;
    if (ws <= 0 || wh <= 0)
        return usage_error(a->cmd, "option '%s': weights must be > 0", a->name);
    cfg->train.class_weight = SPAMLR_CW_MANUAL;
    cfg->train.weight_spam = ws;
    cfg->train.weight_ham = wh;
    return 0;
}

/* Options with a number for an unsigned field: [lo, hi]. */
static int parse_unsigned(cli_args *a, const char *v, unsigned long lo,
                          unsigned long hi, unsigned *out)
{
    unsigned long x;

    if (args_uint(a, v, lo, hi, &x))
        return EXIT_USAGE;
    *out = (unsigned)x;
    return 0;
}

static int parse_positive(cli_args *a, const char *v, double hi, double *out)
{
    if (args_double(a, v, 0, hi, out))
        return EXIT_USAGE;
    if (*out <= 0)
        return usage_error(a->cmd, "option '%s': must be > 0", a->name);
    return 0;
}

static int parse_choice(cli_args *a, const char *v, const char *const *names,
                        unsigned *out)
{
    int i = args_choice(a, v, names);

    if (i < 0)
        return EXIT_USAGE;
    *out = (unsigned)i;
    return 0;
}

static int parse_option(cli_args *a, train_cfg *cfg, int id, const char *v)
{
    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_OUT: cfg->out = v; return 0;
    case OPT_C: return parse_positive(a, v, 1e12, &cfg->train.c);
    case OPT_TOL: return parse_positive(a, v, 1, &cfg->train.tol);
    case OPT_MAX_ITER: return parse_unsigned(a, v, 1, UINT_MAX, &cfg->train.max_iter);
    case OPT_SOLVER: return parse_choice(a, v, solver_names, &cfg->train.solver);
    case OPT_THREADS: return parse_unsigned(a, v, 0, 4096, &cfg->train.threads);
    case OPT_NO_BIAS: cfg->train.bias = 0; return 0;
    case OPT_REG_BIAS: cfg->train.regularize_bias = 1; return 0;
    case OPT_CLASS_WEIGHT: return parse_class_weight(a, cfg, v);
    case OPT_MIN_COUNT: return parse_unsigned(a, v, 1, UINT_MAX, &cfg->train.min_count);
    case OPT_NGRAMS: return parse_unsigned(a, v, 1, 2, &cfg->text.ngrams);
    case OPT_FEATURES: return parse_choice(a, v, feature_names, &cfg->text.features);
    case OPT_NO_NORMALIZE: cfg->text.normalize = 0; return 0;
    case OPT_MAX_TOKEN_LEN:
        return parse_unsigned(a, v, 1, 65535, &cfg->text.max_token_len);
    case OPT_QUIET: cfg->quiet = 1; return 0;
    case OPT_FORMAT: return parse_choice(a, v, format_names, &cfg->format);
    default:
        return input_take(&cfg->inputs, id, v, cfg->format ? INPUT_LIBSVM : INPUT_LINES);
    }
}

static int parse_args(train_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    int id, rc;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, train_opts, &v)) != ARGS_END) {
        if (id == ARGS_ERROR)
            return EXIT_USAGE;
        if ((rc = parse_option(&a, cfg, id, v)) != 0)
            return rc;
    }
    if (cfg->help)
        return 0;
    if (!cfg->out)
        return usage_error(a.cmd, "no output model given (-o MODEL)");
    if (cfg->inputs.n == 0)
        return usage_error(a.cmd, "no input given");
    return 0;
}

/* Explains why there is nothing to train on; returns EXIT_RUNTIME. */
static int report_bad_classes(int err, const spamlr_dataset *ds)
{
    size_t spam = spamlr_dataset_count(ds, SPAMLR_SPAM);
    size_t ham = spamlr_dataset_count(ds, SPAMLR_HAM);

    if (err == SPAMLR_EEMPTY)
        return runtime_error("no labelled messages to train on (the inputs hold "
                             "%zu rows)", spamlr_dataset_rows(ds));
    return runtime_error("training data holds only one class (%zu spam, %zu ham); "
                         "both spam and ham examples are needed", spam, ham);
}

static void print_report(const train_cfg *cfg, const spamlr_train_report *r)
{
    struct stat st;

    fprintf(stderr,
            "spamlr train: %zu examples (%zu spam, %zu ham)\n"
            "  parameters     %zu (vocabulary size)\n"
            "  solver         %s, C=%g, tol=%g\n"
            "  iterations     %u (%u inner)\n"
            "  objective      %.10g\n"
            "  gradient norm  %.10g (initial %.10g)\n"
            "  solve time     %.3f s\n",
            r->examples, r->spam, r->ham, r->features, solver_name(cfg->train.solver),
            cfg->train.c, cfg->train.tol, r->iterations, r->inner_iterations,
            r->objective, r->grad_norm, r->grad_norm0, r->seconds);
    if (stat(cfg->out, &st) == 0)
        fprintf(stderr, "  model          %s (%lld bytes)\n", cfg->out,
                (long long)st.st_size);
}

/* Trains on ds and saves the model; returns an exit code. */
static int fit_and_save(const train_cfg *cfg, const spamlr_dataset *ds)
{
    spamlr_model *m = NULL;
    spamlr_train_report rep;
    spamlr_diag d;
    int err, rc = EXIT_RUNTIME;

    memset(&rep, 0, sizeof rep);
    memset(&d, 0, sizeof d);
    err = spamlr_train(&m, ds, &cfg->train, &rep, &d);
    if (err == SPAMLR_EEMPTY || err == SPAMLR_EONECLASS) {
        rc = report_bad_classes(err, ds);
        goto out;
    }
    if (err == SPAMLR_ENOCONVERGE && m) {
        warning("the solver stopped after --max-iter %u iterations before reaching "
                "--tol %g (gradient norm %.10g); saving the model anyway",
                cfg->train.max_iter, cfg->train.tol, rep.grad_norm);
    } else if (err != SPAMLR_OK) {
        rc = report_failure(err, &d, NULL);
        goto out;
    }
    memset(&d, 0, sizeof d);
    err = spamlr_model_save(m, cfg->out, &d);
    if (err != SPAMLR_OK) {
        rc = report_failure(err, &d, cfg->out);
        goto out;
    }
    if (!cfg->quiet)
        print_report(cfg, &rep);
    rc = EXIT_OK;
out:
    spamlr_model_free(m);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_cfg cfg;
    spamlr_dataset *ds = NULL;
    int err, rc;

    memset(&cfg, 0, sizeof cfg);
    spamlr_text_opts_init(&cfg.text);
    spamlr_train_opts_init(&cfg.train);
    rc = parse_args(&cfg, argc, argv);
    if (rc != 0 || cfg.help) {
        if (rc == 0) {
            train_help();
            rc = finish_output(EXIT_OK);
        }
        goto out;
    }
    err = spamlr_dataset_create(&ds, &cfg.text);
    if (err != SPAMLR_OK) {
        rc = report_failure(err, NULL, NULL);
        goto out;
    }
    rc = input_read_all(&cfg.inputs, ds);
    if (rc == 0)
        rc = fit_and_save(&cfg, ds);
out:
    spamlr_dataset_free(ds);
    input_free(&cfg.inputs);
    return rc;
}
