/* cmd_eval.c - spamlr eval: measure a model on labelled messages. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum { OPT_ONLINE = SC_END, OPT_TARGET_FPR, OPT_SAVE_THRESHOLD, OPT_BLOCK, OPT_SHUFFLE,
       OPT_SOLVER, OPT_ETA, OPT_TARGET_FNR, OPT_QUIET, OPT_THREADS };

static const cli_opt eval_opts[] = {
    SCORING_OPTIONS,
    { "online", 0, 0, OPT_ONLINE },
    { "target-fpr", 0, 1, OPT_TARGET_FPR },
    { "target-fnr", 0, 1, OPT_TARGET_FNR },
    { "save-threshold", 0, 0, OPT_SAVE_THRESHOLD },
    { "block", 0, 1, OPT_BLOCK },
    { "shuffle", 0, 1, OPT_SHUFFLE },
    { "solver", 0, 1, OPT_SOLVER },
    { "eta", 0, 1, OPT_ETA },
    { "quiet", 'q', 0, OPT_QUIET },
    { "threads", 0, 1, OPT_THREADS },
    INPUT_OPTIONS,
    CONTACTS_OPTION,
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TEXT, FORMAT_JSON };
static const char *const format_names[] = { "text", "json", NULL };

typedef struct eval_cfg {
    scoring_opts sc;        /* -h, -m, --format, --threshold */
    int online;
    int has_target;
    double target_fpr;
    int has_fnr;
    double target_fnr;
    int save_threshold;
    unsigned long block;
    int has_shuffle;
    unsigned long seed;
    unsigned solver;
    double eta;
    unsigned threads;       /* reading threads, 0 = every core */
    input_list inputs;
} eval_cfg;

static const char *const online_names[] = { "adagrad", "ftrl", NULL };

static void eval_help(void)
{
    printf("usage: spamlr eval -m MODEL [--format text|json] [--threshold T]\n"
           "                   [--target-fpr X [--save-threshold]] INPUT...\n"
           "       spamlr eval --online [-m MODEL] [--block N] [--shuffle SEED] INPUT...\n\n"
           "Predicts every labelled message and prints accuracy, precision, recall,\n"
           "F1, MCC, ROC AUC, (1-AUC)%%, the ham false-positive rate, the spam miss\n"
           "rate, log loss and the confusion matrix (spam is the positive class).\n\n"
           "With --online (the TREC spam-track protocol) each message, in input\n"
           "order, is first classified and then learned with its true label, starting\n"
           "from an empty model (or from MODEL, which is not changed); the metrics are\n"
           "those of the classifications, and a learning curve gives them per block\n"
           "of N messages.\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (without --online, default $SPAMLR_MODEL,\n"
           "                      else ~/.spamlr/model.slr)\n"
           "  --format F          text (default) or json (one object)\n"
           "  --threshold T       spam when probability >= T (default: the model's)\n"
           "  --target-fpr X      also print the smallest threshold that calls at most\n"
           "                      a fraction X of the ham spam (e.g. 0.001), and the\n"
           "                      spam recall at it\n"
           "  --target-fnr Y      with --target-fpr: also the largest ham cutoff below\n"
           "                      which at most a fraction Y of the spam falls: the\n"
           "                      unsure zone [cutoff, threshold) of 'filter'\n"
           "  --save-threshold    store that threshold (and the unsure zone) in MODEL\n"
           "                      (rewritten atomically under MODEL.lock); refused\n"
           "                      when the input has fewer than about 3/X ham (3/Y\n"
           "                      spam), too few to support the target\n"
           "  --online            TREC-style online evaluation (see above)\n"
           "  --block N           learning-curve block size (default 500)\n"
           "  --shuffle SEED      --online: learn in a fixed pseudo-random order made\n"
           "                      from SEED instead of input order\n"
           "  --solver S          --online from scratch: adagrad (default) or ftrl\n"
           "  --eta X             --online from scratch: learning rate\n"
           "  -q, --quiet         no progress line on a terminal\n"
           "  --threads N         threads reading many files, 0 = every core\n"
           "                      (default); the figures are the same for any N\n"
           CONTACTS_HELP
           "  -h, --help          show this help\n\n"
           "%s"
           "  FILE               lines 'label<TAB>text', label spam/ham or 1/0;\n"
           "                     a .csv file is read as CSV (label, text)\n",
           input_help);
}

