/* pool.c - a pool of threads that runs one task over a fixed number of blocks. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn/pool.h"

/* A task is nblk independent blocks. Block b's home is thread b % nthr
 * (thread 0 is the caller), so a block's accumulator stays in one core's
 * cache from one task to the next. Each block is claimed once, through its
 * own flag; since a block writes only its own outputs, the result does not
 * depend on who ran it. After its own blocks, the caller gives the workers
 * as long again to claim theirs, then takes what is left: a worker that is
 * late (asleep, or descheduled on a busy machine) costs about the
 * caller's share, not a stall.
 *
 * Waiting (workers for a task, the caller for the last block) spins for a
 * few tens of microseconds, then sleeps on a condition variable. Inside a
 * CG loop tasks come microseconds apart, and the spin catches them without
 * the cost of a wake-up. It is kept short on purpose: measured on a KVM
 * guest, longer spins, or spins that call sched_yield(), made the waiting
 * thread miss its tasks (the hypervisor or the scheduler takes the CPU
 * away from a spinner), and the caller then did all the work. There are
 * never more threads than CPUs (more blocks than threads are fine). */
#define POOL_SPIN_SECONDS 30e-6
#define POOL_GRACE_MIN_SECONDS 5e-6

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Spins until ready(p, arg), at most POOL_SPIN_SECONDS; returns whether
 * it happened. */
static int spin_until(spamlr__pool *p, int (*ready)(spamlr__pool *, uint32_t), uint32_t arg)
{
    double until = 0;
    unsigned i;

    for (;;) {
        for (i = 0; i < 64; i++) {
            if (ready(p, arg))
                return 1;
            cpu_relax();
        }
        if (until == 0)
            until = seconds() + POOL_SPIN_SECONDS;
        else if (seconds() > until)
            return 0;
    }
}

static int new_task(spamlr__pool *p, uint32_t seen)
{
    return atomic_load_explicit(&p->gen, memory_order_acquire) != seen
           || atomic_load_explicit(&p->quit, memory_order_relaxed);
}

static int task_done(spamlr__pool *p, uint32_t unused)
{
    (void)unused;
    return atomic_load_explicit(&p->finished, memory_order_acquire) == p->nblk;
}

/* Whether block b is still unclaimed in task g (task numbers wrap). */
static int unclaimed(spamlr__pool *p, unsigned b, uint32_t g)
{
    uint32_t c = atomic_load_explicit(&p->claim[b], memory_order_acquire);

    return (int32_t)(c - g) < 0;
}

/* Claims and runs the unclaimed blocks first, first + step, ... of task
 * number g. */
