/* path.h - choosing C by validation on a warm-started regularisation path. */
#ifndef SPAMLR_PATH_H
#define SPAMLR_PATH_H

#include "common/common.h"
#include "learn/solver.h"

/* Default number of validation folds, and the most a path visits. */
#define SPAMLR__PATH_FOLDS 3
#define SPAMLR__PATH_MAX 48

/* Stratified folds of n rows with labels lab[i] (SPAMLR_SPAM, SPAMLR_HAM,
 * anything else = not in a fold, fold -1): within each class, rows are dealt
 * to the k folds in an order shuffled by a fixed-seed generator, so that
 * inputs sorted by class or source still give balanced folds, and the same
 * input gives the same folds on every run. */
void spamlr__assign_folds(const signed char *lab, size_t n, unsigned k, int *fold);

/* What the path visited and chose. */
typedef struct spamlr__path {
    spamlr_path_point pt[SPAMLR__PATH_MAX]; /* in the order visited */
    size_t n;
    unsigned folds;
    double c;               /* the chosen C */
    double g0;              /* ||grad f(0)|| of the whole X at C = 1: C times it is the
                               final solve's stopping reference */
} spamlr__path;

/* Chooses C for X, whose cost[] holds each row's class weight (the cost at
 * C = 1), by k-fold validation: every row is in a fold (0 <= fold[r] < k,
 * else SPAMLR_EINVAL); fold f's model is X solved with the rows
 * of fold f (fold[r] == f) given cost 0, and is scored by the log loss of
 * its predictions on them. C runs over powers of four from 1024, up while
 * the pooled validation log loss falls and down when C = 1024 was the best,
 * each solve starting on the line (in log C) through two of that fold's
 * solutions at earlier C, until two steps in a row bring no clear
 * improvement; then the powers of two beside the best are tried. Every
 * fold starts from w (X->cols doubles: zeros, or an initial model's
 * weights). The best C (smallest log loss) goes to
 * path->c, and w receives the mean of the folds' solutions at it, a warm
 * start for the final solve on every row.
 *
 * Folds are solved one after another on so->threads threads, or side by
 * side when there are threads for more than one solve's blocks
 * (SPAMLR__LR_BLOCKS); a solve does not depend on its threads, so neither
 * does the path. With so->reduce (rows spread over processes; fold[] then
 * numbers this process's rows) they are solved one after another; the
 * AUCs are then NaN.
 * The folds of one slot are solved with sv (may be NULL), which the
 * caller can use again for the final solve.
 * Returns 0 or an error (SPAMLR_ENOMEM, a solver's). */
int spamlr__path_choose(const spamlr__csr *X, const int *fold, unsigned k,
                        const spamlr__solve_opts *so, spamlr__path *path, double *w,
                        spamlr__solver *sv);

/* C chosen for X as spamlr_train chooses it (SPAMLR_C_AUTO): folds
 * (`folds`, 0 = SPAMLR__PATH_FOLDS, fewer when a class has fewer of the
 * nspam / nham messages, which with several processes are all of theirs)
 * assigned over X's rows by their y, the path walked, then cost[] (X's
 * costs, which the caller owns) scaled by the chosen C, so->gnorm_ref set
 * for the final solve from the folds' mean left in w, and *c. Too few
 * messages of a class for two folds: C = 1, nothing else done. 0 or an
 * error of spamlr__path_choose. */
int spamlr__path_fit_c(const spamlr__csr *X, double *cost, unsigned folds, size_t nspam,
                       size_t nham, spamlr__solve_opts *so, spamlr__path *path, double *w,
                       double *c, spamlr__solver *sv);

#endif
