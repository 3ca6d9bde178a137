/* train.c - from a dataset to a model: column selection by min_count,
 * feature values, class weights, then the solver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/dataset.h"
#include "learn/dist.h"
#include "model/model.h"
#include "learn/online.h"
#include "learn/path.h"
#include "learn/solver.h"
#include "text/tokenize.h"

void spamlr_train_opts_init(spamlr_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->version = SPAMLR_OPTS_VERSION;
    o->solver = SPAMLR_SOLVER_AUTO;
    o->c = SPAMLR_C_AUTO;
    o->l1 = 0.0;
    o->l2 = 1.0;
    o->tol = 1e-4;
    o->max_iter = 1000;
    o->threads = 0;
    o->bias = 1;
    o->regularize_bias = 0;
    o->class_weight = SPAMLR_CW_NONE;
    o->weight_spam = 1.0;
    o->weight_ham = 1.0;
    o->min_count = SPAMLR_MIN_COUNT_AUTO;
    o->init = NULL;
    o->epochs = 5;
    o->eta = 0;
    o->folds = 0;
    o->prior = NULL;
}

unsigned spamlr__solver_resolve(unsigned solver, double l1)
{
    if (solver != SPAMLR_SOLVER_AUTO)
        return solver;
    return l1 > 0 ? SPAMLR_SOLVER_OWLQN : SPAMLR_SOLVER_TRON;
}

static int check_opts(const spamlr_train_opts *o, spamlr_diag *d)
{
    if (o->version < 1 || o->version > SPAMLR_OPTS_VERSION)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "train options of unknown version %u "
                            "(this library knows 1 to %u)", o->version, SPAMLR_OPTS_VERSION);
    if (o->solver > SPAMLR_SOLVER_OWLQN && o->solver != SPAMLR_SOLVER_AUTO &&
        !spamlr__is_online(o->solver))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "unknown solver %u", o->solver);
    if (!(o->c > 0 || o->c == SPAMLR_C_AUTO) || !isfinite(o->c))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "C must be a positive number (or SPAMLR_C_AUTO)");
    if (o->folds == 1)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "validation needs at least 2 folds");
    if (!(o->l1 >= 0) || !isfinite(o->l1) || !(o->l2 >= 0) || !isfinite(o->l2))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "l1 and l2 must be numbers >= 0");
    if (o->l1 == 0 && o->l2 == 0)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "l1 and l2 are both 0: the problem has no regularisation");
    if (o->l1 > 0 && (o->solver == SPAMLR_SOLVER_TRON || o->solver == SPAMLR_SOLVER_LBFGS))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "l1 > 0 needs the OWL-QN solver (the %s solver needs a smooth "
                            "objective)", o->solver == SPAMLR_SOLVER_TRON ? "TRON" : "L-BFGS");
    if (!(o->tol > 0) || !isfinite(o->tol))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "tol must be a positive number");
    if (o->max_iter == 0)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "max_iter must be at least 1");
    if (o->class_weight > SPAMLR_CW_MANUAL)
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "unknown class weight mode");
    if (o->class_weight == SPAMLR_CW_MANUAL &&
        (!(o->weight_spam > 0) || !(o->weight_ham > 0) || !isfinite(o->weight_spam) ||
         !isfinite(o->weight_ham)))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "class weights must be positive");
    if (!(o->eta >= 0) || !(o->eta <= SPAMLR__ETA_MAX))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1, "eta must be 0 to 1000");
    return SPAMLR_OK;
}

/* Warm start: w[col] = the init model's weight of the column's token. */
static void warm_start(double *w, const spamlr_model *init, const spamlr_dataset *ds,
                       const uint32_t *col, size_t ncols, int bias)
{
    size_t i;

    for (i = 0; i < ds->vocab.n; i++) {
        int64_t id;
        if (col[i] == UINT32_MAX)
            continue;
        id = spamlr__vocab_find(&init->vocab, spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                                ds->vocab.len[i]);
        if (id >= 0)
            w[col[i]] = init->w[id];
    }
    if (bias && init->has_bias)
        w[ncols] = init->bias;
}

/* The prior's weights on m's vocabulary (0 for a word the prior lacks),
 * kept in m so that online learning pulls towards them as training did. */
