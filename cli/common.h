/* common.h - helpers shared by the subcommands of the spamlr CLI.
 *
 * The CLI uses only the public header: it is the library's first user.
 * Exit codes: 0 success, 1 runtime error (bad data, I/O, corrupt model),
 * 2 usage error (unknown option, bad number, missing argument). */
#ifndef SPAMLR_CLI_COMMON_H
#define SPAMLR_CLI_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include "spamlr.h"

#if defined(__GNUC__)
#  define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define CLI_PRINTF(a, b)
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* ------------------------------------------------------------ subcommands */

/* Each takes argv with argv[0] = the subcommand name; returns an exit code. */
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_curve(int argc, char **argv);

/* Cross-validation (cv.c): out-of-fold metrics of training with o.
 * Returns 0 or an exit code. */
int cv_measure(const spamlr_dataset *ds, const spamlr_train_opts *o, unsigned k,
               spamlr_metrics *mt);

/* The regularisation path that chose m's C, as a small table (nothing
 * when C was given), and the same as a JSON array (null without one). */
void print_path(FILE *f, const spamlr_model *m);
void json_path(FILE *f, const spamlr_model *m);

int cmd_learn(int argc, char **argv);
int cmd_contacts(int argc, char **argv);

/* --contacts FILE on the commands that use a model (predict, filter,
 * explain, eval, learn, serve): the contact list to use instead of the
 * model's own for this run. CONTACTS_OPTION goes into their cli_opt
 * tables; the option's take sets cli_contacts, and model_open() then
 * gives every model it loads that list (learn and serve's TELL save the
 * model with it: its weights were learned with that list's tokens). */
enum { OPT_CONTACTS = 1100 };
#define CONTACTS_OPTION { "contacts", 0, 1, OPT_CONTACTS }
#define CONTACTS_HELP                                                          \
    "  --contacts FILE        use this contact list (addresses, @domains or a\n" \
    "                         vCard) instead of the one stored in the model\n"
extern const char *cli_contacts;
/* learn --create --memory N: the rehearsal memory (messages of each class)
 * of a model model_update creates; 0 = the library's default. */
extern unsigned cli_create_memory;
/* learn --create --layout: the spamlr_layout of the model it makes; -1 =
 * the default for a model that learns, mapped (outfile.c). */
extern int cli_create_layout;
/* (models.c) Reads a contact list file into *out (reported on failure: 0
 * or EXIT_RUNTIME). */
int contacts_open(spamlr_contacts **out, const char *path);
int cmd_filter(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* (outfile.c) The library's lock of MODEL (spamlr_model_lock: TARGET.lock,
 * TARGET being MODEL with its symbolic links followed), or NULL after
 * reporting the failure; model_unlock releases it. Every command that
 * rewrites a model in place holds it from loading to saving, so that
 * concurrent writers -- other commands, and programs using
 * spamlr_model_update -- serialise and lose no update. */
spamlr_lock *model_lock(const char *model);
void model_unlock(spamlr_lock *lock);

/* ------------------------------------------------------- writing files */
/* (outfile.c) Every file a command writes is checked before any work is
 * done, and every model is saved under MODEL.lock. */

/* Checks the output `out` given as option `opt` (for messages; `what` is
 * "a model" or "an SVG drawing"): not empty (usage error), not "-" (usage
 * error: standard output is refused, a file is written atomically), and,
 * after following symbolic links, either missing or a regular file (a
 * device, FIFO, socket or directory is refused), in a directory that
 * exists and that we may write to. Returns 0 or the exit code, reported. */
int output_check(const char *cmd, const char *opt, const char *out, const char *what);

/* Refuses (EXIT_RUNTIME, reported) an output that is the input `in` ("-"
 * = standard input) by device and inode, whatever the names and links, or
 * that lies inside the input directory `in`; 0 when they are apart. */
int output_vs_input(const char *out, const char *in);
struct input_list;
int output_vs_inputs(const char *out, const struct input_list *l);

/* Saves m to path (spamlr_model_save), reporting a failure (EXIT_RUNTIME)
 * or the library's warning; 0 on success. The caller holds the lock. */
