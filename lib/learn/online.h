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

/* Whether two text option sets tokenise alike. */
int spamlr__text_opts_equal(const spamlr_text_opts *a, const spamlr_text_opts *b);

#endif
