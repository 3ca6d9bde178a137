/* cmd_eval.c - spamlr eval: measure a model on labelled messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_FORMAT, OPT_THRESHOLD };

static const cli_opt eval_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "format", 0, 1, OPT_FORMAT },
    { "threshold", 0, 1, OPT_THRESHOLD },
    INPUT_OPTIONS,
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TEXT, FORMAT_JSON };
static const char *const format_names[] = { "text", "json", NULL };

typedef struct eval_cfg {
    const char *model;
    int format;
    int has_threshold;
    double threshold;
    int help;
    input_list inputs;
} eval_cfg;

static void eval_help(void)
{
    printf("usage: spamlr eval -m MODEL [--format text|json] [--threshold T] INPUT...\n\n"
           "Predicts every labelled message and prints accuracy, precision, recall,\n"
           "F1, MCC, ROC AUC, (1-AUC)%%, the ham false-positive rate, the spam miss\n"
           "rate, log loss and the confusion matrix (spam is the positive class).\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (required)\n"
           "  --format F          text (default) or json (one object)\n"
           "  --threshold T       spam when probability >= T (default: the model's)\n"
           "  -h, --help          show this help\n\n"
           "%s"
           "  FILE               lines 'label<TAB>text', label spam/ham or 1/0;\n"
           "                     a .csv file is read as CSV (label, text)\n",
           input_help);
}

static int parse_option(cli_args *a, eval_cfg *cfg, int id, const char *v)
{
    int i;

    switch (id) {
    case OPT_HELP: cfg->help = 1; return 0;
    case OPT_MODEL: cfg->model = v; return 0;
    case OPT_FORMAT:
        if ((i = args_choice(a, v, format_names)) < 0)
            return EXIT_USAGE;
        cfg->format = i;
        return 0;
    case OPT_THRESHOLD:
        cfg->has_threshold = 1;
        return args_double(a, v, 0, 1, &cfg->threshold) ? EXIT_USAGE : 0;
    default: return input_take(&cfg->inputs, id, v, INPUT_LINES);
    }
}

static int parse_args(eval_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    int id, rc;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, eval_opts, &v)) != ARGS_END) {
        if (id == ARGS_ERROR)
            return EXIT_USAGE;
        if ((rc = parse_option(&a, cfg, id, v)) != 0)
            return rc;
    }
    if (cfg->help)
        return 0;
    if (!cfg->model)
        return usage_error(a.cmd, "no model given (-m MODEL)");
    if (cfg->inputs.n == 0)
        return usage_error(a.cmd, "no input given");
    return 0;
}

static void print_text(const spamlr_metrics *mt)
{
    printf("messages        %zu (%zu spam, %zu ham)\n"
           "threshold       %g\n"
           "accuracy        %.6f\n"
           "precision       %.6f\n"
           "recall          %.6f\n"
           "F1              %.6f\n"
           "MCC             %.6f\n"
           "ROC AUC         %.6f\n"
           "(1-AUC)%%        %.4f\n"
           "ham FP rate     %.6f (%zu of %zu ham called spam)\n"
           "spam miss rate  %.6f (%zu of %zu spam missed)\n"
           "log loss        %.6f\n\n",
           mt->n, mt->tp + mt->fn, mt->fp + mt->tn, mt->threshold, mt->accuracy,
           mt->precision, mt->recall, mt->f1, mt->mcc, mt->auc, mt->one_minus_auc_pct,
           mt->ham_fpr, mt->fp, mt->fp + mt->tn, mt->spam_fnr, mt->fn, mt->tp + mt->fn,
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
    fputs("}\n", stdout);
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
    err = spamlr_metrics_compute(mt, labels, probs, n, t);
    free(labels);
    if (err == SPAMLR_EEMPTY)
        return runtime_error("no labelled messages to evaluate");
    if (err != SPAMLR_OK)
        return report_failure(err, NULL, NULL);
    return 0;
}

static int run(const eval_cfg *cfg)
{
    spamlr_model *m = NULL;
    spamlr_dataset *ds = NULL;
    spamlr_model_info info;
    spamlr_metrics mt;
    double *probs = NULL;
    int rc;

    if ((rc = model_open(&m, cfg->model)) || (rc = dataset_for_model(&ds, m)) ||
        (rc = input_read_all(&cfg->inputs, ds)) || (rc = predict_rows(m, ds, &probs, NULL)))
        goto out;
    spamlr_model_info_get(m, &info);
    rc = measure(ds, probs, cfg->has_threshold ? cfg->threshold : info.threshold, &mt);
    if (rc != 0)
        goto out;
    if (cfg->format == FORMAT_JSON)
        print_json(&mt);
    else
        print_text(&mt);
    rc = finish_output(EXIT_OK);
out:
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
    cfg.format = FORMAT_TEXT;
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.help) {
        eval_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    input_free(&cfg.inputs);
    return rc;
}
