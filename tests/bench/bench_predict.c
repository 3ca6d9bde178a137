/* bench_predict.c - how fast one message is classified: messages per
 * second and per-message latency (median, p99) of spamlr_predict with a
 * warm scratch, in one thread and in N threads sharing one model.
 *
 *   bench_predict MODEL INDEX [THREADS] [ROUNDS]
 *
 * INDEX holds lines "spam PATH" / "ham PATH" (paths relative to INDEX); every
 * message is read into memory first, so only classification is timed.
 * Prints; never fails on a slow result (exit 1 only when it cannot run). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "spamlr.h"

typedef struct msg {
    char *data;
    size_t len;
} msg;

static msg *msgs;
static size_t nmsgs;
static const spamlr_model *model;
static unsigned rounds = 5;

static int read_file(const char *path, msg *m)
{
    FILE *f = fopen(path, "rb");
    long n;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f)
            fclose(f);
        return -1;
    }
    m->data = malloc((size_t)n + 1);
    m->len = m->data ? fread(m->data, 1, (size_t)n, f) : 0;
    fclose(f);
    return m->data ? 0 : -1;
}

static int read_index(const char *index)
{
    FILE *f = fopen(index, "r");
    char line[4096], path[8192], dir[4096];
    const char *slash = strrchr(index, '/');
    size_t cap = 0;

    if (!f)
        return -1;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - index) : 1, slash ? index : ".");
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, ' '), *nl;
        if (!p || line[0] == '#')
            continue;
        if ((nl = strchr(p, '\n')))
            *nl = '\0';
        snprintf(path, sizeof path, "%s/%s", dir, p + 1);
        if (nmsgs == cap) {
            cap = cap ? 2 * cap : 1024;
            msgs = realloc(msgs, cap * sizeof *msgs);
            if (!msgs)
                return -1;
        }
        if (read_file(path, &msgs[nmsgs]) == 0)
            nmsgs++;
    }
    fclose(f);
    return nmsgs ? 0 : -1;
}

typedef struct job {
    size_t from, to;
    double sum;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    spamlr_scratch *s = NULL;
    double p;

    if (spamlr_scratch_create(&s))
        return NULL;
    for (unsigned r = 0; r < rounds; r++)
        for (size_t i = j->from; i < j->to; i++)
            if (spamlr_predict(model, s, msgs[i].data, msgs[i].len, &p, NULL) == 0)
                j->sum += p;
    spamlr_scratch_free(s);
    return NULL;
}

int main(int argc, char **argv)
{
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    double *lat, t0, total = 0, p, bytes = 0;
    unsigned threads = 2;
    size_t i, n;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_predict MODEL INDEX [THREADS] [ROUNDS]\n");
        return 1;
    }
    if (argc > 3)
        threads = (unsigned)atoi(argv[3]);
    if (argc > 4)
        rounds = (unsigned)atoi(argv[4]);
    if (threads < 1 || rounds < 1 || spamlr_model_load(&m, argv[1], NULL) ||
        read_index(argv[2]) || spamlr_scratch_create(&s)) {
        fprintf(stderr, "bench_predict: cannot load %s or read %s\n", argv[1], argv[2]);
        return 1;
    }
    model = m;
    for (i = 0; i < nmsgs; i++) {
        bytes += (double)msgs[i].len;
        spamlr_predict(m, s, msgs[i].data, msgs[i].len, &p, NULL); /* warm the scratch */
    }
    n = nmsgs * rounds;
    lat = malloc(n * sizeof *lat);
    for (unsigned r = 0; r < rounds; r++)
        for (i = 0; i < nmsgs; i++) {
            t0 = bench_seconds(CLOCK_MONOTONIC);
            spamlr_predict(m, s, msgs[i].data, msgs[i].len, &p, NULL);
            lat[r * nmsgs + i] = bench_seconds(CLOCK_MONOTONIC) - t0;
            total += lat[r * nmsgs + i];
        }
    qsort(lat, n, sizeof *lat, bench_cmp_double);
    printf("bench_predict: %zu messages (%.1f KiB mean), %u rounds, model %s, simd %s\n",
           nmsgs, bytes / (double)nmsgs / 1024, rounds, argv[1], spamlr_simd_name());
    printf("  1 thread : %.0f messages/s, %.1f MB/s; latency median %.1f us, p99 %.1f us, "
           "max %.1f us\n", (double)n / total, bytes * rounds / total / 1e6, lat[n / 2] * 1e6,
           lat[(size_t)((double)n * 0.99)] * 1e6, lat[n - 1] * 1e6);
    {
        pthread_t *th = calloc(threads, sizeof *th);
        job *jobs = calloc(threads, sizeof *jobs);
        double t;
        t0 = bench_seconds(CLOCK_MONOTONIC);
        for (unsigned k = 0; k < threads; k++) {
            jobs[k].from = k * nmsgs / threads;
            jobs[k].to = (k + 1) * nmsgs / threads;
            pthread_create(&th[k], NULL, worker, &jobs[k]);
        }
        for (unsigned k = 0; k < threads; k++)
            pthread_join(th[k], NULL);
        t = bench_seconds(CLOCK_MONOTONIC) - t0;
        printf("  %u threads: %.0f messages/s on one shared model (%.2fx one thread)\n",
               threads, (double)n / t, ((double)n / t) / ((double)n / total));
        free(th);
        free(jobs);
    }
    for (i = 0; i < nmsgs; i++)
        free(msgs[i].data);
    free(msgs);
    free(lat);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return 0;
}
