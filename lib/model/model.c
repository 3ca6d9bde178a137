/* model.c - queries on a model and prediction. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "mail/contacts.h"
#include "mail/message.h"
#include "model/model.h"

struct spamlr_scratch {
    uint32_t *ids;
    size_t n, cap;
    float *val;
    size_t val_cap;
    const spamlr_model *m;
    spamlr_model *grow;      /* intern unknown tokens into this model */
    uint32_t *tmp;           /* radix-sort buffer */
    size_t tmp_cap;
    int err;
    size_t tokens, unknown;  /* token occurrences; those not in the vocabulary */
    spamlr_contribution *items; /* explain: every contribution, to sort */
    size_t items_cap;
    spamlr__buf text;       /* decoded text of an e-mail */
    spamlr__mime_state *mstate; /* the MIME parser's, kept between messages */
    int want_key;            /* sum spamlr__seen_token into key_sum */
    uint64_t key_sum;
};

int spamlr__model_new(spamlr_model **out, const spamlr_text_opts *text)
{
    spamlr_model *m = calloc(1, sizeof *m);

    *out = NULL;
    if (!m)
        return SPAMLR_ENOMEM;
    if (text) {
        m->text = *text;
        m->text.version = SPAMLR_OPTS_VERSION; /* as spamlr_dataset_create */
        m->text.idf_power = spamlr__idf_power(m->text.idf_power);
    } else
        spamlr_text_opts_init(&m->text);
    spamlr__vocab_init(&m->vocab);
    m->threshold = 0.5;
    m->min_count = 1;
    m->weight_bits = 32;
    m->l2 = 1.0;
    *out = m;
    return SPAMLR_OK;
}

static int finite_nonneg(double x)
{
    return x >= 0 && isfinite(x);
}

const char *spamlr__model_meta_check(const spamlr_model *m)
{
    switch (m->solver) {
    case SPAMLR_SOLVER_TRON: case SPAMLR_SOLVER_LBFGS: case SPAMLR_SOLVER_OWLQN:
    case SPAMLR_SOLVER_ADAGRAD: case SPAMLR_SOLVER_FTRL: case SPAMLR_SOLVER_AUTO:
        break;
    default:
        return "solver";
    }
    if (m->class_weight > SPAMLR_CW_MANUAL)
        return "class_weight";
    if (!finite_nonneg(m->c))
        return "c";
    if (!finite_nonneg(m->tol))
        return "tol";
    if (!finite_nonneg(m->objective))
        return "objective";
    if (!finite_nonneg(m->grad_norm))
        return "grad_norm";
    if (m->spam > SPAMLR__MAX_COUNT)
        return "spam";
    if (m->ham > SPAMLR__MAX_COUNT)
        return "ham";
    if (m->examples != m->spam + m->ham)
        return "examples";
    if (!finite_nonneg(m->l1))
        return "l1";
    if (!finite_nonneg(m->l2))
        return "l2";
    if (m->online) {
        if (m->online != SPAMLR_SOLVER_ADAGRAD && m->online != SPAMLR_SOLVER_FTRL)
            return "online";
        if (!(m->eta > 0) || !(m->eta <= SPAMLR__ETA_MAX))
            return "online_eta";
        if (!finite_nonneg(m->beta))
            return "online_beta";
        if (!finite_nonneg(m->on_l1))
            return "online_l1";
        if (!finite_nonneg(m->on_l2))
            return "online_l2";
        if (!finite_nonneg(m->bias_acc))
            return "online_bias_acc";
        if (!isfinite(m->bias_z))
            return "online_bias_z";
        if (!isfinite(m->last_gz))
            return "online_last_gz";
        if (!(m->margin >= 0)) /* INFINITY (learn every message) is valid */
            return "online_margin";
        if (m->updates > SPAMLR__MAX_COUNT)
            return "online_updates";
    }
    return NULL;
}

void spamlr_model_free(spamlr_model *m)
{
    if (!m)
        return;
    spamlr__vocab_free(&m->vocab);
    free(m->w);
    free(m->idf);
    free(m->acc);
    free(m->df);
    free(m->acc_z);
    free(m->path);
    free(m->base_name);
    free(m->prior_w);
    free(m->file_name);
    spamlr_contacts_free(m->contacts);
    spamlr__model_mem_free(m);
    spamlr__seen_free(&m->seen);
    free(m);
}