static void pool_claim(spamlr__pool *p, uint32_t g, unsigned first, unsigned step, int is_worker)
{
    unsigned b;

    for (b = first; b < p->nblk; b += step) {
        uint_least32_t c = atomic_load_explicit(&p->claim[b], memory_order_acquire);
        spamlr__task_fn fn;
        void *ctx;

        if ((int32_t)((uint32_t)c - g) >= 0)
            continue;
        /* Read before claiming: a successful claim proves task g was still
         * open, so these were its. */
        fn = atomic_load_explicit(&p->fn, memory_order_relaxed);
        ctx = atomic_load_explicit(&p->ctx, memory_order_relaxed);
        if (!atomic_compare_exchange_strong_explicit(&p->claim[b], &c, g,
                                                     memory_order_acq_rel,
                                                     memory_order_acquire))
            continue;
        fn(ctx, b);
        if (atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel) + 1 == p->nblk
            && is_worker) {
            pthread_mutex_lock(&p->mu);
            if (p->waiting)
                pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

typedef struct spamlr__pool_arg {
    spamlr__pool *p;
    unsigned who;
} pool_arg;

static void *pool_worker(void *arg)
{
    spamlr__pool *p = ((pool_arg *)arg)->p;
    unsigned who = ((pool_arg *)arg)->who;
    uint32_t seen = 0;

    for (;;) {
        if (!spin_until(p, new_task, seen)) {
            pthread_mutex_lock(&p->mu);
            while (!new_task(p, seen)) {
                p->sleepers++;
                pthread_cond_wait(&p->go, &p->mu);
                p->sleepers--;
            }
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load_explicit(&p->quit, memory_order_relaxed))
            break;
        seen = atomic_load_explicit(&p->gen, memory_order_acquire);
        pool_claim(p, seen, who, p->nthr, 1);
    }
    return NULL;
}

/* Opens the next task (or, with quit set, tells the workers to end). */
static uint32_t pool_publish(spamlr__pool *p)
{
    uint32_t g;

    pthread_mutex_lock(&p->mu);
    g = atomic_load_explicit(&p->gen, memory_order_relaxed) + 1;
    atomic_store_explicit(&p->gen, g, memory_order_release);
    if (p->sleepers)
        pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static int all_claimed(spamlr__pool *p, uint32_t g)
{
    unsigned b;

    for (b = 0; b < p->nblk; b++)
        if (unclaimed(p, b, g))
            return 0;
    return 1;
}

/* Runs fn(ctx, b) for every block b and returns when all are done. */
void spamlr__pool_run(spamlr__pool *p, spamlr__task_fn fn, void *ctx)
{
    unsigned b;
    uint32_t g;
    double t0, t1, grace;

    if (p->nthr <= 1) {
        for (b = 0; b < p->nblk; b++)
            fn(ctx, b);
        return;
    }
    atomic_store_explicit(&p->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
    g = pool_publish(p);
    t0 = seconds();
    pool_claim(p, g, 0, p->nthr, 0);
    t1 = seconds();
    grace = t1 + fmax(t1 - t0, POOL_GRACE_MIN_SECONDS);
    while (!all_claimed(p, g)) {
        for (b = 0; b < 64 && !all_claimed(p, g); b++)
            cpu_relax();
        if (seconds() > grace)
            pool_claim(p, g, 0, 1, 0);
    }
    if (spin_until(p, task_done, 0))
        return;
    pthread_mutex_lock(&p->mu);
    while (!task_done(p, 0)) {
        p->waiting = 1;
        pthread_cond_wait(&p->done, &p->mu);
        p->waiting = 0;
    }
    pthread_mutex_unlock(&p->mu);
}

void spamlr__pool_stop(spamlr__pool *p)
{
    unsigned t;

    if (p->nthr > 1) {
        atomic_store_explicit(&p->quit, 1, memory_order_relaxed);
        pool_publish(p);
        for (t = 1; t < p->nthr; t++)
            pthread_join(p->tid[t - 1], NULL);
    }
    if (p->sync_ok) {
        pthread_cond_destroy(&p->done);
        pthread_cond_destroy(&p->go);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->tid);
    free(p->args);
    free((void *)p->claim);
    p->tid = NULL;
    p->args = NULL;
    p->claim = NULL;
    p->nthr = 1;
    p->sync_ok = 0;
}

/* Prepares p to run nblk blocks per task on up to nthr threads (the
 * caller's included), no more than nblk or there are CPUs. p must stay at
 * its address until spamlr__pool_stop(). */
int spamlr__pool_start(spamlr__pool *p, unsigned nblk, unsigned nthr)
{
    unsigned t, b, want = nthr < nblk ? nthr : nblk;

    memset(p, 0, sizeof *p);
    atomic_init(&p->gen, 0);
    atomic_init(&p->finished, 0);
    atomic_init(&p->fn, NULL);
    atomic_init(&p->ctx, NULL);
    atomic_init(&p->quit, 0);
    if (want > spamlr__ncpu())
        want = spamlr__ncpu();
    p->nblk = nblk;
    p->nthr = 1;
    if (want <= 1)
        return SPAMLR_OK;
    p->tid = malloc(sizeof(pthread_t) * (want - 1));
    p->args = malloc(sizeof(pool_arg) * want);
    p->claim = malloc(sizeof(*p->claim) * nblk);
    if (!p->tid || !p->args || !p->claim)
        goto fail;
    for (b = 0; b < nblk; b++)
        atomic_init(&p->claim[b], 0);
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&p->go, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->go);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    p->sync_ok = 1;
    /* Workers are created with the final thread count in mind; when one
     * cannot be created, the blocks it would have had go to the caller
     * after the grace period: slower, but the same result. */
    p->nthr = want;
    for (t = 1; t < want; t++) {
        p->args[t].p = p;
        p->args[t].who = t;
        if (pthread_create(&p->tid[t - 1], NULL, pool_worker, &p->args[t]) != 0)
            break;
    }
    if (t < want) {
        /* stop the ones that started, then run single-threaded */
        unsigned started = t;

        atomic_store_explicit(&p->quit, 1, memory_order_relaxed);
        pool_publish(p);
        for (t = 1; t < started; t++)
            pthread_join(p->tid[t - 1], NULL);
        atomic_store_explicit(&p->quit, 0, memory_order_relaxed);
        p->nthr = 1;
    }
    return SPAMLR_OK;
fail:
    spamlr__pool_stop(p); /* no thread, no sync objects yet: frees the arrays */
    return SPAMLR_ENOMEM;
}
