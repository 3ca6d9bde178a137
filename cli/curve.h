/* curve.h - the points of `spamlr curve` (cmd_curve.c) and their drawing
 * as an SVG chart (curve_svg.c). */
#ifndef SPAMLR_CLI_CURVE_H
#define SPAMLR_CLI_CURVE_H

#include <stddef.h>

/* One point of a curve. */
typedef struct point {
    char label[32];
    size_t parameters, nonzero;
    double auc, one_minus_auc_pct, accuracy;
    size_t fp, fn;
    size_t bytes;
} point;

typedef struct curve {
    point *p;
    size_t n, cap;
} curve;

/* Writes the chart of the pruning curve pr (x: parameters) and the L1 path
 * l1 (x: non-zero weights; drawn when it has points) to path, log scales
 * on both axes. 0, or an error printed (and no file left) with exit
 * status. */
int curve_svg(const char *path, const curve *pr, const curve *l1);

#endif
