/* cmd_explain.c - spamlr explain: one message's score, word by word. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "html.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_FORMAT, OPT_TOP, OPT_HTML, OPT_OUTPUT };

static const cli_opt explain_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "format", 0, 1, OPT_FORMAT },
    { "top", 0, 1, OPT_TOP },
    { "html", 0, 0, OPT_HTML },
    { "output", 'o', 1, OPT_OUTPUT },
    CONTACTS_OPTION,
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_HTML };
static const char *const format_names[] = { "text", "json", "html", NULL };
#define HTML_TOP 25 /* bars on the page unless --top says */

typedef struct explain_cfg {
    const char *model, *file, *out; /* out: -o, the HTML page */
    int format;
    size_t top; /* 0 = every token */
    int help;
} explain_cfg;

static void explain_help(void)
{
    printf("usage: spamlr explain -m MODEL [--format text|json] [--top N] FILE|-\n"
           "       spamlr explain -m MODEL --html [--top N] -o PAGE FILE|-\n\n"
           "Shows why one message (FILE, or standard input for '-') gets its score:\n"
           "the score (log-odds), the spam probability, the bias, and every token of\n"
           "the message that the model knows, with its count, its feature value,\n"
           "its weight and its contribution (value x weight), largest |contribution|\n"
           "first. The contributions and the bias add up to the score. Tokens the\n"
           "model does not know are counted; they add nothing. The message is read\n"
           "as the model was trained to read it (as e-mail unless it was trained on\n"
           "plain text).\n\n"
           "options:\n"
           "  -m, --model MODEL   model file (default: $SPAMLR_MODEL, else\n"
           "                      ~/.spamlr/model.slr)\n"
           "  --format F          text (default), json (one object) or html (--html)\n"
           "  --top N             list only the N largest contributions (default all;\n"
           "                      on the page, the bars: default %d)\n"
           "  --html              write a page for a browser to PAGE: the message with\n"
           "                      each word coloured by its contribution (hover for\n"
           "                      the weight), the score as bias + sum, and the\n"
           "                      largest contributions as bars; self-contained (no\n"
           "                      script, nothing fetched)\n"
           "  -o, --output PAGE   the page's file, written atomically (with --html)\n"
           CONTACTS_HELP
           STORE_HELP
           "  -h, --help          show this help\n", HTML_TOP);
}

static int parse_args(explain_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    unsigned long n;
    int id, i;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, explain_opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR: return EXIT_USAGE;
        case OPT_HELP: cfg->help = 1; break;
        case OPT_MODEL: cfg->model = v; break;
        case OPT_CONTACTS: cli_contacts = v; break;
        case OPT_STORE:
        case OPT_USER: store_take(id, v); break;
        case OPT_HTML: cfg->format = FORMAT_HTML; break;
        case OPT_OUTPUT: cfg->out = v; break;
        case OPT_FORMAT:
            if ((i = args_choice(&a, v, format_names)) < 0)
                return EXIT_USAGE;
            cfg->format = i;
            break;
        case OPT_TOP:
            if (args_uint(&a, v, 1, 100000000UL, &n))
                return EXIT_USAGE;
            cfg->top = n;
            break;
        default:
            if (cfg->file)
                return usage_error(a.cmd, "one message only ('%s' and '%s' given)",
                                   cfg->file, v);
            cfg->file = v;
        }
    }
    if (cfg->help)
        return 0;
    if (store_read_model(a.cmd, &cfg->model))
        return EXIT_USAGE;
    if (!cfg->model && !(cfg->model = default_model(a.cmd)))
        return EXIT_USAGE;
    if (!cfg->file)
        return usage_error(a.cmd, "no message given (FILE or -)");
    if (cfg->format == FORMAT_HTML && !cfg->out)
        return usage_error(a.cmd, "--html writes a page: name its file with -o PAGE");
    if (cfg->format != FORMAT_HTML && cfg->out)
        return usage_error(a.cmd, "-o is for the page of --html; text and json go to "
                           "standard output");
    if (cfg->out && ((i = output_check(a.cmd, "-o", cfg->out, "an HTML page")) ||
                     (i = output_vs_input(cfg->out, cfg->file)) ||
                     (i = output_vs_input(cfg->out, cfg->model))))
        return i;
    return 0;
}

