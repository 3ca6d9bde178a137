/*
 * spamlr.h - the public API of libspamlr, a logistic-regression spam filter
 * whose parameters (one weight per word) can be seen, counted and explained.
 *
 * This header is the whole public API and its reference documentation.
 *
 * Conventions
 *   - Every name starts with spamlr_ / SPAMLR_.
 *   - Functions that can fail return int: SPAMLR_OK (0) on success or a
 *     negative SPAMLR_E* code. Output parameters come first; whatever is
 *     returned through a `**out` parameter belongs to the caller and is
 *     released with the matching *_free() function. Every *_free() accepts
 *     NULL.
 *   - The library never prints and never exits. Where a failure deserves more
 *     than a code (which file, which line, which byte), functions take an
 *     optional caller-owned `spamlr_diag *` and fill it in; pass NULL when
 *     the detail is not wanted. There is no global or thread-local error
 *     state.
 *   - Option structs are initialised with the matching *_init() function and
 *     carry a version field and reserved space, so they can grow without
 *     breaking the ABI.
 *
 * Threads
 *   - A spamlr_model is read-only after it is trained or loaded, and may be
 *     shared by any number of threads that call the spamlr_model_* query and
 *     spamlr_predict* functions at the same time. Functions that change a
 *     model (spamlr_model_free) must not run concurrently with others on it.
 *   - A spamlr_scratch belongs to one thread at a time.
 *   - A spamlr_dataset belongs to one caller; it is not thread-safe.
 *   - Free functions (spamlr_strerror, spamlr_metrics_compute, ...) are
 *     thread-safe.
 *
 * Licence: MIT, see LICENSE.
 */
#ifndef SPAMLR_H
#define SPAMLR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define SPAMLR_VERSION_MAJOR 0
#define SPAMLR_VERSION_MINOR 1
#define SPAMLR_VERSION_PATCH 0
#define SPAMLR_VERSION_NUMBER \
    (SPAMLR_VERSION_MAJOR * 10000 + SPAMLR_VERSION_MINOR * 100 + SPAMLR_VERSION_PATCH)
#define SPAMLR__STR2(x) #x
#define SPAMLR__STR(x) SPAMLR__STR2(x)
#define SPAMLR_VERSION_STRING \
    SPAMLR__STR(SPAMLR_VERSION_MAJOR) "." SPAMLR__STR(SPAMLR_VERSION_MINOR) "." \
    SPAMLR__STR(SPAMLR_VERSION_PATCH)

#if defined(_WIN32)
#  define SPAMLR_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SPAMLR_API __attribute__((visibility("default")))
#else
#  define SPAMLR_API
#endif

/* The version of the library that is linked (compare with the macro to
 * detect a header/library mismatch). Thread-safe. */
SPAMLR_API unsigned spamlr_version_number(void);
SPAMLR_API const char *spamlr_version_string(void);

/* Name of the vector-kernel implementation in use ("scalar", "sse2",
 * "avx2"). It is chosen once, on first use, from the CPU's features; the
 * environment variable SPAMLR_SIMD=scalar|sse2|avx2 forces one (an unknown
 * or unsupported name falls back to the best supported one). Thread-safe. */
SPAMLR_API const char *spamlr_simd_name(void);

/* ----------------------------------------------------------------- errors */

enum {
    SPAMLR_OK = 0,
    SPAMLR_ENOMEM = -1,       /* out of memory */
    SPAMLR_EINVAL = -2,       /* invalid argument or option */
    SPAMLR_EIO = -3,          /* a file could not be opened, read or written */
    SPAMLR_EPARSE = -4,       /* malformed input data (see the diag) */
    SPAMLR_EMAGIC = -5,       /* not a spamlr model file */
    SPAMLR_EVERSION = -6,     /* model file from a newer format version */
    SPAMLR_ECRC = -7,         /* model file checksum mismatch */
    SPAMLR_ETRUNC = -8,       /* model file shorter than its sizes say */
    SPAMLR_ESIZE = -9,        /* impossible size or count in a model file */
    SPAMLR_ECORRUPT = -10,    /* model file content inconsistent */
    SPAMLR_EEMPTY = -11,      /* no examples to train or evaluate on */
    SPAMLR_EONECLASS = -12,   /* training data holds only one class */
    SPAMLR_ENOTFOUND = -13,   /* word not in the vocabulary */
    SPAMLR_ELIMIT = -14,      /* a documented limit was exceeded */
    SPAMLR_ENOCONVERGE = -15, /* solver stopped at max_iter before tolerance */
    SPAMLR_EUNSUPPORTED = -16 /* feature not available in this build */
};

