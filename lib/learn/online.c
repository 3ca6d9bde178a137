/* online.c - learning one message at a time.
 *
 * Loss per message: s * log(1 + exp(-y (w.x + b))), y = +1 spam / -1 ham,
 * s the example weight; its gradient in w_j is s (p - t) x_j with p the
 * predicted spam probability and t = 1 for spam, 0 for ham.
 *
 * AdaGrad (the default): G_j += g_j^2; w_j -= eta g_j / sqrt(G_j).
 * FTRL-Proximal (McMahan et al., "Ad click prediction", KDD 2013), per
 * coordinate: sigma = (sqrt(n_j + g^2) - sqrt(n_j)) / alpha,
 * z_j += g - sigma w_j, n_j += g^2, and
 *   w_j = 0                                            if |z_j| <= l1
 *   w_j = -(z_j - sgn(z_j) l1) / ((beta + sqrt(n_j)) / alpha + l2)  else.
 * Only the words of the message are touched, so a step costs O(words).
 * The bias is a word with x = 1 that is never penalised.
 *
 * Why AdaGrad by default: one accumulator per word, one setting, no decay
 * schedule to tune for a stream that never ends, and its step can be
 * negated for unlearning with the same per-word scale. FTRL keeps two
 * numbers per word but can hold unhelpful rare words at exactly 0 (l1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/dataset.h"
#include "learn/online.h"
#include "text/tokenize.h"

/* Default learning rates: (1-AUC)% of the TREC-style online run on the
 * SpamAssassin corpus (README) was lowest near these values. */
#define DEFAULT_ETA_ADAGRAD 0.5
#define DEFAULT_ETA_FTRL 5.0

void spamlr_online_opts_init(spamlr_online_opts *o)
{
    memset(o, 0, sizeof *o);
    o->version = SPAMLR_OPTS_VERSION;
    o->solver = SPAMLR_SOLVER_ADAGRAD;
    o->eta = 0; /* the solver's default, see DEFAULT_ETA */
    o->beta = 1.0;
    o->l1 = 0;
    o->l2 = 0;
}

int spamlr__text_opts_equal(const spamlr_text_opts *a, const spamlr_text_opts *b)
{
    return a->ngrams == b->ngrams && a->max_token_len == b->max_token_len &&
           a->number_fold == b->number_fold && a->cjk_bigrams == b->cjk_bigrams &&
           a->features == b->features && a->normalize == b->normalize && a->mime == b->mime &&
           a->header_fields == b->header_fields && a->fold == b->fold &&
           a->subwords == b->subwords;
}

/* FTRL: the weight that (z, n) stand for. */
static float ftrl_weight(const spamlr_model *m, double z, double n, int penalised)
{
    double l1 = penalised ? m->on_l1 : 0, l2 = penalised ? m->on_l2 : 0;

    if (fabs(z) <= l1)
        return 0.0f;
    return (float)(-(z - (z > 0 ? l1 : -l1)) / ((m->beta + sqrt(n)) / m->eta + l2));
}

/* FTRL with n = 0: the z that gives weight w (inverse of ftrl_weight). */
static double ftrl_z_of(const spamlr_model *m, double w, int penalised)
{
    double l1 = penalised ? m->on_l1 : 0, l2 = penalised ? m->on_l2 : 0;

    if (w == 0)
        return 0;
    return -(w * (m->beta / m->eta + l2) + (w > 0 ? l1 : -l1));
}

static int check_online_opts(const spamlr_online_opts *o)
{
    if (o->version != SPAMLR_OPTS_VERSION || !spamlr__is_online(o->solver))
        return SPAMLR_EINVAL;
    if (!(o->eta >= 0) || !isfinite(o->eta) || !(o->beta >= 0) || !isfinite(o->beta) ||
        !(o->l1 >= 0) || !isfinite(o->l1) || !(o->l2 >= 0) || !isfinite(o->l2))
        return SPAMLR_EINVAL;
    return SPAMLR_OK;
}