static int keep_prior(spamlr_model *m, const spamlr_model *prior)
{
    size_t i;

    if (!(m->prior_w = malloc((m->vocab.n + 1) * sizeof *m->prior_w)))
        return SPAMLR_ENOMEM;
    m->prior_n = m->vocab.n;
    for (i = 0; i < m->vocab.n; i++) {
        int64_t id = spamlr__vocab_find(&prior->vocab, spamlr__vocab_str(&m->vocab, (uint32_t)i),
                                        m->vocab.len[i]);
        m->prior_w[i] = id >= 0 ? prior->w[id] : 0.0f;
    }
    return SPAMLR_OK;
}

/* The words of the prior model that the trained one lacks (the data
 * did not hold them) join it with their base weights, which are their
 * optimum: no message pulls them from the centre of the penalty. So a
 * user's model still knows every word of the base. */
static int add_base_words(spamlr_model *m, const spamlr_model *prior)
{
    size_t i;
    uint32_t id;
    int rc;

    for (i = 0; i < prior->vocab.n; i++) {
        const char *tok = spamlr__vocab_str(&prior->vocab, (uint32_t)i);

        if (spamlr__vocab_find(&m->vocab, tok, prior->vocab.len[i]) >= 0)
            continue;
        if ((rc = spamlr__model_intern(m, tok, prior->vocab.len[i],
                                       prior->idf ? prior->idf[i] : 0.0f, &id)))
            return rc;
        m->w[id] = prior->w[i];
    }
    return SPAMLR_OK;
}

/* Below this many non-zeros, threads = 0 (all cores) runs on one thread:
 * a pass over the matrix then takes tens of microseconds, about what
 * starting the pool and handing tasks to it costs. */
#define AUTO_THREADS_MIN_NNZ 50000

static unsigned auto_threads(size_t nnz)
{
    return nnz < AUTO_THREADS_MIN_NNZ ? 1 : spamlr__ncpu();
}

/* The training matrix and what it needs, built from a dataset. */
typedef struct build {
    size_t *ptr;        /* the matrix when built here (else NULL) */
    uint32_t *idx;
    float *val;
    const size_t *X_ptr; /* the matrix: the above, or the dataset's arrays */
    const uint32_t *X_idx;
    const float *X_val;
    double *y, *cost;
    uint32_t *col;      /* dataset id -> column, UINT32_MAX when dropped */
    uint32_t *df;       /* dataset id -> labelled rows holding it */
    uint32_t *cdf;      /* column -> labelled rows holding it (all processes) */
    size_t ncols;       /* word columns */
    int all_cols;       /* every dataset token is a column, col[i] == i */
    size_t rows;
    spamlr_dataset *take; /* spamlr_train_consume's dataset: its row arrays
                           become the matrix (in_place) */
} build;

static void build_free(build *b)
{
    free(b->ptr);
    free(b->idx);
    free(b->val);
    free(b->y);
    free(b->cost);
    free(b->col);
    free(b->df);
    free(b->cdf);
}

/* spamlr_train_consume: the matrix in the dataset's own row arrays, which
 * it then no longer has (ds keeps its vocabulary; it has no rows). The
 * dataset's ids become the columns and its counts, 4 bytes each as well,
 * the values: first every kept entry moves forward into place (an entry
 * never moves past one not yet read), then, with a bias, the rows move
 * back from the last one to make room for each row's bias entry (an entry
 * only moves to a higher place, so the rows still to move are intact).
 * The same matrix as the copy below, value for value, without its 8 bytes
 * a non-zero of new memory. */