int spamlr_model_set_contacts(spamlr_model *m, const spamlr_contacts *c)
{
    spamlr_contacts *copy = NULL;
    int rc;

    if (!m)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__contacts_copy(&copy, c)))
        return rc;
    spamlr_contacts_free(m->contacts);
    m->contacts = copy;
    return SPAMLR_OK;
}

const spamlr_contacts *spamlr_model_contacts(const spamlr_model *m)
{
    return m ? m->contacts : NULL;
}

void spamlr__model_mem_free(spamlr_model *m)
{
    size_t c, i;

    for (c = 0; c < 2; c++) {
        for (i = 0; m->mem[c] && i < m->mem_n[c]; i++)
            free(m->mem[c][i].ids);
        free(m->mem[c]);
        m->mem[c] = NULL;
        m->mem_n[c] = m->mem_cap[c] = 0;
        m->mem_seen[c] = 0;
    }
}

/* Reallocates *p (elements of `size` bytes, `have` of them valid) to
 * room for cap (+ 1), zeroing from `have` on. */
static int resize(void **p, size_t have, size_t cap, size_t size)
{
    unsigned char *np = realloc(*p, (cap + 1) * size);

    if (!np)
        return SPAMLR_ENOMEM;
    memset(np + have * size, 0, (cap - have) * size);
    *p = np;
    return SPAMLR_OK;
}

int spamlr__model_reserve(spamlr_model *m, size_t n)
{
    size_t have = m->vocab.n, cap = m->w_cap > have ? m->w_cap : have;
    int rc;

    if (n <= cap && m->w_cap >= have)
        return SPAMLR_OK;
    if (n > cap) {
        size_t ncap = cap < 64 ? 64 : cap;
        while (ncap < n) {
            if (ncap > SIZE_MAX / 2 / sizeof(float))
                return SPAMLR_ENOMEM;
            ncap *= 2;
        }
        cap = ncap;
    }
    if ((rc = resize((void **)&m->w, have, cap, sizeof(float))) ||
        (m->acc && (rc = resize((void **)&m->acc, have, cap, sizeof(float)))) ||
        (m->acc_z && (rc = resize((void **)&m->acc_z, have, cap, sizeof(float)))) ||
        (m->idf && (rc = resize((void **)&m->idf, have, cap, sizeof(float)))) ||
        (m->df && (rc = resize((void **)&m->df, have, cap, sizeof *m->df))))
        return rc;
    m->w_cap = cap;
    return SPAMLR_OK;
}

int spamlr__model_intern(spamlr_model *m, const char *tok, size_t len, float idf, uint32_t *id)
{
    int added = 0, rc;

    if ((rc = spamlr__model_reserve(m, m->vocab.n + 1)) ||
        (rc = spamlr__vocab_intern(&m->vocab, tok, len, id, &added)))
        return rc;
    if (added && m->idf && m->df) {
        /* live: as a word that one message held when the idf values were
         * last worked out (1 before that: log-tf); the next refresh
         * counts it */
        m->df[*id] = 0;
        m->idf[*id] = m->df_ref ? spamlr__idf_of((size_t)m->df_ref, 1, m->text.idf_power) : 1.0f;
    } else if (added && m->idf) {
        if (!(idf > 0)) {
            /* a word no training message held: the idf of one that a single
             * message held, the largest (1 in a model without any) */
            size_t i;
            if (!(m->idf_new > 0))
                for (m->idf_new = 1.0f, i = 0; i + 1 < m->vocab.n; i++)
                    if (m->idf[i] > m->idf_new)
                        m->idf_new = m->idf[i];
            idf = m->idf_new;
        }
        m->idf[*id] = idf;
    }
    return SPAMLR_OK;
}

int spamlr__model_set_path(spamlr_model *m, const spamlr_path_point *pt, size_t n,
                           unsigned folds)
{
    spamlr_path_point *p = NULL;

    if (n && !(p = malloc(n * sizeof *p)))
        return SPAMLR_ENOMEM;
    if (n)
        memcpy(p, pt, n * sizeof *p);
    free(m->path);
    m->path = p;
    m->path_n = n;
    m->path_folds = n ? folds : 0;
    return SPAMLR_OK;
}

