/* test_l1.c - L1 and elastic-net training through the public API: option
 * checks, the solver chosen, sparsity, and l1/l2 in the model file; and
 * training split over several (simulated) processes. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>

#include "common/common.h"
#include "learn/dist.h"
#include "text/vocab.h"

/* Rows i % nshard == shard of a small data set where a few words decide
 * the class and many do not. */
static void add_rows(spamlr_dataset *ds, unsigned shard, unsigned nshard)
{
    static const char *spam_words[] = { "winner", "prize", "cash", "free", "offer" };
    static const char *ham_words[] = { "meeting", "report", "lunch", "agenda", "notes" };
    char text[512];
    unsigned i, k;

    for (i = 0; i < 200; i++) {
        int spam = i % 3 == 0;
        size_t n = 0;

        if (i % nshard != shard)
            continue;

        for (k = 0; k < 4; k++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s noise%u ",
                                  (spam ? spam_words : ham_words)[(i + k) % 5],
                                  (i * 7 + k * 13) % 97);
        /* some label noise so that the weights stay finite */
        if (i % 17 == 0)
            spam = !spam;
        ck_assert_int_eq(spamlr_dataset_add(ds, spam ? SPAMLR_SPAM : SPAMLR_HAM, text, n,
                                            NULL), SPAMLR_OK);
    }
}

static spamlr_dataset *make_data_idf(unsigned idf_power)
{
    spamlr_dataset *ds;
    spamlr_text_opts t;

    spamlr_text_opts_init(&t);
    t.mime = 0;
    t.idf_power = idf_power;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &t), SPAMLR_OK);
    add_rows(ds, 0, 1);
    return ds;
}

static spamlr_dataset *make_data(void)
{
    return make_data_idf(2);
}

static size_t nonzero(const spamlr_model *m)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;

    spamlr_model_info_get(m, &in);
    return in.nonzero;
}

START_TEST(test_opts_defaults_and_checks)
{
    spamlr_dataset *ds = make_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;

    spamlr_train_opts_init(&o);
    ck_assert(o.l1 == 0 && o.l2 == 1);
    ck_assert_uint_eq(o.solver, SPAMLR_SOLVER_AUTO);
    o.l1 = 1;
    o.solver = SPAMLR_SOLVER_TRON;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(d.message, "OWL-QN"));
    o.solver = SPAMLR_SOLVER_LBFGS;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.solver = SPAMLR_SOLVER_AUTO;
    o.l1 = -0.5;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l1 = 0;
    o.l2 = 0;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l2 = NAN;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    o.l2 = 1;
    o.solver = 7;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, &d), SPAMLR_EINVAL);
    spamlr_dataset_free(ds);
}
END_TEST

/* AUTO runs TRON without l1 and OWL-QN with it; the model says which,
 * and keeps l1 and l2 through a save and load. */
START_TEST(test_auto_solver_and_metadata)
{
    spamlr_dataset *ds = make_data();
    spamlr_train_opts o;
    spamlr_model *m = NULL, *m2 = NULL;
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    unsigned char *buf;
    size_t size;

    spamlr_train_opts_init(&o);
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_TRON);
    ck_assert(in.l1 == 0 && in.l2 == 1);
    spamlr_model_free(m);

    o.l1 = 0.5;
    o.l2 = 0.25;
    ck_assert_int_eq(spamlr_train(&m, ds, &o, &rep, NULL), SPAMLR_OK);
    spamlr_model_info_get(m, &in);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_OWLQN);
    ck_assert(in.l1 == 0.5 && in.l2 == 0.25);
    ck_assert(rep.grad_norm <= o.tol * rep.grad_norm0);
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_load_buffer(&m2, buf, size, NULL), SPAMLR_OK);
    spamlr_model_info_get(m2, &in);
    ck_assert(in.l1 == 0.5 && in.l2 == 0.25);
    ck_assert_uint_eq(in.solver, SPAMLR_SOLVER_OWLQN);
    ck_assert_uint_eq(in.nonzero, nonzero(m));

    /* a file from before l1/l2 were recorded (metadata without l1, l2,
     * fold, subwords, idf_power: 28 bytes shorter) still loads, as l1 = 0,
     * l2 = 1, idf_power 1 (its idf values are what they are) */
    {
        uint32_t meta = (uint32_t)buf[16] | (uint32_t)buf[17] << 8, crc;
        size_t cut = 20 + meta - 28;
        spamlr_model *old = NULL;

        ck_assert_uint_eq(meta, 156);
        ck_assert_uint_eq(in.text.idf_power, 2);
        memmove(buf + cut, buf + cut + 28, size - cut - 28);
        size -= 28;
        buf[16] = (unsigned char)(meta - 28);
        crc = spamlr__crc32(0, buf, size - 4);
        buf[size - 4] = (unsigned char)crc;
        buf[size - 3] = (unsigned char)(crc >> 8);
        buf[size - 2] = (unsigned char)(crc >> 16);
        buf[size - 1] = (unsigned char)(crc >> 24);
        ck_assert_int_eq(spamlr_model_load_buffer(&old, buf, size, NULL), SPAMLR_OK);
        spamlr_model_info_get(old, &in);
        ck_assert(in.l1 == 0 && in.l2 == 1);
        ck_assert_uint_eq(in.text.idf_power, 1);
        ck_assert_uint_eq(in.nonzero, nonzero(m));
        spamlr_model_free(old);
    }
    free(buf);
    spamlr_model_free(m);
    spamlr_model_free(m2);
    spamlr_dataset_free(ds);
}
END_TEST