static int in_place(build *b, spamlr_dataset *ds, const spamlr_train_opts *o,
                    const float *idf_of_col)
{
    uint32_t *ids = ds->ids, *cnt = ds->cnt;
    size_t i, j, k = 0, r = 0, need;
    const float *tf = spamlr__tf_tab();

    if (!(b->ptr = malloc((b->rows + 1) * sizeof *b->ptr)))
        return SPAMLR_ENOMEM; /* (ds untouched) */
    b->ptr[0] = 0;
    for (i = 0; i < ds->rows; i++) {
        size_t start = k;

        if (ds->labels[i] == SPAMLR_UNLABELLED)
            continue;
        for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++) {
            uint32_t c = b->col[ids[j]];
            float v;

            if (c == UINT32_MAX)
                continue;
            v = spamlr__feature_value(ds->opts.features, cnt[j],
                                      idf_of_col ? idf_of_col[c] : 1.0f, tf);
            ids[k] = c;
            memcpy(&cnt[k++], &v, sizeof v); /* the slot now holds a float */
        }
        if (ds->opts.normalize)
            spamlr__normalize((float *)(void *)(cnt + start), k - start);
        b->ptr[++r] = k;
    }
    need = k + (o->bias ? b->rows : 0) + 1;
    if (need > ds->nnz_cap) {
        void *p = realloc(ds->ids, need * sizeof *ids), *q;

        if (p)
            ds->ids = ids = p;
        q = p ? realloc(ds->cnt, need * sizeof *cnt) : NULL;
        if (q)
            ds->cnt = cnt = q;
        if (!q) { /* the rows are half made into the matrix: gone either way */
            spamlr__dataset_take_rows(ds, &ids, &cnt);
            free(ids);
            free(cnt);
            return SPAMLR_ENOMEM;
        }
        ds->nnz_cap = need;
    }
    if (o->bias) {
        const float one = 1.0f;

        for (r = b->rows; r-- > 0;) {
            size_t s0 = b->ptr[r], e = b->ptr[r + 1];

            memmove(ids + s0 + r, ids + s0, (e - s0) * sizeof *ids);
            memmove(cnt + s0 + r, cnt + s0, (e - s0) * sizeof *cnt);
            ids[e + r] = (uint32_t)b->ncols;
            memcpy(&cnt[e + r], &one, sizeof one);
            b->ptr[r + 1] = e + r + 1;
        }
    }
    /* the arrays are the matrix's now; the dataset has no rows, and its
     * words are only read by id until the model is made: the slot table
     * (4 MB for SpamAssassin's 90,000 words) goes too, rebuilt if the
     * dataset ever takes rows again */
    spamlr__dataset_take_rows(ds, &ids, &cnt);
    spamlr__vocab_drop_table(&ds->vocab);
    b->idx = ids;
    b->val = (float *)(void *)cnt;
    b->X_ptr = b->ptr;
    b->X_idx = b->idx;
    b->X_val = b->val;
    return SPAMLR_OK;
}

/* Builds the matrix with cost = C times the class weight (C = 1 when C is
 * to be chosen). */
static int build_matrix(build *b, const spamlr_dataset *ds, const spamlr_train_opts *o,
                        size_t nspam, size_t nham, const float *idf_of_col)
{
    double cval = o->c == SPAMLR_C_AUTO ? 1.0 : o->c;
    size_t i, j, k = 0, r = 0, nnz = 0;
    double wspam = 1, wham = 1;
    int in_rows = b->take && !ds->val; /* the matrix made in ds's rows */
    const float *tf;

    if (o->class_weight == SPAMLR_CW_BALANCED) {
        wspam = (double)(nspam + nham) / (2.0 * (double)nspam);
        wham = (double)(nspam + nham) / (2.0 * (double)nham);
    } else if (o->class_weight == SPAMLR_CW_MANUAL) {
        wspam = o->weight_spam;
        wham = o->weight_ham;
    }
    for (i = 0; i < ds->rows; i++) {
        if (ds->labels[i] == SPAMLR_UNLABELLED)
            continue;
        /* the size of a copy (in_place finds it as it goes) */
        for (j = ds->ptr[i]; !in_rows && j < ds->ptr[i + 1]; j++)
            nnz += b->col[ds->ids[j]] != UINT32_MAX;
        nnz += o->bias != 0;
        b->rows++;
    }
    if (!(b->y = malloc((b->rows + 1) * sizeof *b->y)) ||
        !(b->cost = malloc((b->rows + 1) * sizeof *b->cost)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < ds->rows; i++)
        if (ds->labels[i] != SPAMLR_UNLABELLED) {
            b->y[r] = ds->labels[i] == SPAMLR_SPAM ? 1.0 : -1.0;
            b->cost[r++] = cval * (ds->labels[i] == SPAMLR_SPAM ? wspam : wham);
        }
    /* Explicit values, every row labelled, every token a column (in
     * order), no bias column: the dataset's arrays are the matrix as they
     * are, so they are used without a copy. */
    if (ds->val && !o->bias && b->rows == ds->rows && b->all_cols) {
        b->X_ptr = ds->ptr;
        b->X_idx = ds->ids;
        b->X_val = ds->val;
        return SPAMLR_OK;
    }
    if (in_rows)
        return in_place(b, b->take, o, idf_of_col);
    tf = spamlr__tf_tab();
    if (!(b->ptr = malloc((b->rows + 1) * sizeof *b->ptr)) ||
        !(b->idx = spamlr__alloc_big((nnz + 1) * sizeof *b->idx)) ||
        !(b->val = spamlr__alloc_big((nnz + 1) * sizeof *b->val)))
        return SPAMLR_ENOMEM;
    b->X_ptr = b->ptr;
    b->X_idx = b->idx;
    b->X_val = b->val;
    b->ptr[0] = 0;
    r = 0;
    for (i = 0; i < ds->rows; i++) {
        size_t start = k;
        if (ds->labels[i] == SPAMLR_UNLABELLED)
            continue;
        for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++) {
            uint32_t c = b->col[ds->ids[j]];
            if (c == UINT32_MAX)
                continue;
            b->idx[k] = c;
            if (ds->val) /* explicit values (libsvm rows): as they are */
                b->val[k++] = ds->val[j];
            else
                b->val[k++] = spamlr__feature_value(ds->opts.features, ds->cnt[j],
                                                    idf_of_col ? idf_of_col[c] : 1.0f, tf);
        }
        if (ds->opts.normalize && !ds->val)
            spamlr__normalize(b->val + start, k - start);
        if (o->bias) {
            b->idx[k] = (uint32_t)b->ncols;
            b->val[k++] = 1.0f;
        }
        b->ptr[++r] = k;
    }
    return SPAMLR_OK;
}

