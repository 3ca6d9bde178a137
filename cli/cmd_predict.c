/* cmd_predict.c - spamlr predict: the spam probability of messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum { OPT_LINES = SC_END, OPT_QUIET, OPT_THREADS };

static const cli_opt predict_opts[] = {
    SCORING_OPTIONS,
    { "lines", 0, 0, OPT_LINES },
    { "quiet", 'q', 0, OPT_QUIET },
    { "threads", 0, 1, OPT_THREADS },
    INPUT_OPTIONS,
    CONTACTS_OPTION,
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TSV, FORMAT_JSON, FORMAT_JSONL };
static const char *const format_names[] = { "tsv", "json", "jsonl", NULL };

typedef struct predict_cfg {
    scoring_opts sc;        /* -h, -m, --format, --threshold */
    int lines;
    int quiet;
    unsigned threads;       /* reading threads, 0 = every core */
    input_list inputs;
} predict_cfg;

static void predict_help(void)
{
    printf("usage: spamlr predict -m MODEL [--format tsv|json|jsonl] [--threshold T]\n"
           "                      [--lines] INPUT... | PATH...\n\n"
           "Prints the spam probability of every message:\n"
           "  tsv (default)  label<TAB>probability<TAB>id[<TAB>true_label], a line each\n"
           "  json           one array of {\"id\",\"label\",\"probability\",\"score\"}\n"
           "  jsonl          the same objects, one a line (JSON Lines)\n"
           "label is the prediction (spam when probability >= T), id names the\n"
           "message (its file, or file:line); true_label is printed when some input\n"
           "is labelled ('-' for unlabelled messages). score is the log-odds.\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (default: $SPAMLR_MODEL, else\n"
           "                      ~/.spamlr/model.slr)\n"
           "  --format F          tsv (default), json or jsonl\n"
           "  --threshold T       spam when probability >= T (default: the model's)\n"
           "  --lines             read every positional file as 'label<TAB>text' lines\n"
           "  -q, --quiet         no progress line on a terminal\n"
           "  --threads N         threads reading many files, 0 = every core\n"
           "                      (default); the output is the same for any N\n"
           CONTACTS_HELP
           STORE_HELP
           "  -h, --help          show this help\n\n"
           "%s"
           "  FILE.tsv, FILE.csv  (also .gz) 'label<TAB>text' lines (CSV: label in the\n"
           "                     first column), as train and eval read a positional FILE\n"
           "  PATH               any other path: unlabelled messages, a file holding one\n"
           "                     message (or an mbox) or a directory (one per file)\n",
           input_help);
}

static int parse_option(cli_args *a, void *c, int id, const char *v)
{
    predict_cfg *cfg = c;
    int rc = args_scoring(a, &cfg->sc, id, v, format_names);

    if (rc >= 0)
        return rc;
    switch (id) {
    case OPT_CONTACTS: cli_contacts = v; return 0;
    case OPT_STORE:
    case OPT_USER: return store_take(id, v);
    case OPT_LINES: cfg->lines = 1; return 0;
    case OPT_QUIET: cfg->quiet = cli_quiet = 1; return 0;
    case OPT_THREADS: return args_threads(a, v, &cfg->threads);
    default: return input_take(&cfg->inputs, id, v, INPUT_UNLABELLED);
    }
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);

    return n >= m && strcmp(s + n - m, end) == 0;
}

/* The INPUT rules of train and eval: a positional FILE of label<TAB>text
 * lines, named so (.tsv, .csv, gzip-compressed too); every positional
 * path under --lines, which may come after them on the command line.
 * Other positional paths are unlabelled messages, as predict always took
 * them. */
static void apply_lines(predict_cfg *cfg)
{
    static const char *const lines_ext[] = { ".tsv", ".csv", ".tsv.gz", ".csv.gz", NULL };
    size_t i, k;

    for (i = 0; i < cfg->inputs.n; i++) {
        input_item *it = &cfg->inputs.items[i];

        if (it->kind != INPUT_UNLABELLED)
            continue;
        for (k = 0; !cfg->lines && lines_ext[k]; k++)
            if (ends_with(it->path, lines_ext[k]))
                break;
        if (cfg->lines || lines_ext[k])
            it->kind = INPUT_LINES;
    }
}