/* A larger l1 keeps fewer words; the deciding words survive longest. */
START_TEST(test_sparsity_through_api)
{
    static const double l1s[] = { 0, 0.1, 1, 3 };
    /* the deciding words here are the commonest ones (each in a fifth of
     * the rows): plain idf, so that they stay the largest features */
    spamlr_dataset *ds = make_data_idf(1);
    spamlr_train_opts o;
    spamlr_model *m = NULL;
    size_t nz, last = SIZE_MAX, first = 0;
    float w;
    unsigned k;

    spamlr_train_opts_init(&o);
    o.c = 1; /* the L1 weight sweeps; C stays */
    o.threads = 2;
    for (k = 0; k < sizeof l1s / sizeof *l1s; k++) {
        o.l1 = l1s[k];
        ck_assert_int_eq(spamlr_train(&m, ds, &o, NULL, NULL), SPAMLR_OK);
        nz = nonzero(m);
        ck_assert_msg(nz <= last, "l1 %g: %zu nonzero, more than %zu", o.l1, nz, last);
        if (k == 0)
            first = nz;
        last = nz;
        if (k == sizeof l1s / sizeof *l1s - 1) {
            ck_assert_int_eq(spamlr_model_weight(m, "winner", &w), SPAMLR_OK);
            ck_assert(w > 0);
            ck_assert_int_eq(spamlr_model_weight(m, "meeting", &w), SPAMLR_OK);
            ck_assert(w < 0);
            ck_assert_int_eq(spamlr_model_weight(m, "noise5", &w), SPAMLR_OK);
            ck_assert(w == 0);
        }
        spamlr_model_free(m);
        m = NULL;
    }
    ck_assert_msg(last * 5 < first, "%zu nonzero at the end, %zu at first", last, first);
    spamlr_dataset_free(ds);
}
END_TEST


/* ------------------------------------- several processes (spamlr__train) */

/* Two threads stand in for two processes: spamlr__train with a dist whose
 * reduce adds in rank order behind a barrier and whose columns merges the
 * vocabularies at rank 0, as lib/mpi.c does with MPI. The model must be
 * the one spamlr_train makes from all rows. */
#define NRANK 2

typedef struct fake_world {
    pthread_barrier_t bar;
    double *in[NRANK];
    double sum[1 << 17];
    const spamlr__vocab *local[NRANK];
    const uint32_t *df[NRANK];
    spamlr__vocab merged;
} fake_world;

typedef struct fake_rank {
    fake_world *w;
    unsigned rank;
    spamlr_dataset *ds;
    spamlr_train_opts o;
    spamlr_model *m;
    spamlr_train_report rep;
    int rc;
} fake_rank;

static void fake_reduce(void *ctx, double *v, size_t n)
{
    fake_rank *r = ctx;
    size_t j;

    ck_assert(n <= sizeof r->w->sum / sizeof *r->w->sum);
    r->w->in[r->rank] = v;
    pthread_barrier_wait(&r->w->bar);
    if (r->rank == 0)
        for (j = 0; j < n; j++)
            r->w->sum[j] = r->w->in[0][j] + r->w->in[1][j];
    pthread_barrier_wait(&r->w->bar);
    memcpy(v, r->w->sum, n * sizeof *v);
    pthread_barrier_wait(&r->w->bar);
}

static int fake_columns(void *ctx, const spamlr__vocab *local, const uint32_t *df,
                        unsigned min_count, uint32_t *col, spamlr__vocab *vocab, uint32_t **cdf)
{
    fake_rank *r = ctx;
    fake_world *w = r->w;
    size_t i;
    unsigned p;
    uint32_t id;

    w->local[r->rank] = local;
    w->df[r->rank] = df;
    pthread_barrier_wait(&w->bar);
    if (r->rank == 0)
        for (p = 0; p < NRANK; p++)
            for (i = 0; i < w->local[p]->n; i++) {
                ck_assert_int_eq(spamlr__vocab_intern(&w->merged,
                                     spamlr__vocab_str(w->local[p], (uint32_t)i),
                                     w->local[p]->len[i], &id, NULL), SPAMLR_OK);
                w->merged.count[id] += w->df[p][i];
            }
    pthread_barrier_wait(&w->bar);
    *cdf = malloc((w->merged.n + 1) * sizeof **cdf);
    ck_assert_ptr_nonnull(*cdf);
    for (i = 0; i < w->merged.n; i++) {
        if (w->merged.count[i] < min_count)
            continue;
        ck_assert_int_eq(spamlr__vocab_intern(vocab, spamlr__vocab_str(&w->merged, (uint32_t)i),
                                              w->merged.len[i], &id, NULL), SPAMLR_OK);
        (*cdf)[id] = w->merged.count[i];
    }
    for (i = 0; i < local->n; i++) {
        int64_t c = spamlr__vocab_find(vocab, spamlr__vocab_str(local, (uint32_t)i),
                                       local->len[i]);

        col[i] = c < 0 ? UINT32_MAX : (uint32_t)c;
    }
    pthread_barrier_wait(&w->bar);
    return SPAMLR_OK;
}