int spamlr_model_online_setup(spamlr_model *m, const spamlr_online_opts *o)
{
    spamlr_online_opts def;
    size_t i, cap;
    int rc;

    if (!m)
        return SPAMLR_EINVAL;
    if (!o) {
        spamlr_online_opts_init(&def);
        o = &def;
    }
    if ((rc = check_online_opts(o)))
        return rc;
    /* tf-idf learns with the idf of the batch training frozen (a model
     * made empty has all idf 1: log-tf, since rows are unit length) */
    if (m->text.features == SPAMLR_FEAT_TFIDF && !m->idf) {
        if (m->vocab.n)
            return SPAMLR_EUNSUPPORTED; /* weights without their idf */
        if (!(m->idf = calloc(1, sizeof *m->idf)))
            return SPAMLR_ENOMEM;
    }
    if ((rc = spamlr__model_reserve(m, m->vocab.n)))
        return rc;
    cap = m->w_cap;
    free(m->acc);
    free(m->acc_z);
    m->acc = m->acc_z = NULL;
    if (!(m->acc = calloc(cap + 1, sizeof *m->acc)))
        return SPAMLR_ENOMEM;
    if (o->solver == SPAMLR_SOLVER_FTRL && !(m->acc_z = calloc(cap + 1, sizeof *m->acc_z)))
        return SPAMLR_ENOMEM;
    m->online = o->solver;
    m->eta = o->eta > 0 ? o->eta
                        : o->solver == SPAMLR_SOLVER_FTRL ? DEFAULT_ETA_FTRL : DEFAULT_ETA_ADAGRAD;
    m->beta = o->beta;
    m->on_l1 = o->l1;
    m->on_l2 = o->l2;
    m->bias_acc = 0;
    m->bias_z = 0;
    if (m->acc_z) {
        for (i = 0; i < m->vocab.n; i++)
            m->acc_z[i] = (float)ftrl_z_of(m, m->w[i], 1);
        m->bias_z = ftrl_z_of(m, m->bias, 0);
    }
    return SPAMLR_OK;
}

int spamlr_model_create(spamlr_model **out, const spamlr_text_opts *o)
{
    spamlr_model *m = NULL;
    int rc;

    if (!out)
        return SPAMLR_EINVAL;
    *out = NULL;
    if (o && spamlr__text_opts_check(o) != SPAMLR_OK)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__model_new(&m, o)))
        return rc;
    m->has_bias = 1;
    m->c = 1;
    m->solver = SPAMLR_SOLVER_ADAGRAD;
    m->trained_at = (int64_t)time(NULL);
    if ((rc = spamlr_model_online_setup(m, NULL))) {
        spamlr_model_free(m);
        return rc;
    }
    *out = m;
    return SPAMLR_OK;
}

/* One coordinate of a learning step: gradient g on weight *w with state
 * *acc (and *z for FTRL). */
static void coord_step(const spamlr_model *m, float *w, float *acc, float *z, double g,
                       int penalised)
{
    double n = *acc;

    if (g == 0)
        return;
    if (m->online == SPAMLR_SOLVER_FTRL) {
        double n2 = n + g * g, sigma = (sqrt(n2) - sqrt(n)) / m->eta;
        *z = (float)(*z + g - sigma * *w);
        *acc = (float)n2;
        *w = ftrl_weight(m, *z, n2, penalised);
        return;
    }
    n += g * g;
    *w = (float)(*w - m->eta * g / sqrt(n));
    *acc = (float)n;
}

/* The inverse of coord_step for a given g: the state (*w, *acc, *z) from
 * which a step with gradient g leads to the current one. */
static void coord_back(const spamlr_model *m, double g, int penalised, double *w,
                       double *acc, double *z)
{
    double n1 = *acc, n0 = n1 > g * g ? n1 - g * g : 0;

    if (g == 0)
        return;
    if (m->online == SPAMLR_SOLVER_FTRL) {
        double l1 = penalised ? m->on_l1 : 0, l2 = penalised ? m->on_l2 : 0;
        double sigma = (sqrt(n1) - sqrt(n0)) / m->eta, a = *z - g, w0 = 0;
        if (fabs(a) > l1)
            w0 = -(a - (a > 0 ? l1 : -l1)) / ((m->beta + sqrt(n1)) / m->eta + l2);
        *z = a + sigma * w0;
        *w = w0;
        *acc = n0;
        return;
    }
    if (n1 > 0)
        *w += m->eta * g / sqrt(n1);
    *acc = n0;
}