int model_save_report(const spamlr_model *m, const char *path);

/* The same under model_lock(path), for writers that replace a model
 * rather than update it (train, prune, import). */
int model_save_locked(const spamlr_model *m, const char *path);

/* The one way a model file is changed in place (learn, and serve's TELL),
 * through the library's locked update (spamlr_model_update):
 * takes MODEL.lock, loads MODEL (or, with `create` and no such file, makes
 * an empty model), calls change(m, ctx), saves m atomically and, with the
 * lock still held, calls saved(m, st, ctx) (saved may be NULL; st is the
 * saved file's stat). saved returns 1 when it keeps m (then the caller's,
 * to free), 0 when m is to be freed here. Failures are reported on stderr;
 * a non-zero return of change is passed through and MODEL is unchanged.
 * Returns 0 or an exit code. */
struct stat;
typedef int (*model_change_fn)(spamlr_model *m, void *ctx);
typedef int (*model_saved_fn)(spamlr_model *m, const struct stat *st, void *ctx);
int model_update(const char *path, int create, model_change_fn change, model_saved_fn saved,
                 void *ctx);

/* Header placement for a mail that passes through (filter, serve): the
 * offset where added fields go (at the end of the header block, before
 * the empty line); *pre_eol is set when a line ending must come first (the
 * last line has none), *post_blank when an empty line must follow (the
 * mail has no header). */
size_t mail_insert_point(const char *msg, size_t len, int *pre_eol, int *post_blank);
/* Writes the header block msg[0..at) to f, each field whose name starts
 * with prefix (e.g. "X-Spam-", any case) renamed PREFIXPrev-* (what the
 * sender or an earlier filter wrote stays, but a first-match reader sees
 * only ours). */
void mail_put_header_block(FILE *f, const char *msg, size_t at, const char *prefix);
/* The mail's line ending: CRLF when its first line ends in CRLF, else LF. */
const char *mail_eol(const char *msg, size_t len);
/* Copies at most MAIL_TOKEN_MAX bytes of tok into dst (MAIL_TOKEN_MAX + 1
 * bytes) with bytes below 0x21 and DEL (and ',' when comma) as '_', so it
 * stays one item of a header line; returns its length. */
#define MAIL_TOKEN_MAX 40
size_t mail_token(char *dst, const char *tok, int comma);

/* -------------------------------------------------------- option parsing */

/* One option a subcommand accepts. id is returned by args_next(); short_name
 * may be 0 (no short form), long_name may be NULL (no long form). */
typedef struct cli_opt {
    const char *long_name;
    char short_name;
    int has_arg;
    int id;
} cli_opt;

/* The state of a walk over argv[1..argc-1]. */
typedef struct cli_args {
    int argc;
    char **argv;
    int i;               /* next argv index */
    int only_positional; /* after "--" */
    const char *cmd;     /* subcommand name, for messages */
    char name[64];       /* option being handled, as typed ("-c", "--tol") */
} cli_args;

enum {
    ARGS_END = -1,        /* no more arguments */
    ARGS_ERROR = -2,      /* usage error; already reported on stderr */
    ARGS_POSITIONAL = -3  /* *value is a positional argument */
};

void args_init(cli_args *a, int argc, char **argv);

/* Returns the id of the next option (with its argument in *value, or NULL),
 * ARGS_POSITIONAL (argument in *value), ARGS_END or ARGS_ERROR. "-" is a
 * positional argument; "--" makes everything after it positional; long
 * options take "--name value" or "--name=value", short ones "-x value" or
 * "-xvalue". Options and positional arguments may be mixed; they come back
 * in the order given. */
int args_next(cli_args *a, const cli_opt *opts, const char **value);

/* Walks argv[1..] with opts: calls take(a, cfg, id, value) for every option
 * and positional argument (id ARGS_POSITIONAL) in order. Returns 0, or the
 * first non-zero exit code take returned, or EXIT_USAGE after a usage error
 * args_next reported. a is left for the caller's own messages. */
