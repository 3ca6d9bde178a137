/* cmd_train.c - spamlr train: learn a model from labelled messages. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "shard.h"

enum {
    OPT_HELP = 1, OPT_OUT, OPT_C, OPT_TOL, OPT_MAX_ITER, OPT_SOLVER, OPT_THREADS,
    OPT_NO_BIAS, OPT_REG_BIAS, OPT_CLASS_WEIGHT, OPT_MIN_COUNT, OPT_NGRAMS,
    OPT_FEATURES, OPT_NO_NORMALIZE, OPT_MAX_TOKEN_LEN, OPT_QUIET, OPT_CV,
    OPT_NO_MIME, OPT_FORMAT, OPT_BITS, OPT_LAYOUT, OPT_L1, OPT_L2, OPT_MPI,
    OPT_INIT, OPT_EPOCHS, OPT_ETA, OPT_STRICT, OPT_HEADER_FIELDS, OPT_FOLD, OPT_SUBWORDS, OPT_IDF_POWER,
    OPT_PRIOR
};

static const cli_opt train_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "output", 'o', 1, OPT_OUT },
    { NULL, 'c', 1, OPT_C },
    { "l1", 0, 1, OPT_L1 },
    { "l2", 0, 1, OPT_L2 },
    { "mpi", 0, 0, OPT_MPI },
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
    { "cv", 0, 1, OPT_CV },
    { "no-mime", 0, 0, OPT_NO_MIME },
    { "header-fields", 0, 1, OPT_HEADER_FIELDS },
    { "fold", 0, 1, OPT_FOLD },
    { "subwords", 0, 1, OPT_SUBWORDS },
    { "idf-power", 0, 1, OPT_IDF_POWER },
    { "format", 0, 1, OPT_FORMAT },
    { "bits", 0, 1, OPT_BITS },
    { "layout", 0, 1, OPT_LAYOUT },
    { "init", 0, 1, OPT_INIT },
    { "prior", 0, 1, OPT_PRIOR },
    CONTACTS_OPTION,
    { "epochs", 0, 1, OPT_EPOCHS },
    { "eta", 0, 1, OPT_ETA },
    { "strict", 0, 0, OPT_STRICT },
    INPUT_OPTIONS,
    { NULL, 0, 0, 0 }
};

static const char *const solver_names[] = { "tron", "lbfgs", "owlqn", "adagrad", "ftrl", NULL };
static const unsigned solver_ids[] = { SPAMLR_SOLVER_TRON, SPAMLR_SOLVER_LBFGS,
                                       SPAMLR_SOLVER_OWLQN, SPAMLR_SOLVER_ADAGRAD,
                                       SPAMLR_SOLVER_FTRL };
static const char *const feature_names[] = { "binary", "logtf", "tfidf", NULL };
static const char *const fold_names[] = { "simple", "nfkc", NULL };
static const char *const format_names[] = { "text", "libsvm", NULL };

typedef struct train_cfg {
    const char *out;
    spamlr_text_opts text;
    spamlr_train_opts train;
    int quiet;
    int help;
    unsigned cv;     /* folds of the --cv report (and of choosing C); 0 = none */
    unsigned format;        /* of positional FILEs: 0 text lines, 1 libsvm */
    unsigned bits;  /* weight precision in the file: 32 or 16 */
    unsigned layout; /* spamlr_layout of the file */
    int mpi;            /* train --mpi */
    int rank, nproc;
    int strict;
    const char *init;
    const char *prior;
    const char *contacts;   /* --contacts FILE */
    input_list inputs;
    unsigned given;  /* GIVEN_* bits: options set on the command line */
    double t_read;   /* wall seconds: reading the inputs, */
    double t_cv;     /* --cv's cross-validation, */
    double t_train;  /* spamlr_train* (the report's solve time within it) */
    double t_save;   /* and writing the model */
} train_cfg;

