/* test_lock.c - the model lock and the locked update (spamlr_model_lock,
 * spamlr_model_update): writers in two processes, each with two threads,
 * and the CLI's `spamlr learn` beside them (when SPAMLR_TEST_CLI names
 * it) update one model at once and no update is lost. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PER_THREAD 12
#define THREADS 2
#define PROCS 2
#define CLI_RUNS 6

typedef struct job {
    const char *path;
    unsigned proc, thread;
    unsigned i;             /* the message being learned */
    int rc;
} job;

static int msg_text(char *buf, size_t n, unsigned proc, unsigned thread, unsigned i)
{
    return snprintf(buf, n, "note p%ut%ui%u about w%u%u%u and more", proc, thread, i, proc,
                    thread, i);
}

static int learn_one(void *ctx, spamlr_model *m)
{
    job *j = ctx;
    spamlr_scratch *s = NULL;
    char text[128];
    int len = msg_text(text, sizeof text, j->proc, j->thread, j->i), rc;

    if ((rc = spamlr_scratch_create(&s)))
        return rc;
    rc = spamlr_model_learn(m, s, text, (size_t)len, j->i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, 1,
                            NULL);
    spamlr_scratch_free(s);
    return rc;
}

static void *writer(void *arg)
{
    job *j = arg;

    for (j->i = 0; j->i < PER_THREAD; j->i++)
        if ((j->rc = spamlr_model_update(j->path, NULL, learn_one, NULL, j, NULL)))
            break;
    return NULL;
}

/* One process's writers; returns 0 when every update succeeded. */
static int writers(const char *path, unsigned proc)
{
    pthread_t th[THREADS];
    job jobs[THREADS];
    unsigned t;
    int bad = 0;

    for (t = 0; t < THREADS; t++) {
        jobs[t] = (job){ path, proc, t, 0, 0 };
        if (pthread_create(&th[t], NULL, writer, &jobs[t]) != 0)
            return 1;
    }
    for (t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        bad |= jobs[t].rc != 0;
    }
    return bad;
}

static int new_model(void *ctx, spamlr_model **out)
{
    spamlr_online_opts o;
    spamlr_text_opts t;
    int rc;

    (void)ctx;
    spamlr_text_opts_init(&t);
    t.mime = 0;
    if ((rc = spamlr_model_create(out, &t)))
        return rc;
    spamlr_online_opts_init(&o);
    o.margin = 1e9; /* every message is learned and counted (INFINITY, as
                       documented, is refused when the file is loaded) */
    return spamlr_model_online_setup(*out, &o);
}

static int nothing(void *ctx, spamlr_model *m)
{
    (void)ctx;
    (void)m;
    return 0;
}