static void *fake_train(void *arg)
{
    fake_rank *r = arg;
    spamlr__dist dist;

    dist.ctx = r;
    dist.reduce = fake_reduce;
    dist.columns = fake_columns;
    r->rc = spamlr__train(&r->m, r->ds, &r->o, &r->rep, NULL, &dist);
    return NULL;
}

/* Rows i % NRANK == rank, in a dataset of their own. */
static spamlr_dataset *make_half(unsigned rank, const spamlr_text_opts *t)
{
    spamlr_dataset *ds;

    ck_assert_int_eq(spamlr_dataset_create(&ds, t), SPAMLR_OK);
    add_rows(ds, rank, NRANK);
    return ds;
}

START_TEST(test_dist_equals_one_process)
{
    static const double l1s[] = { 0, 0.3 };
    fake_world *w = calloc(1, sizeof *w);
    fake_rank r[NRANK];
    pthread_t tid[NRANK];
    spamlr_text_opts t;
    spamlr_dataset *all;
    spamlr_model *one;
    spamlr_train_report rep = SPAMLR_TRAIN_REPORT_INIT;
    spamlr_model_info a = SPAMLR_MODEL_INFO_INIT, b = SPAMLR_MODEL_INFO_INIT;
    double pa[200], pb[200];
    unsigned k, c;
    size_t i;

    ck_assert_ptr_nonnull(w);
    spamlr_text_opts_init(&t);
    t.mime = 0;
    t.features = SPAMLR_FEAT_TFIDF;
    ck_assert_int_eq(spamlr_dataset_create(&all, &t), SPAMLR_OK);
    add_rows(all, 0, 1);
    for (c = 0; c < 2; c++) {
        spamlr_train_opts o;

        spamlr_train_opts_init(&o);
        o.c = 1; /* a chosen C would come from each side's own folds */
        o.l1 = l1s[c];
        o.min_count = 3;
        o.class_weight = SPAMLR_CW_BALANCED;
        o.tol = 1e-8;
        ck_assert_int_eq(spamlr_train(&one, all, &o, &rep, NULL), SPAMLR_OK);
        spamlr__vocab_init(&w->merged);
        ck_assert_int_eq(pthread_barrier_init(&w->bar, NULL, NRANK), 0);
        for (k = 0; k < NRANK; k++) {
            r[k].w = w;
            r[k].rank = k;
            r[k].ds = make_half(k, &t);
            r[k].o = o;
            r[k].o.threads = k + 1;
            r[k].m = NULL;
            r[k].rep.size = sizeof r[k].rep;
            ck_assert_int_eq(pthread_create(&tid[k], NULL, fake_train, &r[k]), 0);
        }
        for (k = 0; k < NRANK; k++)
            pthread_join(tid[k], NULL);
        pthread_barrier_destroy(&w->bar);
        spamlr_model_info_get(one, &a);
        ck_assert_int_eq(spamlr_predict_dataset(one, all, pa, NULL), SPAMLR_OK);
        for (k = 0; k < NRANK; k++) {
            ck_assert_int_eq(r[k].rc, SPAMLR_OK);
            spamlr_model_info_get(r[k].m, &b);
            ck_assert_uint_eq(b.parameters, a.parameters);
            ck_assert_uint_eq(b.examples, a.examples);
            ck_assert_msg(fabs(b.objective - a.objective) <= 1e-9 * a.objective,
                          "l1 %g rank %u: f %.15g, one process %.15g", o.l1, k, b.objective,
                          a.objective);
            ck_assert_int_eq(spamlr_predict_dataset(r[k].m, all, pb, NULL), SPAMLR_OK);
            for (i = 0; i < spamlr_dataset_rows(all); i++)
                ck_assert_msg(fabs(pa[i] - pb[i]) < 1e-6, "row %zu: %g vs %g", i, pa[i],
                              pb[i]);
            spamlr_model_free(r[k].m);
            spamlr_dataset_free(r[k].ds);
        }
        spamlr__vocab_free(&w->merged);
        spamlr_model_free(one);
    }
    spamlr_dataset_free(all);
    free(w);
}
END_TEST

static Suite *l1_suite(void)
{
    Suite *s = suite_create("l1");
    TCase *tc = tcase_create("train");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_opts_defaults_and_checks);
    tcase_add_test(tc, test_auto_solver_and_metadata);
    tcase_add_test(tc, test_sparsity_through_api);
    tcase_add_test(tc, test_dist_equals_one_process);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(l1_suite)
