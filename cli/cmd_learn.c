/* cmd_learn.c - spamlr learn: update a model in place from messages. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

enum { OPT_HELP = 1, OPT_MODEL, OPT_LSPAM, OPT_LHAM, OPT_UNLEARN, OPT_CREATE, OPT_QUIET,
       OPT_RELEARN, OPT_MEMORY, OPT_LAYOUT };

enum { LEARN_NOTHING = 100 }; /* learn_step changed nothing: no save */
#define MEMORY_MAX 100000ul  /* --memory: as many as the record of learned messages */

static const cli_opt learn_opts[] = {
    { "help", 'h', 0, OPT_HELP },
    { "model", 'm', 1, OPT_MODEL },
    { "spam", 0, 0, OPT_LSPAM },
    { "ham", 0, 0, OPT_LHAM },
    { "unlearn", 0, 0, OPT_UNLEARN },
    { "relearn-as", 0, 1, OPT_RELEARN },
    { "create", 0, 0, OPT_CREATE },
    { "memory", 0, 1, OPT_MEMORY },
    { "layout", 0, 1, OPT_LAYOUT },
    { "quiet", 'q', 0, OPT_QUIET },
    CONTACTS_OPTION,
    STORE_OPTIONS,
    { NULL, 0, 0, 0 }
};

typedef struct learn_cfg {
    const char *model;
    int label;           /* SPAMLR_SPAM, SPAMLR_HAM, or -1 when not given */
    int unlearn, create, quiet, help;
    int relearn;         /* --relearn-as: label is the class to move to */
    const char **files;
    size_t nfiles;
    size_t learned;      /* messages learned, unlearned or relearned */
    size_t already;      /* already learned with this class: left alone */
    size_t relearned;    /* of `learned`, moved from the other class */
    spamlr_model_info info; /* the model when nothing was learned, for the report */
    int held_all;        /* before: the model remembered every message it learned */
} learn_cfg;

