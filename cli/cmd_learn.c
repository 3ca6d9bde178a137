/* cmd_learn.c - spamlr learn: update a model in place from messages. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_LSPAM, OPT_LHAM, OPT_UNLEARN, OPT_CREATE, OPT_QUIET };

static const cli_opt learn_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "spam", 0, 0, OPT_LSPAM },
    { "ham", 0, 0, OPT_LHAM },
    { "unlearn", 0, 0, OPT_UNLEARN },
    { "create", 0, 0, OPT_CREATE },
    { "quiet", 'q', 0, OPT_QUIET },
    CONTACTS_OPTION,
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

typedef struct learn_cfg {
    const char *model;
    const char *seed;    /* --store: the base a user's first learn copies */
    int label;           /* SPAMLR_SPAM, SPAMLR_HAM, or -1 when not given */
    int unlearn, create, quiet, help;
    const char **files;
    size_t nfiles;
    size_t learned;      /* messages learned (for the report) */
} learn_cfg;

static void learn_help(void)
{
    printf("usage: spamlr learn -m MODEL (--spam|--ham) [--unlearn] [--create] FILE...\n"
           "       spamlr learn --store DIR --user NAME (--spam|--ham) [--unlearn] FILE...\n\n"
           "Teaches MODEL that every message in FILE... is spam (--spam) or ham\n"
           "(--ham) by online steps (AdaGrad, or FTRL for a model trained with\n"
           "--solver ftrl): new words enter the vocabulary, weights move; a message\n"
           "already right by a margin is not learned. Several messages are learned\n"
           "as a batch, like training: shuffled together with the messages the\n"
           "model remembers (up to 500 per class) in passes, so a folder of one\n"
           "class does not erase what the other taught, and their order does not\n"
           "matter. MODEL is replaced atomically (temporary file, fsync, rename);\n"
           "concurrent learners on one MODEL take turns on MODEL.lock and lose no\n"
           "update. FILE is a file holding one message, an mbox, a directory or\n"
           "maildir (every message in it), or '-' for standard input.\n\n"
           "options:\n"
           "  -m, --model MODEL   model file to update (default: $SPAMLR_MODEL, else\n"
           "                      ~/.spamlr/model.slr)\n"
           "  --spam | --ham      the class of the messages (one is required)\n"
           "  --unlearn           undo an earlier 'learn' of these messages with this\n"
           "                      class: exact for one message learned alone last,\n"
           "                      approximate otherwise (see spamlr.h); to fix a wrong\n"
           "                      class, unlearn with it, then learn with the right one\n"
           "  --create            create MODEL (empty, default settings) when missing\n"
           "                      (and ~/.spamlr for the default MODEL)\n"
           "  -q, --quiet         print no report\n"
           CONTACTS_HELP
           STORE_HELP
           "  -h, --help          show this help\n\n"
           "Exit status: 0 success, 1 error (MODEL is then unchanged), 2 usage error.\n");
}

/* Without --create, a missing MODEL is reported with the way to make one. */
static int missing_model(const learn_cfg *cfg)
{
    struct stat st;

    if (cfg->create || cfg->seed || stat(cfg->model, &st) == 0 || errno != ENOENT)
        return 0;
    return runtime_error("%s: no such model; 'spamlr learn --create' makes an empty one "
                         "(or 'spamlr train' one from a corpus)", cfg->model);
}