int spamlr__model_set_base(spamlr_model *m, const char *name, uint32_t crc, int64_t trained_at)
{
    char *n = NULL;

    if (name) {
        size_t len = strlen(name);

        if (!(n = malloc(len + 1)))
            return SPAMLR_ENOMEM;
        memcpy(n, name, len + 1);
    }
    free(m->base_name);
    m->base_name = n;
    m->base_crc = name ? crc : 0;
    m->base_trained_at = name ? trained_at : 0;
    return SPAMLR_OK;
}

int spamlr_model_base(const spamlr_model *m, spamlr_model_base_info *b)
{
    if (b)
        memset(b, 0, sizeof *b);
    if (!m || !m->base_name)
        return 0;
    if (b) {
        b->name = m->base_name;
        b->crc = m->base_crc;
        b->trained_at = m->base_trained_at;
    }
    return 1;
}

uint32_t spamlr_model_file_crc(const spamlr_model *m)
{
    return m ? m->file_crc : 0;
}

size_t spamlr_model_path(const spamlr_model *m, const spamlr_path_point **points,
                         unsigned *folds)
{
    if (points)
        *points = m ? m->path : NULL;
    if (folds)
        *folds = m ? m->path_folds : 0;
    return m ? m->path_n : 0;
}

void spamlr__normalize(float *v, size_t n)
{
    double s = 0;
    size_t i;

    for (i = 0; i < n; i++)
        s += (double)v[i] * v[i];
    if (s > 0) {
        double kd = 1.0 / sqrt(s);
        float k = (float)kd;

        if (isfinite(k)) {
            for (i = 0; i < n; i++)
                v[i] *= k;
        } else { /* values so small (a tiny idf) that 1/|v| is no float */
            for (i = 0; i < n; i++)
                v[i] = (float)((double)v[i] * kd);
        }
    }
}

int spamlr_model_info_get(const spamlr_model *m, spamlr_model_info *out)
{
    spamlr_model_info all, *info = &all;
    size_t i, nz = 0;

    if (!m || !out || out->size < SPAMLR__INFO_SIZE1)
        return SPAMLR_EINVAL;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    for (i = 0; i < m->vocab.n; i++)
        nz += m->w[i] != 0.0f;
    info->parameters = m->vocab.n;
    info->nonzero = nz;
    info->has_bias = m->has_bias;
    info->bias = m->has_bias ? m->bias : 0.0;
    info->memory_bytes = sizeof *m + spamlr__vocab_bytes(&m->vocab) +
                         m->vocab.n * sizeof *m->w + (m->idf ? m->vocab.n * sizeof *m->idf : 0) +
                         m->path_n * sizeof *m->path;
    info->solver = m->solver;
    info->c = m->c;
    info->tol = m->tol;
    info->objective = m->objective;
    info->grad_norm = m->grad_norm;
    info->iterations = m->iterations;
    info->examples = (size_t)m->examples;
    info->spam = (size_t)m->spam;
    info->ham = (size_t)m->ham;
    info->trained_at = m->trained_at;
    info->threshold = m->threshold;
    info->text = m->text;
    info->min_count = m->min_count;
    info->class_weight = m->class_weight;
    info->weight_bits = m->weight_bits;
    info->pruned_from = (size_t)m->pruned_from;
    info->l1 = m->l1;
    info->l2 = m->l2;
    info->layout = m->layout;
    info->idf_learned = m->df && m->idf;
    if (m->online && m->acc) {
        info->memory = m->mem_max;
        for (i = 0; i < 2; i++) {
            info->remembered[i] = m->mem_n[i];
            info->memory_offered[i] = m->mem_seen[i];
        }
    }
    spamlr__out_copy(out, info, sizeof *info);
    return SPAMLR_OK;
}

int spamlr_model_set_layout(spamlr_model *m, unsigned layout)
{
    if (!m || (layout != SPAMLR_LAYOUT_PACKED && layout != SPAMLR_LAYOUT_MAPPED))
        return SPAMLR_EINVAL;
    m->layout = layout;
    return SPAMLR_OK;
}

