/* cmd_prune.c - spamlr prune (keep the largest weights) and spamlr import
 * (a dump back into a model file). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_OUT, OPT_KEEP, OPT_MIN_ABS, OPT_BITS, OPT_LAYOUT, OPT_QUIET };

static const cli_opt prune_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "output", 'o', 1, OPT_OUT },
    { "keep", 0, 1, OPT_KEEP },
    { "min-abs", 0, 1, OPT_MIN_ABS },
    { "bits", 0, 1, OPT_BITS },
    { "layout", 0, 1, OPT_LAYOUT },
    { "quiet", 'q', 0, OPT_QUIET },
    { NULL, 0, 0, 0 }
};

typedef struct prune_cfg {
    const char *model, *out;
    size_t keep;     /* SIZE_MAX = no limit */
    double min_abs;  /* 0 = no threshold */
    int has_keep, has_min_abs;
    unsigned bits;   /* 0 = keep the model's precision */
    int layout;      /* spamlr_layout, -1 = the model's */
    int quiet, help;
} prune_cfg;

static void prune_help(void)
{
    printf("usage: spamlr prune -m MODEL (--keep N | --min-abs X) -o OUT [--bits 16|32]\n"
           "                   [--layout packed|mapped]\n"
           "       spamlr prune -m MODEL (--bits 16|32 | --layout packed|mapped) -o OUT\n\n"
           "Writes a smaller copy of MODEL to OUT: only the N words with the largest\n"
           "|weight| (ties broken by token) and/or the words with |weight| >= X are\n"
           "kept (with both options, a word must pass both); the others leave the\n"
           "vocabulary and the file. Settings and training metadata are kept, and\n"
           "the copy records how many words the model had before pruning. With\n"
           "only --bits or --layout, every word is kept: the copy is MODEL stored\n"
           "another way.\n\n"
           "options:\n"
           "  -m, --model MODEL   model to prune (required)\n"
           "  -o, --output OUT    model file to write (required; written atomically)\n"
           "  --keep N            keep the N largest |weights|\n"
           "  --min-abs X         keep the weights with |weight| >= X\n"
           "  --bits 16|32        store the weights as 16-bit steps or as float32\n"
           "                      (default: as MODEL does)\n"
           "  --layout L          packed (the smallest file) or mapped (read in place\n"
           "                      when loaded: a fraction of the load time, 6.5 times\n"
           "                      the size; see 'spamlr train --help'); default: as\n"
           "                      MODEL is\n"
           "  -q, --quiet         print no report\n"
           "  -h, --help          show this help\n");
}

static int parse_prune(prune_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    unsigned long n;
    int id;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, prune_opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR: return EXIT_USAGE;
        case OPT_HELP: cfg->help = 1; break;
        case OPT_MODEL: cfg->model = v; break;
        case OPT_OUT: cfg->out = v; break;
        case OPT_KEEP:
            if (args_uint(&a, v, 0, 4294967295UL, &n))
                return EXIT_USAGE;
            cfg->keep = n;
            cfg->has_keep = 1;
            break;
        case OPT_MIN_ABS:
            if (args_double(&a, v, 0, 1e30, &cfg->min_abs))
                return EXIT_USAGE;
            cfg->has_min_abs = 1;
            break;
        case OPT_BITS:
            if (args_uint(&a, v, 16, 32, &n))
                return EXIT_USAGE;
            if (n != 16 && n != 32)
                return usage_error(a.cmd, "option '--bits': must be 16 or 32");
            cfg->bits = (unsigned)n;
            break;
        case OPT_LAYOUT:
            if ((cfg->layout = args_choice(&a, v, layout_names)) < 0)
                return EXIT_USAGE;
            break;
        case OPT_QUIET: cfg->quiet = 1; break;
        default: return usage_error(a.cmd, "unexpected argument '%s'", v);
        }
    }
    if (cfg->help)
        return 0;
    if (!cfg->model)
        return usage_error(a.cmd, "no model given (-m MODEL)");
    if (!cfg->out)
        return usage_error(a.cmd, "no output model given (-o OUT)");
    if (!cfg->has_keep && !cfg->has_min_abs && !cfg->bits && cfg->layout < 0)
        return usage_error(a.cmd, "say what to keep: --keep N or --min-abs X (or how to "
                           "store the copy: --bits, --layout)");
    return output_check(a.cmd, "-o", cfg->out, "a model");
}

