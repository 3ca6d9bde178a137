/* model.h - the trained model: vocabulary, weights, settings, metadata. */
#ifndef SPAMLR_MODEL_H
#define SPAMLR_MODEL_H

#include <math.h>

#include "common/common.h"
#include "text/tokenize.h"
#include "text/vocab.h"

struct spamlr_model {
    spamlr_text_opts text;
    spamlr__vocab vocab;     /* token -> column; count unused */
    float *w;                /* one weight per vocabulary entry */
    float *idf;              /* per entry, only with SPAMLR_FEAT_TFIDF */
    float idf_new;           /* idf of a word met first while learning
                                online (0 = not worked out yet) */
    /* live idf (a tf-idf model made empty): per word, the learned
       messages that hold it; df_n messages in all; the idf values were
       last worked out from them at df_ref messages. NULL: idf frozen */
    uint32_t *df;
    uint64_t df_n, df_ref;
    int has_bias;
    float bias;
    /* training metadata */
    unsigned solver, class_weight, min_count, iterations;
    double c, tol, objective, grad_norm, threshold;
    double ham_cutoff, spam_cutoff; /* unsure zone [ham_cutoff, spam_cutoff)
                                       when ham_cutoff < spam_cutoff; else none */
    double l1, l2;           /* penalty weights (0 and 1 in old files) */
    uint64_t examples, spam, ham;
    int64_t trained_at;
    /* parameters made visible (explain, prune, dump) */
    unsigned weight_bits;    /* 32, or 16: weights lie on the grid q * wscale */
    unsigned layout;         /* the file's: SPAMLR_LAYOUT_PACKED or _MAPPED */
    int predict_only;        /* loaded with SPAMLR_LOAD_PREDICT: the learner's
                                sections were not read, so nothing may save,
                                dump or learn it (their state would be lost) */
    float wscale;            /* grid step for 16-bit weights */
    uint64_t pruned_from;    /* vocabulary size before the first pruning, 0 */
    /* transfer learning: the base model of spamlr_train_opts.prior
       ("base" payload section); base_name NULL = none */
    char *base_name;         /* its file name ("" when unknown) */
    uint32_t base_crc;       /* CRC-32 of its whole file (0 = unknown) */
    int64_t base_trained_at;
    /* the prior of online learning: the weights w0 the online step pulls
       towards (spamlr_train_opts.prior's mapped onto the vocabulary; for a
       store user, the base's): word j < prior_n has w0 = prior_w[j], the
       others 0; NULL = none ("prio" payload section) */
    float *prior_w;
    size_t prior_n;
    spamlr_contacts *contacts; /* the parser's contact list ("ctct"
                                payload section), NULL = none */
    char *file_name;         /* set by loading: the file's name, no directory */
    uint32_t file_crc;       /* set by loading: CRC-32 of the whole file */
    spamlr_path_point *path; /* the C path that chose c (NULL: c was given) */
    size_t path_n;
    unsigned path_folds;
    /* online learning (lib/online.c): the state that lets learning go on
     * across runs; saved in the optional "onln" payload section */
    size_t w_cap;            /* capacity of w/acc/acc_z (0 = vocab.n) */
    unsigned online;         /* SPAMLR_SOLVER_ADAGRAD/FTRL, 0 = no state */
    float *acc;              /* per weight: sum of squared gradients */
    float *acc_z;            /* per weight: FTRL z (NULL for AdaGrad) */
    double bias_acc, bias_z; /* the same for the bias */
    double eta, beta, on_l1, on_l2; /* online hyper-parameters */
    uint64_t updates;        /* online updates applied (learn - unlearn) */
    uint64_t last_hash;      /* row + label of the last step (0 = none) */
    double last_gz;          /* and its gradient factor, for exact unlearn */
    double margin;           /* learn a message only when y z < margin */
    /* rehearsal memory: a uniform sample (reservoir) of up to mem_max
     * messages of each class learned so far, as model ids and feature
     * values; spamlr_model_learn_batch replays it so that a batch of one
     * class does not erase what the other taught ("onmm" section) */
    unsigned mem_max;
    size_t mem_n[2], mem_cap[2]; /* rows held, [0] ham, [1] spam; room */
    uint64_t mem_seen[2];    /* messages offered to each reservoir */
    struct spamlr__memrow *mem[2];
    /* the record of learned messages (seen.c; "seen" payload section) */
    struct spamlr__seen {
        uint64_t *e;         /* ring, oldest at head: key | 1 for spam, 0 = hole */
        size_t cap, head, n; /* room, oldest slot, slots used (holes too) */
        size_t live;         /* entries that are not holes */
        uint32_t *ix;        /* hash index: ring slot + 1, 0 = empty */
        size_t ixn;          /* index size, a power of two (0 = none yet) */
        size_t max;          /* bound (0 = SPAMLR__SEEN_MAX; tests lower it) */
    } seen;
};

