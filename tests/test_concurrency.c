/* test_concurrency.c - one loaded model shared by several predicting
 * threads, each with its own scratch, gives exactly the single-threaded
 * answers. `make check-tsan` runs this suite under ThreadSanitizer. */
#include "testutil.h"
#include <math.h>
#include <pthread.h>

#define THREADS 4
#define MESSAGES 64
#define ROUNDS 20

static const char *WORDS[] = {"free", "prize", "meeting", "lunch", "cheap", "中奖", "明天",
                              "report", "viagra", "noon", "click", "領取", "patch", "now"};
#define NWORDS (sizeof WORDS / sizeof *WORDS)

static char msgs[MESSAGES][512];
static double want[MESSAGES];

/* Message i: e-mail with a header, HTML and a base64 part for some, so the
 * whole parse path (iconv included) runs in every thread. */
static void make_messages(void)
{
    for (int i = 0; i < MESSAGES; i++) {
        int n = snprintf(msgs[i], sizeof msgs[i], "Subject: %s %s\nFrom: \"x\" <a@b%d.example>\n",
                         WORDS[i % NWORDS], WORDS[(i * 7) % NWORDS], i % 5);
        if (i % 3 == 0)
            snprintf(msgs[i] + n, sizeof msgs[i] - (size_t)n,
                     "Content-Type: text/html; charset=iso-8859-1\n\n<p>%s <a href=\"http://"
                     "s%d.example/\">%s</a> caf\xe9</p>\n", WORDS[(i * 3) % NWORDS], i,
                     WORDS[(i * 5) % NWORDS]);
        else if (i % 3 == 1)
            snprintf(msgs[i] + n, sizeof msgs[i] - (size_t)n,
                     "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
                     "base64\n\n5Lit5aWWIGZyZWUgcHJpemU=\n");
        else
            snprintf(msgs[i] + n, sizeof msgs[i] - (size_t)n, "\n%s %s %s\n",
                     WORDS[(i * 11) % NWORDS], WORDS[(i + 3) % NWORDS], WORDS[i % NWORDS]);
    }
}

static spamlr_model *train_model(void)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;

    ck_assert_int_eq(spamlr_dataset_create(&ds, NULL), 0);
    for (int i = 0; i < MESSAGES; i++)
        ck_assert_int_eq(spamlr_dataset_add(ds, i % 2 ? SPAMLR_SPAM : SPAMLR_HAM, msgs[i],
                                            strlen(msgs[i]), NULL), 0);
    ck_assert_int_eq(spamlr_train(&m, ds, NULL, NULL, NULL), 0);
    spamlr_dataset_free(ds);
    return m;
}

typedef struct job {
    const spamlr_model *m;
    int id;
    int mismatches;
    int errors;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    spamlr_scratch *s = NULL;
    spamlr_word top[3];
    float w;

    if (spamlr_scratch_create(&s) != SPAMLR_OK) {
        j->errors++;
        return NULL;
    }
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < MESSAGES; k++) {
            int i = (k + j->id * 17) % MESSAGES; /* threads start at different places */
            double p;
            if (spamlr_predict(j->m, s, msgs[i], strlen(msgs[i]), &p, NULL) != SPAMLR_OK)
                j->errors++;
            else if (p != want[i])
                j->mismatches++;
            /* read-only queries may interleave with prediction */
            spamlr_model_weight(j->m, WORDS[i % NWORDS], &w);
            if (k % 16 == 0)
                spamlr_model_top(j->m, r % 2 ? 1 : -1, top, 3);
            if (k % 64 == 0) { /* a dataset kept to the model's words shares them */
                spamlr_dataset *ds = NULL;
                spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
                double q;

                spamlr_model_info_get(j->m, &info);
                if (spamlr_dataset_create(&ds, &info.text) != SPAMLR_OK ||
                    spamlr_dataset_keep_model_words(ds, j->m) != SPAMLR_OK ||
                    spamlr_dataset_add(ds, SPAMLR_SPAM, msgs[i], strlen(msgs[i]), NULL) ||
                    spamlr_predict_dataset(j->m, ds, &q, NULL) != SPAMLR_OK)
                    j->errors++;
                else if (q != want[i])
                    j->mismatches++;
                spamlr_dataset_free(ds);
            }
        }
    spamlr_scratch_free(s);
    return NULL;
}

START_TEST(shared_model_many_threads)
{
    spamlr_model *m;
    spamlr_scratch *s = NULL;
    pthread_t th[THREADS];
    job jobs[THREADS];

    make_messages();
    m = train_model();
    ck_assert_int_eq(spamlr_scratch_create(&s), 0);
    for (int i = 0; i < MESSAGES; i++)
        ck_assert_int_eq(spamlr_predict(m, s, msgs[i], strlen(msgs[i]), &want[i], NULL), 0);
    spamlr_scratch_free(s);
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){m, t, 0, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
        ck_assert_int_eq(jobs[t].errors, 0);
        ck_assert_int_eq(jobs[t].mismatches, 0);
    }
    spamlr_model_free(m);
}
END_TEST