static int parse_option(cli_args *a, void *c, int id, const char *v)
{
    eval_cfg *cfg = c;
    int rc = args_scoring(a, &cfg->sc, id, v, format_names);

    if (rc >= 0)
        return rc;
    switch (id) {
    case OPT_CONTACTS: cli_contacts = v; return 0;
    case OPT_ONLINE: cfg->online = 1; return 0;
    case OPT_QUIET: cli_quiet = 1; return 0;
    case OPT_THREADS: return args_threads(a, v, &cfg->threads);
    case OPT_TARGET_FPR:
        cfg->has_target = 1;
        if (args_double(a, v, 0, 1, &cfg->target_fpr))
            return EXIT_USAGE;
        return cfg->target_fpr < 1 ? 0 : usage_error(a->cmd, "option '%s': must be < 1",
                                                     a->name);
    case OPT_TARGET_FNR:
        cfg->has_fnr = 1;
        if (args_double(a, v, 0, 1, &cfg->target_fnr))
            return EXIT_USAGE;
        return cfg->target_fnr < 1 ? 0 : usage_error(a->cmd, "option '%s': must be < 1",
                                                     a->name);
    case OPT_SAVE_THRESHOLD: cfg->save_threshold = 1; return 0;
    case OPT_BLOCK: return args_uint(a, v, 1, 100000000, &cfg->block) ? EXIT_USAGE : 0;
    case OPT_SHUFFLE:
        cfg->has_shuffle = 1;
        return args_uint(a, v, 0, 4294967295ul, &cfg->seed) ? EXIT_USAGE : 0;
    case OPT_SOLVER:
        if ((rc = args_choice(a, v, online_names)) < 0)
            return EXIT_USAGE;
        cfg->solver = rc ? SPAMLR_SOLVER_FTRL : SPAMLR_SOLVER_ADAGRAD;
        return 0;
    case OPT_ETA:
        return args_positive(a, v, 1e6, &cfg->eta) ? EXIT_USAGE : 0;
    default: return input_take(&cfg->inputs, id, v, INPUT_LINES);
    }
}

static int parse_args(eval_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = args_parse(&a, argc, argv, eval_opts, parse_option, cfg)) != 0)
        return rc;
    if (cfg->sc.help)
        return 0;
    if (!cfg->sc.model && !cfg->online && !(cfg->sc.model = default_model(a.cmd)))
        return EXIT_USAGE;
    if (cfg->save_threshold && (!cfg->has_target || cfg->online))
        return usage_error(a.cmd, "--save-threshold needs --target-fpr (and no --online)");
    if (cfg->has_fnr && (!cfg->has_target || cfg->online))
        return usage_error(a.cmd, "--target-fnr needs --target-fpr (and no --online): the "
                                  "unsure zone ends at that threshold");
    if (cfg->inputs.n == 0)
        return usage_error(a.cmd, "no input given");
    /* --solver and --eta make the model of --online without -m */
    if ((cfg->solver || cfg->eta > 0) && (!cfg->online || cfg->sc.model))
        warning("%s%s%s %s only to --online without -m (a new model); ignored %s",
                cfg->solver ? "--solver" : "", cfg->solver && cfg->eta > 0 ? " and " : "",
                cfg->eta > 0 ? "--eta" : "", cfg->solver && cfg->eta > 0 ? "apply" : "applies",
                !cfg->online ? "without --online"
                             : "with -m (the model learns with its own solver and settings)");
    if (cfg->save_threshold) {
        int r = output_check(a.cmd, "-m", cfg->sc.model, "a model");
        return r ? r : output_vs_inputs(cfg->sc.model, &cfg->inputs);
    }
    return 0;
}

