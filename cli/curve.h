/* curve.h - the points of `spamlr curve` (cmd_curve.c) and their drawing
 * as an SVG chart (curve_svg.c). */
#ifndef SPAMLR_CLI_CURVE_H
#define SPAMLR_CLI_CURVE_H

#include <stddef.h>
#include <stdio.h>

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

/* What a curve was measured on (the subtitle of its chart). */
typedef struct curve_info {
    int has_meta;             /* 0: none of the rest is known */
    size_t train_n, test_n;
    double c, threshold;
    char solver[16];
} curve_info;

/* The subtitle of the chart: "trained on N, tested on M, solver, C=...,
 * threshold T" (empty without meta). */
void curve_subtitle(const curve_info *ci, char *buf, size_t size);

/* Draws the chart of the pruning curve pr (x: parameters) and the L1 path
 * l1 (x: non-zero weights; drawn when it has points; models left with no
 * weight are noted beside the legend) as one <svg> element on f, log
 * scales on both axes zoomed to the data, each point labelled with its
 * size; subtitle (may be empty) is drawn under the title. */
void curve_svg_draw(FILE *f, const curve *pr, const curve *l1, const char *subtitle);

/* The same as an SVG file at path, written atomically. 0, or an error
 * printed (and no file left) with exit status. */
int curve_svg(const char *path, const curve *pr, const curve *l1, const char *subtitle);

/* (curve_read.c) Reads the output of `spamlr curve --format json` (or
 * tsv: no meta then) into pr and l1 (empty curves on entry; their p is
 * the caller's to free, even on failure) and info. 0, or EXIT_RUNTIME
 * reported (not that format, no points). */
int curve_read(const char *path, curve *pr, curve *l1, curve_info *info);

#endif