/* Score the row had before a step whose gradient factor was gz. */
static double score_before(const spamlr_model *m, const uint32_t *ids, const float *val,
                           size_t k, double gz)
{
    double z = 0, w, acc, zz;
    size_t i;

    for (i = 0; i < k; i++) {
        uint32_t j = ids[i];
        w = m->w[j];
        acc = m->acc[j];
        zz = m->acc_z ? m->acc_z[j] : 0;
        coord_back(m, gz * val[i], 1, &w, &acc, &zz);
        z += w * val[i];
    }
    if (m->has_bias) {
        w = m->bias;
        acc = m->bias_acc;
        zz = m->bias_z;
        coord_back(m, gz, 0, &w, &acc, &zz);
        z += w;
    }
    return z;
}

#define SCAN 32

/* A hash of a row and its label (FNV-1a over ids and value bits); never 0. */
static uint64_t row_hash(const uint32_t *ids, const float *val, size_t k, int y01, double s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    uint32_t v;

    for (i = 0; i < k; i++) {
        memcpy(&v, &val[i], 4);
        h = (h ^ ids[i]) * 0x100000001b3ull;
        h = (h ^ v) * 0x100000001b3ull;
    }
    h = (h ^ (uint64_t)y01) * 0x100000001b3ull;
    h = (h ^ (uint64_t)(s * 1024)) * 0x100000001b3ull;
    return h ? h : 1;
}

/* Unlearning: finds the gradient factor gz = s (sigmoid(score before) - t)
 * that is consistent with the current state having been reached by a step
 * on this row (bisection: it lies in [-s, 0] for spam, [0, s] for ham),
 * and restores the state before that step. */
static void row_unstep(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                       int y01, double s)
{
    double lo = y01 ? -s : 0, hi = y01 ? 0 : s, gz, w, acc, zz;
    double step = (hi - lo) / SCAN, a, fa, best = -1, bestf = 0, now = 0;
    uint64_t h = row_hash(ids, val, k, y01, s);
    size_t i;
    int it;

    if (h == m->last_hash) { /* the last step: its gradient is known */
        gz = m->last_gz;
        goto apply;
    }
    /* f(gz) = s (sigmoid(score before) - t) - gz can have several roots
     * when the step size is large; scan for every sign change, refine each
     * by bisection, and keep the root closest to the gradient factor the
     * row has now */
    for (i = 0; i < k; i++)
        now += (double)val[i] * m->w[ids[i]];
    now = s * (spamlr__sigmoid(now + (m->has_bias ? m->bias : 0)) - y01);
    a = lo;
    fa = s * (spamlr__sigmoid(score_before(m, ids, val, k, a)) - y01) - a;
    for (i = 1; i <= SCAN; i++) {
        double b = i == SCAN ? hi : lo + step * (double)i;
        double fb = s * (spamlr__sigmoid(score_before(m, ids, val, k, b)) - y01) - b;
        if ((fa > 0) != (fb > 0) || fa == 0) {
            double l = a, r = b, fl = fa;
            for (it = 0; it < 60; it++) {
                double mid = 0.5 * (l + r);
                double f = s * (spamlr__sigmoid(score_before(m, ids, val, k, mid)) - y01) - mid;
                if ((f > 0) == (fl > 0)) {
                    l = mid;
                    fl = f;
                } else {
                    r = mid;
                }
            }
            if (best < 0 || fabs(0.5 * (l + r) - now) < best) {
                best = fabs(0.5 * (l + r) - now);
                bestf = 0.5 * (l + r);
            }
        }
        a = b;
        fa = fb;
    }
    gz = best >= 0 ? bestf : 0;
apply:
    m->last_hash = 0;
    for (i = 0; i < k; i++) {
        uint32_t j = ids[i];
        w = m->w[j];
        acc = m->acc[j];
        zz = m->acc_z ? m->acc_z[j] : 0;
        coord_back(m, gz * val[i], 1, &w, &acc, &zz);
        m->w[j] = (float)w;
        m->acc[j] = (float)acc;
        if (m->acc_z)
            m->acc_z[j] = (float)zz;
    }
    if (m->has_bias) {
        w = m->bias;
        acc = m->bias_acc;
        zz = m->bias_z;
        coord_back(m, gz, 0, &w, &acc, &zz);
        m->bias = (float)w;
        m->bias_acc = acc;
        m->bias_z = zz;
    }
}