typedef int (*args_take_fn)(cli_args *a, void *cfg, int id, const char *value);
int args_parse(cli_args *a, int argc, char **argv, const cli_opt *opts, args_take_fn take,
               void *cfg);

/* Strict number parsing for option `a->name`: the whole string must be a
 * number in [lo, hi]. On failure a usage error naming the option is printed
 * and -1 returned; 0 on success. */
int args_double(const cli_args *a, const char *s, double lo, double hi, double *out);
/* A number > 0 (a normal double: at least DBL_MIN) and at most hi, with one
 * message for 0, negatives, subnormals and too large values. 0 or -1
 * (usage error printed). */
int args_positive(const cli_args *a, const char *s, double hi, double *out);
int args_uint(const cli_args *a, const char *s, unsigned long lo, unsigned long hi,
              unsigned long *out);

/* --threads N: 0 (every core) to ARGS_THREADS_MAX into *out; 0, or
 * EXIT_USAGE (said). */
#define ARGS_THREADS_MAX 4096
int args_threads(const cli_args *a, const char *s, unsigned *out);

/* Maps s to the index of the matching name in names (NULL-terminated);
 * -1 with a usage error naming the option and the choices. */
int args_choice(const cli_args *a, const char *s, const char *const *names);
/* The names of --layout (train, prune, learn --create), in spamlr_layout
 * order, for args_choice. */
extern const char *const layout_names[];

/* The options predict and eval share: -h, -m MODEL, --format F (one of
 * the command's format names), --threshold T. Their ids come first; a
 * command numbers its own from SC_END. */
enum { SC_HELP = 1, SC_MODEL, SC_FORMAT, SC_THRESHOLD, SC_END };
#define SCORING_OPTIONS                                                        \
    { "help", 'h', 0, SC_HELP }, { "model", 'm', 1, SC_MODEL },                \
    { "format", 0, 1, SC_FORMAT }, { "threshold", 0, 1, SC_THRESHOLD }
typedef struct scoring_opts {
    const char *model;
    int format;
    int has_threshold;
    double threshold;
    int help;
} scoring_opts;
/* Takes one of those options into s: returns 0, EXIT_USAGE (after a usage
 * error), or -1 when id is not one of them. */
int args_scoring(const cli_args *a, scoring_opts *s, int id, const char *v,
                 const char *const *formats);

/* ---------------------------------------------------------------- errors */

/* "spamlr CMD: message" + "Try 'spamlr CMD --help'." on stderr; returns
 * EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The subcommand being run (set by main), named by runtime errors and
 * warnings as usage errors name it; NULL before one is known. */
extern const char *cli_command;

/* (progress.c) Seconds on the monotonic clock. */
double cli_now(void);

/* (progress.c) Progress of long work on one refreshed line of standard
 * error, drawn only when it is a terminal and cli_quiet (set by -q) is 0,
 * and only for work that lasts (0.3 s; SPAMLR_PROGRESS_DELAY=SECONDS
 * changes that, for tests). progress_report is a spamlr_progress_fn (ctx
 * unused); progress_end clears the line (call it before printing
 * anything else on stderr, and when the work is done). */
extern int cli_quiet;
int progress_report(void *ctx, const spamlr_progress *p);
void progress_end(void);