/* Options that only some solvers use, to warn when they are ignored. */
enum { GIVEN_EPOCHS = 1, GIVEN_ETA = 2, GIVEN_MAX_ITER = 4, GIVEN_TOL = 8 };

static void train_help(void)
{
    printf("usage: spamlr train [options] -o MODEL INPUT...\n\n"
           "Learns a regularised (L2, L1 or elastic-net) logistic-regression spam\n"
           "model, solved to the optimum, and writes it to MODEL (atomically: a\n"
           "failed run leaves an existing MODEL untouched). A report goes to\n"
           "standard error.\n\n"
           "options:\n"
           "  -o, --output MODEL     model file to write (required)\n"
           "  -c C|auto              inverse regularisation strength; default auto:\n"
           "                         chosen by 3-fold validation log loss on a\n"
           "                         warm-started path of powers of 4 from C = 1024\n"
           "                         (down when 1024 is best) until two steps gain\n"
           "                         under 0.1%%, then the powers of 2 beside the\n"
           "                         best (the report and 'spamlr inspect' show it)\n"
           "  --cv K                 report K-fold cross-validated quality (and\n"
           "                         choose C with K folds)\n"
           "  --l1 X                 L1 penalty X*|w|_1: sparse models (default 0)\n"
           "  --l2 Y                 L2 penalty Y/2*|w|^2 (default 1; --l1 1 --l2 0\n"
           "                         is LIBLINEAR -s 6)\n"
           "  --tol EPS              stop when |grad| <= EPS * |grad at start| (1e-4)\n"
           "  --max-iter N           outer iterations at most (default 1000)\n"
           "  --solver S             tron (trust-region Newton), lbfgs, owlqn\n"
           "                         (orthant-wise L-BFGS, needed for --l1), or the\n"
           "                         online adagrad or ftrl (the model can then go on\n"
           "                         learning with 'spamlr learn'); default tron, or\n"
           "                         owlqn with --l1\n"
           "  --epochs N             online solvers: passes over the data (5)\n"
           "  --eta X                online solvers: learning rate (AdaGrad 0.5,\n"
           "                         FTRL 5)\n"
           "  --contacts FILE        a contact list (addresses, @domains, a vCard;\n"
           "                         'spamlr contacts' makes one): every mail gets a\n"
           "                         sender:contact, sender:contact-domain or\n"
           "                         sender:unknown token whose weight is learned; the\n"
           "                         list is stored in the model\n"
           "  --init MODEL           warm start from MODEL's weights (the data is then\n"
           "                         tokenised with MODEL's settings; --tol is relative\n"
           "                         to the gradient at MODEL's weights)\n"
           "  --prior BASE           transfer learning: adapt the model BASE to the\n"
           "                         data instead of starting afresh; minimises\n"
           "                         l2/2*|w - w_BASE|^2 + C*loss (C auto chooses how\n"
           "                         far from BASE to go; --l2 is the pull for a given\n"
           "                         C); words of BASE that the data lacks keep their\n"
           "                         weights; the data is tokenised with BASE's\n"
           "                         settings; batch solvers only; the model records\n"
           "                         BASE ('spamlr inspect', '--diff BASE')\n"
           "  --strict               too few examples of a class is an error, not a\n"
           "                         warning (fewer than 10, or under 1%%)\n"
           "  --threads N            worker threads, 0 = all cores, one for small\n"
           "                         problems (default 0)\n"
           "  --no-bias              learn no bias term\n"
           "  --regularize-bias      include the bias in the L2 penalty\n"
           "  --class-weight W       balanced, none (default) or SPAM:HAM, e.g. 2:1\n"
           "  --min-count N          drop words seen in fewer than N messages (2)\n"
           "  --ngrams 1|2           1 = words (default), 2 = words + word pairs\n"
           "  --features F           tfidf (default), binary or logtf\n"
           "  --idf-power P          tfidf: the idf raised to the power P, 1..4\n"
           "                         (default 2: rare words weigh more)\n"
           "  --no-normalize         do not scale rows to unit length\n"
           "  --no-mime              read message files as plain text, not as e-mail\n"
           "                         (no MIME decoding, no header tokens)\n"
           "  --header-fields LIST   header fields that give tokens (default: every\n"
           "                         field but a deny-list of other filters'\n"
           "                         verdicts and mail-store bookkeeping, with\n"
           "                         field-aware tokens, Received from its two\n"
           "                         earliest fields, the hops nearest the sender);\n"
           "                         a list of subject, from, reply-to, to, cc,\n"
           "                         content-type, x-mailer, user-agent,\n"
           "                         organization, list-id, received, message-id,\n"
           "                         other, field-aware, received-origin, or\n"
           "                         default, all (every Received field too: the\n"
           "                         0.3 default), v0.1, none\n"
           "  --fold simple|nfkc     nfkc (default): Unicode NFKC_Casefold and\n"
           "                         Latin look-alikes folded; simple: the 0.1\n"
           "                         folding tables (0.1 can read the model)\n"
           "  --subwords N           0 (default) or 3..6: words longer than N also\n"
           "                         give their character N-grams (cN:gram)\n"
           "  --max-token-len N      drop tokens longer than N bytes (default 40,\n"
           "                         at most 1024)\n"
           "  --format text|libsvm   how FILE arguments are read (default text)\n"
           "  --bits 32|16           weight precision in the file (default 32; 16\n"
           "                         rounds the weights to 65535 steps, half the size)\n"
           "  --layout packed|mapped packed (default): the smallest file; mapped: the\n"
           "                         word table as it lies in memory, 6.5 times the\n"
           "                         size, loaded in a fraction of the time (a mail\n"
           "                         filter that starts a process per message)\n"
           "  --mpi                  one process of 'mpirun -np N spamlr train --mpi':\n"
           "                         reads every Nth message line of --index and\n"
           "                         label<TAB>text inputs; rank 0 writes MODEL\n"
           "                         (needs a build with 'make MPI=1')\n"
           "  -q, --quiet            print no report (and no progress line)\n"
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
    return args_positive(a, v, hi, out) ? EXIT_USAGE : 0;
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

static int parse_option(cli_args *a, void *c, int id, const char *v)
{
    train_cfg *cfg = c;
    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_OUT: cfg->out = v; return 0;
    case OPT_C:
        if (strcmp(v, "auto") == 0) {
            cfg->train.c = SPAMLR_C_AUTO;
            return 0;
        }
        return parse_positive(a, v, 1e12, &cfg->train.c);
    case OPT_CV:
        if (parse_unsigned(a, v, 2, 100, &cfg->cv))
            return EXIT_USAGE;
        cfg->train.folds = cfg->cv;
        return 0;
    case OPT_TOL: cfg->given |= GIVEN_TOL; return parse_positive(a, v, 1, &cfg->train.tol);
    case OPT_L1: return args_double(a, v, 0, 1e12, &cfg->train.l1) ? EXIT_USAGE : 0;
    case OPT_L2: return args_double(a, v, 0, 1e12, &cfg->train.l2) ? EXIT_USAGE : 0;
    case OPT_MAX_ITER: cfg->given |= GIVEN_MAX_ITER; return parse_unsigned(a, v, 1, UINT_MAX, &cfg->train.max_iter);
    case OPT_SOLVER:
        if (parse_choice(a, v, solver_names, &cfg->train.solver))
            return EXIT_USAGE;
        cfg->train.solver = solver_ids[cfg->train.solver];
        return 0;
    case OPT_INIT: cfg->init = v; return 0;
    case OPT_PRIOR: cfg->prior = v; return 0;
    case OPT_CONTACTS: cfg->contacts = v; return 0;
    case OPT_EPOCHS: cfg->given |= GIVEN_EPOCHS; return parse_unsigned(a, v, 1, 100000, &cfg->train.epochs);
    case OPT_ETA: cfg->given |= GIVEN_ETA; return parse_positive(a, v, 1e6, &cfg->train.eta);
    case OPT_STRICT: cfg->strict = 1; return 0;
    case OPT_THREADS: return args_threads(a, v, &cfg->train.threads);
    case OPT_NO_BIAS: cfg->train.bias = 0; return 0;
    case OPT_REG_BIAS: cfg->train.regularize_bias = 1; return 0;
    case OPT_CLASS_WEIGHT: return parse_class_weight(a, cfg, v);
    case OPT_MIN_COUNT: return parse_unsigned(a, v, 1, UINT_MAX, &cfg->train.min_count);
    case OPT_NGRAMS: return parse_unsigned(a, v, 1, 2, &cfg->text.ngrams);
    case OPT_FEATURES: return parse_choice(a, v, feature_names, &cfg->text.features);
    case OPT_NO_NORMALIZE: cfg->text.normalize = 0; return 0;
    case OPT_NO_MIME: cfg->text.mime = 0; return 0;
    case OPT_HEADER_FIELDS:
        if (spamlr_header_fields_parse(v, &cfg->text.header_fields) != SPAMLR_OK)
            return usage_error(a->cmd, "option '%s': unknown field in '%s' (known: subject, "
                               "from, reply-to, to, cc, content-type, x-mailer, user-agent, "
                               "organization, list-id, received, message-id, default, all, "
                               "none)", a->name, v);
        return 0;
    case OPT_MAX_TOKEN_LEN:
        return parse_unsigned(a, v, 1, SPAMLR_MAX_TOKEN_LEN, &cfg->text.max_token_len);
    case OPT_FOLD: return parse_choice(a, v, fold_names, &cfg->text.fold);
    case OPT_SUBWORDS:
        if (parse_unsigned(a, v, 0, 6, &cfg->text.subwords))
            return EXIT_USAGE;
        if (cfg->text.subwords && cfg->text.subwords < 3)
            return usage_error(a->cmd, "option '%s': must be 0 or 3..6", a->name);
        return 0;
    case OPT_IDF_POWER: return parse_unsigned(a, v, 1, 4, &cfg->text.idf_power);
    case OPT_QUIET: cfg->quiet = cli_quiet = 1; return 0;
    case OPT_FORMAT: return parse_choice(a, v, format_names, &cfg->format);
    case OPT_BITS:
        if (parse_unsigned(a, v, 16, 32, &cfg->bits))
            return EXIT_USAGE;
        if (cfg->bits != 16 && cfg->bits != 32)
            return usage_error(a->cmd, "option '%s': must be 16 or 32", a->name);
        return 0;
    case OPT_LAYOUT: return parse_choice(a, v, layout_names, &cfg->layout);
    case OPT_MPI: cfg->mpi = 1; return 0;
    default:
        return input_take(&cfg->inputs, id, v, cfg->format ? INPUT_LIBSVM : INPUT_LINES);
    }
}

/* Options the chosen solver does not use are said to be ignored: a and/or
 * b (option names) when the bits ga/gb of cfg->given are set. */
static void warn_unused(const train_cfg *cfg, unsigned ga, const char *a, unsigned gb,
                        const char *b, const char *kind, const char *name)
{
    int both = (cfg->given & ga) && (cfg->given & gb);

    if (!(cfg->given & (ga | gb)))
        return;
    warning("%s%s%s %s only to the %s; ignored with %s", cfg->given & ga ? a : "",
            both ? " and " : "", cfg->given & gb ? b : "", both ? "apply" : "applies", kind,
            name);
}

static void warn_ignored(const train_cfg *cfg)
{
    unsigned s = cfg->train.solver;
    const char *name = s != SPAMLR_SOLVER_AUTO ? solver_name(s)
                       : cfg->train.l1 > 0 ? "owlqn" : "tron";

    if (s == SPAMLR_SOLVER_ADAGRAD || s == SPAMLR_SOLVER_FTRL)
        warn_unused(cfg, GIVEN_MAX_ITER, "--max-iter", GIVEN_TOL, "--tol",
                    "batch solvers (tron, lbfgs, owlqn)", name);
    else
        warn_unused(cfg, GIVEN_EPOCHS, "--epochs", GIVEN_ETA, "--eta",
                    "online solvers (--solver adagrad or ftrl)", name);
}

static int parse_args(train_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = args_parse(&a, argc, argv, train_opts, parse_option, cfg)) != 0)
        return rc;
    if (cfg->help)
        return 0;
    if (!cfg->out)
        return usage_error(a.cmd, "no output model given (-o MODEL)");
    if (cfg->inputs.n == 0)
        return usage_error(a.cmd, "no input given");
    if ((rc = output_check(a.cmd, "-o", cfg->out, "a model")) ||
        (rc = output_vs_inputs(cfg->out, &cfg->inputs)))
        return rc;
    if (cfg->train.l1 == 0 && cfg->train.l2 == 0)
        return usage_error(a.cmd, "--l1 and --l2 are both 0: no regularisation");
    if (cfg->train.l1 > 0 && cfg->train.solver != SPAMLR_SOLVER_AUTO
        && cfg->train.solver != SPAMLR_SOLVER_OWLQN)
        return usage_error(a.cmd, "--l1 needs --solver owlqn (%s needs a smooth objective)",
                           solver_name(cfg->train.solver));
    warn_ignored(cfg);
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

