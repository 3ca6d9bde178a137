/* storebench.c - bytes per user and load time of a per-user store: whole
 * copies of the base (spamlr 0.2) against deltas on it.
 *
 *   storebench BASE.slr INDEX N USERS [MEMORY]
 *
 * Each of USERS users starts from the base and learns N messages of INDEX
 * (user k the N after user k-1's, wrapping), in calls of 10 as a mail
 * client's feedback would send them. Prints the bytes of a whole copy and
 * of a delta per user (mean), and the time to load every user's model:
 * whole copies with spamlr_model_load, deltas with spamlr_model_load_delta
 * on a base loaded once, and the base itself (median of 5 rounds).
 * MEMORY (default 500) sets the rehearsal memory of the users' learners
 * (spamlr_online_opts.memory), which is most of a delta after many
 * messages. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#include "spamlr.h"


static void die(const char *what, int rc, const spamlr_diag *d)
{
    char buf[1200];
    fprintf(stderr, "storebench: %s: %s (%s)\n", what, spamlr_strerror(rc),
            d ? spamlr_diag_format(d, buf, sizeof buf) : "");
    exit(1);
}

int main(int argc, char **argv)
{
    spamlr_model *base = NULL, *u, *r;
    spamlr_dataset *ds = NULL;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char dir[] = "/tmp/storebench-XXXXXX", path[256];
    size_t n, users, rows, k, i, full_sum = 0, delta_sum = 0, order[10];
    double t[3][5];
    int rc, round;

    spamlr_online_opts oo;

    if (argc != 5 && argc != 6)
        return fprintf(stderr, "usage: storebench BASE.slr INDEX N USERS [MEMORY]\n"), 2;
    spamlr_online_opts_init(&oo);
    if (argc == 6)
        oo.memory = (unsigned)strtoul(argv[5], NULL, 10);
    n = strtoul(argv[3], NULL, 10);
    users = strtoul(argv[4], NULL, 10);
    if ((rc = spamlr_model_load(&base, argv[1], &d)))
        die(argv[1], rc, &d);
    spamlr_model_info_get(base, &info);
    if ((rc = spamlr_dataset_create(&ds, &info.text)) ||
        (rc = spamlr_dataset_set_contacts(ds, spamlr_model_contacts(base))) ||
        (rc = spamlr_dataset_read_index(ds, argv[2], &d)))
        die(argv[2], rc, &d);
    rows = spamlr_dataset_rows(ds);
    if (!mkdtemp(dir))
        return perror("mkdtemp"), 1;
    for (k = 0; k < users; k++) {
        unsigned char *buf;
        size_t len;
        if ((rc = spamlr_model_save_buffer(base, &buf, &len)) ||
            (rc = spamlr_model_load_buffer(&u, buf, len, &d)))
            die("copy", rc, &d);
        free(buf);
        if ((rc = spamlr_model_online_setup(u, &oo)))
            die("online setup", rc, NULL);
        for (i = 0; i < n; i += 10) {
            size_t j, m = n - i < 10 ? n - i : 10;
            for (j = 0; j < m; j++)
                order[j] = (k * n + i + j) % rows;
            if ((rc = spamlr_model_learn_batch_ex(u, ds, order, m, 1, NULL)))
                die("learn", rc, NULL);
        }
        snprintf(path, sizeof path, "%s/full%zu.slr", dir, k);
        if ((rc = spamlr_model_save(u, path, &d)))
            die(path, rc, &d);
        if ((rc = spamlr_model_save_buffer(u, &buf, &len)))
            die("save", rc, NULL);
        full_sum += len;
        free(buf);
        snprintf(path, sizeof path, "%s/delta%zu.slr", dir, k);
        if ((rc = spamlr_model_save_delta(u, base, path, &d)))
            die(path, rc, &d);
        if ((rc = spamlr_model_save_delta_buffer(u, base, &buf, &len, &d)))
            die("delta", rc, &d);
        delta_sum += len;
        free(buf);
        spamlr_model_free(u);
    }
    for (round = 0; round < 5; round++) {
        double t0 = bench_seconds(CLOCK_MONOTONIC);
        for (k = 0; k < users; k++) {
            snprintf(path, sizeof path, "%s/full%zu.slr", dir, k);
            if ((rc = spamlr_model_load(&r, path, &d)))
                die(path, rc, &d);
            spamlr_model_free(r);
        }
        t[0][round] = (bench_seconds(CLOCK_MONOTONIC) - t0) / (double)users;
        t0 = bench_seconds(CLOCK_MONOTONIC);
        for (k = 0; k < users; k++) {
            snprintf(path, sizeof path, "%s/delta%zu.slr", dir, k);
            if ((rc = spamlr_model_load_delta(&r, base, path, &d)))
                die(path, rc, &d);
            spamlr_model_free(r);
        }
        t[1][round] = (bench_seconds(CLOCK_MONOTONIC) - t0) / (double)users;
        t0 = bench_seconds(CLOCK_MONOTONIC);
        for (k = 0; k < users; k++) {
            if ((rc = spamlr_model_load(&r, argv[1], &d)))
                die(argv[1], rc, &d);
            spamlr_model_free(r);
        }
        t[2][round] = (bench_seconds(CLOCK_MONOTONIC) - t0) / (double)users;
    }
    for (i = 0; i < 3; i++)
        qsort(t[i], 5, sizeof t[i][0], bench_cmp_double);
    printf("base %zu words; %zu users x %zu messages\n", info.parameters, users, n);
    printf("bytes per user: whole copy %zu, delta %zu (%.1fx smaller)\n", full_sum / users,
           delta_sum / users, (double)full_sum / (double)delta_sum);
    printf("load per user (median of 5): whole copy %.3f ms, delta on a loaded base %.3f ms, "
           "the base itself %.3f ms\n", 1e3 * t[0][2], 1e3 * t[1][2], 1e3 * t[2][2]);
    for (k = 0; k < users; k++) {
        snprintf(path, sizeof path, "%s/full%zu.slr", dir, k);
        unlink(path);
        snprintf(path, sizeof path, "%s/delta%zu.slr", dir, k);
        unlink(path);
    }
    rmdir(dir);
    spamlr_dataset_free(ds);
    spamlr_model_free(base);
    return 0;
}
