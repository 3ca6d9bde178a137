/* owlqn.h - OWL-QN, orthant-wise L-BFGS for the objective with an l1 term. */
#ifndef SPAMLR_OWLQN_H
#define SPAMLR_OWLQN_H

#include "learn/objective.h"

/* Minimises F (any l1 >= 0) from w on the problem L, as spamlr__solve
 * does with SPAMLR_SOLVER_OWLQN. */
int spamlr__owlqn(spamlr__lr *L, const spamlr__solve_opts *opt, double *w,
                  spamlr_train_report *rep);

#endif