/* A model loaded from bytes is shared the same way; in the mapped layout
 * (_i 1) loaded from its file, its words read in place by every thread
 * and shared by their datasets. */
START_TEST(loaded_model_shared)
{
    spamlr_model *m, *l = NULL;
    unsigned char *buf = NULL;
    size_t size;
    pthread_t th[THREADS];
    job jobs[THREADS];
    char dir[64], path[128];

    make_messages();
    m = train_model();
    tu_tmpdir(dir, sizeof dir);
    if (_i) {
        snprintf(path, sizeof path, "%s/m.slr", dir);
        ck_assert_int_eq(spamlr_model_set_layout(m, SPAMLR_LAYOUT_MAPPED), 0);
        ck_assert_int_eq(spamlr_model_save(m, path, NULL), 0);
        ck_assert_int_eq(spamlr_model_load(&l, path, NULL), 0);
    } else {
        ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
        ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
    }
    {
        spamlr_scratch *s = NULL;
        ck_assert_int_eq(spamlr_scratch_create(&s), 0);
        for (int i = 0; i < MESSAGES; i++)
            ck_assert_int_eq(spamlr_predict(l, s, msgs[i], strlen(msgs[i]), &want[i], NULL), 0);
        spamlr_scratch_free(s);
    }
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){l, t, 0, 0};
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
        ck_assert_int_eq(jobs[t].errors + jobs[t].mismatches, 0);
    }
    free(buf);
    spamlr_model_free(l);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

/* Training on the solver's thread pool: the C path's folds on two threads
 * and TRON, L-BFGS and OWL-QN with their row blocks on two threads give
 * the one-thread models to rounding (the path's choice exactly). Under
 * `make check-tsan` this is where the pool's threads run. */
START_TEST(training_threads_agree)
{
    spamlr_text_opts to;
    spamlr_dataset *ds = NULL;
    spamlr_model *m[2] = { NULL, NULL };
    spamlr_train_opts o;
    spamlr_model_info in[2] = { SPAMLR_MODEL_INFO_INIT, SPAMLR_MODEL_INFO_INIT };
    char text[256];
    unsigned seed = 7, solver, k;
    size_t i, j;

    spamlr_text_opts_init(&to);
    to.mime = 0;
    ck_assert_int_eq(spamlr_dataset_create(&ds, &to), SPAMLR_OK);
    for (i = 0; i < 600; i++) {
        int spam = i % 2, n = 0;

        for (j = 0; j < 12; j++) {
            seed = seed * 1103515245u + 12345u;
            n += snprintf(text + n, sizeof text - (size_t)n, "%s%u ",
                          (seed >> 16) % 4 == 0 ? (spam ? "s" : "h") : "w", (seed >> 8) % 300);
        }
        ck_assert_int_eq(spamlr_dataset_add(ds, spam ? SPAMLR_SPAM : SPAMLR_HAM, text,
                                            (size_t)n, NULL), SPAMLR_OK);
    }
    for (solver = 0; solver < 4; solver++) {
        for (k = 0; k < 2; k++) {
            spamlr_train_opts_init(&o);
            o.threads = k + 1;
            o.c = solver == 0 ? SPAMLR_C_AUTO : 4;
            o.solver = solver == 3 ? SPAMLR_SOLVER_OWLQN
                     : solver == 2 ? SPAMLR_SOLVER_LBFGS : SPAMLR_SOLVER_TRON;
            if (solver == 3)
                o.l1 = 0.05;
            ck_assert_int_eq(spamlr_train(&m[k], ds, &o, NULL, NULL), SPAMLR_OK);
            ck_assert_int_eq(spamlr_model_info_get(m[k], &in[k]), SPAMLR_OK);
        }
        ck_assert(in[0].c == in[1].c);
        ck_assert_uint_eq(spamlr_model_vocab_size(m[0]), spamlr_model_vocab_size(m[1]));
        for (i = 0; i < spamlr_model_vocab_size(m[0]); i++) {
            spamlr_word a, b;

            spamlr_model_word(m[0], i, &a);
            spamlr_model_word(m[1], i, &b);
            ck_assert_msg(fabs((double)a.weight - b.weight) <= 1e-3 * (1 + fabs(a.weight)),
                          "solver %u, %s: %g vs %g", solver, a.token, a.weight, b.weight);
        }
        spamlr_model_free(m[0]);
        spamlr_model_free(m[1]);
    }
    spamlr_dataset_free(ds);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("concurrency");
    TCase *t = tcase_create("concurrency");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, shared_model_many_threads);
    tcase_add_loop_test(t, loaded_model_shared, 0, 2);
    tcase_add_test(t, training_threads_agree);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