/* The record of learned messages (seen.c), as SpamAssassin's bayes_seen:
 * the keys of the last SPAMLR__SEEN_MAX messages learned, each with its
 * class, so that learning is idempotent and unlearning refuses what was
 * never learned. 8 bytes per message in the file (800 KB at the bound),
 * about 24 in memory. */
#define SPAMLR__SEEN_MAX 100000u
typedef struct spamlr__seen spamlr__seen;
/* A token's share of a message key: the key of a message is
 * spamlr__seen_key(sum of spamlr__seen_token over its token occurrences),
 * so it does not depend on the vocabulary, the order of the words or the
 * path (text or dataset) the message came by. */
uint64_t spamlr__seen_token(const char *tok, size_t len);
uint64_t spamlr__seen_key(uint64_t sum);
/* The class (0 ham, 1 spam) key was learned as, or -1. */
int spamlr__seen_find(const spamlr__seen *s, uint64_t key);
/* Records key as learned with class y01 (the newest entry; the oldest is
 * dropped at the bound). 0 or SPAMLR_ENOMEM (then unchanged). */
int spamlr__seen_put(spamlr__seen *s, uint64_t key, int y01);
/* Forgets key (no-op when absent). */
void spamlr__seen_del(spamlr__seen *s, uint64_t key);
/* The next entry (key | class) from ring position *j on, oldest first,
 * advancing *j; 0 at the end. Start with *j = 0. */
uint64_t spamlr__seen_at(const spamlr__seen *s, size_t *j);
/* dst (freed first) becomes a copy of src. 0 or SPAMLR_ENOMEM. */
int spamlr__seen_copy(spamlr__seen *dst, const spamlr__seen *src);
void spamlr__seen_free(spamlr__seen *s);

/* The thick threshold and memory size of an online state that does not
 * say (spamlr_online_opts_init's defaults). */
#define SPAMLR__DEFAULT_MARGIN 2.0
/* The largest online learning rate (AdaGrad eta, FTRL alpha) a setting or
 * a file may hold: far above any useful one (0.5 and 5 by default), low
 * enough that a step stays a float (a file's eta of 1e233 made every
 * weight NaN at the first step: fuzz_model, regress-learned-huge-eta). */
#define SPAMLR__ETA_MAX 1000.0
#define SPAMLR__DEFAULT_MEMORY 500u

/* One remembered message: k ids, then k values, in one allocation. */
typedef struct spamlr__memrow {
    uint32_t k;
    uint32_t *ids;
    float *val;
} spamlr__memrow;

/* Records m's base model (name NULL: none); the name is copied. Returns
 * 0 or SPAMLR_ENOMEM (m unchanged). */
int spamlr__model_set_base(spamlr_model *m, const char *name, uint32_t crc, int64_t trained_at);

/* Frees m's rehearsal memory (the rows and their arrays). */
void spamlr__model_mem_free(spamlr_model *m);

/* The largest message count a model records (2^62): learning adds one at
 * a time, so a count can never wrap around. */
#define SPAMLR__MAX_COUNT ((uint64_t)1 << 62)

