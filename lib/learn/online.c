/* online.c - learning one message at a time: the AdaGrad and FTRL steps,
 * spamlr_model_learn and spamlr_model_learn_dataset (batches are in
 * batch.c, the rehearsal memory in memory.c, the online solvers of
 * spamlr_train in online_train.c).
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
 * numbers per word but can hold unhelpful rare words at exactly 0 (l1).
 *
 * A message already right by the margin (log-odds) takes no step: the
 * thick threshold of the TREC filters, which keeps a stream in class
 * order (all ham, then all spam) from driving words shared by both
 * classes to extremes. A batch (spamlr_model_learn_batch) is learned
 * together with a reservoir sample of the messages learned before, in
 * passes, so that a batch of one class cannot undo the other: a
 * rehearsal memory, since an online step alone forgets. */
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
/* Thick threshold and rehearsal memory (see spamlr_online_opts). */
#define DEFAULT_MARGIN SPAMLR__DEFAULT_MARGIN
#define DEFAULT_MEMORY SPAMLR__DEFAULT_MEMORY

void spamlr_online_opts_init(spamlr_online_opts *o)
{
    memset(o, 0, sizeof *o);
    o->version = SPAMLR_OPTS_VERSION;
    o->solver = SPAMLR_SOLVER_ADAGRAD;
    o->eta = 0; /* the solver's default, see DEFAULT_ETA */
    o->beta = 1.0;
    o->l1 = 0;
    o->l2 = 0;
    o->margin = DEFAULT_MARGIN;
    o->memory = DEFAULT_MEMORY;
}

/* FTRL: the weight that (z, n) stand for, its penalties centred on the
 * prior weight c (0 without a prior):
 *   argmin_w z w + (beta + sqrt(n)) / (2 alpha) w^2 + l1 |w - c| + l2/2 (w - c)^2. */
static double ftrl_wd(const spamlr_model *m, double z, double n, int penalised, double c)
{
    double l1 = penalised ? m->on_l1 : 0, l2 = penalised ? m->on_l2 : 0;
    double a = (m->beta + sqrt(n)) / m->eta, zc;

    if (!(a + l2 > 0)) /* beta 0 and nothing learned yet: no curvature */
        return c;
    if (c == 0 || (l1 == 0 && l2 == 0)) { /* the plain form (bit for bit as
                                              without a prior) */
        if (fabs(z) <= l1)
            return 0;
        return -(z - (z > 0 ? l1 : -l1)) / (a + l2);
    }
    zc = z + a * c;
    if (fabs(zc) <= l1)
        return c;
    return c - (zc - (zc > 0 ? l1 : -l1)) / (a + l2);
}

/* A learner's double as the float the model keeps: within +-1e30 (a
 * weight or an FTRL z that far out says nothing more, and a model file
 * must hold finite numbers: eta 1000 on a message whose loss gradient
 * barely differs from 0 once stepped a weight to -inf), NaN as 0. */
static float kept(double x)
{
    if (!(x == x))
        return 0.0f;
    return x > 1e30 ? 1e30f : x < -1e30 ? -1e30f : (float)x;
}

static float ftrl_weight(const spamlr_model *m, double z, double n, int penalised, double c)
{
    return kept(ftrl_wd(m, z, n, penalised, c));
}

/* The pull towards the prior that online learning uses when its options
 * do not set one: the prior's own strength in the objective the model was
 * trained with, l2 / C (a message's loss weighs C there), so that a step
 * on one message is a step on that objective restricted to it. */
static double prior_pull(const spamlr_model *m)
{
    if (!m->prior_w || !(m->c > 0) || !isfinite(m->l2 / m->c))
        return 0;
    return m->l2 / m->c;
}

static int check_online_opts(const spamlr_online_opts *o)
{
    /* older versions have every field (none was added since 1) */
    if (o->version < 1 || o->version > SPAMLR_OPTS_VERSION || !spamlr__is_online(o->solver))
        return SPAMLR_EINVAL;
    if (!(o->eta >= 0) || !(o->eta <= SPAMLR__ETA_MAX) || !(o->beta >= 0) || !isfinite(o->beta) ||
        !(o->l1 >= 0) || !isfinite(o->l1) || !(o->l2 >= 0) || !isfinite(o->l2) ||
        !(o->margin >= 0))
        return SPAMLR_EINVAL;
    return SPAMLR_OK;
}