int spamlr_model_set_threshold(spamlr_model *m, double t)
{
    if (!m || !(t >= 0 && t <= 1))
        return SPAMLR_EINVAL;
    m->threshold = t;
    return SPAMLR_OK;
}

double spamlr_model_threshold(const spamlr_model *m)
{
    return m ? m->threshold : NAN;
}

int spamlr_model_set_unsure(spamlr_model *m, double ham_cutoff, double spam_cutoff)
{
    if (!m || !(ham_cutoff >= 0 && ham_cutoff <= spam_cutoff && spam_cutoff <= 1))
        return SPAMLR_EINVAL;
    m->ham_cutoff = ham_cutoff;
    m->spam_cutoff = spam_cutoff;
    return SPAMLR_OK;
}

int spamlr_model_unsure(const spamlr_model *m, double *ham_cutoff, double *spam_cutoff)
{
    int zone = m->ham_cutoff < m->spam_cutoff;

    *ham_cutoff = zone ? m->ham_cutoff : m->threshold;
    *spam_cutoff = zone ? m->spam_cutoff : m->threshold;
    return zone;
}

/* ------------------------------------------------------------ predicting */

int spamlr_scratch_create(spamlr_scratch **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? SPAMLR_OK : SPAMLR_ENOMEM;
}

void spamlr_scratch_free(spamlr_scratch *s)
{
    if (!s)
        return;
    free(s->ids);
    free(s->tmp);
    free(s->val);
    free(s->items);
    spamlr__buf_free(&s->text);
    spamlr__mime_state_free(s->mstate);
    free(s);
}

static int scratch_token(void *ctx, const char *tok, size_t len)
{
    spamlr_scratch *s = ctx;
    int64_t id;

    s->tokens++;
    if (s->want_key)
        s->key_sum += spamlr__seen_token(tok, len);
    if (s->grow) {
        uint32_t nid;
        int rc = spamlr__model_intern(s->grow, tok, len, 0, &nid);
        if (rc) {
            s->err = rc;
            return 1;
        }
        id = nid;
    } else if ((id = spamlr__vocab_find(&s->m->vocab, tok, len)) < 0) {
        s->unknown++;
        return 0;
    }
    if (s->n == s->cap && spamlr__grow((void **)&s->ids, &s->cap, s->n + 1, sizeof *s->ids)) {
        s->err = SPAMLR_ENOMEM;
        return 1;
    }
    s->ids[s->n++] = (uint32_t)id;
    return 0;
}

/* Sorts ids[0..n) without allocating once the scratch is warm (glibc's
 * qsort may malloc a merge buffer, which the hot path must not): insertion
 * sort for short rows, else an LSD radix sort by bytes through s->tmp,
 * skipping the bytes in which all ids agree. 0 or SPAMLR_ENOMEM. */