static void print_text(const spamlr_metrics *mt)
{
    char a[64], b[64];

    printf("messages        %zu (%zu spam, %zu ham)\n"
           "threshold       %g\n"
           "accuracy        %.6f\n"
           "precision       %.6f\n"
           "recall          %.6f\n"
           "F1              %.6f\n"
           "MCC             %.6f\n"
           "ROC AUC         %s\n"
           "(1-AUC)%%        %s\n"
           "ham FP rate     %.6f (%zu of %zu ham called spam)\n"
           "spam miss rate  %.6f (%zu of %zu spam missed)\n"
           "log loss        %.6f\n\n",
           mt->n, mt->tp + mt->fn, mt->fp + mt->tn, mt->threshold, mt->accuracy,
           mt->precision, mt->recall, mt->f1, mt->mcc, auc_text(mt->auc, 6, a),
           auc_text(mt->one_minus_auc_pct, 4, b), mt->ham_fpr, mt->fp, mt->fp + mt->tn, mt->spam_fnr, mt->fn, mt->tp + mt->fn,
           mt->log_loss);
    printf("confusion matrix  predicted spam  predicted ham\n"
           "  actual spam     %14zu  %13zu\n"
           "  actual ham      %14zu  %13zu\n",
           mt->tp, mt->fn, mt->fp, mt->tn);
}

static void json_field(const char *key, double x, int first)
{
    printf("%s\"%s\":", first ? "" : ",", key);
    json_number(stdout, x);
}

static void print_json(const spamlr_metrics *mt)
{
    printf("{\"n\":%zu,\"tp\":%zu,\"fp\":%zu,\"tn\":%zu,\"fn\":%zu,", mt->n, mt->tp,
           mt->fp, mt->tn, mt->fn);
    printf("\"spam\":%zu,\"ham\":%zu", mt->tp + mt->fn, mt->fp + mt->tn);
    json_field("accuracy", mt->accuracy, 0);
    json_field("precision", mt->precision, 0);
    json_field("recall", mt->recall, 0);
    json_field("f1", mt->f1, 0);
    json_field("mcc", mt->mcc, 0);
    json_field("auc", mt->auc, 0);
    json_field("one_minus_auc_pct", mt->one_minus_auc_pct, 0);
    json_field("ham_fpr", mt->ham_fpr, 0);
    json_field("spam_fnr", mt->spam_fnr, 0);
    json_field("log_loss", mt->log_loss, 0);
    json_field("threshold", mt->threshold, 0);
}

/* Copies the label of every row of ds (n > 0 rows) into a new array. */
static int row_labels(const spamlr_dataset *ds, size_t n, int **labels)
{
    size_t i;

    *labels = NULL;
    if (n > SIZE_MAX / sizeof **labels || !(*labels = malloc(n * sizeof **labels)))
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    for (i = 0; i < n; i++)
        (*labels)[i] = spamlr_dataset_label(ds, i);
    return 0;
}

static int measure(const spamlr_dataset *ds, const double *probs, double t,
                   spamlr_metrics *mt)
{
    size_t n = spamlr_dataset_rows(ds);
    int *labels = NULL;
    int rc, err;

    if (n == 0)
        return runtime_error("no labelled messages to evaluate");
    if ((rc = row_labels(ds, n, &labels)) != 0)
        return rc;
    err = spamlr_metrics_compute(labels, probs, n, t, mt);
    free(labels);
    if (err == SPAMLR_EEMPTY)
        return runtime_error("no labelled messages to evaluate");
    if (err != SPAMLR_OK)
        return report_failure(err, NULL, NULL);
    if (mt->auc != mt->auc)
        warning("the data hold only %s (%zu messages): ROC AUC is undefined (null in JSON)",
                mt->tp + mt->fn ? "spam" : "ham", mt->n);
    return 0;
}

/* The model to evaluate: MODEL, or for --online without one an empty
 * model with the chosen online solver. */
static int open_model(const eval_cfg *cfg, spamlr_model **m)
{
    spamlr_online_opts oo;
    int err;

    if (cfg->sc.model)
        return model_open(m, cfg->sc.model);
    if ((err = spamlr_model_create(m, NULL)))
        return report_failure(err, NULL, NULL);
    spamlr_online_opts_init(&oo);
    oo.solver = cfg->solver ? cfg->solver : SPAMLR_SOLVER_ADAGRAD;
    if (cfg->eta > 0)
        oo.eta = cfg->eta;
    if ((err = spamlr_model_online_setup(*m, &oo)))
        return report_failure(err, NULL, NULL);
    return 0;
}

