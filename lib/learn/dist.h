/* dist.h - training one model with several processes, each holding some
 * of the rows (the MPI build's lib/mpi.c drives it; the library itself
 * knows nothing of MPI). */
#ifndef SPAMLR_DIST_H
#define SPAMLR_DIST_H

#include "common/common.h"
#include "text/vocab.h"

typedef struct spamlr__dist {
    void *ctx;
    /* v[0..n) = its sum over the processes, the same in every one. */
    void (*reduce)(void *ctx, double *v, size_t n);
    /* The columns all processes agree on, from this process's vocabulary
     * `local` and df[id] (its labelled rows holding token id): col[id] =
     * the column of token id or UINT32_MAX; `vocab` (empty on entry)
     * receives the column tokens in column order; *cdf (malloc'ed) the
     * number of labelled rows, over all processes, holding each column.
     * min_count applies to those global counts. Returns 0 or an error. */
    int (*columns)(void *ctx, const spamlr__vocab *local, const uint32_t *df,
                   unsigned min_count, uint32_t *col, spamlr__vocab *vocab, uint32_t **cdf);
} spamlr__dist;

/* spamlr_train on the rows of every process together: ds holds this
 * process's rows; every process calls it with the same options and gets
 * the same model. dist NULL is spamlr_train. */
int spamlr__train(spamlr_model **out, const spamlr_dataset *ds, const spamlr_train_opts *o,
                  spamlr_train_report *report, spamlr_diag *d, const spamlr__dist *dist);

#endif