/* "spamlr CMD: message" on stderr; returns EXIT_RUNTIME. */
int runtime_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* "spamlr CMD: warning: message" on stderr. */
void warning(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Reports a library failure as "spamlr: <file>:<line>: <what>". Uses the
 * diag when it was filled in, else "<path>: <strerror(err)>" (path may be
 * NULL). Returns EXIT_RUNTIME. */
int report_failure(int err, const spamlr_diag *d, const char *path);

/* Prints a warning the library left in a diag after success, if any. */
void report_diag_warning(const spamlr_diag *d);

/* ------------------------------------------------------------------ input */

/* Where messages come from, in the order given on the command line. */
typedef enum {
    INPUT_SPAM,       /* --spam PATH: read_path(SPAMLR_SPAM) */
    INPUT_HAM,        /* --ham PATH: read_path(SPAMLR_HAM) */
    INPUT_INDEX,      /* --index FILE: read_index */
    INPUT_LINES,      /* label<TAB>text lines: read_lines */
    INPUT_UNLABELLED, /* plain messages: read_path(SPAMLR_UNLABELLED) */
    INPUT_LIBSVM      /* --libsvm FILE: read_libsvm */
} input_kind;

typedef struct input_item {
    input_kind kind;
    const char *path; /* points into argv */
} input_item;

typedef struct input_list {
    input_item *items;
    size_t n, cap;
} input_list;

/* Option ids reserved for the shared INPUT options; subcommands put
 * INPUT_OPTIONS into their cli_opt tables and pass those ids (and
 * ARGS_POSITIONAL) on to input_take(). */
enum { OPT_SPAM = 1000, OPT_HAM, OPT_INDEX, OPT_LIBSVM };
#define INPUT_OPTIONS                                   \
    { "spam", 0, 1, OPT_SPAM }, { "ham", 0, 1, OPT_HAM }, \
    { "index", 0, 1, OPT_INDEX }, { "libsvm", 0, 1, OPT_LIBSVM }

/* Appends one input for option id (OPT_SPAM, OPT_HAM, OPT_INDEX,
 * OPT_LIBSVM) or for a
 * positional argument (ARGS_POSITIONAL, taken as `positional` kind).
 * Returns 0, or EXIT_RUNTIME when out of memory (reported). */
int input_take(input_list *l, int id, const char *path, input_kind positional);

/* Reads every input into ds in order; on failure reports it (file and line)
 * and returns EXIT_RUNTIME, else 0. */
int input_read_all(const input_list *l, spamlr_dataset *ds);

/* Whether any input carries labels. */
int input_has_labels(const input_list *l);

/* Keeps ds (empty, made by dataset_for_model) to m's words for verdicts
 * (spamlr_dataset_keep_model_words), unless an input of l is libsvm rows,
 * which are numbered features rather than words. Returns 0, or
 * EXIT_RUNTIME (reported). */
int keep_model_words(spamlr_dataset *ds, const spamlr_model *m, const input_list *l);

void input_free(input_list *l);

/* Text shown in every --help for the INPUT options. */
extern const char input_help[];

/* ------------------------------------------------------------------ model */

/* (modelpath.c) The model of a command given no -m: $SPAMLR_MODEL when
 * set and not empty, else $HOME/.spamlr/model.slr (a static buffer).
 * NULL after a usage error for cmd when neither is set. */
const char *default_model(const char *cmd);

/* Creates the directory of the default model (~/.spamlr, mode 0700) when
 * `model` is the one default_model() made from $HOME and it is missing;
 * 0, or EXIT_RUNTIME reported. Used by learn --create. */
int default_model_dir(const char *model);

/* (store.c) --store DIR --user NAME on filter, predict, explain and learn:
 * a per-user model store, DIR/base.slr the shared base and
 * DIR/users/NAME.slr the model of user NAME (a copy of the base made by
 * the user's first learn). STORE_OPTIONS go into the cli_opt tables and
 * their take calls store_take(id, v), which sets cli_store and cli_user. */
enum { OPT_STORE = 1200, OPT_USER };
#define STORE_OPTIONS { "store", 0, 1, OPT_STORE }, { "user", 0, 1, OPT_USER }
#define STORE_HELP                                                               \
    "  --store DIR            a per-user store: DIR/base.slr, DIR/users/NAME.slr\n" \
    "  --user NAME            the user's model in the store (the base when the\n"   \
    "                         user has none; learn creates it from the base)\n"
extern const char *cli_store, *cli_user;
int store_take(int id, const char *v);
/* (User names are checked by spamlr_store_user_path.) */
/* For a reader: when --store or --user was given, sets *model to the
 * user's model when it exists, else to the base (a static buffer); a usage
 * error with -m MODEL too, a bad name or --user without --store. Returns
 * 0 or the exit code, reported. Without the options *model is unchanged. */
int store_read_model(const char *cmd, const char **model);
/* For learn: sets *model to the user's model (--user is required; the
 * base must exist; DIR/users is created). 0 or the exit code. */
int store_write_model(const char *cmd, const char **model);
/* Whether path is the store user's model (a delta on the base), which
 * the functions below load, save and update. */
int store_owns(const char *path);
/* Loads the user's model: base + delta. A SPAMLR_E* code, d filled. */
int store_load(spamlr_model **m, const char *path, spamlr_diag *d);
/* Saves the user's model m as a delta on the base, atomically. A
 * SPAMLR_E* code, d filled. */
int store_save(const spamlr_model *m, spamlr_diag *d);
/* The user's locked update (spamlr_model_update_delta on the base: a
 * user without a model starts from the base). */
int store_update(const char *path, spamlr_model_change_fn change, spamlr_model_change_fn saved,
                 void *ctx, spamlr_diag *d);

/* (models.c) Loads MODEL (a store user's delta on its base through
 * store.c), reporting failure (EXIT_RUNTIME) or returning 0. */
int model_open(spamlr_model **m, const char *path);
/* The same for a command that only predicts (predict, filter, explain): a
 * model that learns is read without its learner's state
 * (SPAMLR_LOAD_PREDICT), which a program started per mail would otherwise
 * spend most of its load on. The model must not be saved. */
int model_open_to_predict(spamlr_model **m, const char *path);
/* Gives m the list of --contacts when one was given (model_open does it);
 * 0 or an exit code, reported (m unchanged). */
int model_use_contacts(spamlr_model *m);

/* spamlr inspect MODEL --diff BASE (inspect_diff.c): per word the base's
 * weight, m's and the change, largest |change| first, `top` of them (0 =
 * all), as text or (tsv) 'token<TAB>base<TAB>model<TAB>change' lines (an
 * empty cell for a word one model lacks). Returns an exit code. */
int inspect_diff(const char *path, const spamlr_model *m, const char *base_path, size_t top,
                 int tsv);

/* (models.c) Creates a dataset that tokenises as model m does; 0 or
 * EXIT_RUNTIME. */
int dataset_for_model(spamlr_dataset **ds, const spamlr_model *m);

/* (models.c) Probabilities (and, when scores is not NULL, log-odds) of
 * every row of ds; malloc'ed arrays the caller frees (*probs NULL when ds
 * has no rows). Returns 0 or an exit status. */
int predict_rows(const spamlr_model *m, const spamlr_dataset *ds, double **probs,
                 double **scores);

/* Reads the whole of path ("-" = standard input; gzip-compressed or
 * plain; at most the input size limit) into a malloc'ed, NUL-terminated
 * buffer through spamlr_read_file, as the other commands read their
 * inputs; 0, or EXIT_RUNTIME with the error reported. */
int slurp_file(const char *path, char **out, size_t *len);

/* ------------------------------------------------------------------- json */

/* Writes s as a JSON string (with quotes): '"', '\\' and control characters
 * escaped, valid UTF-8 passed through, invalid bytes as U+FFFD. */
void json_string(FILE *f, const char *s);

/* Writes a model token for a terminal or a TSV line as 'inspect --dump'
 * does: backslash, TAB, LF, CR as \\ \t \n \r, other control characters
 * (C0, DEL, C1) and bytes of invalid UTF-8 as \xHH; the rest as it is. */
void token_text(FILE *f, const char *s);

/* Writes a number with %.17g, or null when it is not finite. */
void json_number(FILE *f, double x);

/* An AUC (or (1-AUC)%) for text output: "%.*f", or "undefined (one
 * class)" when it is NaN. Returns buf (at least 32 bytes). */
const char *auc_text(double x, int digits, char *buf);

/* ---------------------------------------------------------------- names */

const char *solver_name(unsigned solver);
const char *features_name(unsigned features);
const char *class_weight_name(unsigned cw);
const char *label_name(int label); /* "spam", "ham" or "-" */

/* Checks for a write error on stdout (full disk, closed pipe); reports it
 * and returns EXIT_RUNTIME, else returns rc unchanged. */
int finish_output(int rc);

#endif /* SPAMLR_CLI_COMMON_H */
