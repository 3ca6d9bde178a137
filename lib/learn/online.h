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

/* Whether two text option sets tokenise alike. */
int spamlr__text_opts_equal(const spamlr_text_opts *a, const spamlr_text_opts *b);

#endif