/* Where the run's time went: reading, --cv's cross-validation, what
 * training did besides solving (columns, matrix, the model's word table),
 * the C path, the final solve, saving. */
static void print_times(const train_cfg *cfg, const spamlr_train_report *r)
{
    double other = cfg->t_train - r->seconds;

    fprintf(stderr, "  time           %.3f s: reading %.3f, ",
            cfg->t_read + cfg->t_cv + cfg->t_train + cfg->t_save, cfg->t_read);
    if (cfg->cv)
        fprintf(stderr, "cross-validation %.3f, ", cfg->t_cv);
    fprintf(stderr, "preparing %.3f, ", other > 0 ? other : 0.0);
    if (r->path_seconds > 0)
        fprintf(stderr, "C path %.3f, final solve %.3f", r->path_seconds,
                r->seconds - r->path_seconds);
    else
        fprintf(stderr, "solve %.3f", r->seconds);
    fprintf(stderr, ", saving %.3f\n", cfg->t_save);
}

static void print_report(const train_cfg *cfg, const spamlr_model *m,
                         const spamlr_train_report *r)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    struct stat st;

    spamlr_model_info_get(m, &in);
    if (cfg->mpi)
        fprintf(stderr, "spamlr train: %d MPI processes\n", cfg->nproc);
    fprintf(stderr,
            "spamlr train: %zu examples (%zu spam, %zu ham)\n"
            "  parameters     %zu (vocabulary size)\n"
            "  solver         %s, C=%g, l1=%g, l2=%g, tol=%g\n"
            "  iterations     %u (%u inner)\n"
            "  objective      %.10g\n"
            "  gradient norm  %.10g (%s %.10g)\n"
            "  solve time     %.3f s\n",
            r->examples, r->spam, r->ham, r->features, solver_name(in.solver),
            in.c, in.l1, in.l2, in.tol, r->iterations, r->inner_iterations,
            r->objective, r->grad_norm,
            spamlr_model_path(m, NULL, NULL) ? "at w = 0" : "initial", r->grad_norm0,
            r->seconds);
    print_path(stderr, m);
    print_times(cfg, r);
    if (cfg->train.l1 > 0)
        fprintf(stderr, "  nonzero        %zu of %zu word weights\n", in.nonzero,
                in.parameters);
    if (stat(cfg->out, &st) == 0)
        fprintf(stderr, "  model          %s (%lld bytes)\n", cfg->out,
                (long long)st.st_size);
}