static int sort_ids(spamlr_scratch *s, uint32_t *a, size_t n)
{
    size_t i, cnt[256];
    uint32_t *src = a, *dst, *t, all_or = 0, all_and = UINT32_MAX;
    unsigned shift;

    if (n <= 64) {
        for (i = 1; i < n; i++) {
            uint32_t v = a[i];
            size_t j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return SPAMLR_OK;
    }
    if (n > s->tmp_cap && spamlr__grow((void **)&s->tmp, &s->tmp_cap, n, sizeof *s->tmp))
        return SPAMLR_ENOMEM;
    dst = s->tmp;
    for (i = 0; i < n; i++) {
        all_or |= a[i];
        all_and &= a[i];
    }
    for (shift = 0; shift < 32; shift += 8) {
        size_t sum = 0;
        if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
            continue; /* every id has the same byte here */
        memset(cnt, 0, sizeof cnt);
        for (i = 0; i < n; i++)
            cnt[(src[i] >> shift) & 0xff]++;
        for (i = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 0xff]++] = src[i];
        t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    return SPAMLR_OK;
}

double spamlr__sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

static float tf_tab[SPAMLR__TF_TAB];
static pthread_once_t tf_once = PTHREAD_ONCE_INIT;

static void tf_fill(void)
{
    unsigned c;

    for (c = 1; c < SPAMLR__TF_TAB; c++)
        tf_tab[c] = 1.0f + logf((float)c);
}

const float *spamlr__tf_tab(void)
{
    (void)pthread_once(&tf_once, tf_fill);
    return tf_tab;
}

void spamlr__row_values(const spamlr_model *m, const uint32_t *ids, const uint32_t *cnt,
                        size_t n, float *val)
{
    const float *t = spamlr__tf_tab();
    size_t i;

    for (i = 0; i < n; i++)
        val[i] = spamlr__feature_value(m->text.features, cnt[i], m->idf ? m->idf[ids[i]] : 1.0f,
                                       t);
    if (m->text.normalize)
        spamlr__normalize(val, n);
}

/* Score of one row given distinct model ids and their counts; val is
 * scratch of at least n floats. */
static double row_score(const spamlr_model *m, const uint32_t *ids, const uint32_t *cnt,
                        size_t n, float *val)
{
    double z = 0;
    size_t i;

    spamlr__row_values(m, ids, cnt, n, val);
    for (i = 0; i < n; i++)
        z += (double)val[i] * m->w[ids[i]];
    return z + (m->has_bias ? m->bias : 0.0);
}

/* Score of one row of explicit values (libsvm rows). */
static double value_score(const spamlr_model *m, const uint32_t *ids, const float *val,
                          size_t n)
{
    double z = 0;
    size_t i;

    for (i = 0; i < n; i++)
        z += (double)val[i] * m->w[ids[i]];
    return z + (m->has_bias ? m->bias : 0.0);
}


int spamlr__scratch_row(const spamlr_model *m, spamlr_model *grow, spamlr_scratch *s,
                        const char *text, size_t len, uint32_t **ids, uint32_t **cnt,
                        float **val, size_t *k)
{
    size_t i, j;
    uint32_t *c;
    int rc;

    s->m = m;
    s->grow = grow;
    s->n = 0;
    s->err = 0;
    s->tokens = s->unknown = 0;
    if ((rc = spamlr__message_tokens(&s->mstate, &m->text, m->contacts, m->text.mime != 0, text, len,
                                     &s->text, scratch_token, s, &s->err)))
        return rc;
    if (s->err)
        return s->err;
    if (sort_ids(s, s->ids, s->n))
        return SPAMLR_ENOMEM;
    /* run-length encode in place: ids[j] distinct, counts after them in val */
    if (2 * s->n > s->val_cap &&
        spamlr__grow((void **)&s->val, &s->val_cap, 2 * s->n, sizeof *s->val))
        return SPAMLR_ENOMEM;
    /* a fresh scratch has no array yet when no word was known */
    c = s->n ? (uint32_t *)(void *)(s->val + s->n) : NULL;
    for (i = 0, j = 0; i < s->n; i++) {
        if (j && s->ids[j - 1] == s->ids[i]) {
            c[j - 1]++;
        } else {
            s->ids[j] = s->ids[i];
            c[j++] = 1;
        }
    }
    *ids = s->ids;
    *cnt = c;
    *val = s->val;
    *k = j;
    return SPAMLR_OK;
}

int spamlr__scratch_row_key(const spamlr_model *m, spamlr_model *grow, spamlr_scratch *s,
                            const char *text, size_t len, uint32_t **ids, uint32_t **cnt,
                            float **val, size_t *k, uint64_t *key)
{
    int rc;

    s->want_key = 1;
    s->key_sum = 0;
    rc = spamlr__scratch_row(m, grow, s, text, len, ids, cnt, val, k);
    s->want_key = 0;
    *key = spamlr__seen_key(s->key_sum);
    return rc;
}

/* The prediction path, shared by spamlr_predict and spamlr_explain: the
 * message's k distinct model ids (ascending) in s->ids, their counts in
 * *cnt_out and their feature values (normalised) in s->val, and the score
 * w.x + b in *z. */
static int score_message(const spamlr_model *m, spamlr_scratch *s, const char *text,
                         size_t len, size_t *nk, uint32_t **cnt_out, double *z)
{
    uint32_t *ids;
    float *val;
    int rc;

    if (!m || !s || (!text && len))
        return SPAMLR_EINVAL;
    if ((rc = spamlr__scratch_row(m, NULL, s, text, len, &ids, cnt_out, &val, nk)))
        return rc;
    *z = row_score(m, ids, *cnt_out, *nk, val);
    return SPAMLR_OK;
}

int spamlr_predict(const spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                   double *prob, double *score)
{
    uint32_t *cnt;
    size_t k;
    double z;
    int rc;

    if ((rc = score_message(m, s, text, len, &k, &cnt, &z)))
        return rc;
    if (prob)
        *prob = spamlr__sigmoid(z);
    if (score)
        *score = z;
    return SPAMLR_OK;
}

int spamlr_predict_label(const spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                         int *label, double *prob)
{
    double p;
    int rc;

    if ((rc = spamlr_predict(m, s, text, len, &p, NULL)))
        return rc;
    if (label)
        *label = p >= m->threshold ? SPAMLR_SPAM : SPAMLR_HAM;
    if (prob)
        *prob = p;
    return SPAMLR_OK;
}

/* |contribution| descending, then token ascending (bytewise) */
static int cmp_contribution(const void *pa, const void *pb)
{
    const spamlr_contribution *a = pa, *b = pb;
    double x = fabs(a->contribution), y = fabs(b->contribution);

    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->token, b->token);
}

