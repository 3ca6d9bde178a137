/* pool.h - a pool of threads that runs one task over a fixed number of blocks. */
#ifndef SPAMLR_POOL_H
#define SPAMLR_POOL_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/common.h"

/* A task: fn(ctx, blk) for every block blk in [0, nblk). The blocks must be
 * independent (each writes only its own outputs), so that the result does
 * not depend on which thread ran which block. */
typedef void (*spamlr__task_fn)(void *ctx, unsigned blk);

/* The pool's state; its fields are private to pool.c. A zeroed pool with
 * nthr = 1 may be stopped without having been started. */
typedef struct spamlr__pool {
    unsigned nblk;          /* blocks per task */
    unsigned nthr;          /* threads, the caller included */
    pthread_t *tid;         /* nthr - 1 workers */
    struct spamlr__pool_arg *args;  /* their arguments */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int sync_ok;            /* mu/go/done initialised */
    atomic_uint_least32_t gen;     /* current task number; stored under mu */
    atomic_uint_least32_t *claim;  /* per block: last task number it ran in */
    atomic_uint finished;   /* blocks of the current task done */
    _Atomic(spamlr__task_fn) fn;   /* the current task, valid with its number */
    _Atomic(void *) ctx;
    atomic_int quit;
    int sleepers;           /* workers waiting on `go` (under mu) */
    int waiting;            /* the caller waits on `done` (under mu) */
} spamlr__pool;

/* Prepares p to run nblk blocks per task on up to nthr threads (the
 * caller's included), no more than nblk or there are CPUs. p must stay at
 * its address until spamlr__pool_stop(). Returns 0 or SPAMLR_ENOMEM. */
int spamlr__pool_start(spamlr__pool *p, unsigned nblk, unsigned nthr);

/* Runs fn(ctx, b) for every block b and returns when all are done. */
void spamlr__pool_run(spamlr__pool *p, spamlr__task_fn fn, void *ctx);

/* Ends the workers and frees what spamlr__pool_start took; p then runs
 * nothing until started again. */
void spamlr__pool_stop(spamlr__pool *p);

#endif