/* Checks the training metadata a model file or a dump gives (the file
 * loader and import apply the same rules): a known solver and class
 * weighting; c, tol, objective and grad_norm finite and >= 0 (c 0 =
 * unknown); examples = spam + ham, each at most SPAMLR__MAX_COUNT; and,
 * with online state, its settings in range. NULL when all hold, else the
 * name of the first field that does not. */
const char *spamlr__model_meta_check(const spamlr_model *m);

/* Whether an idf value can be loaded: a trained one is at least 1 (below
 * 1e3 for 2^32 messages at power 4); 0 up to 1e9 is read (a dump edited
 * by hand), more could make a feature value overflow a float and a score
 * not a number. */
static inline int spamlr__idf_ok(float idf)
{
    return idf >= 0 && idf <= 1e9f;
}

/* An empty model with default settings, ready to be filled in. */
int spamlr__model_new(spamlr_model **out, const spamlr_text_opts *text);

/* Temporary files of a save are TARGET.tmp-HOST-PID-XXXXXX (save.c); the
 * host part is spamlr__temp_host's (out: SPAMLR__TEMP_HOST_MAX + 1 bytes). */
#define SPAMLR__TEMP_HOST_MAX 64
void spamlr__temp_host(char *out);

/* Id of token tok in m's vocabulary, adding it (weight 0, room made by
 * spamlr__model_reserve) when new; a new token of a tf-idf model gets idf
 * `idf`, or, when idf <= 0, that of a word one training message held.
 * 0 or an error. */
int spamlr__model_intern(spamlr_model *m, const char *tok, size_t len, float idf, uint32_t *id);

/* Replaces m's regularisation path by a copy of pt[0..n) (n = 0: none).
 * 0 or SPAMLR_ENOMEM (m unchanged). */
int spamlr__model_set_path(spamlr_model *m, const spamlr_path_point *pt, size_t n,
                           unsigned folds);

/* Makes room in w (and the online state, when present) for at least n
 * words; new slots from vocab.n up are zero. 0 or SPAMLR_ENOMEM. */
int spamlr__model_reserve(spamlr_model *m, size_t n);

/* Rounds the weights to the 16-bit grid of step `scale` (> 0), clamping
 * to +-32767 steps; stores the scale and sets weight_bits to 16. */
void spamlr__model_quantize(spamlr_model *m, float scale);

/* The integer grid index of weight w for step scale, clamped to
 * +-SPAMLR__Q16_MAX (the model file's 16-bit weights). */
#define SPAMLR__Q16_MAX 32767
static inline int32_t spamlr__quant16(float w, float scale)
{
    double q = nearbyint((double)w / (double)scale);

    if (!(q == q))
        return 0;
    if (q > SPAMLR__Q16_MAX)
        return SPAMLR__Q16_MAX;
    if (q < -SPAMLR__Q16_MAX)
        return -SPAMLR__Q16_MAX;
    return (int32_t)q;
}

/* The weight word i has in a saved file: a 16-bit model's on its grid. */
static inline float spamlr__saved_weight(const spamlr_model *m, size_t i)
{
    if (m->weight_bits == 16)
        return (float)spamlr__quant16(m->w[i], m->wscale) * m->wscale;
    return m->w[i];
}

/* The prior weight w0 of word j (0 without a prior, or beyond it). */
static inline float spamlr__prior_of(const spamlr_model *m, size_t j)
{
    return j < m->prior_n ? m->prior_w[j] : 0.0f;
}

/* FTRL with n = 0: the z that gives weight w when the penalties (those of
 * a penalised weight) centre on c, the inverse of FTRL's weight formula;
 * online learning's set-up (lib/learn/online.c) and a store user's
 * starting state (delta.c) both derive z so. */
static inline double spamlr__ftrl_z_of(const spamlr_model *m, double w, int penalised, double c)
{
    double l1 = penalised ? m->on_l1 : 0, l2 = penalised ? m->on_l2 : 0, a0 = m->beta / m->eta;

    if (c == 0 || (l1 == 0 && l2 == 0)) {
        if (w == 0)
            return 0;
        return -(w * (a0 + l2) + (w > 0 ? l1 : -l1));
    }
    if (w == c)
        return -a0 * c;
    return -((w - c) * (a0 + l2) + (w > c ? l1 : -l1)) - a0 * c;
}

