/* batch.c - spamlr_model_learn_batch: a batch of messages learned like
 * training, not as a stream: mixed with the rehearsal memory (memory.c),
 * in shuffled passes of online.c's steps until no message is inside the
 * margin, so that neither the order within the batch nor a batch of one
 * class undoes what the other class taught. */
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "learn/online.h"
#include "learn/path.h"
#include "learn/solver.h"

#define BATCH_PASSES 5
/* The most a remembered message's steps are scaled by in the passes (see
 * memory_rows): the bootstraps measured (SpamAssassin, SMS: a folder of
 * 1,400-3,500 of one class, then of the other, against 500 remembered)
 * needed up to 7; a model that has learned 100,000 messages would need
 * 200, whose steps would swell the AdaGrad sums of their words for good. */
#define MEM_WEIGHT_MAX 8.0

/* A row of a batch pass: the batch's own rows and the remembered ones. */
typedef struct brow {
    const uint32_t *ids;
    const float *val;
    size_t k;
    int y01;
    uint64_t h;
    double s;               /* the scale of its steps */
} brow;

/* FNV-1a of word id's token. */
static uint64_t token_hash(const spamlr_model *m, uint32_t id)
{
    const unsigned char *t = (const unsigned char *)spamlr__vocab_str(&m->vocab, id);
    uint64_t th = 0xcbf29ce484222325ull;
    size_t j;

    for (j = 0; j < m->vocab.len[id]; j++)
        th = (th ^ t[j]) * 0x100000001b3ull;
    return th;
}

/* A hash of a row and its label that depends on its tokens and values
 * only, not on their ids or order (which depend on the order in which
 * the words entered the vocabulary); never 0. */
static uint64_t content_hash(const spamlr_model *m, const uint32_t *ids, const float *val,
                             size_t k, int y01)
{
    uint64_t h = spamlr__mix64((uint64_t)y01 + 1);
    size_t i;

    for (i = 0; i < k; i++) {
        uint32_t v;
        memcpy(&v, &val[i], 4);
        h += spamlr__mix64(token_hash(m, ids[i]) ^ (uint64_t)v << 17);
    }
    return h ? h : 1;
}

static int cmp_brow(const void *a, const void *b)
{
    uint64_t x = ((const brow *)a)->h, y = ((const brow *)b)->h;

    return x < y ? -1 : x > y;
}

/* Passes over rows[0..n) in fresh shuffled orders, stepping each row
 * inside the margin, until a pass steps none (at most BATCH_PASSES). */
static void batch_passes(spamlr_model *m, brow *rows, size_t n, uint64_t rng)
{
    size_t i, steps = 1;
    unsigned pass;

    for (pass = 0; pass < BATCH_PASSES && steps; pass++) {
        for (i = n; i > 1; i--) { /* Fisher-Yates */
            size_t j = spamlr__rand_below(&rng, i);
            brow t;
            t = rows[i - 1];
            rows[i - 1] = rows[j];
            rows[j] = t;
        }
        for (steps = 0, i = 0; i < n; i++) {
            spamlr__row_step(m, rows[i].ids, rows[i].val, rows[i].k, rows[i].y01, rows[i].s, 1);
            steps += m->last_gz != 0;
        }
    }
}

/* A row's order key for a refit: its words and class only (the values of a
 * remembered row and of the same message read again may differ in the
 * last bit), so that the same messages learned in any order make the same
 * matrix, and the same folds choose C. */
static uint64_t word_hash(const spamlr_model *m, const brow *r)
{
    uint64_t h = spamlr__mix64((uint64_t)r->y01 + 7);
    size_t i;

    for (i = 0; i < r->k; i++)
        h += spamlr__mix64(token_hash(m, r->ids[i]));
    return h;
}

typedef struct keyed_row {
    uint64_t key;
    const brow *r;
} keyed_row;

static int cmp_keyed_row(const void *a, const void *b)
{
    uint64_t x = ((const keyed_row *)a)->key, y = ((const keyed_row *)b)->key;

    return x < y ? -1 : x > y;
}

