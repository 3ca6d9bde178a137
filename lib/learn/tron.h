/* tron.h - the trust-region Newton method (TRON) for the smooth objective. */
#ifndef SPAMLR_TRON_H
#define SPAMLR_TRON_H

#include "learn/objective.h"

/* Minimises F (l1 must be 0) from w on the problem L, as spamlr__solve
 * does with SPAMLR_SOLVER_TRON. */
int spamlr__tron(spamlr__lr *L, const spamlr__solve_opts *o, double *w,
                 spamlr_train_report *rep);

#endif