static int parse_args(learn_cfg *cfg, int argc, char **argv)
{
    cli_args a;
    const char *v;
    size_t i;
    int id, rc;

    args_init(&a, argc, argv);
    while ((id = args_next(&a, learn_opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR: return EXIT_USAGE;
        case OPT_HELP: cfg->help = 1; break;
        case OPT_MODEL: cfg->model = v; break;
        case OPT_CONTACTS: cli_contacts = v; break;
        case OPT_STORE:
        case OPT_USER: store_take(id, v); break;
        case OPT_LSPAM:
        case OPT_LHAM:
            if (cfg->label >= 0 && cfg->label != (id == OPT_LSPAM ? SPAMLR_SPAM : SPAMLR_HAM))
                return usage_error(a.cmd, "give either --spam or --ham, not both");
            cfg->label = id == OPT_LSPAM ? SPAMLR_SPAM : SPAMLR_HAM;
            break;
        case OPT_UNLEARN: cfg->unlearn = 1; break;
        case OPT_CREATE: cfg->create = 1; break;
        case OPT_QUIET: cfg->quiet = cli_quiet = 1; break;
        default: cfg->files[cfg->nfiles++] = v; break;
        }
    }
    if (cfg->help)
        return 0;
    if ((rc = store_write_model(a.cmd, &cfg->model, &cfg->seed)))
        return rc;
    if (!cfg->model && !(cfg->model = default_model(a.cmd)))
        return EXIT_USAGE;
    if (cfg->label < 0)
        return usage_error(a.cmd, "say what the messages are: --spam or --ham");
    if (cfg->nfiles == 0)
        return usage_error(a.cmd, "no message file given");
    if ((rc = missing_model(cfg)) || (cfg->create && (rc = default_model_dir(cfg->model))) ||
        (rc = output_check(a.cmd, "-m", cfg->model, "a model")))
        return rc;
    for (i = 0; i < cfg->nfiles; i++)
        if ((rc = output_vs_input(cfg->model, cfg->files[i])))
            return rc;
    return 0;
}

/* The change model_update makes: every message of the files, one step each. */
static int learn_step(spamlr_model *m, void *ctx)
{
    learn_cfg *cfg = ctx;
    spamlr_dataset *ds = NULL;
    spamlr_model_info info;
    spamlr_diag d;
    size_t i, n;
    int rc, err;

    if ((rc = dataset_for_model(&ds, m)))
        goto out;
    for (i = 0; i < cfg->nfiles; i++) {
        memset(&d, 0, sizeof d);
        err = spamlr_dataset_read_path(ds, cfg->label, cfg->files[i], &d);
        if (err) {
            rc = report_failure(err, &d, cfg->files[i]);
            goto out;
        }
    }
    n = spamlr_dataset_rows(ds);
    spamlr_model_info_get(m, &info);
    if (cfg->unlearn && n > (cfg->label == SPAMLR_SPAM ? info.spam : info.ham)) {
        rc = runtime_error("%s: cannot unlearn %zu %s message%s: the model has learned "
                           "only %zu", cfg->model, n, label_name(cfg->label),
                           n == 1 ? "" : "s", cfg->label == SPAMLR_SPAM ? info.spam : info.ham);
        goto out;
    }
    err = cfg->unlearn ? spamlr_model_learn_dataset(m, ds, NULL, n, -1, NULL)
                       : spamlr_model_learn_batch(m, ds, NULL, n);
    if (err == SPAMLR_EUNSUPPORTED) {
        rc = runtime_error("%s: this model cannot learn online (tf-idf weights without idf values); "
                           "retrain it with 'spamlr train'", cfg->model);
        goto out;
    }
    if (err) {
        rc = report_failure(err, NULL, cfg->model);
        goto out;
    }
    cfg->learned = n;
out:
    spamlr_dataset_free(ds);
    return rc;
}

/* After the save: the report. */
static int learn_saved(spamlr_model *m, const struct stat *st, void *ctx)
{
    const learn_cfg *cfg = ctx;
    spamlr_model_info info;
    size_t n = cfg->learned;

    (void)st;
    if (!cfg->quiet) {
        spamlr_model_info_get(m, &info);
        fprintf(stderr, "spamlr learn: %s %zu %s message%s %s %s (%zu words; %zu spam, "
                "%zu ham learned)\n", cfg->unlearn ? "unlearned" : "learned", n,
                label_name(cfg->label), n == 1 ? "" : "s", cfg->unlearn ? "from" : "into",
                cfg->model, info.parameters, info.spam, info.ham);
    }
    return 0;
}

static int run(learn_cfg *cfg)
{
    return model_update_from(cfg->model, cfg->seed, cfg->create, learn_step, learn_saved, cfg);
}

int cmd_learn(int argc, char **argv)
{
    learn_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.label = -1;
    /* at most argc positional arguments */
    cfg.files = calloc((size_t)argc + 1, sizeof *cfg.files);
    if (!cfg.files)
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    rc = parse_args(&cfg, argc, argv);
    if (rc == 0 && cfg.help) {
        learn_help();
        rc = finish_output(EXIT_OK);
    } else if (rc == 0) {
        rc = run(&cfg);
    }
    free((void *)cfg.files);
    return rc;
}