static long long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int cmd_prune(int argc, char **argv)
{
    prune_cfg cfg;
    spamlr_model *m = NULL, *p = NULL;
    spamlr_model_info im = SPAMLR_MODEL_INFO_INIT, ip = SPAMLR_MODEL_INFO_INIT;
    long long before;
    spamlr_lock *lock;
    int rc, err;

    memset(&cfg, 0, sizeof cfg);
    cfg.layout = -1;
    if ((rc = parse_prune(&cfg, argc, argv)) != 0)
        return rc;
    if (cfg.help) {
        prune_help();
        return finish_output(EXIT_OK);
    }
    /* OUT may be MODEL (pruning in place): the lock is held from loading
     * to saving, as 'spamlr learn' holds it */
    if (!(lock = model_lock(cfg.out)))
        return EXIT_RUNTIME;
    before = file_size(cfg.model);
    if ((rc = model_open(&m, cfg.model)) != 0) {
        model_unlock(lock);
        return rc;
    }
    err = spamlr_model_prune(&p, m, cfg.has_keep ? cfg.keep : SIZE_MAX,
                             cfg.has_min_abs ? cfg.min_abs : 0);
    if (err == SPAMLR_OK && cfg.bits)
        err = spamlr_model_set_weight_bits(p, cfg.bits);
    if (err == SPAMLR_OK && cfg.layout >= 0)
        err = spamlr_model_set_layout(p, (unsigned)cfg.layout);
    if (err != SPAMLR_OK)
        rc = report_failure(err, NULL, cfg.model);
    else
        rc = model_save_report(p, cfg.out);
    model_unlock(lock);
    if (rc == 0 && !cfg.quiet) {
        spamlr_model_info_get(m, &im);
        spamlr_model_info_get(p, &ip);
        fprintf(stderr, "spamlr prune: kept %zu of %zu words (%zu non-zero), %u-bit "
                        "weights\n  %s: %lld bytes -> %s: %lld bytes\n",
                ip.parameters, im.parameters, ip.nonzero, ip.weight_bits, cfg.model,
                before, cfg.out, file_size(cfg.out));
    }
    spamlr_model_free(p);
    spamlr_model_free(m);
    return rc;
}

/* ---------------------------------------------------------------- import */

static void import_help(void)
{
    printf("usage: spamlr import DUMP -o MODEL\n\n"
           "Turns the text written by 'spamlr inspect MODEL --dump' (perhaps edited\n"
           "by hand) back into a model file. DUMP may be '-' (standard input). An\n"
           "unedited dump gives a file identical, byte for byte, to the model it\n"
           "came from, online learning state included. Every value is checked as\n"
           "when a model file is loaded; errors name the line of DUMP.\n\n"
           "options:\n"
           "  -o, --output MODEL  model file to write (required; written atomically)\n"
           "  -h, --help          show this help\n");
}

int cmd_import(int argc, char **argv)
{
    static const cli_opt opts[] = {
        { "help", 'h', 0, OPT_HELP }, { "output", 'o', 1, OPT_OUT }, { NULL, 0, 0, 0 }
    };
    const char *dump = NULL, *out = NULL, *v;
    spamlr_model *m = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *text = NULL;
    size_t len;
    cli_args a;
    int id, rc, err, help = 0;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, opts, &v)) != ARGS_END) {
        if (id == ARGS_ERROR)
            return EXIT_USAGE;
        if (id == OPT_HELP)
            help = 1;
        else if (id == OPT_OUT)
            out = v;
        else if (dump)
            return usage_error(a.cmd, "one dump only ('%s' and '%s' given)", dump, v);
        else
            dump = v;
    }
    if (help) {
        import_help();
        return finish_output(EXIT_OK);
    }
    if (!dump)
        return usage_error(a.cmd, "no dump given (DUMP or -)");
    if (!out)
        return usage_error(a.cmd, "no output model given (-o MODEL)");
    if ((rc = output_check(a.cmd, "-o", out, "a model")) || (rc = output_vs_input(out, dump)))
        return rc;
    if ((rc = slurp_file(dump, &text, &len)) != 0)
        return rc;
    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    err = spamlr_model_import(&m, text, len, &d);
    if (err != SPAMLR_OK) {
        snprintf(d.path, sizeof d.path, "%s", strcmp(dump, "-") ? dump : "(standard input)");
        rc = report_failure(err, &d, dump);
    } else {
        rc = model_save_locked(m, out);
    }
    spamlr_model_free(m);
    free(text);
    return rc;
}