typedef struct pair {
    uint32_t id;
    float v;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    uint32_t x = ((const pair *)a)->id, y = ((const pair *)b)->id;

    return x < y ? -1 : x > y;
}

/* A model made empty whose memory still holds every message it learned,
 * learning a batch, is trained on all of them as spamlr_train would train
 * on their rows (TRON, C chosen on the validation path, an unpenalised
 * bias, the feature values as the model gives them): the weights and the
 * bias are the solution's, the solver state starts again (as after batch
 * training). rows[0..n) hold both classes. */
static int refit(spamlr_model *m, const brow *rows, size_t n, size_t nspam)
{
    size_t V = m->vocab.n, nnz = 0, kmax = 0, r, i, at = 0;
    keyed_row *kr = malloc((n + 1) * sizeof *kr);
    size_t *ptr = malloc((n + 1) * sizeof *ptr);
    double *y = malloc((n + 1) * sizeof *y), *cost = malloc((n + 1) * sizeof *cost);
    double *w = calloc(V + 2, sizeof *w);
    uint32_t *idx = NULL;
    float *val = NULL;
    pair *pp = NULL;
    int rc = SPAMLR_ENOMEM;
    spamlr__csr X;
    spamlr__solve_opts so;
    spamlr__solver *sv = NULL;
    spamlr__path path;
    spamlr__reg reg = {0, 1};
    spamlr_train_report rep;
    spamlr_train_opts defaults;
    double c = 1;

    for (r = 0; r < n; r++) {
        nnz += rows[r].k + 1;
        kmax = rows[r].k > kmax ? rows[r].k : kmax;
    }
    if (!kr || !ptr || !y || !cost || !w || !(idx = malloc((nnz + 1) * sizeof *idx)) ||
        !(val = malloc((nnz + 1) * sizeof *val)) || !(pp = malloc((kmax + 1) * sizeof *pp)) ||
        !(sv = spamlr__solver_new()))
        goto out;
    for (r = 0; r < n; r++) {
        kr[r].key = word_hash(m, &rows[r]);
        kr[r].r = &rows[r];
    }
    qsort(kr, n, sizeof *kr, cmp_keyed_row);
    ptr[0] = 0;
    for (r = 0; r < n; r++) {
        const brow *b = kr[r].r;

        for (i = 0; i < b->k; i++) {
            pp[i].id = b->ids[i];
            pp[i].v = b->val[i];
        }
        qsort(pp, b->k, sizeof *pp, cmp_pair);
        for (i = 0; i < b->k; i++, at++) {
            idx[at] = pp[i].id;
            val[at] = pp[i].v;
        }
        idx[at] = (uint32_t)V; /* the bias column */
        val[at++] = 1.0f;
        ptr[r + 1] = at;
        y[r] = b->y01 ? 1.0 : -1.0;
        cost[r] = 1.0;
    }
    memset(&X, 0, sizeof X);
    X.rows = n;
    X.cols = V + 1;
    X.ptr = ptr;
    X.idx = idx;
    X.val = val;
    X.y = y;
    X.cost = cost;
    X.unreg_last = 1;
    X.reg = &reg;
    spamlr_train_opts_init(&defaults); /* spamlr_train's tolerance and bound */
    memset(&so, 0, sizeof so);
    so.solver = spamlr__solver_resolve(SPAMLR_SOLVER_AUTO, 0);
    so.tol = defaults.tol;
    so.max_iter = defaults.max_iter;
    so.threads = 1;
    if ((rc = spamlr__path_fit_c(&X, cost, 0, nspam, n - nspam, &so, &path, w, &c, sv)))
        goto out;
    memset(&rep, 0, sizeof rep);
    rep.size = sizeof rep;
    rc = spamlr__solve_with(sv, &X, &so, w, &rep);
    if (rc && rc != SPAMLR_ENOCONVERGE)
        goto out;
    for (i = 0; i < V; i++) {
        m->w[i] = (float)w[i];
        m->acc[i] = 0;
        if (m->acc_z)
            m->acc_z[i] = 0;
    }
    m->bias = (float)w[V];
    m->bias_acc = 0;
    m->bias_z = 0;
    m->c = c;
    m->tol = so.tol;
    m->iterations = rep.iterations;
    m->solver = SPAMLR_SOLVER_TRON; /* the weights are a batch solver's now */
    rc = SPAMLR_OK;
out:
    spamlr__solver_free(sv);
    free(kr);
    free(ptr);
    free(y);
    free(cost);
    free(w);
    free(idx);
    free(val);
    free(pp);
    return rc;
}