/* The step on one row: distinct ids with feature values val; y01 = 1 for
 * spam; s the example weight. Returns the probability before the step. */
static double row_step(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                       int y01, double s, int dir)
{
    double z = m->has_bias ? m->bias : 0.0, p, gz;
    size_t i;

    for (i = 0; i < k; i++)
        z += (double)val[i] * m->w[ids[i]];
    p = spamlr__sigmoid(z);
    if (dir < 0) {
        row_unstep(m, ids, val, k, y01, s);
        if (m->updates)
            m->updates--;
        return p;
    }
    gz = s * (p - y01);
    m->last_hash = row_hash(ids, val, k, y01, s);
    m->last_gz = gz;
    for (i = 0; i < k; i++) {
        uint32_t j = ids[i];
        double g = gz * val[i];
        if (m->online == SPAMLR_SOLVER_ADAGRAD)
            g += m->on_l2 * m->w[j];
        coord_step(m, &m->w[j], &m->acc[j], m->acc_z ? &m->acc_z[j] : NULL, g, 1);
    }
    if (m->has_bias) {
        float b = m->bias, acc = (float)m->bias_acc, bz = (float)m->bias_z;
        coord_step(m, &b, &acc, &bz, gz, 0);
        m->bias = b;
        m->bias_acc = acc;
        m->bias_z = bz;
    }
    m->updates++;
    return p;
}

/* Common checks of learn and learn_dataset; sets up a default state. */
static int learn_begin(spamlr_model *m, int direction)
{
    if (direction != 1 && direction != -1)
        return SPAMLR_EINVAL;
    if (!spamlr__is_online(m->online) || !m->acc)
        return spamlr_model_online_setup(m, NULL);
    return spamlr__model_reserve(m, m->vocab.n);
}

static void count_label(spamlr_model *m, int label, int dir)
{
    uint64_t *c = label == SPAMLR_SPAM ? &m->spam : &m->ham;

    if (dir > 0) {
        (*c)++;
        m->examples++;
    } else {
        (*c)--;
        if (m->examples)
            m->examples--;
    }
    m->trained_at = (int64_t)time(NULL);
}

int spamlr_model_learn(spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                       int label, int direction, double *prob)
{
    uint32_t *ids, *cnt;
    float *val;
    size_t k;
    double p;
    int rc;

    if (!m || !s || (!text && len) || (label != SPAMLR_SPAM && label != SPAMLR_HAM))
        return SPAMLR_EINVAL;
    if ((rc = learn_begin(m, direction)))
        return rc;
    if (direction < 0 && (label == SPAMLR_SPAM ? m->spam : m->ham) == 0)
        return SPAMLR_EINVAL;
    rc = spamlr__scratch_row(m, direction > 0 ? m : NULL, s, text, len, &ids, &cnt, &val, &k);
    if (rc)
        return rc;
    spamlr__row_values(m, ids, cnt, k, val);
    p = row_step(m, ids, val, k, label == SPAMLR_SPAM, 1.0, direction);
    count_label(m, label, direction);
    if (prob)
        *prob = p;
    return SPAMLR_OK;
}

/* Learns rows order[0..n) of ds (row indices; labelled rows only) with
 * example weights ws/wh for spam/ham; tokens in fewer than min_df rows of
 * ds are left out. probs: see spamlr_model_learn_dataset. */