int spamlr_explain(const spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                   spamlr_explanation *res, spamlr_contribution *items, size_t cap)
{
    spamlr_explanation all, *out = &all;
    uint32_t *cnt;
    size_t i, k;
    double z;
    int rc;

    if (!res || res->size < SPAMLR__EXPLANATION_SIZE1 || (!items && cap))
        return SPAMLR_EINVAL;
    memset(out, 0, sizeof *out);
    out->size = sizeof *out;
    spamlr__out_copy(res, out, sizeof *out);
    if ((rc = score_message(m, s, text, len, &k, &cnt, &z)))
        return rc;
    if (k > s->items_cap &&
        spamlr__grow((void **)&s->items, &s->items_cap, k, sizeof *s->items))
        return SPAMLR_ENOMEM;
    for (i = 0; i < k; i++) {
        spamlr_contribution *c = &s->items[i];
        c->token = spamlr__vocab_str(&m->vocab, s->ids[i]);
        c->count = cnt[i];
        c->value = s->val[i];
        c->weight = m->w[s->ids[i]];
        c->contribution = (double)s->val[i] * m->w[s->ids[i]]; /* as row_score */
    }
    if (k > 1)
        qsort(s->items, k, sizeof *s->items, cmp_contribution);
    out->score = z;
    out->prob = spamlr__sigmoid(z);
    out->bias = m->has_bias ? m->bias : 0.0;
    out->tokens = s->tokens;
    out->unknown = s->unknown;
    out->known = s->tokens - s->unknown;
    out->total = k;
    out->n = k < cap ? k : cap;
    if (out->n)
        memcpy(items, s->items, out->n * sizeof *items);
    spamlr__out_copy(res, out, sizeof *out);
    return SPAMLR_OK;
}

int spamlr__rowbuf_init(spamlr__rowbuf *rb, const spamlr_dataset *ds)
{
    size_t i, maxrow = 0;

    for (i = 0; i < ds->rows; i++)
        if (ds->ptr[i + 1] - ds->ptr[i] > maxrow)
            maxrow = ds->ptr[i + 1] - ds->ptr[i];
    rb->map = malloc((ds->vocab.n + 1) * sizeof *rb->map);
    rb->ids = malloc((maxrow + 1) * sizeof *rb->ids);
    rb->cnt = malloc((maxrow + 1) * sizeof *rb->cnt);
    rb->val = malloc((maxrow + 1) * sizeof *rb->val);
    rb->pair = malloc(2 * (maxrow + 1) * sizeof *rb->pair);
    if (rb->map && rb->ids && rb->cnt && rb->val && rb->pair)
        return SPAMLR_OK;
    spamlr__rowbuf_free(rb);
    return SPAMLR_ENOMEM;
}

void spamlr__rowbuf_free(spamlr__rowbuf *rb)
{
    free(rb->map);
    free(rb->ids);
    free(rb->cnt);
    free(rb->val);
    free(rb->pair);
    memset(rb, 0, sizeof *rb);
}

