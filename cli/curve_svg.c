/* curve_svg.c - the chart of `spamlr curve --svg`: (1-AUC)% against model
 * size, log scales, one polyline per curve, every point with a tooltip. */
#include <math.h>
#include <stdio.h>

#include "common.h"
#include "curve.h"

enum { SVG_W = 760, SVG_H = 460, SVG_L = 80, SVG_R = 170, SVG_T = 50, SVG_B = 60 };
#define Y_FLOOR 1e-3 /* (1-AUC)% below this is drawn at this height */

typedef struct axes {
    double x0, x1, y0, y1; /* log10 ranges */
} axes;

static double px(const axes *a, double params)
{
    return SVG_L + (log10(params) - a->x0) / (a->x1 - a->x0) * (SVG_W - SVG_L - SVG_R);
}

static double py(const axes *a, double pct)
{
    double v = log10(pct > Y_FLOOR ? pct : Y_FLOOR);

    return SVG_T + (a->y1 - v) / (a->y1 - a->y0) * (SVG_H - SVG_T - SVG_B);
}

static double x_of(const point *p, int l1)
{
    return (double)(l1 ? p->nonzero : p->parameters);
}

static void axes_fit(axes *a, const curve *c, int l1, int *first)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        double x = x_of(&c->p[i], l1), y = c->p[i].one_minus_auc_pct;
        if (x < 1)
            continue;
        x = log10(x);
        y = log10(y > Y_FLOOR ? y : Y_FLOOR);
        if (*first || x < a->x0) a->x0 = x;
        if (*first || x > a->x1) a->x1 = x;
        if (*first || y < a->y0) a->y0 = y;
        if (*first || y > a->y1) a->y1 = y;
        *first = 0;
    }
}

static void svg_series(FILE *f, const axes *a, const curve *c, int l1, const char *color,
                       const char *name, int legend_row)
{
    size_t i;
    int any = 0;

    fprintf(f, "<g fill=\"none\" stroke=\"%s\" stroke-width=\"2\">\n<polyline points=\"",
            color);
    for (i = 0; i < c->n; i++)
        if (x_of(&c->p[i], l1) >= 1)
            fprintf(f, "%s%.1f,%.1f", any++ ? " " : "", px(a, x_of(&c->p[i], l1)),
                    py(a, c->p[i].one_minus_auc_pct));
    fputs("\"/>\n</g>\n", f);
    fprintf(f, "<g fill=\"%s\">\n", color);
    for (i = 0; i < c->n; i++) {
        const point *p = &c->p[i];
        if (x_of(p, l1) < 1)
            continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>%s: %zu parameters, "
                   "%zu non-zero, AUC %.5f, (1-AUC)%% %.4f, %zu bytes</title></circle>\n",
                px(a, x_of(p, l1)), py(a, p->one_minus_auc_pct), p->label, p->parameters,
                p->nonzero, p->auc, p->one_minus_auc_pct, p->bytes);
    }
    fputs("</g>\n", f);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
               "stroke-width=\"2\"/>\n<text x=\"%d\" y=\"%d\">%s</text>\n",
            SVG_W - SVG_R + 15, SVG_T + 20 + 22 * legend_row, SVG_W - SVG_R + 45,
            SVG_T + 20 + 22 * legend_row, color, SVG_W - SVG_R + 52,
            SVG_T + 25 + 22 * legend_row, name);
}

static void svg_axes(FILE *f, const axes *a)
{
    int k;

    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
               "stroke=\"#444\"/>\n", SVG_L, SVG_T, SVG_W - SVG_L - SVG_R,
            SVG_H - SVG_T - SVG_B);
    fputs("<g font-size=\"12\" fill=\"#222\">\n", f);
    for (k = (int)a->x0; k <= (int)a->x1; k++) {
        double x = px(a, pow(10, k));
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                x, SVG_T, x, SVG_H - SVG_B, x, SVG_H - SVG_B + 18, pow(10, k));
    }
    for (k = (int)a->y0; k <= (int)a->y1; k++) {
        double y = py(a, pow(10, k));
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                SVG_L, y, SVG_W - SVG_R, y, SVG_L - 6, y + 4, pow(10, k));
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">parameters (non-zero word "
               "weights, log scale)</text>\n", (SVG_L + SVG_W - SVG_R) / 2, SVG_H - 15);
    fprintf(f, "<text transform=\"translate(20,%d) rotate(-90)\" text-anchor=\"middle\">"
               "(1-AUC) %% on the test set (log scale)</text>\n", (SVG_T + SVG_H - SVG_B) / 2);
    fputs("</g>\n", f);
}

int curve_svg(const char *path, const curve *pr, const curve *l1)
{
    axes a = { 0, 1, -1, 1 };
    int first = 1;
    FILE *f = fopen(path, "w");

    if (!f)
        return runtime_error("%s: cannot create the SVG file", path);
    axes_fit(&a, pr, 0, &first);
    axes_fit(&a, l1, 1, &first);
    a.x0 = floor(a.x0);
    a.x1 = ceil(a.x1);
    a.y0 = floor(a.y0);
    a.y1 = ceil(a.y1);
    if (a.x1 <= a.x0)
        a.x1 = a.x0 + 1;
    if (a.y1 <= a.y0)
        a.y1 = a.y0 + 1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"%d\" y=\"28\" font-size=\"16\">spamlr curve: model size versus "
               "quality</text>\n", SVG_W, SVG_H, SVG_W, SVG_H, SVG_L);
    svg_axes(f, &a);
    svg_series(f, &a, pr, 0, "#1f77b4", "pruned", 0);
    if (l1->n)
        svg_series(f, &a, l1, 1, "#d62728", "L1 path", 1);
    fputs("</svg>\n", f);
    if (ferror(f) | fclose(f)) {
        remove(path);
        return runtime_error("%s: cannot write the SVG file", path);
    }
    return 0;
}