static int learn_rows(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                      size_t n, int dir, double *probs, unsigned min_df, double ws,
                      double wh, const float *idf)
{
    spamlr__rowbuf rb;
    int64_t *map;   /* ds id -> model id; -1 absent, -2 not looked up */
    uint32_t *ids, *cnt;
    float *val;
    size_t i, j;
    int rc;

    if (spamlr__rowbuf_init(&rb, ds))
        return SPAMLR_ENOMEM;
    map = rb.map, ids = rb.ids, cnt = rb.cnt, val = rb.val;
    for (i = 0; i < ds->vocab.n; i++)
        map[i] = -2;
    for (i = 0; i < n; i++) {
        size_t r = order ? order[i] : i, k = 0;
        int label = ds->labels[r];
        double p;
        if (label != SPAMLR_SPAM && label != SPAMLR_HAM)
            continue;
        if (dir < 0 && (label == SPAMLR_SPAM ? m->spam : m->ham) == 0) {
            rc = SPAMLR_EINVAL;
            goto out;
        }
        for (j = ds->ptr[r]; j < ds->ptr[r + 1]; j++) {
            uint32_t t = ds->ids[j];
            if (ds->vocab.count[t] < min_df)
                continue;
            if (map[t] == -2) {
                const char *str = spamlr__vocab_str(&ds->vocab, t);
                if (dir > 0) {
                    uint32_t id;
                    if ((rc = spamlr__model_intern(m, str, ds->vocab.len[t],
                                                   idf ? idf[t] : 0, &id)))
                        goto out;
                    map[t] = id;
                } else {
                    map[t] = spamlr__vocab_find(&m->vocab, str, ds->vocab.len[t]);
                }
            }
            if (map[t] < 0)
                continue;
            ids[k] = (uint32_t)map[t];
            if (ds->val) /* explicit values (libsvm rows): as they are */
                val[k] = ds->val[j];
            cnt[k++] = ds->cnt ? ds->cnt[j] : 1;
        }
        if (!ds->val)
            spamlr__row_values(m, ids, cnt, k, val);
        p = row_step(m, ids, val, k, label == SPAMLR_SPAM, label == SPAMLR_SPAM ? ws : wh,
                     dir);
        count_label(m, label, dir);
        if (probs)
            probs[r] = p;
    }
    rc = SPAMLR_OK;
out:
    spamlr__rowbuf_free(&rb);
    return rc;
}

int spamlr_model_learn_dataset(spamlr_model *m, const spamlr_dataset *ds,
                               const size_t *order, size_t n, int direction, double *probs)
{
    size_t i;
    int rc;

    if (!m || !ds || (!order && n > ds->rows))
        return SPAMLR_EINVAL;
    for (i = 0; order && i < n; i++)
        if (order[i] >= ds->rows)
            return SPAMLR_EINVAL;
    if ((rc = learn_begin(m, direction)))
        return rc;
    return learn_rows(m, ds, order, n, direction, probs, 0, 1.0, 1.0, NULL);
}

/* ------------------------------------------------------ spamlr_train */

/* A copy of a model through its file bytes (state included). */
static int model_copy(spamlr_model **out, const spamlr_model *src)
{
    unsigned char *buf = NULL;
    size_t size;
    int rc;

    if ((rc = spamlr_model_save_buffer(src, &buf, &size)))
        return rc;
    rc = spamlr_model_load_buffer(out, buf, size, NULL);
    free(buf);
    return rc;
}

/* 1/2 ||w||^2 + C sum_i s_i log(1 + exp(-y_i z_i)) over the labelled rows,
 * for the report (same objective as the batch solvers, bias unpenalised). */
static double objective(spamlr_model *m, const spamlr_dataset *ds, double c, double ws,
                        double wh)
{
    double *z = malloc((ds->rows + 1) * sizeof *z), f = 0;
    size_t i;

    if (!z)
        return NAN;
    if (spamlr_predict_dataset(m, ds, NULL, z) != SPAMLR_OK) {
        free(z);
        return NAN;
    }
    for (i = 0; i < m->vocab.n; i++)
        f += 0.5 * (double)m->w[i] * m->w[i];
    for (i = 0; i < ds->rows; i++) {
        double yz;
        if (ds->labels[i] != SPAMLR_SPAM && ds->labels[i] != SPAMLR_HAM)
            continue;
        yz = ds->labels[i] == SPAMLR_SPAM ? z[i] : -z[i];
        f += c * (ds->labels[i] == SPAMLR_SPAM ? ws : wh) *
             (yz > 0 ? log1p(exp(-yz)) : -yz + log1p(exp(yz)));
    }
    free(z);
    return f;
}

/* idf[t] of every dataset token t over the n labelled rows, as batch
 * training computes it. */
static int labelled_idf(const spamlr_dataset *ds, size_t n, float **out)
{
    uint32_t *df = calloc(ds->vocab.n + 1, sizeof *df);
    float *idf = malloc((ds->vocab.n + 1) * sizeof *idf);
    size_t i, j;

    if (!df || !idf) {
        free(df);
        free(idf);
        return SPAMLR_ENOMEM;
    }
    for (i = 0; i < ds->rows; i++)
        if (ds->labels[i] == SPAMLR_SPAM || ds->labels[i] == SPAMLR_HAM)
            for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++)
                df[ds->ids[j]]++;
    for (i = 0; i < ds->vocab.n; i++)
        idf[i] = spamlr__idf_of(n, df[i]);
    free(df);
    *out = idf;
    return SPAMLR_OK;
}