/* Whether m is a model made empty whose memory holds every message it
 * learned and will hold add[0] more ham and add[1] more spam. */
static int refit_ok(const spamlr_model *m, const size_t add[2])
{
    size_t c;

    if (!m->df || m->online != SPAMLR_SOLVER_ADAGRAD)
        return 0;
    for (c = 0; c < 2; c++)
        if (m->mem_seen[c] != m->mem_n[c] || m->mem_n[c] + add[c] > m->mem_max)
            return 0;
    return 1;
}

/* The remembered messages as rows, ham first, at rows[0..]; returns their
 * number. A class's memory is a uniform sample of the messages of that
 * class learned (the reservoir, memory.c): when it has had to drop some,
 * each remembered one stands for mem_seen / mem_n of them, and its steps
 * in the passes are scaled by that (at most MEM_WEIGHT_MAX), so that a
 * batch of one class meets the other class with the weight it was learned
 * with, not with the few hundred kept. The bootstrap of the SpamAssassin
 * train split, 3134 ham then 1416 spam against 500 of each remembered:
 * (1-AUC)% 0.0547 -> 0.0402, ham called spam 18 -> 9 of 1016; SMS, 3514
 * ham then 573 spam: 1.041 -> 0.731, 35 -> 13 of 1313; the other order
 * 0.0146 -> 0.0187 (2 -> 3 ham, 15 -> 10 spam missed) and 0.353 (the
 * same). */
static size_t memory_rows(const spamlr_model *m, brow *rows)
{
    size_t c, i, k = 0;

    for (c = 0; c < 2; c++) {
        double s = 1.0;

        if (m->mem_n[c] && m->mem_seen[c] > m->mem_n[c]) {
            s = (double)m->mem_seen[c] / (double)m->mem_n[c];
            if (s > MEM_WEIGHT_MAX)
                s = MEM_WEIGHT_MAX;
        }
        for (i = 0; i < m->mem_n[c]; i++, k++) {
            rows[k].ids = m->mem[c][i].ids;
            rows[k].val = m->mem[c][i].val;
            rows[k].k = m->mem[c][i].k;
            rows[k].y01 = (int)c;
            rows[k].h = 0;
            rows[k].s = s;
        }
    }
    return k;
}

/* After unlearning, a model whose weights a refit made is trained again on
 * the messages it still remembers (all it learned, less those). */
static int refit_memory(spamlr_model *m)
{
    static const size_t none[2] = {0, 0};
    size_t n = m->mem_n[0] + m->mem_n[1];
    brow *rows;
    int rc;

    if (m->solver != SPAMLR_SOLVER_TRON || !refit_ok(m, none) || !m->mem_n[0] || !m->mem_n[1])
        return SPAMLR_OK;
    if ((rc = spamlr__live_refresh(m)))
        return rc;
    if (!(rows = malloc((n + 1) * sizeof *rows)))
        return SPAMLR_ENOMEM;
    rc = refit(m, rows, memory_rows(m, rows), m->mem_n[1]);
    free(rows);
    return rc;
}