static int parse_args(predict_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    int rc;

    if ((rc = args_parse(&a, argc, argv, predict_opts, parse_option, cfg)) != 0)
        return rc;
    if (cfg->sc.help)
        return 0;
    if (store_read_model(a.cmd, &cfg->sc.model))
        return EXIT_USAGE;
    if (!cfg->sc.model && !(cfg->sc.model = default_model(a.cmd)))
        return EXIT_USAGE;
    if (cfg->inputs.n == 0)
        return usage_error(a.cmd, "no input given");
    apply_lines(cfg);
    return 0;
}

/* Writes s with tabs, newlines and other control characters as '?', so a
 * strange file name cannot break the one-line-per-message format. */
static void print_field(const char *s)
{
    for (; *s; s++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void print_tsv(const spamlr_dataset *ds, size_t i, double p, double t,
                      int labelled)
{
    printf("%s\t%.6f\t", p >= t ? "spam" : "ham", p);
    print_field(spamlr_dataset_name(ds, i));
    if (labelled)
        printf("\t%s", label_name(spamlr_dataset_label(ds, i)));
    putchar('\n');
}

static void print_json(const spamlr_dataset *ds, size_t i, double p, double z, double t,
                       int labelled)
{
    fputs("{\"id\":", stdout);
    json_string(stdout, spamlr_dataset_name(ds, i));
    printf(",\"label\":\"%s\",\"probability\":", p >= t ? "spam" : "ham");
    json_number(stdout, p);
    fputs(",\"score\":", stdout);
    json_number(stdout, z);
    if (labelled) {
        int l = spamlr_dataset_label(ds, i);

        fputs(",\"true_label\":", stdout);
        if (l == SPAMLR_SPAM || l == SPAMLR_HAM)
            printf("\"%s\"", label_name(l));
        else
            fputs("null", stdout);
    }
    putchar('}');
}

static int run(const predict_cfg *cfg)
{
    spamlr_model *m = NULL;
    spamlr_dataset *ds = NULL;
    double *probs = NULL, *scores = NULL, t;
    size_t i, n;
    int rc, labelled = input_has_labels(&cfg->inputs);

    if ((rc = model_open_to_predict(&m, cfg->sc.model)) || (rc = dataset_for_model(&ds, m)))
        goto out;
    /* only the model's words matter to a verdict: the others are dropped
     * as the mail is read */
    if ((rc = keep_model_words(ds, m, &cfg->inputs)))
        goto out;
    spamlr_dataset_set_threads(ds, cfg->threads);
    if ((rc = input_read_all(&cfg->inputs, ds)) || (rc = predict_rows(m, ds, &probs, &scores)))
        goto out;
    t = cfg->sc.has_threshold ? cfg->sc.threshold : spamlr_model_threshold(m);
    n = spamlr_dataset_rows(ds);
    if (n == 0)
        warning("no messages in the input");
    if (cfg->sc.format == FORMAT_JSON)
        putchar('[');
    for (i = 0; i < n; i++) {
        if (cfg->sc.format == FORMAT_TSV) {
            print_tsv(ds, i, probs[i], t, labelled);
            continue;
        }
        if (cfg->sc.format == FORMAT_JSON)
            fputs(i ? ",\n " : "\n ", stdout);
        print_json(ds, i, probs[i], scores[i], t, labelled);
        if (cfg->sc.format == FORMAT_JSONL)
            putchar('\n');
    }
    if (cfg->sc.format == FORMAT_JSON)
        fputs(n ? "\n]\n" : "]\n", stdout);
    rc = finish_output(EXIT_OK);
out:
    free(probs);
    free(scores);
    spamlr_dataset_free(ds);
    spamlr_model_free(m);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    predict_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.sc.format = FORMAT_TSV;
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.sc.help) {
        predict_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    input_free(&cfg.inputs);
    return rc;
}