/* A static English message for an error code; never NULL. Thread-safe. */
SPAMLR_API const char *spamlr_strerror(int err);

/* Detail for a failure: what went wrong and where. Filled in by functions
 * that take a `spamlr_diag *` (when it is not NULL) on failure; on success
 * it is cleared (code 0, empty message), except that spamlr_train leaves a
 * message there when it returns SPAMLR_ENOCONVERGE. `line` is 1-based, 0
 * when no line applies; `offset` is a byte offset, -1 when none applies. */
typedef struct spamlr_diag {
    int code;               /* the SPAMLR_E* code returned */
    long line;              /* 1-based line number, or 0 */
    long long offset;       /* byte offset, or -1 */
    char path[512];         /* file concerned, or "" */
    char message[512];      /* "what was wrong", without the file name */
} spamlr_diag;

/* Formats a diag as "path:line: message" (parts that are unset are left
 * out) into buf, always NUL-terminated. Returns buf. Thread-safe. */
SPAMLR_API char *spamlr_diag_format(const spamlr_diag *d, char *buf, size_t size);

/* ------------------------------------------------------------- tokenizer */

#define SPAMLR_OPTS_VERSION 1

/* Feature weighting of token counts in a row. */
typedef enum {
    SPAMLR_FEAT_BINARY = 0, /* 1 if the token occurs (default) */
    SPAMLR_FEAT_LOGTF = 1,  /* 1 + log(count) */
    SPAMLR_FEAT_TFIDF = 2   /* (1 + log(count)) * idf, idf = log((1+n)/(1+df)) + 1 */
} spamlr_features;

/* How text becomes tokens and tokens become feature values. The settings
 * are stored in the model so that prediction tokenises exactly as training
 * did. Initialise with spamlr_text_opts_init(). */
typedef struct spamlr_text_opts {
    unsigned version;       /* SPAMLR_OPTS_VERSION */
    unsigned ngrams;        /* 1 = words; 2 = words + word bigrams. Default 1 */
    unsigned max_token_len; /* longer tokens are dropped (bytes). Default 40 */
    unsigned number_fold;   /* digit runs of >= this length become the shape
                               token "#nN" (N = length); 0 = never. Default 5 */
    unsigned cjk_bigrams;   /* 1 = Han/Kana/Hangul runs give unigrams and
                               bigrams; 0 = unigrams only. Default 1 */
    unsigned features;      /* spamlr_features. Default SPAMLR_FEAT_BINARY */
    unsigned normalize;     /* 1 = rows scaled to unit L2 norm. Default 1 */
    unsigned mime;          /* 1 = a message (a file, spamlr_dataset_add,
                               spamlr_predict) is parsed as RFC 5322 e-mail:
                               headers, MIME parts, transfer encodings and
                               charsets decoded, HTML turned into text, and
                               header tokens such as "subject:free" added.
                               Text without a header is read as a body.
                               The text column of TSV/CSV lines is always
                               plain text. 0 = every message is plain
                               text. Default 1 */
    unsigned reserved[8];
} spamlr_text_opts;

SPAMLR_API void spamlr_text_opts_init(spamlr_text_opts *o);

/* Called once per token. `tok` is UTF-8, not NUL-terminated, valid only
 * during the call. Return 0 to continue, non-zero to stop tokenising. */
typedef int (*spamlr_token_fn)(void *ctx, const char *tok, size_t len);

/* Tokenises `len` bytes of `text` (any bytes: invalid UTF-8 and NULs are
 * skipped, never read past len) and calls fn for every token, in order.
 * Allocates nothing. Returns SPAMLR_OK, or SPAMLR_EINVAL for bad options.
 * Thread-safe. */
SPAMLR_API int spamlr_tokenize(const spamlr_text_opts *o, const char *text,
                               size_t len, spamlr_token_fn fn, void *ctx);

/* --------------------------------------------------------------- dataset */

/* A set of labelled (or unlabelled) messages, already tokenised: each row
 * holds the ids and counts of its tokens in the dataset's own vocabulary.
 * Readers append to it. Not thread-safe. */
typedef struct spamlr_dataset spamlr_dataset;

#define SPAMLR_HAM 0
#define SPAMLR_SPAM 1
#define SPAMLR_UNLABELLED (-1)

/* Creates an empty dataset that tokenises with the given options (NULL =
 * defaults). */