/* spamlr_model_learn_batch without the record. */
static int batch_rows(spamlr_model *m, const spamlr_dataset *ds, const size_t *order, size_t n)
{
    spamlr__rowbuf rb;
    spamlr__memrow *fresh = NULL;
    brow *rows = NULL;
    size_t i, k, nb = 0, nt;
    uint64_t updates;
    int rc;

    for (i = nb = 0; i < n && nb < 2; i++) {
        int label = ds->labels[order ? order[i] : i];
        nb += label == SPAMLR_SPAM || label == SPAMLR_HAM;
    }
    if (nb < 2) /* one message: one step, which unlearning undoes exactly */
        return spamlr__learn_rows(m, ds, order, n, 1, NULL, 0, 1.0, 1.0, NULL, 1);
    nb = 0;
    if (spamlr__rowbuf_init(&rb, ds))
        return SPAMLR_ENOMEM;
    nt = m->mem_n[0] + m->mem_n[1];
    if (!(fresh = calloc(n + 1, sizeof *fresh)) || !(rows = malloc((n + nt + 1) * sizeof *rows))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    for (i = 0; i < ds->vocab.n; i++)
        rb.map[i] = -2;
    /* live idf: the batch's words counted first, so that every row of
     * the passes, the remembered ones too, has the idf of all of them */
    for (i = 0; m->df && i < n; i++) {
        size_t r = order ? order[i] : i;
        if (ds->labels[r] != SPAMLR_SPAM && ds->labels[r] != SPAMLR_HAM)
            continue;
        if ((rc = spamlr__map_row(m, ds, r, &rb, 0, NULL, 1, &k)))
            goto out;
        spamlr__live_count(m, rb.ids, k, 1);
    }
    if ((rc = spamlr__live_refresh(m)))
        goto out;
    for (i = 0; i < n; i++) {
        size_t r = order ? order[i] : i;
        int label = ds->labels[r];
        if (label != SPAMLR_SPAM && label != SPAMLR_HAM)
            continue;
        if ((rc = spamlr__map_row(m, ds, r, &rb, 0, NULL, 1, &k)))
            goto out;
        if (!(fresh[nb] = spamlr__mem_row(rb.ids, rb.val, k)).ids) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        rows[nb].ids = fresh[nb].ids;
        rows[nb].val = fresh[nb].val;
        rows[nb].k = k;
        rows[nb].y01 = label == SPAMLR_SPAM;
        rows[nb].s = 1.0;
        rows[nb].h = content_hash(m, rb.ids, rb.val, k, rows[nb].y01);
        nb++;
    }
    /* the same rows in any order give the same model */
    qsort(rows, nb, sizeof *rows, cmp_brow);
    nt = nb + memory_rows(m, rows + nb);
    updates = m->updates;
    /* a model made empty that still remembers every message it learned,
     * and will remember these too: trained on all of them (refit); else
     * the passes */
    {
        size_t ns = 0, add[2];

        for (i = 0; i < nb; i++)
            ns += (size_t)rows[i].y01;
        add[0] = nb - ns;
        add[1] = ns;
        if (refit_ok(m, add) && ns + m->mem_n[1] > 0 && (nb - ns) + m->mem_n[0] > 0) {
            if ((rc = refit(m, rows, nt, ns + m->mem_n[1])))
                goto out;
        } else {
            batch_passes(m, rows, nt,
                         spamlr__mix64(updates ^ (uint64_t)nb << 32 ^ (nb ? rows[0].h : 0)));
        }
    }
    m->updates = updates;
    m->last_hash = 0; /* no exact unlearning of a batch */
    /* rows[0..nb) are shuffled now: offer them to the memory by hash */
    qsort(rows, nt, sizeof *rows, cmp_brow);
    for (i = 0; i < nt; i++) {
        if (!rows[i].h)
            continue;
        spamlr__mem_add(m, rows[i].ids, rows[i].val, rows[i].k, rows[i].y01, rows[i].h);
        spamlr__count_label(m, rows[i].y01 ? SPAMLR_SPAM : SPAMLR_HAM, 1);
        m->updates++;
    }
    rc = SPAMLR_OK;
out:
    for (i = 0; fresh && i < nb; i++)
        free(fresh[i].ids);
    free(fresh);
    free(rows);
    spamlr__rowbuf_free(&rb);
    return rc;
}

/* A row of a call and its key, to find repeats within the call. */
typedef struct keyed {
    uint64_t key;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int spamlr_model_learn_batch_ex(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                                size_t n, int direction, int *outcomes)
{
    keyed *kr = NULL;
    size_t *todo = NULL, *un = NULL, i, nk = 0, nt = 0, nu = 0;
    signed char *cls = NULL;
    int rc;

    if ((rc = spamlr__check_rows(m, ds, order, n)))
        return rc;
    if (direction != 1 && direction != -1 && direction != SPAMLR_RELEARN)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__learn_begin(m, 1)))
        return rc;
    if (direction != 1 && (rc = spamlr__check_recorded(m, ds, order, n)))
        return rc;
    if (direction < 0) {
        rc = spamlr__learn_rows_x(m, ds, order, n, -1, NULL, 0, 1.0, 1.0, NULL,
                                  1 | SPAMLR__LEARN_SEEN, outcomes);
        return rc ? rc : refit_memory(m);
    }
    rc = SPAMLR_ENOMEM;
    if (!(kr = malloc((n + 1) * sizeof *kr)) || !(todo = malloc((n + 1) * sizeof *todo)) ||
        !(un = malloc((n + 1) * sizeof *un)) || !(cls = malloc(n + 1)))
        goto out;
    for (i = 0; i < n; i++) {
        size_t r = order ? order[i] : i;
        if (ds->labels[r] != SPAMLR_SPAM && ds->labels[r] != SPAMLR_HAM)
            continue;
        kr[nk].key = spamlr__ds_row_key(ds, r);
        kr[nk++].i = i;
    }
    /* a row repeated within the call is learned once, the first time */
    qsort(kr, nk, sizeof *kr, cmp_keyed);
    for (i = 0; i < n; i++)
        cls[i] = -2; /* not labelled */
    for (i = 0; i < nk; i++) {
        size_t r = order ? order[kr[i].i] : kr[i].i;
        int c = spamlr__seen_find(&m->seen, kr[i].key), y01 = ds->labels[r] == SPAMLR_SPAM;
        if (i && kr[i].key == kr[i - 1].key)
            c = y01; /* a repeat: as if learned already */
        cls[kr[i].i] = (signed char)c;
    }
    for (i = 0; i < n; i++) {
        size_t r = order ? order[i] : i;
        int y01 = ds->labels[r] == SPAMLR_SPAM;
        if (cls[i] == -2)
            continue;
        if (outcomes)
            outcomes[r] = cls[i] == y01 ? SPAMLR_LEARNED_ALREADY
                          : cls[i] < 0 ? SPAMLR_LEARNED_NEW : SPAMLR_LEARNED_RELEARNED;
        if (cls[i] == y01)
            continue;
        if (cls[i] >= 0)
            un[nu++] = r;
        todo[nt++] = r;
    }
    /* learned as the other class: unlearned first (with that class) */
    if (nu && (rc = spamlr__learn_rows_x(m, ds, un, nu, -1, NULL, 0, 1.0, 1.0, NULL, 1 | SPAMLR__LEARN_SEEN,
                                 NULL)))
        goto out;
    if (nt && (rc = batch_rows(m, ds, todo, nt)))
        goto out;
    for (i = 0; i < nt; i++)
        if ((rc = spamlr__seen_put(&m->seen, spamlr__ds_row_key(ds, todo[i]),
                                   ds->labels[todo[i]] == SPAMLR_SPAM)))
            goto out;
    rc = SPAMLR_OK;
out:
    free(kr);
    free(todo);
    free(un);
    free(cls);
    return rc;
}

int spamlr_model_learn_batch(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                             size_t n)
{
    return spamlr_model_learn_batch_ex(m, ds, order, n, 1, NULL);
}