/* The labelled rows in learning order: input order, or a permutation made
 * from the seed (xorshift64* + Fisher-Yates, the same on every machine). */
static size_t *learning_order(const eval_cfg *cfg, const spamlr_dataset *ds, size_t *n)
{
    size_t rows = spamlr_dataset_rows(ds), i, k = 0;
    size_t *order = malloc((rows + 1) * sizeof *order);
    uint64_t r = 0x853c49e6748fea9bull ^ (uint64_t)cfg->seed;

    if (!order)
        return NULL;
    for (i = 0; i < rows; i++)
        if (spamlr_dataset_label(ds, i) != SPAMLR_UNLABELLED)
            order[k++] = i;
    for (i = k; cfg->has_shuffle && i > 1; i--) {
        size_t j, t;
        r ^= r >> 12;
        r ^= r << 25;
        r ^= r >> 27;
        j = (size_t)((r * 0x2545f4914f6cdd1dull) % i);
        t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    *n = k;
    return order;
}

/* The learning curve: metrics of the classifications of each block of
 * cfg->block messages, in learning order. */
static int print_curve(const eval_cfg *cfg, const spamlr_dataset *ds, const size_t *order,
                       size_t n, const double *probs, double t)
{
    int *lab = malloc((n + 1) * sizeof *lab);
    double *p = malloc((n + 1) * sizeof *p);
    size_t i, b, block = cfg->block ? cfg->block : 500;

    if (!lab || !p) {
        free(lab);
        free(p);
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    }
    for (i = 0; i < n; i++) {
        lab[i] = spamlr_dataset_label(ds, order[i]);
        p[i] = probs[order[i]];
    }
    if (cfg->sc.format == FORMAT_JSON)
        fputs(",\"curve\":[", stdout);
    else
        printf("\nlearning curve (blocks of %zu messages, in learning order)\n"
               "  messages  errors  ham FP  spam missed  (1-AUC)%%\n", block);
    for (b = 0; b < n; b += block) {
        size_t len = n - b < block ? n - b : block;
        spamlr_metrics mt = SPAMLR_METRICS_INIT;
        if (spamlr_metrics_compute(lab + b, p + b, len, t, &mt) != SPAMLR_OK)
            continue;
        if (cfg->sc.format == FORMAT_JSON) {
            printf("%s{\"end\":%zu,\"n\":%zu,\"errors\":%zu,\"fp\":%zu,\"fn\":%zu,"
                   "\"one_minus_auc_pct\":", b ? "," : "", b + len, len, mt.fp + mt.fn,
                   mt.fp, mt.fn);
            json_number(stdout, mt.fp + mt.tn && mt.tp + mt.fn ? mt.one_minus_auc_pct : NAN);
            fputc('}', stdout);
        } else {
            printf("  %8zu  %6zu  %6zu  %11zu  ", b + len, mt.fp + mt.fn, mt.fp, mt.fn);
            if (mt.fp + mt.tn && mt.tp + mt.fn)
                printf("%.4f\n", mt.one_minus_auc_pct);
            else
                printf("-\n");
        }
    }
    if (cfg->sc.format == FORMAT_JSON)
        fputc(']', stdout);
    free(lab);
    free(p);
    return 0;
}

/* --online: classify, then learn, message by message. */
static int run_online(const eval_cfg *cfg, spamlr_model *m, const spamlr_dataset *ds,
                      double **probs, size_t **order, size_t *n)
{
    size_t rows = spamlr_dataset_rows(ds), i;
    int err;

    if (!(*probs = malloc((rows + 1) * sizeof **probs)) ||
        !(*order = learning_order(cfg, ds, n)))
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    for (i = 0; i < rows; i++)
        (*probs)[i] = 0.5; /* unlabelled rows: never measured */
    err = spamlr_model_learn_dataset(m, ds, *order, *n, 1, *probs);
    if (err == SPAMLR_EUNSUPPORTED)
        return runtime_error("%s: this model cannot learn online (tf-idf weights without idf values)",
                             cfg->sc.model ? cfg->sc.model : "model");
    return err ? report_failure(err, NULL, NULL) : 0;
}

/* --save-threshold: MODEL is re-read under its lock, so that an update made
 * meanwhile by 'spamlr learn' is kept. */
static int save_threshold(const char *path, double t, double ham_cutoff)
{
    spamlr_model *m = NULL;
    spamlr_lock *lock;
    int err, rc;

    if (!(lock = model_lock(path)))
        return EXIT_RUNTIME;
    if ((rc = model_open(&m, path)) == 0) {
        if ((err = spamlr_model_set_threshold(m, t)) ||
            (err = spamlr_model_set_unsure(m, ham_cutoff, t)))
            rc = report_failure(err, NULL, path);
        else
            rc = model_save_report(m, path);
    }
    spamlr_model_free(m);
    model_unlock(lock);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* --target-fnr: the largest ham cutoff c <= t below which at most
 * floor(fnr * spam) spam rows fall (p < c): the (k+1)-th smallest spam
 * probability. *c is t when no spam row is below t (no zone). */
static int ham_cutoff(double *c, const int *labels, const double *probs, size_t n, double fnr,
                      double t)
{
    double *q = malloc((n ? n : 1) * sizeof *q);
    size_t i, s = 0, k;

    if (!q)
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    for (i = 0; i < n; i++)
        if (labels[i] == SPAMLR_SPAM)
            q[s++] = probs[i];
    if (s == 0) {
        free(q);
        return runtime_error("--target-fnr needs spam messages in the input");
    }
    qsort(q, s, sizeof *q, cmp_double);
    k = (size_t)floor(fnr * (double)s);
    *c = k < s && q[k] < t ? q[k] : t;
    free(q);
    return 0;
}

/* Whether `count` messages of a class can support a target error rate
 * `rate` on it: about 3/rate are needed (with none of them misclassified,
 * the rule of three puts the 95% upper bound of the true rate at 3/count).
 * When they cannot, says so (naming the count needed) as an error with
 * --save-threshold, else as a warning; returns EXIT_RUNTIME when refused. */
static int enough_for(const eval_cfg *cfg, size_t count, const char *cls, double rate,
                      const char *opt)
{
    double need = rate > 0 ? ceil(3 / rate) : INFINITY;

    if (rate > 0 && (double)count >= need)
        return 0;
    if (cfg->save_threshold)
        return runtime_error("%s %g needs about %.0f %s messages (3/%g), and the input has "
                             "%zu: a cutoff chosen on them could not be trusted, so none is "
                             "saved (give more %s, or %s %g or more)", opt, rate, need, cls,
                             rate, count, cls, opt, count ? 3.0 / (double)count : 1.0);
    warning("%s %g needs about %.0f %s messages (3/%g), the input has %zu: the cutoff "
            "below is not supported by these data", opt, rate, need, cls, rate, count);
    return 0;
}

/* --target-fpr: the threshold, and how the data fare at it. */
static int target_threshold(const eval_cfg *cfg, const spamlr_dataset *ds,
                            const double *probs)
{
    size_t n = spamlr_dataset_rows(ds);
    int *labels = NULL, rc, err;
    spamlr_metrics mt = SPAMLR_METRICS_INIT;
    double t, c;
    size_t i, unsure[2] = { 0, 0 }, spam_below = 0;

    if ((rc = row_labels(ds, n, &labels)))
        return rc;
    err = spamlr_threshold_for_fpr(labels, probs, n, cfg->target_fpr, &t);
    if (err == SPAMLR_EEMPTY) {
        free(labels);
        return runtime_error("--target-fpr needs ham messages in the input");
    }
    if (err && err != SPAMLR_ELIMIT) {
        free(labels);
        return report_failure(err, NULL, NULL);
    }
    if (err == SPAMLR_ELIMIT)
        warning("even threshold 1 calls more than %g of the ham spam", cfg->target_fpr);
    spamlr_metrics_compute(labels, probs, n, t, &mt);
    if ((rc = enough_for(cfg, mt.fp + mt.tn, "ham", cfg->target_fpr, "--target-fpr")) ||
        (cfg->has_fnr &&
         (rc = enough_for(cfg, mt.tp + mt.fn, "spam", cfg->target_fnr, "--target-fnr")))) {
        free(labels);
        return rc;
    }
    c = t; /* no unsure zone unless --target-fnr makes one */
    if (cfg->has_fnr && (rc = ham_cutoff(&c, labels, probs, n, cfg->target_fnr, t))) {
        free(labels);
        return rc;
    }
    if (cfg->has_fnr) {
        for (i = 0; i < n; i++) {
            if (probs[i] >= c && probs[i] < t)
                unsure[labels[i] == SPAMLR_SPAM]++;
            else if (probs[i] < c && labels[i] == SPAMLR_SPAM)
                spam_below++;
        }
    }
    free(labels);
    if (cfg->sc.format == FORMAT_JSON) {
        json_field("target_fpr", cfg->target_fpr, 0);
        json_field("threshold_for_target_fpr", t, 0);
        json_field("ham_fpr_at_target", mt.ham_fpr, 0);
        json_field("recall_at_target", mt.recall, 0);
        if (cfg->has_fnr) {
            json_field("target_fnr", cfg->target_fnr, 0);
            json_field("ham_cutoff", c, 0);
            printf(",\"unsure_ham\":%zu,\"unsure_spam\":%zu,\"spam_below_cutoff\":%zu",
                   unsure[0], unsure[1], spam_below);
        }
    } else {
        printf("\nthreshold for ham FP rate <= %g: %.17g\n"
               "  at it: ham FP rate %.6f (%zu of %zu), spam recall %.6f (%zu of %zu)\n",
               cfg->target_fpr, t, mt.ham_fpr, mt.fp, mt.fp + mt.tn, mt.recall, mt.tp,
               mt.tp + mt.fn);
        if (cfg->has_fnr && c < t)
            printf("ham cutoff for spam FN rate <= %g: %.17g\n"
                   "  unsure zone [%.6g, %.6g): %zu ham, %zu spam; %zu spam below it\n",
                   cfg->target_fnr, c, c, t, unsure[0], unsure[1], spam_below);
        else if (cfg->has_fnr)
            printf("ham cutoff for spam FN rate <= %g: the threshold (no unsure zone: "
                   "%zu spam below it)\n", cfg->target_fnr, spam_below);
    }
    if (cfg->save_threshold) {
        if ((rc = save_threshold(cfg->sc.model, t, c)))
            return rc;
        if (cfg->sc.format != FORMAT_JSON)
            printf("  saved in %s\n", cfg->sc.model);
    }
    return 0;
}

static int run(const eval_cfg *cfg)
{
    spamlr_model *m = NULL;
    spamlr_dataset *ds = NULL;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_metrics mt = SPAMLR_METRICS_INIT;
    double *probs = NULL, t;
    size_t *order = NULL, n = 0;
    int rc;

    if ((rc = open_model(cfg, &m)) || (rc = dataset_for_model(&ds, m)))
        goto out;
    /* verdicts only: the model's words are all that count (learning
     * online needs every word, the ones it adds) */
    if (!cfg->online && (rc = keep_model_words(ds, m, &cfg->inputs)))
        goto out;
    spamlr_dataset_set_threads(ds, cfg->threads);
    if ((rc = input_read_all(&cfg->inputs, ds)))
        goto out;
    spamlr_model_info_get(m, &info);
    t = cfg->sc.has_threshold ? cfg->sc.threshold : info.threshold;
    if (cfg->online)
        rc = run_online(cfg, m, ds, &probs, &order, &n);
    else
        rc = predict_rows(m, ds, &probs, NULL);
    if (rc || (rc = measure(ds, probs, t, &mt)))
        goto out;
    if (cfg->sc.format == FORMAT_JSON)
        print_json(&mt);
    else
        print_text(&mt);
    if (cfg->has_target && (rc = target_threshold(cfg, ds, probs)))
        goto out;
    if (cfg->online && (rc = print_curve(cfg, ds, order, n, probs, t)))
        goto out;
    if (cfg->sc.format == FORMAT_JSON)
        fputs("}\n", stdout);
    rc = finish_output(EXIT_OK);
out:
    free(order);
    free(probs);
    spamlr_dataset_free(ds);
    spamlr_model_free(m);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    eval_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.sc.format = FORMAT_TEXT;
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.sc.help) {
        eval_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    input_free(&cfg.inputs);
    return rc;
}