SPAMLR_API int spamlr_dataset_create(spamlr_dataset **out, const spamlr_text_opts *o);
SPAMLR_API void spamlr_dataset_free(spamlr_dataset *ds);

/* Appends one message of `len` bytes (read as e-mail or plain text as the
 * dataset's `mime` option says). label is SPAMLR_SPAM, SPAMLR_HAM or
 * SPAMLR_UNLABELLED; `name` (may be NULL) identifies the row in output
 * (a path, "file:line"); it is copied. */
SPAMLR_API int spamlr_dataset_add(spamlr_dataset *ds, int label, const char *text,
                                  size_t len, const char *name);

/* Readers. Every file may be gzip-compressed; the path "-" is standard
 * input. On failure `diag` (may be NULL) names the file, line and problem;
 * rows read before the failure stay in the dataset.
 *
 * read_lines: lines `label<TAB>text`, labels spam/ham or 1/0; a path ending
 *   in .csv (or .csv.gz) is read as CSV (RFC 4180 quoting, label in the
 *   first column, text in the second). Empty lines are skipped; a line
 *   without a label or with an unknown label is an SPAMLR_EPARSE error.
 * read_path: `path` is a file holding one message, an mbox file (it starts
 *   with a "From sender Day Mon ..." line; messages are split at such lines
 *   and ">From " is unescaped), or a directory whose regular files
 *   (recursively, in name order, dot-files skipped) are each one message or
 *   mbox; in a maildir (a directory with cur/ and new/) tmp/ is skipped.
 *   All get `label` (SPAMLR_UNLABELLED allowed). Rows are named by path, or
 *   "path:line" for the messages of an mbox holding several.
 * read_index: lines `spam PATH` or `ham PATH`, PATH relative to the
 *   directory of the index file (absolute paths are used as they are);
 *   blank lines and lines starting with '#' are skipped. */
SPAMLR_API int spamlr_dataset_read_lines(spamlr_dataset *ds, const char *path,
                                         spamlr_diag *diag);
SPAMLR_API int spamlr_dataset_read_path(spamlr_dataset *ds, int label,
                                        const char *path, spamlr_diag *diag);
SPAMLR_API int spamlr_dataset_read_index(spamlr_dataset *ds, const char *path,
                                         spamlr_diag *diag);

/* Reads rows of explicit feature values in the libsvm format that
 * LIBLINEAR reads: one row per line, `<label> <index>:<value> ...`, label
 * +1 or 1 (spam), -1 or 0 (ham); indices positive integers in ascending
 * order; values finite numbers. Blank lines are skipped. Feature k becomes
 * the token "k" (its decimal index) of the dataset, so models, inspect and
 * predict name it so. The values are used exactly as given: the
 * dataset's feature weighting and normalisation options do not apply to
 * them (a bias is still added by training unless turned off). Such rows
 * cannot be mixed with messages in one dataset (SPAMLR_EINVAL either way).
 * The file may be gzip-compressed; "-" is standard input. On a malformed
 * line, returns SPAMLR_EPARSE with diag naming file, line and what was
 * wrong (bad label, garbage, index 0 or not ascending, non-finite value);
 * rows before it stay in the dataset. Rows are named "path:line". */
SPAMLR_API int spamlr_dataset_read_libsvm(spamlr_dataset *ds, const char *path,
                                          spamlr_diag *diag);

/* Number of rows; of spam rows; of ham rows. */
SPAMLR_API size_t spamlr_dataset_rows(const spamlr_dataset *ds);
SPAMLR_API size_t spamlr_dataset_count(const spamlr_dataset *ds, int label);
/* Label of row i (SPAMLR_SPAM, SPAMLR_HAM or SPAMLR_UNLABELLED); name of
 * row i ("" when none was given), valid while the dataset lives. */
SPAMLR_API int spamlr_dataset_label(const spamlr_dataset *ds, size_t i);
SPAMLR_API const char *spamlr_dataset_name(const spamlr_dataset *ds, size_t i);
/* Number of distinct tokens seen so far. */
SPAMLR_API size_t spamlr_dataset_vocab_size(const spamlr_dataset *ds);

/* ------------------------------------------------------------------ train */

typedef enum {
    SPAMLR_SOLVER_TRON = 0,  /* trust-region Newton, as LIBLINEAR -s 0 (default) */
    SPAMLR_SOLVER_LBFGS = 1  /* limited-memory BFGS */
} spamlr_solver;

