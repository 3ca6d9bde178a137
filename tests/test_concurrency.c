/* test_concurrency.c - one loaded model shared by several predicting
 * threads, each with its own scratch, gives exactly the single-threaded
 * answers. `make check-tsan` runs this suite under ThreadSanitizer. */
#include "testutil.h"
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

/* A model loaded from bytes is shared the same way. */
START_TEST(loaded_model_shared)
{
    spamlr_model *m, *l = NULL;
    unsigned char *buf = NULL;
    size_t size;
    pthread_t th[THREADS];
    job jobs[THREADS];

    make_messages();
    m = train_model();
    ck_assert_int_eq(spamlr_model_save_buffer(m, &buf, &size), 0);
    ck_assert_int_eq(spamlr_model_load_buffer(&l, buf, size, NULL), 0);
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
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("concurrency");
    TCase *t = tcase_create("concurrency");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, shared_model_many_threads);
    tcase_add_test(t, loaded_model_shared);
    suite_add_tcase(s, t);
    return s;
}

SPAMLR_TEST_MAIN(suite)