int spamlr_model_online_setup(spamlr_model *m, const spamlr_online_opts *o)
{
    spamlr_online_opts def;
    size_t i, cap;
    int rc;

    if (!m || m->predict_only)
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
    m->on_l2 = o->l2 > 0 ? o->l2 : prior_pull(m);
    m->margin = o->margin;
    m->mem_max = o->memory;
    for (i = 0; i < 2; i++) /* the memory is data, not state: kept */
        while (m->mem_n[i] > m->mem_max)
            free(m->mem[i][--m->mem_n[i]].ids);
    m->bias_acc = 0;
    m->bias_z = 0;
    if (m->acc_z) {
        for (i = 0; i < m->vocab.n; i++)
            m->acc_z[i] = (float)spamlr__ftrl_z_of(m, m->w[i], 1, spamlr__prior_of(m, i));
        m->bias_z = spamlr__ftrl_z_of(m, m->bias, 0, 0);
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
    /* tf-idf: the idf of the messages it learns (spamlr__live_refresh) */
    if (m->text.features == SPAMLR_FEAT_TFIDF && !(m->df = calloc(1, sizeof *m->df))) {
        spamlr_model_free(m);
        return SPAMLR_ENOMEM;
    }
    m->solver = SPAMLR_SOLVER_ADAGRAD;
    m->trained_at = (int64_t)time(NULL);
    if ((rc = spamlr_model_online_setup(m, NULL))) {
        spamlr_model_free(m);
        return rc;
    }
    *out = m;
    return SPAMLR_OK;
}

/* One coordinate of a learning step: loss gradient g on weight *w with
 * state *acc (and *z for FTRL); c is the prior weight the penalties centre
 * on. AdaGrad's L2 pull towards c (on_l2, penalised weights) is taken in
 * closed form, the composite (proximal) step
 *   w1 = (w0 - r g + r l2 c) / (1 + r l2),  r = eta / sqrt(acc + g^2),
 * which moves w towards c by a factor below 1 however small the word's
 * accumulator is (an explicit gradient step on the pull, r l2 (w0 - c),
 * overshoots c and grows without bound once r l2 > 2: words whose values
 * are small, the common ones under tf-idf, keep small accumulators). */
static void coord_step(const spamlr_model *m, float *w, float *acc, float *z, double g,
                       int penalised, double c)
{
    double n = *acc;

    if (g == 0)
        return;
    if (m->online == SPAMLR_SOLVER_FTRL) {
        double n2 = n + g * g, sigma = (sqrt(n2) - sqrt(n)) / m->eta;
        *z = kept(*z + g - sigma * *w);
        *acc = (float)n2;
        *w = ftrl_weight(m, *z, n2, penalised, c);
        return;
    }
    n += g * g;
    if (!(n > 0)) /* g so small that its square is 0: no step (g / sqrt(n)
                     would be infinite) */
        return;
    if (penalised && m->on_l2 > 0) {
        double r = m->eta / sqrt(n);
        *w = kept((*w - r * g + r * m->on_l2 * c) / (1 + r * m->on_l2));
    } else {
        *w = kept(*w - m->eta * g / sqrt(n));
    }
    *acc = (float)n;
}

/* The inverse of coord_step for a loss gradient g: the state (*w, *acc,
 * *z) from which a step with gradient g (AdaGrad: with the pull of a
 * penalised weight, the composite step solved for the weight before)
 * leads to the current one. */
static void coord_back(const spamlr_model *m, double g, int penalised, double c, double *w,
                       double *acc, double *z)
{
    double n1 = *acc, n0 = n1 > g * g ? n1 - g * g : 0;

    if (g == 0)
        return;
    if (m->online == SPAMLR_SOLVER_FTRL) {
        double sigma = (sqrt(n1) - sqrt(n0)) / m->eta, a = *z - g;
        double w0 = ftrl_wd(m, a, n1, penalised, c);
        *z = a + sigma * w0;
        *w = w0;
        *acc = n0;
        return;
    }
    if (penalised && m->on_l2 > 0 && n1 > 0) {
        double r = m->eta / sqrt(n1);
        *w = *w * (1 + r * m->on_l2) - r * m->on_l2 * c + r * g;
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
        coord_back(m, gz * val[i], 1, spamlr__prior_of(m, j), &w, &acc, &zz);
        z += w * val[i];
    }
    if (m->has_bias) {
        w = m->bias;
        acc = m->bias_acc;
        zz = m->bias_z;
        coord_back(m, gz, 0, 0, &w, &acc, &zz);
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

/* The largest |gz| a step on this row can have taken: each coordinate's
 * accumulator holds the sum of the squares of every gradient it took, so
 * a step's gz val[i] is at most sqrt(acc) in size (a little more, for
 * the float the sum is kept in). A word this row alone has, never
 * stepped on since, bounds it by that step's own |gz|; one whose
 * accumulator is 0 says the row took no step. */
static double unstep_bound(const spamlr_model *m, const uint32_t *ids, const float *val,
                           size_t k, double s)
{
    double b = s, c;
    size_t i;

    for (i = 0; i < k; i++)
        if (val[i] != 0 && (c = sqrt((double)m->acc[ids[i]]) / fabs((double)val[i])) < b)
            b = c;
    if (m->has_bias && (c = sqrt(m->bias_acc)) < b)
        b = c;
    return b * (1 + 1e-6);
}

/* Unlearning: finds the gradient factor gz = s (sigmoid(score before) - t)
 * that is consistent with the current state having been reached by a step
 * on this row (bisection: it lies in [-s, 0] for spam, [0, s] for ham,
 * and within unstep_bound), and restores the state before that step.
 * Without the bound, a row learned long before (or one that took no step,
 * being right by the margin) could be given a gz its words' accumulators
 * never held, and AdaGrad's inverse step eta gz val / sqrt(acc) then
 * moved a weight by thousands. */
static void row_unstep(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                       int y01, double s)
{
    double lo = y01 ? -s : 0, hi = y01 ? 0 : s, gz, w, acc, zz, bound;
    double step, a, fa, best = -1, bestf = 0, now = 0;
    uint64_t h = row_hash(ids, val, k, y01, s);
    size_t i;
    int it;

    if (h == m->last_hash) { /* the last step: its gradient is known */
        gz = m->last_gz;
        goto apply;
    }
    bound = unstep_bound(m, ids, val, k, s);
    if (lo < -bound)
        lo = -bound;
    if (hi > bound)
        hi = bound;
    step = (hi - lo) / SCAN;
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
    /* no root within the bound: the step went at least that far (a word
     * only this row has pins the bound to the step's own size; 0 when it
     * took none) */
    gz = best >= 0 ? bestf : y01 ? lo : hi;
apply:
    m->last_hash = 0;
    for (i = 0; i < k; i++) {
        uint32_t j = ids[i];
        w = m->w[j];
        acc = m->acc[j];
        zz = m->acc_z ? m->acc_z[j] : 0;
        coord_back(m, gz * val[i], 1, spamlr__prior_of(m, j), &w, &acc, &zz);
        m->w[j] = kept(w);
        m->acc[j] = (float)acc;
        if (m->acc_z)
            m->acc_z[j] = kept(zz);
    }
    if (m->has_bias) {
        w = m->bias;
        acc = m->bias_acc;
        zz = m->bias_z;
        coord_back(m, gz, 0, 0, &w, &acc, &zz);
        m->bias = kept(w);
        m->bias_acc = acc;
        m->bias_z = zz;
    }
}

/* The step on one row: distinct ids with feature values val; y01 = 1 for
 * spam; s the example weight. Returns the probability before the step. */
double spamlr__row_step(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
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
    m->last_hash = row_hash(ids, val, k, y01, s);
    m->updates++;
    if ((y01 ? z : -z) >= m->margin) { /* right, and by the margin: no step */
        m->last_gz = 0;
        return p;
    }
    gz = s * (p - y01);
    m->last_gz = gz;
    for (i = 0; i < k; i++) {
        uint32_t j = ids[i];
        double g = gz * val[i], c = spamlr__prior_of(m, j);
        /* (AdaGrad pulls towards the prior, or 0, inside the step) */
        coord_step(m, &m->w[j], &m->acc[j], m->acc_z ? &m->acc_z[j] : NULL, g, 1, c);
    }
    if (m->has_bias) {
        float b = m->bias, acc = (float)m->bias_acc, bz = (float)m->bias_z;
        coord_step(m, &b, &acc, &bz, gz, 0, 0);
        m->bias = b;
        m->bias_acc = acc;
        m->bias_z = bz;
    }
    return p;
}

/* Common checks of learn and learn_dataset; sets up a default state. */
int spamlr__learn_begin(spamlr_model *m, int direction)
{
    if ((direction != 1 && direction != -1) || m->predict_only)
        return SPAMLR_EINVAL;
    if (!spamlr__is_online(m->online) || !m->acc)
        return spamlr_model_online_setup(m, NULL);
    return spamlr__model_reserve(m, m->vocab.n);
}

void spamlr__count_label(spamlr_model *m, int label, int dir)
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

/* The probability of a row at the current weights. */
static double row_prob(const spamlr_model *m, const uint32_t *ids, const float *val, size_t k)
{
    double z = m->has_bias ? m->bias : 0.0;
    size_t i;

    for (i = 0; i < k; i++)
        z += (double)val[i] * m->w[ids[i]];
    return spamlr__sigmoid(z);
}

/* Unlearns a row of class y01 that the record holds under key: the step
 * inverted, the row out of the memory and the record, the count down. */
static void unlearn_row(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                        int y01, double s, uint64_t key)
{
    spamlr__row_step(m, ids, val, k, y01, s, -1);
    spamlr__live_count(m, ids, k, -1);
    spamlr__mem_drop(m, ids, k, y01);
    spamlr__count_label(m, y01 ? SPAMLR_SPAM : SPAMLR_HAM, -1);
    spamlr__seen_del(&m->seen, key);
}

int spamlr_model_learn_ex(spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                          int label, int direction, double *prob, int *outcome)
{
    uint32_t *ids, *cnt;
    float *val;
    size_t k;
    uint64_t key;
    double p;
    int rc, cls, y01 = label == SPAMLR_SPAM, out;

    if (!m || !s || (!text && len) ||
        (direction != 1 && direction != -1 && direction != SPAMLR_RELEARN) ||
        (label != SPAMLR_SPAM && label != SPAMLR_HAM &&
         !(direction < 0 && label == SPAMLR_UNLABELLED)))
        return SPAMLR_EINVAL;
    if ((rc = spamlr__learn_begin(m, 1)))
        return rc;
    /* the message as the model knows it now (nothing added), and its key */
    rc = spamlr__scratch_row_key(m, NULL, s, text, len, &ids, &cnt, &val, &k, &key);
    if (rc)
        return rc;
    spamlr__row_values(m, ids, cnt, k, val);
    p = row_prob(m, ids, val, k);
    cls = spamlr__seen_find(&m->seen, key);
    if (cls < 0 && direction != 1)
        return SPAMLR_ENOTFOUND;
    if (cls >= 0 && cls != y01 && (cls ? m->spam : m->ham) == 0)
        return SPAMLR_EINVAL; /* a record the counts deny (an edited dump) */
    if (direction < 0) {
        unlearn_row(m, ids, val, k, cls, 1.0, key);
        out = SPAMLR_LEARNED_UNLEARNED;
    } else if (cls == y01) {
        out = SPAMLR_LEARNED_ALREADY;
    } else {
        if (cls >= 0) /* learned as the other class: undo that first */
            unlearn_row(m, ids, val, k, cls, 1.0, key);
        rc = spamlr__scratch_row(m, m, s, text, len, &ids, &cnt, &val, &k);
        if (rc)
            return rc;
        spamlr__row_values(m, ids, cnt, k, val);
        if (cls < 0) /* as before the record: new words count in the norm */
            p = spamlr__row_step(m, ids, val, k, y01, 1.0, 1);
        else
            spamlr__row_step(m, ids, val, k, y01, 1.0, 1);
        spamlr__mem_add(m, ids, val, k, y01, m->last_hash);
        spamlr__live_count(m, ids, k, 1);
        spamlr__count_label(m, label, 1);
        if ((rc = spamlr__seen_put(&m->seen, key, y01)))
            return rc;
        out = cls < 0 ? SPAMLR_LEARNED_NEW : SPAMLR_LEARNED_RELEARNED;
    }
    if (prob)
        *prob = p;
    if (outcome)
        *outcome = out;
    return SPAMLR_OK;
}

int spamlr_model_learn(spamlr_model *m, spamlr_scratch *s, const char *text, size_t len,
                       int label, int direction, double *prob)
{
    return spamlr_model_learn_ex(m, s, text, len, label, direction, prob, NULL);
}

/* The record key of row r of ds: the same as spamlr__scratch_row_key
 * gives for the message (tokens with their counts); value rows (libsvm)
 * key their values too. */
uint64_t spamlr__ds_row_key(const spamlr_dataset *ds, size_t r)
{
    uint64_t sum = 0;
    size_t j;

    for (j = ds->ptr[r]; j < ds->ptr[r + 1]; j++) {
        uint32_t t = ds->ids[j], v;
        uint64_t h = spamlr__seen_token(spamlr__vocab_str(&ds->vocab, t), ds->vocab.len[t]);
        if (ds->val) {
            memcpy(&v, &ds->val[j], 4);
            sum += spamlr__mix64(h ^ v);
        } else {
            sum += h * (ds->cnt ? ds->cnt[j] : 1);
        }
    }
    return spamlr__seen_key(sum);
}

/* Row r of ds as model ids and feature values in ids/cnt/val (room for
 * the row), *k of them: with dir > 0 new tokens enter the vocabulary (a
 * tf-idf model gives them idf[t], or its default when idf is NULL), else
 * tokens unknown to the model are left out; so are tokens in fewer than
 * min_df rows of ds. map caches ds id -> model id (-1 absent, -2 not
 * looked up yet). */
int spamlr__map_row(spamlr_model *m, const spamlr_dataset *ds, size_t r, spamlr__rowbuf *rb,
                    unsigned min_df, const float *idf, int dir, size_t *k)
{
    int64_t *map = rb->map;
    size_t j;
    int rc;

    *k = 0;
    for (j = ds->ptr[r]; j < ds->ptr[r + 1]; j++) {
        uint32_t t = ds->ids[j];
        if (ds->vocab.count[t] < min_df)
            continue;
        if (map[t] == -2) {
            const char *str = spamlr__vocab_str(&ds->vocab, t);
            if (dir > 0) {
                uint32_t id;
                if ((rc = spamlr__model_intern(m, str, ds->vocab.len[t], idf ? idf[t] : 0,
                                               &id)))
                    return rc;
                map[t] = id;
            } else {
                map[t] = spamlr__vocab_find(&m->vocab, str, ds->vocab.len[t]);
            }
        }
        if (map[t] < 0)
            continue;
        rb->ids[*k] = (uint32_t)map[t];
        if (ds->val) /* explicit values (libsvm rows): as they are */
            rb->val[*k] = ds->val[j];
        rb->cnt[(*k)++] = ds->cnt ? ds->cnt[j] : 1;
    }
    spamlr__rowbuf_sort(rb, *k, ds->val != NULL);
    if (!ds->val)
        spamlr__row_values(m, rb->ids, rb->cnt, *k, rb->val);
    return SPAMLR_OK;
}

/* spamlr__learn_rows; remember & SPAMLR__LEARN_SEEN: through the record of
 * learned messages (rows already learned with their label only get their
 * probability; learned with the other class, they are unlearned first;
 * unlearning takes the recorded class, and a row not in the record stops
 * with SPAMLR_ENOTFOUND). outcomes (may be NULL): per row of ds. */
int spamlr__learn_rows_x(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                        size_t n, int dir, double *probs, unsigned min_df, double ws,
                        double wh, const float *idf, int remember, int *outcomes)
{
    spamlr__rowbuf rb;
    size_t i, k;
    int rc;

    if (spamlr__rowbuf_init(&rb, ds))
        return SPAMLR_ENOMEM;
    for (i = 0; i < ds->vocab.n; i++)
        rb.map[i] = -2;
    for (i = 0; i < n; i++) {
        size_t r = order ? order[i] : i;
        int label = ds->labels[r], y01 = label == SPAMLR_SPAM, cls = -1;
        int out = dir > 0 ? SPAMLR_LEARNED_NEW : SPAMLR_LEARNED_UNLEARNED;
        uint64_t key = 0;
        double p, s;
        if (label != SPAMLR_SPAM && label != SPAMLR_HAM)
            continue;
        if (remember & SPAMLR__LEARN_SEEN) {
            key = spamlr__ds_row_key(ds, r);
            cls = spamlr__seen_find(&m->seen, key);
            if (dir < 0 && cls < 0) {
                rc = SPAMLR_ENOTFOUND;
                goto out;
            }
            if (dir < 0) {
                y01 = cls;
                label = cls ? SPAMLR_SPAM : SPAMLR_HAM;
            }
        }
        s = y01 ? ws : wh;
        if (dir < 0 && (label == SPAMLR_SPAM ? m->spam : m->ham) == 0) {
            rc = SPAMLR_EINVAL;
            goto out;
        }
        if ((rc = spamlr__map_row(m, ds, r, &rb, min_df, idf, dir, &k)))
            goto out;
        if (dir > 0 && cls == y01) { /* already learned so */
            if (probs)
                probs[r] = row_prob(m, rb.ids, rb.val, k);
            if (outcomes)
                outcomes[r] = SPAMLR_LEARNED_ALREADY;
            continue;
        }
        if (dir > 0 && cls >= 0) { /* learned as the other class */
            if ((cls ? m->spam : m->ham) == 0) {
                rc = SPAMLR_EINVAL;
                goto out;
            }
            p = row_prob(m, rb.ids, rb.val, k);
            unlearn_row(m, rb.ids, rb.val, k, cls, cls ? ws : wh, key);
            spamlr__row_step(m, rb.ids, rb.val, k, y01, s, dir);
            spamlr__live_count(m, rb.ids, k, 1);
            out = SPAMLR_LEARNED_RELEARNED;
        } else {
            p = spamlr__row_step(m, rb.ids, rb.val, k, y01, s, dir);
            spamlr__live_count(m, rb.ids, k, dir);
        }
        if (dir > 0 && (remember & 1))
            spamlr__mem_add(m, rb.ids, rb.val, k, y01, m->last_hash);
        else if (dir < 0)
            spamlr__mem_drop(m, rb.ids, k, y01);
        spamlr__count_label(m, label, dir);
        if ((remember & SPAMLR__LEARN_SEEN) && dir < 0)
            spamlr__seen_del(&m->seen, key);
        else if ((remember & SPAMLR__LEARN_SEEN) && (rc = spamlr__seen_put(&m->seen, key, y01)))
            goto out;
        if (probs)
            probs[r] = p;
        if (outcomes)
            outcomes[r] = out;
    }
    rc = SPAMLR_OK;
out:
    spamlr__rowbuf_free(&rb);
    return rc;
}

int spamlr__learn_rows(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                      size_t n, int dir, double *probs, unsigned min_df, double ws,
                      double wh, const float *idf, int remember)
{
    return spamlr__learn_rows_x(m, ds, order, n, dir, probs, min_df, ws, wh, idf, remember & 1, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Unlearning and relearning rows need every labelled row of
 * order[0..n) in the record, and none twice: else SPAMLR_ENOTFOUND. */
int spamlr__check_recorded(const spamlr_model *m, const spamlr_dataset *ds,
                          const size_t *order, size_t n)
{
    uint64_t *keys = malloc((n + 1) * sizeof *keys);
    size_t i, nk = 0;
    int rc = SPAMLR_OK;

    if (!keys)
        return SPAMLR_ENOMEM;
    for (i = 0; i < n && !rc; i++) {
        size_t r = order ? order[i] : i;
        if (ds->labels[r] != SPAMLR_SPAM && ds->labels[r] != SPAMLR_HAM)
            continue;
        keys[nk] = spamlr__ds_row_key(ds, r);
        if (spamlr__seen_find(&m->seen, keys[nk++]) < 0)
            rc = SPAMLR_ENOTFOUND;
    }
    qsort(keys, nk, sizeof *keys, cmp_u64);
    for (i = 1; i < nk && !rc; i++)
        if (keys[i] == keys[i - 1])
            rc = SPAMLR_ENOTFOUND;
    free(keys);
    return rc;
}

/* The arguments of the dataset learners: rows that exist. */
int spamlr__check_rows(const spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                      size_t n)
{
    size_t i;

    if (!m || !ds || (!order && n > ds->rows))
        return SPAMLR_EINVAL;
    for (i = 0; order && i < n; i++)
        if (order[i] >= ds->rows)
            return SPAMLR_EINVAL;
    return SPAMLR_OK;
}

int spamlr_model_learn_dataset(spamlr_model *m, const spamlr_dataset *ds,
                               const size_t *order, size_t n, int direction, double *probs)
{
    int rc;

    if ((rc = spamlr__check_rows(m, ds, order, n)) || (rc = spamlr__learn_begin(m, direction)))
        return rc;
    if (direction < 0 && (rc = spamlr__check_recorded(m, ds, order, n)))
        return rc;
    return spamlr__learn_rows_x(m, ds, order, n, direction, probs, 0, 1.0, 1.0, NULL, 1 | SPAMLR__LEARN_SEEN,
                        NULL);
}