typedef enum {
    SPAMLR_CW_NONE = 0,      /* every example weighs 1 (default) */
    SPAMLR_CW_BALANCED = 1,  /* class weight n / (2 * n_class) */
    SPAMLR_CW_MANUAL = 2     /* weight_spam, weight_ham below */
} spamlr_class_weight;

/* Training settings. The objective minimised is LIBLINEAR's:
 *   f(w) = 1/2 ||w||^2 + C * sum_i s_i * log(1 + exp(-y_i w.x_i))
 * with y_i = +1 for spam, -1 for ham and s_i the class weight of example i.
 * With a bias, x_i gets an extra constant feature 1; its weight is NOT
 * regularised unless regularize_bias is set (LIBLINEAR's -B 1 does
 * regularise it). */
typedef struct spamlr_train_opts {
    unsigned version;       /* SPAMLR_OPTS_VERSION */
    unsigned solver;        /* spamlr_solver */
    double c;               /* C > 0, default 1 */
    double tol;             /* stop when ||grad f|| <= tol * ||grad f(w0)||
                               (default 1e-4; LIBLINEAR's -e 0.01 also scales
                               by min(#pos,#neg)/n) */
    unsigned max_iter;      /* outer iterations, default 1000 */
    unsigned threads;       /* 0 = all cores (default), except that
                               problems under 50,000 non-zeros then run
                               on one (threads would cost more than they
                               save). Results do not depend on the count
                               beyond floating-point rounding. */
    unsigned bias;          /* 1 = learn a bias (default) */
    unsigned regularize_bias; /* 1 = include the bias in ||w||^2. Default 0 */
    unsigned class_weight;  /* spamlr_class_weight */
    double weight_spam;     /* for SPAMLR_CW_MANUAL */
    double weight_ham;
    unsigned min_count;     /* tokens in fewer than this many training
                               messages are left out. Default 1 */
    unsigned reserved[8];
} spamlr_train_opts;

SPAMLR_API void spamlr_train_opts_init(spamlr_train_opts *o);

/* What training did. */
typedef struct spamlr_train_report {
    double objective;       /* f(w) at the end */
    double grad_norm;       /* ||grad f(w)|| at the end */
    double grad_norm0;      /* ||grad f(w0)|| at the start */
    unsigned iterations;    /* outer iterations */
    unsigned inner_iterations; /* CG steps (TRON) or line-search steps */
    size_t examples, spam, ham;
    size_t features;        /* vocabulary size of the model */
    double seconds;         /* wall-clock time of the solve alone */
} spamlr_train_report;

typedef struct spamlr_model spamlr_model;

/* Trains a model on every labelled row of ds (unlabelled rows are
 * skipped). report and diag may be NULL. Returns SPAMLR_EEMPTY without
 * labelled rows, SPAMLR_EONECLASS when only one class is present,
 * SPAMLR_ENOCONVERGE (with the model still returned in *out) when max_iter
 * was reached first. The dataset is not changed. */
SPAMLR_API int spamlr_train(spamlr_model **out, const spamlr_dataset *ds,
                            const spamlr_train_opts *o, spamlr_train_report *report,
                            spamlr_diag *diag);

/* ------------------------------------------------------------------ model */

SPAMLR_API void spamlr_model_free(spamlr_model *m);

/* Loads a model file. Each kind of damage has its own code: SPAMLR_EMAGIC,
 * SPAMLR_EVERSION, SPAMLR_ECRC, SPAMLR_ETRUNC, SPAMLR_ESIZE,
 * SPAMLR_ECORRUPT; SPAMLR_EIO when it cannot be read. Every size is checked
 * against the file before memory is allocated; nothing is returned on
 * failure. */
SPAMLR_API int spamlr_model_load(spamlr_model **out, const char *path, spamlr_diag *diag);

/* Saves a model: writes PATH.tmp-XXXXXX in the same directory, flushes and
 * fsyncs it, then renames it over `path` (and fsyncs the directory). On any
 * failure the temporary file is removed and an existing file at `path` is
 * left untouched. */
SPAMLR_API int spamlr_model_save(const spamlr_model *m, const char *path, spamlr_diag *diag);

/* Serialises the model into a malloc'ed buffer (*out, *size; free() it) or
 * reads one from memory; the bytes are exactly those of the file. */
SPAMLR_API int spamlr_model_save_buffer(const spamlr_model *m, unsigned char **out,
                                        size_t *size);
SPAMLR_API int spamlr_model_load_buffer(spamlr_model **out, const unsigned char *buf,
                                        size_t size, spamlr_diag *diag);