static void print_text(const explain_cfg *cfg, const spamlr_explanation *ex,
                       const spamlr_contribution *c, double threshold)
{
    size_t i;

    printf("message       %s\n", strcmp(cfg->file, "-") ? cfg->file : "(standard input)");
    printf("score         %+.6f (log-odds = bias + the contributions below)\n", ex->score);
    printf("probability   %.6f -> %s (threshold %g)\n", ex->prob,
           ex->prob >= threshold ? "spam" : "ham", threshold);
    printf("bias          %+.6f\n", ex->bias);
    printf("tokens        %zu: %zu known (%zu distinct), %zu unknown\n", ex->tokens,
           ex->known, ex->total, ex->unknown);
    if (ex->n < ex->total)
        printf("listed        the %zu largest of %zu contributions\n", ex->n, ex->total);
    printf("\n contribution     weight     value  count  token\n");
    for (i = 0; i < ex->n; i++) {
        printf("  %+11.6f  %+9.4f  %8.5f  %5u  ", c[i].contribution, c[i].weight,
               c[i].value, c[i].count);
        json_string(stdout, c[i].token); /* quoted, control bytes escaped */
        putchar('\n');
    }
    if (ex->n == 0)
        printf("  (no known tokens: the score is the bias)\n");
}

static void print_json(const explain_cfg *cfg, const spamlr_explanation *ex,
                       const spamlr_contribution *c, double threshold)
{
    size_t i;

    fputs("{\"file\":", stdout);
    json_string(stdout, cfg->file);
    fputs(",\"score\":", stdout);
    json_number(stdout, ex->score);
    fputs(",\"probability\":", stdout);
    json_number(stdout, ex->prob);
    printf(",\"label\":\"%s\",\"threshold\":", ex->prob >= threshold ? "spam" : "ham");
    json_number(stdout, threshold);
    fputs(",\"bias\":", stdout);
    json_number(stdout, ex->bias);
    printf(",\"tokens\":%zu,\"known\":%zu,\"unknown\":%zu,\"distinct_known\":%zu,"
           "\"contributions\":[", ex->tokens, ex->known, ex->unknown, ex->total);
    for (i = 0; i < ex->n; i++) {
        fputs(i ? ",{\"token\":" : "{\"token\":", stdout);
        json_string(stdout, c[i].token);
        printf(",\"count\":%u,\"value\":", c[i].count);
        json_number(stdout, c[i].value);
        fputs(",\"weight\":", stdout);
        json_number(stdout, c[i].weight);
        fputs(",\"contribution\":", stdout);
        json_number(stdout, c[i].contribution);
        putchar('}');
    }
    fputs("]}\n", stdout);
}

static int run(const explain_cfg *cfg)
{
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    spamlr_contribution *items = NULL;
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    char *text = NULL;
    size_t len, cap;
    int rc, err;

    if ((rc = model_open_to_predict(&m, cfg->model)) || (rc = slurp_file(cfg->file, &text, &len)))
        goto out;
    spamlr_model_info_get(m, &info);
    if ((err = spamlr_scratch_create(&s)) ||
        (err = spamlr_explain(m, s, text, len, &ex, NULL, 0)))
        goto fail;
    cap = cfg->top && cfg->top < ex.total && cfg->format != FORMAT_HTML ? cfg->top : ex.total;
    if (cap && !(items = calloc(cap, sizeof *items))) {
        err = SPAMLR_ENOMEM;
        goto fail;
    }
    if ((err = spamlr_explain(m, s, text, len, &ex, items, cap)))
        goto fail;
    if (cfg->format == FORMAT_HTML) {
        rc = explain_html(cfg->out, strcmp(cfg->file, "-") ? cfg->file : "(standard input)",
                          m, text, len, &ex, items, cfg->top ? cfg->top : HTML_TOP);
        goto out;
    }
    if (cfg->format == FORMAT_JSON)
        print_json(cfg, &ex, items, info.threshold);
    else
        print_text(cfg, &ex, items, info.threshold);
    rc = finish_output(EXIT_OK);
    goto out;
fail:
    rc = report_failure(err, NULL, cfg->file);
out:
    free(items);
    free(text);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    explain_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.help) {
        explain_help();
        return finish_output(EXIT_OK);
    }
    return rc ? rc : run(&cfg);
}