/* A class with fewer than 10 examples, or under 1% of them, makes a
 * model that has barely seen it: a warning, or an error with --strict.
 * Returns 0 or EXIT_RUNTIME. */
static int check_class_sizes(const train_cfg *cfg, const spamlr_dataset *ds)
{
    size_t spam = spamlr_dataset_count(ds, SPAMLR_SPAM);
    size_t ham = spamlr_dataset_count(ds, SPAMLR_HAM), n = spam + ham, k;
    int which;

    if (!spam || !ham)
        return 0; /* spamlr_train says it */
    for (which = 0; which < 2; which++) {
        k = which ? ham : spam;
        if (k >= 10 && k * 100 >= n)
            continue;
        if (cfg->strict)
            return runtime_error("only %zu of %zu training messages are %s (fewer than 10 "
                                 "or under 1%%): refusing to train with --strict", k, n,
                                 which ? "ham" : "spam");
        warning("only %zu of %zu training messages are %s (fewer than 10 or under 1%%): "
                "the model will barely know that class; add examples (--strict makes "
                "this an error)", k, n, which ? "ham" : "spam");
    }
    return 0;
}

/* Trains on ds and saves the model; returns an exit code. */
static int fit_and_save(train_cfg *cfg, spamlr_dataset *ds)
{
    spamlr_model *m = NULL;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_train_opts train = cfg->train;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    double t;
    int err, rc = EXIT_RUNTIME;

    if ((rc = check_class_sizes(cfg, ds)))
        return rc;
    rc = EXIT_RUNTIME;

    rep = (spamlr_train_report)SPAMLR_TRAIN_REPORT_INIT;
    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if (cfg->cv) {
        spamlr_metrics mt = SPAMLR_METRICS_INIT;

        t = cli_now();
        if ((rc = cv_measure(ds, &train, cfg->cv, &mt)) != 0)
            return rc;
        cfg->t_cv = cli_now() - t;
        if (!cfg->quiet) {
            char a[64], b[64];
            fprintf(stderr, "spamlr train: %u-fold cross-validation%s: ROC AUC %s, "
                    "(1-AUC)%% %s, accuracy %.4f, log loss %.5f\n", cfg->cv,
                    train.c == SPAMLR_C_AUTO ? " (C chosen within each fold)" : "",
                    auc_text(mt.auc, 6, a), auc_text(mt.one_minus_auc_pct, 4, b),
                    mt.accuracy, mt.log_loss);
        }
        rc = EXIT_RUNTIME;
    }
    train.progress = progress_report;
    train.keep_unconverged = 1; /* warned about below, and saved */
    /* the rows are not needed after: the matrix is made in them (a third
     * less memory) */
    t = cli_now();
    err = cfg->mpi ? spamlr_train_mpi(&m, ds, &train, &rep, &d)
                   : spamlr_train_consume(&m, ds, &train, &rep, &d);
    cfg->t_train = cli_now() - t;
    progress_end();
    if (cfg->mpi && cfg->rank != 0) {
        /* the same model as rank 0's, which writes it */
        rc = err == SPAMLR_OK ? EXIT_OK : EXIT_RUNTIME;
        goto out;
    }
    if (err == SPAMLR_EEMPTY || err == SPAMLR_EONECLASS) {
        rc = report_bad_classes(err, ds);
        goto out;
    }
    if (err == SPAMLR_OK && d.message[0]) { /* keep_unconverged's warning */
        warning("the solver stopped after --max-iter %u iterations before reaching "
                "--tol %g (gradient norm %.10g); saving the model anyway",
                cfg->train.max_iter, cfg->train.tol, rep.grad_norm);
    } else if (err != SPAMLR_OK) {
        rc = report_failure(err, &d, NULL);
        goto out;
    }
    if (spamlr_model_vocab_size(m) == 0) {
        if (spamlr_dataset_vocab_size(ds) == 0)
            warning("the training messages hold no words: the model scores every "
                    "message by its bias alone");
        else
            warning("the model holds no words: no word of the %zu in the training data "
                    "appears in %s%u messages (--min-count); it scores every message by its "
                    "bias alone", spamlr_dataset_vocab_size(ds),
                    cfg->train.min_count == SPAMLR_MIN_COUNT_AUTO ? "the default " : "at least ",
                    cfg->train.min_count == SPAMLR_MIN_COUNT_AUTO ? 2u : cfg->train.min_count);
    }
    if ((cfg->bits == 16 && (err = spamlr_model_set_weight_bits(m, 16)) != SPAMLR_OK) ||
        (err = spamlr_model_set_layout(m, cfg->layout)) != SPAMLR_OK) {
        rc = report_failure(err, NULL, NULL);
        goto out;
    }
    /* under MODEL.lock, so that a 'spamlr learn' running meanwhile either
     * finishes before or learns into this model */
    t = cli_now();
    if ((rc = model_save_locked(m, cfg->out)) != 0)
        goto out;
    cfg->t_save = cli_now() - t;
    if (!cfg->quiet)
        print_report(cfg, m, &rep);
    rc = EXIT_OK;
out:
    spamlr_model_free(m);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_cfg cfg;
    spamlr_dataset *ds = NULL;
    spamlr_model *init = NULL, *prior = NULL;
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
    if (cfg.mpi) {
        err = spamlr_mpi_init(&cfg.rank, &cfg.nproc);
        if (cfg.rank != 0)
            cli_quiet = 1; /* one progress line, rank 0's */
        if (err == SPAMLR_EUNSUPPORTED) {
            rc = usage_error("train", "--mpi: built without MPI (rebuild with 'make MPI=1')");
            goto out;
        }
        if (err != SPAMLR_OK) {
            rc = runtime_error("--mpi: cannot start MPI");
            goto out;
        }
    }
    if (cfg.prior) {
        /* the data is read as the base model tokenises */
        if ((rc = model_open(&prior, cfg.prior)) || (rc = dataset_for_model(&ds, prior)))
            goto out;
        cfg.train.prior = prior;
    }
    if (cfg.init) {
        /* the data is read as the initial model tokenises */
        if ((rc = model_open(&init, cfg.init)) || (!ds && (rc = dataset_for_model(&ds, init))))
            goto out;
        cfg.train.init = init;
    } else if (ds)
        ;
    else if ((err = spamlr_dataset_create(&ds, &cfg.text)) != SPAMLR_OK) {
        rc = report_failure(err, NULL, NULL);
        goto out;
    }
    if (cfg.contacts) {
        spamlr_contacts *c = NULL;
        if ((rc = contacts_open(&c, cfg.contacts)))
            goto out;
        err = spamlr_dataset_set_contacts(ds, c);
        spamlr_contacts_free(c);
        if (err) {
            rc = report_failure(err, NULL, NULL);
            goto out;
        }
    }
    spamlr_dataset_set_threads(ds, cfg.train.threads);
    cfg.t_read = cli_now();
    if (cfg.mpi) {
        int all = 0;

        rc = shard_read_all(&cfg.inputs, ds, cfg.rank, cfg.nproc);
        cfg.t_read = cli_now() - cfg.t_read;
        /* a process that failed stops every one */
        spamlr_mpi_all_ok(rc == 0, &all);
        if (!all && rc == 0)
            rc = runtime_error("process %d of %d: another process could not read its "
                               "share of the input; stopping", cfg.rank, cfg.nproc);
        if (all)
            rc = fit_and_save(&cfg, ds);
    } else {
        rc = input_read_all(&cfg.inputs, ds);
        cfg.t_read = cli_now() - cfg.t_read;
        if (rc == 0)
            rc = fit_and_save(&cfg, ds);
    }
    if (cfg.mpi)
        spamlr_mpi_finalize();
out:
    spamlr_model_free(init);
    spamlr_model_free(prior);
    spamlr_dataset_free(ds);
    input_free(&cfg.inputs);
    return rc;
}