/* Chooses the columns: dataset tokens found in at least min_count labelled
 * rows, in the dataset's order (with dist: as the processes agree, into
 * m->vocab). Fills b->col, b->df, b->cdf, b->ncols. */
static int select_columns(build *b, const spamlr_dataset *ds, unsigned min_count,
                          const spamlr__dist *dist, spamlr_model *m, const spamlr_model *prior)
{
    size_t i, j, n = ds->vocab.n;
    int rc;

    if (!(b->col = malloc((n + 1) * sizeof *b->col)) ||
        !(b->df = calloc(n + 1, sizeof *b->df)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < ds->rows && ds->labels[i] != SPAMLR_UNLABELLED; i++)
        ;
    if (i == ds->rows) {
        /* every row labelled: the vocabulary counts the rows holding
         * each word already, as the loop below would */
        if (n)
            memcpy(b->df, ds->vocab.count, n * sizeof *b->df);
    } else {
        for (i = 0; i < ds->rows; i++)
            if (ds->labels[i] != SPAMLR_UNLABELLED)
                for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++)
                    b->df[ds->ids[j]]++;
    }
    if (dist) {
        rc = dist->columns(dist->ctx, &ds->vocab, b->df, min_count ? min_count : 1, b->col,
                           &m->vocab, &b->cdf);
        b->ncols = m->vocab.n;
        for (i = 0; !rc && i < n && b->col[i] == i; i++)
            ;
        b->all_cols = !rc && i == n && b->ncols == n;
        return rc;
    }
    b->ncols = 0;
    for (i = 0; i < n; i++) {
        int keep = b->df[i] >= (min_count ? min_count : 1);

        /* a word of the base that the data holds is a column even when
         * rare: its weight moves from the base's by what the data say */
        if (!keep && prior && b->df[i] > 0)
            keep = spamlr__vocab_find(&prior->vocab, spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                                      ds->vocab.len[i]) >= 0;
        b->col[i] = keep ? (uint32_t)b->ncols++ : UINT32_MAX;
    }
    b->all_cols = b->ncols == n; /* columns are numbered in token order */
    if (!(b->cdf = malloc((b->ncols + 1) * sizeof *b->cdf)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < n; i++)
        if (b->col[i] != UINT32_MAX)
            b->cdf[b->col[i]] = b->df[i];
    return SPAMLR_OK;
}

/* Copies the selected tokens (and idf values) into the model. */
static int fill_vocab(spamlr_model *m, const spamlr_dataset *ds, const build *b)
{
    size_t i, chars = 0;
    uint32_t id;
    int rc;

    if (b->all_cols && m->vocab.n == 0) /* every token: a copy */
        return spamlr__vocab_clone(&m->vocab, &ds->vocab);
    for (i = 0; i < ds->vocab.n; i++)
        if (b->col[i] != UINT32_MAX)
            chars += ds->vocab.len[i] + 1;
    if ((rc = spamlr__vocab_reserve(&m->vocab, b->ncols, chars)))
        return rc;
    /* distinct tokens whose hashes are known: no lookups (the model's
     * empty table takes the dataset's seed, so the hashes hold) */
    m->vocab.seed = ds->vocab.seed;
    for (i = 0; i < ds->vocab.n; i++) {
        if (b->col[i] == UINT32_MAX)
            continue;
        if ((rc = spamlr__vocab_add_new(&m->vocab, spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                                        ds->vocab.len[i], ds->vocab.hash[i], &id)))
            return rc;
    }
    return SPAMLR_OK;
}

/* With several processes: whether any of them failed (rc != 0) while
 * preparing its rows. Each calls it once, failed or not, so that none is
 * left waiting in the solver for the others. */
static int dist_failed(const spamlr__dist *dist, int rc)
{
    double bad = rc ? 1 : 0;

    dist->reduce(dist->ctx, &bad, 1);
    return bad > 0;
}

/* The final solve's iterations, reported as SPAMLR_PROGRESS_ITER. */
typedef struct iter_report {
    const spamlr_train_opts *o;
    double c;
} iter_report;

static int report_iter(void *ctx, unsigned iter, double gnorm, double goal)
{
    const iter_report *it = ctx;
    spamlr_progress pr;

    memset(&pr, 0, sizeof pr);
    pr.stage = SPAMLR_PROGRESS_ITER;
    pr.done = iter;
    pr.c = it->c;
    pr.grad_norm = gnorm;
    pr.grad_goal = goal;
    return it->o->progress(it->o->progress_ctx, &pr);
}

static int train_impl(spamlr_model **out, const spamlr_dataset *ds, spamlr_dataset *take,
                      const spamlr_train_opts *o, spamlr_train_report *report, spamlr_diag *d,
                      const spamlr__dist *dist);

int spamlr_train(spamlr_model **out, const spamlr_dataset *ds, const spamlr_train_opts *o,
                 spamlr_train_report *report, spamlr_diag *d)
{
    return train_impl(out, ds, NULL, o, report, d, NULL);
}

int spamlr_train_consume(spamlr_model **out, spamlr_dataset *ds, const spamlr_train_opts *o,
                         spamlr_train_report *report, spamlr_diag *d)
{
    return train_impl(out, ds, ds, o, report, d, NULL);
}

int spamlr__train(spamlr_model **out, const spamlr_dataset *ds, const spamlr_train_opts *o,
                  spamlr_train_report *report, spamlr_diag *d, const spamlr__dist *dist)
{
    return train_impl(out, ds, NULL, o, report, d, dist);
}

static int train_impl(spamlr_model **out, const spamlr_dataset *ds, spamlr_dataset *take,
                      const spamlr_train_opts *o, spamlr_train_report *report, spamlr_diag *d,
                      const spamlr__dist *dist)
{
    spamlr_train_opts def, res, v1;
    spamlr_train_report rep;
    spamlr_model *m = NULL;
    build b;
    spamlr__csr X;
    spamlr__solve_opts so;
    spamlr__reg reg;
    spamlr__path path;
    iter_report it;
    double *w = NULL, *w0 = NULL, t0, c;
    spamlr__solver *sv = NULL;
    float *idf = NULL;
    size_t nspam, nham, i, cols;
    int rc, rc2, agreed = 0, old_api = 0;

    if (!out)
        return SPAMLR_EINVAL;
    *out = NULL;
    if (spamlr__diag_bad(d) || (report && report->size < SPAMLR__REPORT_SIZE1))
        return SPAMLR_EINVAL;
    memset(&b, 0, sizeof b);
    path.n = 0;
    memset(&rep, 0, sizeof rep);
    rep.size = sizeof rep;
    spamlr__diag_clear(d);
    if (!ds)
        return SPAMLR_EINVAL;
    if (!o) {
        spamlr_train_opts_init(&def);
        o = &def;
    }
    if ((rc = check_opts(o, d)))
        return rc;
    if (o->version < 2) {
        /* 0.2's struct: what is now progress and keep_unconverged was
         * reserved (not necessarily 0); ENOCONVERGE keeps its model */
        v1 = *o;
        v1.progress = NULL;
        v1.progress_ctx = NULL;
        v1.keep_unconverged = 0;
        o = &v1;
        old_api = 1;
    }
    nspam = spamlr_dataset_count(ds, SPAMLR_SPAM);
    nham = spamlr_dataset_count(ds, SPAMLR_HAM);
    if (dist) {
        double cnt[2] = { (double)nspam, (double)nham };

        dist->reduce(dist->ctx, cnt, 2);
        nspam = (size_t)cnt[0];
        nham = (size_t)cnt[1];
    }
    if (nspam + nham == 0)
        return spamlr__diag(d, SPAMLR_EEMPTY, NULL, 0, -1, "no labelled messages to train on");
    if (nspam == 0 || nham == 0)
        return spamlr__diag(d, SPAMLR_EONECLASS, NULL, 0, -1,
                            "all %zu labelled messages are %s; training needs spam and ham",
                            nspam + nham, nspam ? "spam" : "ham");
    /* the automatic min_count, resolved here so that the model records the
     * value used (every process of an MPI run sees the same totals); value
     * rows (libsvm) are features, not words: every column is kept, as
     * LIBLINEAR keeps it */
    res = *o;
    if (res.min_count == SPAMLR_MIN_COUNT_AUTO)
        res.min_count = nspam + nham >= SPAMLR_MIN_COUNT_AUTO_N && !ds->val ? 2 : 1;
    o = &res;
    if (o->init && !spamlr__text_opts_equal(&o->init->text, &ds->opts))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "the initial model tokenises differently from the data");
    if (o->prior && !spamlr__text_opts_equal(&o->prior->text, &ds->opts))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "the prior model tokenises differently from the data");
    if (o->prior && spamlr__is_online(o->solver))
        return spamlr__diag(d, SPAMLR_EINVAL, NULL, 0, -1,
                            "a prior model needs a batch solver (tron, lbfgs or owlqn)");
    if (o->prior && dist)
        return spamlr__diag(d, SPAMLR_EUNSUPPORTED, NULL, 0, -1,
                            "a prior model is not supported with MPI training");
    if (spamlr__is_online(o->solver)) {
        rc = spamlr__train_online(out, ds, o, &rep, d);
        goto out;
    }
    if ((rc = spamlr__model_new(&m, &ds->opts)) ||
        (rc = spamlr_model_set_contacts(m, ds->contacts ? ds->contacts : ds->contacts_ref)))
        goto out;
    if ((rc = select_columns(&b, ds, o->min_count, dist, m, o->prior)))
        goto out;
    if (ds->opts.features == SPAMLR_FEAT_TFIDF) {
        size_t n = nspam + nham;
        if (!(idf = malloc((b.ncols + 1) * sizeof *idf))) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        for (i = 0; i < b.ncols; i++)
            idf[i] = spamlr__idf_of(n, b.cdf[i], ds->opts.idf_power);
        /* a word of the base keeps the base's idf, the feature its base
         * weight was learned on (so that w0 . x is the base's score) */
        for (i = 0; o->prior && o->prior->idf && i < ds->vocab.n; i++) {
            int64_t id;

            if (b.col[i] == UINT32_MAX)
                continue;
            id = spamlr__vocab_find(&o->prior->vocab, spamlr__vocab_str(&ds->vocab, (uint32_t)i),
                                    ds->vocab.len[i]);
            if (id >= 0)
                idf[b.col[i]] = o->prior->idf[id];
        }
    }
    b.take = take;
    if ((rc = build_matrix(&b, ds, o, nspam, nham, idf)))
        goto out;
    cols = b.ncols + (o->bias != 0);
    if (!(w = calloc(cols + 1, sizeof *w)) || !(m->w = malloc((b.ncols + 1) * sizeof *m->w)) ||
        (o->prior && !(w0 = calloc(cols + 1, sizeof *w0)))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    if (dist) {
        agreed = 1;
        if (dist_failed(dist, SPAMLR_OK)) {
            rc = spamlr__diag(d, SPAMLR_EIO, NULL, 0, -1,
                              "another process failed while preparing its rows");
            goto out;
        }
    }
    if (o->prior) {
        /* the penalty's centre, and the start unless init is given */
        warm_start(w0, o->prior, ds, b.col, b.ncols, o->bias != 0);
        memcpy(w, w0, cols * sizeof *w);
    }
    if (o->init)
        warm_start(w, o->init, ds, b.col, b.ncols, o->bias != 0);
    X.rows = b.rows;
    X.cols = cols;
    X.ptr = b.X_ptr;
    X.idx = b.X_idx;
    X.val = b.X_val;
    X.y = b.y;
    X.cost = b.cost;
    X.unreg_last = o->bias && !o->regularize_bias;
    reg.l1 = o->l1;
    reg.l2 = o->l2;
    X.reg = &reg;
    X.prior = w0;
    memset(&so, 0, sizeof so);
    so.solver = spamlr__solver_resolve(o->solver, o->l1);
    so.tol = o->tol;
    so.max_iter = o->max_iter;
    so.threads = o->threads ? o->threads : auto_threads(b.X_ptr[b.rows]);
    if (dist) {
        so.reduce = dist->reduce;
        so.reduce_ctx = dist->ctx;
    }
    so.progress = o->progress;
    so.progress_ctx = o->progress_ctx;
    t0 = spamlr__now();
    c = o->c;
    /* one solver for the path and the final solve: threads and vectors
     * made once */
    if (!(sv = spamlr__solver_new())) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    if (c == SPAMLR_C_AUTO) {
        rc = spamlr__path_fit_c(&X, b.cost, o->folds, nspam, nham, &so, &path, w, &c, sv);
        rep.path_seconds = spamlr__now() - t0;
        if (rc)
            goto out;
    }
    if (o->progress) {
        spamlr_progress pr;

        memset(&pr, 0, sizeof pr);
        pr.stage = SPAMLR_PROGRESS_FINAL;
        pr.c = c;
        if (o->progress(o->progress_ctx, &pr)) {
            rc = SPAMLR_ECANCELED;
            goto out;
        }
        if (!dist) { /* MPI's processes would not stop together */
            it.o = o;
            it.c = c;
            so.iter_fn = report_iter;
            so.iter_ctx = &it;
        }
    }
    rc = spamlr__solve_with(sv, &X, &so, w, &rep);
    spamlr__solver_free(sv);
    sv = NULL;
    rep.seconds = spamlr__now() - t0;
    if (rc && rc != SPAMLR_ENOCONVERGE)
        goto out;
    if (!dist && (rc2 = fill_vocab(m, ds, &b))) {
        rc = rc2;
        goto out;
    }
    for (i = 0; i < b.ncols; i++)
        m->w[i] = (float)w[i];
    m->has_bias = o->bias != 0;
    m->bias = o->bias ? (float)w[b.ncols] : 0.0f;
    m->idf = idf;
    idf = NULL;
    if (o->prior &&
        ((rc2 = add_base_words(m, o->prior)) || (rc2 = keep_prior(m, o->prior)) ||
         (rc2 = spamlr__model_set_base(m, o->prior->file_name ? o->prior->file_name : "",
                                       o->prior->file_crc, o->prior->trained_at)))) {
        rc = rc2;
        goto out;
    }
    m->solver = so.solver;
    m->l1 = o->l1;
    m->l2 = o->l2;
    m->class_weight = o->class_weight;
    m->min_count = o->min_count ? o->min_count : 1;
    m->iterations = rep.iterations;
    m->c = c;
    m->tol = o->tol;
    if (path.n && (rc2 = spamlr__model_set_path(m, path.pt, path.n, path.folds))) {
        rc = rc2;
        goto out;
    }
    m->objective = rep.objective;
    m->grad_norm = rep.grad_norm;
    m->examples = nspam + nham;
    m->spam = nspam;
    m->ham = nham;
    m->trained_at = (int64_t)time(NULL);
    rep.examples = nspam + nham;
    rep.spam = nspam;
    rep.ham = nham;
    rep.features = b.ncols;
    if (rc == SPAMLR_ENOCONVERGE) {
        spamlr__diag(d, rc, NULL, 0, -1,
                     "stopped after %u iterations with gradient norm %.3g (tolerance %.3g)",
                     rep.iterations, rep.grad_norm, o->tol * rep.grad_norm0);
        if (o->keep_unconverged) {
            rc = SPAMLR_OK; /* the model, and the message as a warning */
            if (d)
                d->code = 0;
        } else if (!old_api) {
            goto out; /* no model: every error returns none */
        }
    }
    *out = m;
    m = NULL;
out:
    if (dist && !agreed)
        dist_failed(dist, rc);
    if (rc && rc != SPAMLR_ENOCONVERGE && d && !d->code)
        spamlr__diag(d, rc, NULL, 0, -1, "%s", spamlr_strerror(rc));
    if (report)
        spamlr__out_copy(report, &rep, sizeof rep);
    spamlr_model_free(m);
    spamlr__solver_free(sv);
    build_free(&b);
    free(w);
    free(w0);
    free(idf);
    return rc;
}
