/* metrics.c - classification metrics of probabilities against labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

typedef struct scored {
    double p;
    int spam;
} scored;

/* The bits of p as a key that orders like p (negative values flipped
 * whole, the others by their sign bit). */
static inline uint64_t order_key(double p)
{
    uint64_t b;

    memcpy(&b, &p, sizeof b);
    return b >> 63 ? ~b : b | (uint64_t)1 << 63;
}

/* Sorts s[0..n) by p, ascending, with t (room for n) as scratch: a
 * least-significant-byte radix sort on order_key that skips the bytes all
 * keys share (probabilities mostly share their high bytes). Equal p keep
 * no particular order, which the rank sum below does not need. Returns
 * where the sorted items are, s or t. */
static scored *sort_scored(scored *s, scored *t, size_t n)
{
    uint64_t any = 0, all = ~(uint64_t)0;
    size_t i, j, cnt[256];
    unsigned shift;

    for (i = 0; i < n; i++) {
        uint64_t k = order_key(s[i].p);
        any |= k;
        all &= k;
    }
    for (shift = 0; shift < 64; shift += 8) {
        scored *u;

        if (!(((any ^ all) >> shift) & 0xFF))
            continue;
        memset(cnt, 0, sizeof cnt);
        for (i = 0; i < n; i++)
            cnt[(order_key(s[i].p) >> shift) & 0xFF]++;
        for (i = 0, j = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = j;
            j += c;
        }
        for (i = 0; i < n; i++)
            t[cnt[(order_key(s[i].p) >> shift) & 0xFF]++] = s[i];
        u = s;
        s = t;
        t = u;
    }
    return s;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

/* ROC AUC by the rank-sum (Mann-Whitney) statistic; ties count one half.
 * t: room for n (scratch of the sort). */
static double auc_of(scored *s, scored *t, size_t n, size_t npos, size_t nneg)
{
    double rank_sum = 0;
    size_t i = 0, j;

    if (!npos || !nneg)
        return NAN; /* undefined: no pair of a spam and a ham to order */
    s = sort_scored(s, t, n);
    while (i < n) {
        size_t pos_in_tie = 0;
        double mid;
        for (j = i; j < n && s[j].p == s[i].p; j++)
            pos_in_tie += s[j].spam;
        mid = ((double)i + 1 + (double)j) / 2.0; /* mean 1-based rank of the tie */
        rank_sum += mid * (double)pos_in_tie;
        i = j;
    }
    return (rank_sum - (double)npos * ((double)npos + 1) / 2.0) / ((double)npos * (double)nneg);
}

static int compute(spamlr_metrics *m, const int *labels, const double *probs, size_t n,
                   double threshold);

int spamlr_metrics_compute(const int *labels, const double *probs, size_t n, double threshold,
                           spamlr_metrics *out)
{
    spamlr_metrics m;
    int rc;

    if (!out || out->size < SPAMLR__METRICS_SIZE1)
        return SPAMLR_EINVAL;
    rc = compute(&m, labels, probs, n, threshold);
    spamlr__out_copy(out, &m, sizeof m);
    return rc;
}

/* spamlr_metrics_compute into the library's own full-size struct. */
static int compute(spamlr_metrics *m, const int *labels, const double *probs, size_t n,
                   double threshold)
{
    scored *s;
    size_t i, k = 0;
    double ll = 0, tp, fp, tn, fn, den;

    memset(m, 0, sizeof *m);
    m->size = sizeof *m;
    m->threshold = threshold;
    if ((n && (!labels || !probs)) || !(threshold >= 0 && threshold <= 1))
        return SPAMLR_EINVAL;
    if (!(s = malloc((2 * n + 1) * sizeof *s))) /* and the sort's scratch */
        return SPAMLR_ENOMEM;
    for (i = 0; i < n; i++) {
        double p = probs[i], pc;
        int spam;
        if (labels[i] != SPAMLR_SPAM && labels[i] != SPAMLR_HAM)
            continue;
        spam = labels[i] == SPAMLR_SPAM;
        if (p >= threshold)
            spam ? m->tp++ : m->fp++;
        else
            spam ? m->fn++ : m->tn++;
        pc = p < 1e-15 ? 1e-15 : p > 1 - 1e-15 ? 1 - 1e-15 : p;
        ll -= spam ? log(pc) : log1p(-pc);
        s[k].p = p;
        s[k++].spam = spam;
    }
    m->n = k;
    if (!k) {
        free(s);
        return SPAMLR_EEMPTY;
    }
    tp = (double)m->tp, fp = (double)m->fp, tn = (double)m->tn, fn = (double)m->fn;
    m->accuracy = (tp + tn) / (double)k;
    m->precision = ratio(tp, tp + fp);
    m->recall = ratio(tp, tp + fn);
    m->f1 = ratio(2 * tp, 2 * tp + fp + fn);
    den = sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    m->mcc = ratio(tp * tn - fp * fn, den);
    m->ham_fpr = ratio(fp, fp + tn);
    m->spam_fnr = ratio(fn, fn + tp);
    m->log_loss = ll / (double)k;
    m->auc = auc_of(s, s + n, k, m->tp + m->fn, m->fp + m->tn);
    m->one_minus_auc_pct = (1.0 - m->auc) * 100.0;
    free(s);
    return SPAMLR_OK;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int spamlr_threshold_for_fpr(const int *labels, const double *probs, size_t n, double max_fpr,
                             double *threshold)
{
    double *h;
    size_t i, nh = 0, k;
    double t;

    if (!threshold || (n && (!labels || !probs)) || !(max_fpr >= 0 && max_fpr < 1))
        return SPAMLR_EINVAL;
    *threshold = 1.0;
    if (!(h = malloc((n + 1) * sizeof *h)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < n; i++)
        if (labels[i] == SPAMLR_HAM)
            h[nh++] = probs[i];
    if (!nh) {
        free(h);
        return SPAMLR_EEMPTY;
    }
    /* hams sorted by probability, highest first: the k highest may be
     * called spam, so t must lie just above h[k] */
    qsort(h, nh, sizeof *h, cmp_desc);
    k = (size_t)floor(max_fpr * (double)nh + 1e-9);
    t = k >= nh ? 0.0 : nextafter(h[k], 2.0);
    free(h);
    if (!(t <= 1.0)) {
        *threshold = 1.0;
        return SPAMLR_ELIMIT;
    }
    *threshold = t < 0 ? 0 : t;
    return SPAMLR_OK;
}