static void learn_help(void)
{
    printf("usage: spamlr learn -m MODEL (--spam|--ham) [--unlearn] [--create] FILE...\n"
           "       spamlr learn --store DIR --user NAME (--spam|--ham) [--unlearn] FILE...\n"
           "       spamlr learn -m MODEL --relearn-as ham|spam FILE...\n\n"
           "Teaches MODEL that every message in FILE... is spam (--spam) or ham\n"
           "(--ham) by online steps (AdaGrad, or FTRL for a model trained with\n"
           "--solver ftrl): new words enter the vocabulary, weights move; a message\n"
           "already right by a margin is not learned. Several messages are learned\n"
           "as a batch, like training: shuffled together with the messages the\n"
           "model remembers (up to 500 per class) in passes, so a folder of one\n"
           "class does not erase what the other taught, and their order does not\n"
           "matter. A model made with --create that still remembers every message\n"
           "it learned is trained on all of them instead (C chosen as 'spamlr\n"
           "train' chooses it; tf-idf with the idf of those messages): a folder of\n"
           "each class in turn gives the model of training on both.\n"
           "MODEL is replaced atomically (temporary file, fsync, rename);\n"
           "concurrent learners on one MODEL take turns on MODEL.lock and lose no\n"
           "update. FILE is a file holding one message, an mbox, a directory or\n"
           "maildir (every message in it), or '-' for standard input.\n\n"
           "MODEL keeps a record of the messages it learned (a hash of each, with\n"
           "its class; the last 100,000), as sa-learn does: a message already\n"
           "learned with the same class is left alone (\"already learned\"), one\n"
           "learned with the other class is relearned (unlearned, then learned).\n\n"
           "options:\n"
           "  -m, --model MODEL   model file to update (default: $SPAMLR_MODEL, else\n"
           "                      ~/.spamlr/model.slr)\n"
           "  --spam | --ham      the class of the messages (one is required)\n"
           "  --unlearn           undo an earlier 'learn' of these messages (with the\n"
           "                      class they were learned as): exact for one message\n"
           "                      learned alone last, approximate otherwise (see\n"
           "                      spamlr.h); refused when a message was never learned\n"
           "  --relearn-as CLASS  fix a wrong class in one call (bogofilter -Sn/-Ns):\n"
           "                      messages learned as the other class move to CLASS\n"
           "                      (ham or spam); refused when one was never learned\n"
           "  --create            create MODEL (empty, default settings) when missing\n"
           "                      (and ~/.spamlr for the default MODEL)\n"
           "  --memory N          with --create: the new model remembers up to N\n"
           "                      messages of each class (default 500, at most\n"
           "                      100000): a bootstrap of up to N of each, folder by\n"
           "                      folder, is then training on all of them; each one\n"
           "                      remembered adds 1-2 KB to MODEL\n"
           "  --layout L          with --create: the new model's file layout, mapped\n"
           "                      (default: read in place, for a process per\n"
           "                      message) or packed (the smallest file; what\n"
           "                      spamlr 0.3 and earlier read)\n"
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

    /* (a store user without a model starts from the store's base) */
    if (cfg->create || store_owns(cfg->model) || stat(cfg->model, &st) == 0 || errno != ENOENT)
        return 0;
    return runtime_error("%s: no such model; 'spamlr learn --create' makes an empty one "
                         "(or 'spamlr train' one from a corpus)", cfg->model);
}

static int parse_args(learn_cfg *cfg, int argc, char **argv)
{
    struct stat st;
    cli_args a;
    const char *v, *setup;
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
        case OPT_RELEARN: {
            int l = strcmp(v, "spam") == 0 ? SPAMLR_SPAM : strcmp(v, "ham") == 0 ? SPAMLR_HAM : -1;
            if (l < 0)
                return usage_error(a.cmd, "--relearn-as takes ham or spam, not '%s'", v);
            if (cfg->label >= 0 && cfg->label != l)
                return usage_error(a.cmd, "--relearn-as %s contradicts --%s", v,
                                   label_name(cfg->label));
            cfg->label = l;
            cfg->relearn = 1;
            break;
        }
        case OPT_CREATE: cfg->create = 1; break;
        case OPT_MEMORY: {
            unsigned long x;
            if (args_uint(&a, v, 1, MEMORY_MAX, &x))
                return EXIT_USAGE;
            cli_create_memory = (unsigned)x;
            break;
        }
        case OPT_LAYOUT:
            if ((cli_create_layout = args_choice(&a, v, layout_names)) < 0)
                return EXIT_USAGE;
            break;
        case OPT_QUIET: cfg->quiet = cli_quiet = 1; break;
        default: cfg->files[cfg->nfiles++] = v; break;
        }
    }
    if (cfg->help)
        return 0;
    if ((rc = store_write_model(a.cmd, &cfg->model)))
        return rc;
    if (!cfg->model && !(cfg->model = default_model(a.cmd)))
        return EXIT_USAGE;
    if (cfg->label < 0)
        return usage_error(a.cmd, "say what the messages are: --spam or --ham");
    if (cfg->relearn && cfg->unlearn)
        return usage_error(a.cmd, "give either --relearn-as or --unlearn, not both");
    if (cfg->relearn && cfg->create)
        return usage_error(a.cmd, "--relearn-as needs a model that learned the messages, "
                                  "not --create");
    /* --memory and --layout set up the model --create makes */
    setup = cli_create_memory ? "--memory" : cli_create_layout >= 0 ? "--layout" : NULL;
    if (setup && store_owns(cfg->model))
        return usage_error(a.cmd, "%s is for a model --create makes, not a store user's "
                                  "(a delta on the store's base): leave it out", setup);
    if (setup && !cfg->create)
        return usage_error(a.cmd, "%s sets up the model --create makes: give --create too%s",
                           setup, cli_create_layout >= 0 && !cli_create_memory
                                      ? " ('spamlr prune --layout' converts a model)" : "");
    if (cfg->nfiles == 0)
        return usage_error(a.cmd, "no message file given");
    if (setup && !store_owns(cfg->model) && stat(cfg->model, &st) == 0)
        warning("%s exists: %s sets up a model --create makes; this one keeps its own "
                "memory and layout", cfg->model, setup);
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
    spamlr_diag d = SPAMLR_DIAG_INIT;
    size_t i, n;
    int rc = 0, err, *outcome = NULL, *labels = NULL;

    if ((rc = dataset_for_model(&ds, m)))
        goto out;
    {
        spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;

        spamlr_model_info_get(m, &in);
        /* (the models a batch trains on all they remember: made empty,
         * tf-idf, whose idf is learned) */
        cfg->held_all = in.idf_learned && in.remembered[0] == in.memory_offered[0] &&
                        in.remembered[1] == in.memory_offered[1];
    }
    /* the files in one read (on the threads, asking the disk ahead) */
    if (!(labels = malloc((cfg->nfiles + 1) * sizeof *labels))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    for (i = 0; i < cfg->nfiles; i++)
        labels[i] = cfg->label;
    err = spamlr_dataset_read_paths(ds, labels, (const char *const *)cfg->files, cfg->nfiles,
                                    &d);
    if (err) { /* (the diag names the file that failed) */
        rc = report_failure(err, &d, NULL);
        goto out;
    }
    n = spamlr_dataset_rows(ds);
    if (!(outcome = calloc(n + 1, sizeof *outcome))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    err = spamlr_model_learn_batch_ex(m, ds, NULL, n,
                                      cfg->unlearn ? -1 : cfg->relearn ? SPAMLR_RELEARN : 1,
                                      outcome);
    if (err == SPAMLR_ENOTFOUND) {
        rc = runtime_error("%s: cannot %s: %s never learned by this model (it keeps a "
                           "record of the last 100000 messages it learned, each once); "
                           "the model is unchanged", cfg->model,
                           cfg->unlearn ? "unlearn" : "relearn",
                           n == 1 ? "the message was" : "a message (or one given twice) was");
        goto out;
    }
    if (err == SPAMLR_EUNSUPPORTED) {
        rc = runtime_error("%s: this model cannot learn online (tf-idf weights without idf values); "
                           "retrain it with 'spamlr train'", cfg->model);
        goto out;
    }
    if (err) {
        rc = report_failure(err, NULL, cfg->model);
        goto out;
    }
    for (i = 0; i < n; i++) {
        cfg->already += outcome[i] == SPAMLR_LEARNED_ALREADY;
        cfg->relearned += outcome[i] == SPAMLR_LEARNED_RELEARNED;
        cfg->learned += outcome[i] && outcome[i] != SPAMLR_LEARNED_ALREADY;
    }
    if (!cfg->learned) { /* all learned so already: the file stays as it is */
        spamlr_model_info_get(m, &cfg->info);
        rc = LEARN_NOTHING;
    }
out:
    free(labels);
    free(outcome);
    spamlr_dataset_free(ds);
    return rc;
}

/* The report: what was done, and what was left alone (m NULL: nothing
 * was learned, and cfg->info is the model's). */
static void learn_report(const learn_cfg *cfg, const spamlr_model *m)
{
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    size_t n = cfg->learned;
    const char *what = label_name(cfg->label);

    if (cfg->quiet)
        return;
    if (m)
        spamlr_model_info_get(m, &info);
    else
        info = cfg->info;
    if (!n) {
        fprintf(stderr, "spamlr learn: %zu %s message%s already learned as %s: %s unchanged "
                "(%zu spam, %zu ham learned)\n", cfg->already, what,
                cfg->already == 1 ? "" : "s", what, cfg->model, info.spam, info.ham);
        return;
    }
    if (cfg->unlearn)
        fprintf(stderr, "spamlr learn: unlearned %zu message%s from %s", n, n == 1 ? "" : "s",
                cfg->model);
    else
        fprintf(stderr, "spamlr learn: %s %zu %s message%s into %s",
                cfg->relearn ? "relearned" : "learned", n, what, n == 1 ? "" : "s", cfg->model);
    if (!cfg->unlearn && !cfg->relearn && cfg->relearned)
        fprintf(stderr, " (%zu relearned from %s)", cfg->relearned,
                label_name(cfg->label == SPAMLR_SPAM ? SPAMLR_HAM : SPAMLR_SPAM));
    if (cfg->already)
        fprintf(stderr, "; %zu already learned as %s, left alone", cfg->already, what);
    fprintf(stderr, " (%zu words; %zu spam, %zu ham learned)\n", info.parameters, info.spam,
            info.ham);
    /* a model made empty that held every message it learned trained on
     * them all at each batch; past its memory it learns in passes: say
     * so, and what keeps a bootstrap exact */
    if (cfg->held_all && !cfg->unlearn && info.memory &&
        (info.remembered[0] < info.memory_offered[0] ||
         info.remembered[1] < info.memory_offered[1])) {
        int c = info.remembered[1] < info.memory_offered[1];

        fprintf(stderr, "spamlr learn: note: %s now remembers %zu of the %llu %s messages it "
                "learned (up to %u of each class): a batch is training on every message "
                "learned only while the model remembers them all, and is now learned in "
                "passes against the ones remembered; 'spamlr learn --create --memory N' "
                "makes a model that remembers N of each class\n", cfg->model, info.remembered[c],
                (unsigned long long)info.memory_offered[c], c ? "spam" : "ham", info.memory);
    }
}

/* After the save: the report. */
static int learn_saved(spamlr_model *m, const struct stat *st, void *ctx)
{
    (void)st;
    learn_report(ctx, m);
    return 0;
}

/* Nothing to learn: the report from what the change saw of the model
 * (not from the file loaded again: that took as long as the rest). */
static int run(learn_cfg *cfg)
{
    int rc = model_update(cfg->model, cfg->create, learn_step, learn_saved, cfg);

    if (rc != LEARN_NOTHING)
        return rc;
    learn_report(cfg, NULL);
    return EXIT_OK;
}

int cmd_learn(int argc, char **argv)
{
    learn_cfg cfg;
    int rc;

    memset(&cfg, 0, sizeof cfg);
    cfg.label = -1;
    cfg.info = (spamlr_model_info)SPAMLR_MODEL_INFO_INIT;
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