int spamlr__train_online(spamlr_model **out, const spamlr_dataset *ds,
                         const spamlr_train_opts *o, spamlr_train_report *rep,
                         spamlr_diag *d)
{
    spamlr_model *m = NULL;
    spamlr_online_opts oo;
    size_t *order = NULL, i, n = 0, nspam, nham;
    float *idf = NULL;
    unsigned e, epochs = o->epochs ? o->epochs : 5;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    double ws = 1, wh = 1, t0;
    int rc;

    (void)d; /* its only errors, out of memory, are said by their code */
    nspam = spamlr_dataset_count(ds, SPAMLR_SPAM);
    nham = spamlr_dataset_count(ds, SPAMLR_HAM);
    if (o->class_weight == SPAMLR_CW_BALANCED) {
        ws = (double)(nspam + nham) / (2.0 * (double)nspam);
        wh = (double)(nspam + nham) / (2.0 * (double)nham);
    } else if (o->class_weight == SPAMLR_CW_MANUAL) {
        ws = o->weight_spam;
        wh = o->weight_ham;
    }
    spamlr_online_opts_init(&oo);
    oo.solver = o->solver;
    if (o->eta > 0)
        oo.eta = o->eta;
    if (o->init) {
        if ((rc = model_copy(&m, o->init)))
            goto out;
        if (m->online != o->solver || !m->acc) {
            if ((rc = spamlr_model_online_setup(m, &oo)))
                goto out;
        } else if (o->eta > 0) {
            m->eta = o->eta;
        }
    } else {
        if ((rc = spamlr__model_new(&m, &ds->opts)))
            goto out;
        m->has_bias = o->bias != 0;
        if ((rc = spamlr_model_online_setup(m, &oo)))
            goto out;
    }
    if (!(order = malloc((ds->rows + 1) * sizeof *order))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    for (i = 0; i < ds->rows; i++)
        if (ds->labels[i] == SPAMLR_SPAM || ds->labels[i] == SPAMLR_HAM)
            order[n++] = i;
    /* tf-idf: the idf batch training would use, for the words it meets */
    if (ds->opts.features == SPAMLR_FEAT_TFIDF && !ds->val &&
        (rc = labelled_idf(ds, n, &idf)))
        goto out;
    t0 = spamlr__now();
    for (e = 0; e < epochs; e++) {
        /* Fisher-Yates with xorshift64*: the same order on every run */
        for (i = n; i > 1; i--) {
            size_t j, t;
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            j = (size_t)((rng * 0x2545f4914f6cdd1dull) % i);
            t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        if ((rc = learn_rows(m, ds, order, n, 1, NULL, o->min_count ? o->min_count : 1,
                             ws, wh, idf)))
            goto out;
    }
    rep->seconds = spamlr__now() - t0;
    rep->iterations = epochs;
    rep->objective = objective(m, ds, o->c == SPAMLR_C_AUTO ? 1.0 : o->c, ws, wh);
    rep->examples = nspam + nham;
    rep->spam = nspam;
    rep->ham = nham;
    rep->features = m->vocab.n;
    m->solver = o->solver;
    m->class_weight = o->class_weight;
    m->min_count = o->min_count ? o->min_count : 1;
    m->iterations = epochs;
    m->c = o->c == SPAMLR_C_AUTO ? 1.0 : o->c; /* the online solvers choose no C */
    m->tol = o->tol;
    m->objective = rep->objective;
    m->grad_norm = 0;
    /* counts: the distinct messages, not messages x epochs */
    m->examples = (o->init ? o->init->examples : 0) + nspam + nham;
    m->spam = (o->init ? o->init->spam : 0) + nspam;
    m->ham = (o->init ? o->init->ham : 0) + nham;
    m->trained_at = (int64_t)time(NULL);
    *out = m;
    m = NULL;
    rc = SPAMLR_OK;
out:
    free(order);
    free(idf);
    spamlr_model_free(m);
    return rc;
}