START_TEST(concurrent_writers)
{
    char dir[64], path[128], file[160];
    const char *cli = getenv("SPAMLR_TEST_CLI");
    pid_t pid[PROCS + 1];
    spamlr_model *m = NULL;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_scratch *s = NULL;
    unsigned p, t, i, cli_runs = 0;
    int status;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    /* the first update makes the model */
    ck_assert_int_eq(spamlr_model_update(path, new_model, nothing, NULL, NULL, NULL), SPAMLR_OK);
    if (cli && access(cli, X_OK) == 0) {
        cli_runs = CLI_RUNS;
        for (i = 0; i < cli_runs; i++) {
            char text[96];
            snprintf(file, sizeof file, "%s/cli%u.txt", dir, i);
            tu_write(file, text, (size_t)snprintf(text, sizeof text,
                                                  "cli message %u with zq%u words\n", i, i));
        }
    }
    for (p = 0; p < PROCS; p++) {
        ck_assert_int_ne(pid[p] = fork(), -1);
        if (pid[p] == 0)
            _exit(writers(path, p));
    }
    if (cli_runs) { /* spamlr learn, one process per message, meanwhile */
        ck_assert_int_ne(pid[PROCS] = fork(), -1);
        if (pid[PROCS] == 0) {
            for (i = 0; i < cli_runs; i++) {
                pid_t c = fork();
                if (c == 0) {
                    snprintf(file, sizeof file, "%s/cli%u.txt", dir, i);
                    execl(cli, cli, "learn", "-q", "-m", path, "--spam", file, (char *)NULL);
                    _exit(127);
                }
                if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status) ||
                    WEXITSTATUS(status) != 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (p = 0; p < PROCS + (cli_runs ? 1 : 0); p++) {
        ck_assert_int_eq(waitpid(pid[p], &status, 0), pid[p]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %u failed", p);
    }
    /* every update is there: the counts, and each message in the record */
    ck_assert_int_eq(spamlr_model_load(&m, path, NULL), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_info_get(m, &info), SPAMLR_OK);
    ck_assert_uint_eq(info.examples, PROCS * THREADS * PER_THREAD + cli_runs);
    ck_assert_uint_eq(info.spam, PROCS * THREADS * PER_THREAD / 2 + cli_runs);
    ck_assert_int_eq(spamlr_scratch_create(&s), SPAMLR_OK);
    for (p = 0; p < PROCS; p++)
        for (t = 0; t < THREADS; t++)
            for (i = 0; i < PER_THREAD; i++) {
                char text[128];
                int len = msg_text(text, sizeof text, p, t, i), outcome = 0;
                ck_assert_int_eq(spamlr_model_learn_ex(m, s, text, (size_t)len,
                                                       i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, 1,
                                                       NULL, &outcome),
                                 SPAMLR_OK);
                ck_assert_int_eq(outcome, SPAMLR_LEARNED_ALREADY);
            }
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    tu_rmrf(dir);
}
END_TEST

static int fail_change(void *ctx, spamlr_model *m)
{
    (void)ctx;
    (void)m;
    return 42;
}

static int keep(void *ctx, spamlr_model *m)
{
    *(spamlr_model **)ctx = m;
    return 1;
}

static int set_threshold(void *ctx, spamlr_model *m)
{
    (void)ctx;
    return spamlr_model_set_threshold(m, 0.75);
}

START_TEST(update_rules)
{
    char dir[64], path[128], lockp[140], other[140];
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_lock *l = NULL, *l2 = NULL;
    spamlr_model *kept = NULL;
    unsigned char *a = NULL, *b = NULL;
    size_t na, nb;
    struct stat st;

    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.slr", dir);
    snprintf(lockp, sizeof lockp, "%s/m.slr.lock", dir);
    /* a missing model without create: the load's error, nothing made */
    ck_assert_int_eq(spamlr_model_update(path, NULL, nothing, NULL, NULL, &d), SPAMLR_EIO);
    ck_assert_int_ne(stat(path, &st), 0);
    ck_assert_int_eq(spamlr_model_update(path, new_model, NULL, NULL, NULL, NULL), SPAMLR_EINVAL);
    ck_assert_int_eq(spamlr_model_update(path, new_model, nothing, keep, &kept, &d), SPAMLR_OK);
    ck_assert_ptr_nonnull(kept);
    ck_assert_int_eq(stat(lockp, &st), 0); /* the lock file stays */
    /* a failing change leaves the file as it was and is returned */
    ck_assert_int_eq(spamlr_model_save_buffer(kept, &a, &na), SPAMLR_OK);
    ck_assert_int_eq(spamlr_model_update(path, NULL, fail_change, NULL, NULL, &d), 42);
    {
        char *text = NULL;
        size_t n;
        ck_assert_int_eq(spamlr_read_file(path, &text, &n, NULL), SPAMLR_OK);
        ck_assert_uint_eq(n, na);
        ck_assert(memcmp(text, a, n) == 0);
        spamlr_free(text);
    }
    ck_assert_int_eq(spamlr_model_update(path, NULL, set_threshold, NULL, NULL, &d), SPAMLR_OK);
    spamlr_model_free(kept);
    kept = NULL;
    ck_assert_int_eq(spamlr_model_load(&kept, path, NULL), SPAMLR_OK);
    ck_assert(spamlr_model_threshold(kept) == 0.75);
    /* the lock: a link is followed to its target's lock; a lock file that
     * is a symbolic link is refused */
    snprintf(other, sizeof other, "%s/link.slr", dir);
    ck_assert_int_eq(symlink("m.slr", other), 0);
    ck_assert_int_eq(spamlr_model_lock(&l, other, &d), SPAMLR_OK);
    ck_assert_int_ne(lstat(other, &st), -1);
    snprintf(other, sizeof other, "%s/link.slr.lock", dir);
    ck_assert_int_ne(stat(other, &st), 0);
    spamlr_model_unlock(l);
    snprintf(other, sizeof other, "%s/n.slr", dir);
    snprintf(lockp, sizeof lockp, "%s/n.slr.lock", dir);
    ck_assert_int_eq(symlink("/nonexistent/victim", lockp), 0);
    ck_assert_int_eq(spamlr_model_lock(&l2, other, &d), SPAMLR_EIO);
    ck_assert_ptr_null(l2);
    ck_assert_str_eq(d.path, lockp);
    ck_assert(strstr(d.message, "symbolic link") != NULL);
    spamlr_model_unlock(NULL);
    spamlr_free(a);
    spamlr_free(b);
    (void)nb;
    spamlr_model_free(kept);
    tu_rmrf(dir);
}
END_TEST

static Suite *lock_suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("lock");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, concurrent_writers);
    tcase_add_test(tc, update_rules);
    suite_add_tcase(s, tc);
    return s;
}

SPAMLR_TEST_MAIN(lock_suite)