/* Everything countable about a model. */
typedef struct spamlr_model_info {
    size_t parameters;      /* vocabulary size = number of word weights */
    size_t nonzero;         /* word weights that are not 0 */
    int has_bias;
    double bias;            /* the bias weight (0 without one) */
    size_t memory_bytes;    /* heap bytes the loaded model holds */
    unsigned solver;        /* spamlr_solver used */
    double c;               /* regularisation C used */
    double tol;
    double objective, grad_norm;
    unsigned iterations;
    size_t examples, spam, ham;
    int64_t trained_at;     /* Unix time of training */
    double threshold;       /* spam when probability >= threshold (0.5) */
    spamlr_text_opts text;  /* tokenizer and feature settings */
    unsigned min_count;
    unsigned class_weight;
} spamlr_model_info;

SPAMLR_API void spamlr_model_info_get(const spamlr_model *m, spamlr_model_info *info);

/* Weight of one token (as the tokenizer emits it: lower-case, e.g. "中奖",
 * "viagra"). Returns SPAMLR_ENOTFOUND when the token is not in the
 * vocabulary (then *w is 0). */
SPAMLR_API int spamlr_model_weight(const spamlr_model *m, const char *token, float *w);

/* One vocabulary entry. `token` points into the model and lives as long as
 * the model. */
typedef struct spamlr_word {
    const char *token;
    float weight;
    uint32_t id;
} spamlr_word;

/* Number of vocabulary entries, and entry `id` (0 <= id < parameters). */
SPAMLR_API size_t spamlr_model_vocab_size(const spamlr_model *m);
SPAMLR_API int spamlr_model_word(const spamlr_model *m, size_t id, spamlr_word *out);

/* The k words with the largest weights (direction > 0: most spammy first)
 * or the smallest (direction < 0: most hammy first) into out[0..k-1]; ties
 * are broken by token. Returns the number written (<= k). Words whose
 * weight has the wrong sign are not listed. */
SPAMLR_API size_t spamlr_model_top(const spamlr_model *m, int direction,
                                   spamlr_word *out, size_t k);

/* ------------------------------------------------------------- predicting */

/* Per-thread working memory for prediction, so that predicting one message
 * allocates nothing once the scratch has grown to the largest message seen.
 * Belongs to one thread at a time; usable with any model. */
typedef struct spamlr_scratch spamlr_scratch;

SPAMLR_API int spamlr_scratch_create(spamlr_scratch **out);
SPAMLR_API void spamlr_scratch_free(spamlr_scratch *s);

/* Spam probability of one message (len bytes of text, tokenised with the
 * model's settings). `score` (may be NULL) receives w.x + b, the log-odds.
 * Thread-safe on a shared model with one scratch per thread. */
SPAMLR_API int spamlr_predict(const spamlr_model *m, spamlr_scratch *s, const char *text,
                              size_t len, double *prob, double *score);

/* Probabilities of every row of ds (tokens are looked up by string, so the
 * dataset may have been read with any vocabulary; it should have used the
 * model's text options, see spamlr_model_info). probs and scores (log-odds
 * w.x + b) have one slot per row; either may be NULL. */
SPAMLR_API int spamlr_predict_dataset(const spamlr_model *m, const spamlr_dataset *ds,
                                      double *probs, double *scores);

/* ---------------------------------------------------------------- metrics */

typedef struct spamlr_metrics {
    size_t n, tp, fp, tn, fn;    /* positive = spam */
    double accuracy, precision, recall, f1, mcc;
    double auc;                  /* ROC AUC, ties counted one half */
    double one_minus_auc_pct;    /* (1 - AUC) * 100 */
    double ham_fpr;              /* fp / (fp + tn) */
    double spam_fnr;             /* fn / (fn + tp) */
    double log_loss;             /* mean, natural log, probs clipped to 1e-15 */
    double threshold;
} spamlr_metrics;

/* Metrics of probabilities against labels (SPAMLR_SPAM / SPAMLR_HAM; rows
 * with other labels are skipped) at `threshold` (spam when p >= threshold).
 * Ratios with a zero denominator are 0. Returns SPAMLR_EEMPTY without
 * labelled rows, SPAMLR_ENOMEM. Thread-safe. */
SPAMLR_API int spamlr_metrics_compute(spamlr_metrics *out, const int *labels,
                                      const double *probs, size_t n, double threshold);

#ifdef __cplusplus
}
#endif
#endif /* SPAMLR_H */