/* The idf of a token held by df of n messages, raised to `power`
 * (spamlr_text_opts.idf_power; 0 = the default 2). */
static inline float spamlr__idf_of(size_t n, size_t df, unsigned power)
{
    double v = log((1.0 + (double)n) / (1.0 + (double)df)) + 1.0, r = v;

    for (power = spamlr__idf_power(power); power > 1; power--)
        r *= v;
    return (float)r;
}

/* The term factors 1 + logf(count) of the counts below SPAMLR__TF_TAB
 * (t[0] unused), made once for the process (model.c): a matrix of a
 * million entries asks for them a few hundred thousand times, and every
 * message predicted a few hundred. */
#define SPAMLR__TF_TAB 256
const float *spamlr__tf_tab(void);

/* Feature value of a token seen `count` times, before normalisation, with
 * t = spamlr__tf_tab() (1 + logf(1) is 1, and 1 * idf is idf). Inline:
 * it runs for each entry of a matrix. */
static inline float spamlr__feature_value(unsigned features, uint32_t count, float idf,
                                          const float *t)
{
    float tf = count < SPAMLR__TF_TAB ? t[count] : 1.0f + logf((float)count);

    switch (features) {
    case SPAMLR_FEAT_LOGTF: return tf;
    case SPAMLR_FEAT_TFIDF: return tf * idf;
    default: return 1.0f;
    }
}

/* Tokenises a message (as spamlr_predict does) into the scratch: *ids
 * gets the distinct model ids in ascending order, *cnt their counts, *k
 * their number, and *val room for k floats (all valid until the next use
 * of s). With `grow` (== m, not const) unknown tokens are interned into
 * grow's vocabulary; without it they are skipped. */
/* Working arrays for going through the rows of a dataset with a model:
 * map (dataset token id -> model id, for the caller to fill) and one row's
 * model ids, counts and values, with room for the dataset's longest row. */
typedef struct spamlr__rowbuf {
    int64_t *map;
    uint32_t *ids, *cnt;
    float *val;
    uint64_t *pair;     /* spamlr__rowbuf_sort's room: two rows of pairs */
} spamlr__rowbuf;

/* 0 or SPAMLR_ENOMEM (then rb holds nothing to free). */
int spamlr__rowbuf_init(spamlr__rowbuf *rb, const spamlr_dataset *ds);
void spamlr__rowbuf_free(spamlr__rowbuf *rb);

/* Puts the k model ids in rb->ids (distinct) in ascending order, each
 * count in rb->cnt (and, with_val, each value in rb->val) going with its
 * id: the order spamlr_predict and spamlr_model_learn take a message's
 * words in, so that a dataset's row (whose words go in the order the
 * dataset first met them) gets the same score to the bit, and is learned,
 * remembered and unlearned as the same row whichever way it came. */
void spamlr__rowbuf_sort(spamlr__rowbuf *rb, size_t k, int with_val);

int spamlr__scratch_row(const spamlr_model *m, spamlr_model *grow, spamlr_scratch *s,
                        const char *text, size_t len, uint32_t **ids, uint32_t **cnt,
                        float **val, size_t *k);
/* spamlr__scratch_row that also gives the message's record key
 * (spamlr__seen_key over every token occurrence, known or not). */
int spamlr__scratch_row_key(const spamlr_model *m, spamlr_model *grow, spamlr_scratch *s,
                            const char *text, size_t len, uint32_t **ids, uint32_t **cnt,
                            float **val, size_t *k, uint64_t *key);

/* Feature values of a row (ids/cnt as above) into val[0..n), normalised
 * as the model says. */
void spamlr__row_values(const spamlr_model *m, const uint32_t *ids, const uint32_t *cnt,
                        size_t n, float *val);

double spamlr__sigmoid(double z);

/* Scales v[0..n) to unit L2 norm (no-op for a zero vector). */
void spamlr__normalize(float *v, size_t n);

#endif