void spamlr__rowbuf_sort(spamlr__rowbuf *rb, size_t k, int with_val)
{
    uint64_t *key, *room;
    uint32_t *c;
    float *v;
    size_t i;

    for (i = 1; i < k && rb->ids[i - 1] < rb->ids[i]; i++)
        ;
    if (i >= k)
        return; /* in order already (a model's own rows, a kept dataset's) */
    for (i = 0; i < k; i++) /* the id on top, the entry's place below */
        rb->pair[i] = (uint64_t)rb->ids[i] << 32 | i;
    key = spamlr__sort_keys(rb->pair, rb->pair + k, k);
    /* the counts (and values) follow their ids, through the other half */
    room = key == rb->pair ? rb->pair + k : rb->pair;
    c = (uint32_t *)(void *)room;
    v = (float *)(void *)(c + k);
    memcpy(c, rb->cnt, k * sizeof *c);
    if (with_val)
        memcpy(v, rb->val, k * sizeof *v);
    for (i = 0; i < k; i++) {
        uint32_t at = (uint32_t)key[i];

        rb->ids[i] = (uint32_t)(key[i] >> 32);
        rb->cnt[i] = c[at];
        if (with_val)
            rb->val[i] = v[at];
    }
}

int spamlr_dataset_keep_model_words(spamlr_dataset *ds, const spamlr_model *m)
{
    int rc;

    if (!ds || !m || ds->rows || ds->vocab.n || ds->val || ds->closed ||
        !spamlr__text_opts_equal(&m->text, &ds->opts))
        return SPAMLR_EINVAL;
    if ((rc = spamlr__vocab_share(&ds->vocab, &m->vocab)) ||
        (rc = spamlr__dataset_close(ds, NULL))) {
        spamlr__vocab_free(&ds->vocab);
        spamlr__vocab_init(&ds->vocab);
        return rc;
    }
    return SPAMLR_OK;
}

/* Whether ds's words are m's, id for id: a dataset kept to m's words
 * (spamlr_dataset_keep_model_words), m unchanged since but for words
 * added after them; checked word by word, whatever model ds was kept to. */
static int same_words(const spamlr_model *m, const spamlr_dataset *ds)
{
    size_t i;

    if (!ds->closed || ds->vocab.n > m->vocab.n)
        return 0;
    if (ds->vocab.off == m->vocab.off && ds->vocab.chars == m->vocab.chars)
        return 1; /* the same words where they are: shared, unchanged since */
    for (i = 0; i < ds->vocab.n; i++)
        if (ds->vocab.len[i] != m->vocab.len[i] ||
            memcmp(spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                   spamlr__vocab_str(&m->vocab, (uint32_t)i), ds->vocab.len[i]) != 0)
            return 0;
    return 1;
}

int spamlr_predict_dataset(const spamlr_model *m, const spamlr_dataset *ds, double *probs,
                           double *scores)
{
    int same;
    spamlr__rowbuf rb;
    int64_t *map;
    uint32_t *ids, *cnt;
    float *val;
    size_t i, j;

    if (!m || !ds)
        return SPAMLR_EINVAL;
    if (spamlr__rowbuf_init(&rb, ds))
        return SPAMLR_ENOMEM;
    map = rb.map, ids = rb.ids, cnt = rb.cnt, val = rb.val;
    /* the dataset's ids are the model's (kept to its words, the common
     * case): no map, whose vocabulary-sized array is most of predicting
     * one message */
    same = same_words(m, ds);
    for (i = 0; !same && i < ds->vocab.n; i++)
        map[i] = spamlr__vocab_find(&m->vocab, spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                                    ds->vocab.len[i]);
    for (i = 0; i < ds->rows; i++) {
        size_t k = 0;
        for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++) {
            if (!same && map[ds->ids[j]] < 0)
                continue;
            ids[k] = same ? ds->ids[j] : (uint32_t)map[ds->ids[j]];
            if (ds->val) /* explicit values (libsvm rows): as they are */
                val[k] = ds->val[j];
            cnt[k++] = ds->cnt ? ds->cnt[j] : 1;
        }
        if (!ds->val)
            spamlr__rowbuf_sort(&rb, k, 0);
        double z = ds->val ? value_score(m, ids, val, k) : row_score(m, ids, cnt, k, val);
        if (probs)
            probs[i] = spamlr__sigmoid(z);
        if (scores)
            scores[i] = z;
    }
    spamlr__rowbuf_free(&rb);
    return SPAMLR_OK;
}
