/* online.h - online learning: AdaGrad and FTRL-Proximal steps on one
 * message at a time, the per-weight state they keep in the model, and the
 * online solvers of spamlr_train. */
#ifndef SPAMLR_ONLINE_H
#define SPAMLR_ONLINE_H

#include "common/common.h"
#include "model/model.h"

/* Whether solver is one of the online ones. */
static inline int spamlr__is_online(unsigned solver)
{
    return solver == SPAMLR_SOLVER_ADAGRAD || solver == SPAMLR_SOLVER_FTRL;
}

/* spamlr_train for the online solvers (o->solver is ADAGRAD or FTRL);
 * same contract as spamlr_train. */
int spamlr__train_online(spamlr_model **out, const spamlr_dataset *ds,
                         const spamlr_train_opts *o, spamlr_train_report *rep,
                         spamlr_diag *d);

/* Learns rows order[0..n) of ds (row indices, all rows when order is
 * NULL; labelled rows only) with example weights ws/wh for spam/ham, one
 * step each in direction dir (1 learn, -1 unlearn); tokens in fewer than
 * min_df rows of ds are left out; idf (may be NULL) gives new words' idf.
 * remember: learned rows are offered to the rehearsal memory (unlearned
 * ones always leave it). probs: see spamlr_model_learn_dataset. */
int spamlr__learn_rows(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                       size_t n, int dir, double *probs, unsigned min_df, double ws,
                       double wh, const float *idf, int remember);

/* A pseudo-random index below i (xorshift64*, state *rng): shuffles that
 * are the same on every run. */
static inline size_t spamlr__rand_below(uint64_t *rng, size_t i)
{
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    return (size_t)((*rng * 0x2545f4914f6cdd1dull) % i);
}


/* ---- shared by online.c (the steps), memory.c and batch.c ---- */

/* online.c: one step (dir 1) or its inverse (dir -1) on the row
 * ids/val[0..k) of class y01 with example weight s; returns the row's
 * probability before the step. */
double spamlr__row_step(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                        int y01, double s, int dir);
/* online.c: the checks common to the learners (direction 1 or -1); sets
 * up a default online state when the model has none. */
int spamlr__learn_begin(spamlr_model *m, int direction);
/* online.c: the model's example counts after learning (dir 1) or
 * unlearning (dir -1) a message of class label. */
void spamlr__count_label(spamlr_model *m, int label, int dir);
/* online.c: the record key of row r of ds (its tokens and counts). */
uint64_t spamlr__ds_row_key(const spamlr_dataset *ds, size_t r);
/* online.c: row r of ds in the model's ids (new words interned when
 * learning; rb->map caches dataset id -> model id), in rb->ids in
 * ascending order (spamlr__rowbuf_sort: a message is then the same row
 * through a dataset as through spamlr_model_learn), its counts and values
 * in rb->cnt and rb->val, its length in *k. */
int spamlr__map_row(spamlr_model *m, const spamlr_dataset *ds, size_t r, spamlr__rowbuf *rb,
                    unsigned min_df, const float *idf, int dir, size_t *k);
/* remember flag of spamlr__learn_rows_x: learn through the record of
 * learned messages (the record is consulted and updated) */
#define SPAMLR__LEARN_SEEN 2
/* online.c: spamlr__learn_rows with the record of learned messages
 * consulted and each row's outcome (SPAMLR_LEARNED_*) in outcomes. */
int spamlr__learn_rows_x(spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                         size_t n, int dir, double *probs, unsigned min_df, double ws,
                         double wh, const float *idf, int remember, int *outcomes);
/* online.c: SPAMLR_ENOTFOUND when a row to unlearn was never learned. */
int spamlr__check_recorded(const spamlr_model *m, const spamlr_dataset *ds,
                           const size_t *order, size_t n);
/* online.c: the arguments of the dataset learners: rows that exist. */
int spamlr__check_rows(const spamlr_model *m, const spamlr_dataset *ds, const size_t *order,
                       size_t n);

/* memory.c: live idf (a tf-idf model made empty, m->df): the words of a
 * row learned (dir 1) or unlearned (-1) counted. */
void spamlr__live_count(spamlr_model *m, const uint32_t *ids, size_t k, int dir);
/* memory.c: live idf: every idf value worked out again from the counts
 * (when they changed since the last time) and the remembered rows' values
 * moved to them. spamlr_model_learn_batch does it before its passes; a
 * single step does not, so that a stream learned message by message keeps
 * its feature values (all idf 1 until a batch). 0 or SPAMLR_ENOMEM. */
int spamlr__live_refresh(spamlr_model *m);

/* memory.c: a new memory row holding a copy of ids/val[0..k) (NULL ids
 * when out of memory). */
spamlr__memrow spamlr__mem_row(const uint32_t *ids, const float *val, size_t k);
/* memory.c: offers a learned row of class y01 (hash h) to its reservoir. */
void spamlr__mem_add(spamlr_model *m, const uint32_t *ids, const float *val, size_t k,
                     int y01, uint64_t h);
/* memory.c: unlearning drops one remembered row of class y01 with these ids. */
void spamlr__mem_drop(spamlr_model *m, const uint32_t *ids, size_t k, int y01);

#endif
