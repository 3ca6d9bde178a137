/* curve_svg.c - the chart of `spamlr curve --svg` (and of the model report
 * of `inspect --html --curve`): (1-AUC)% against model size, log scales
 * zoomed to the data with ticks at 1, 2 and 5 of each decade, one polyline
 * per curve, every point labelled with its size and a tooltip. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "curve.h"
#include "html.h"

enum { SVG_W = 760, SVG_H = 480, SVG_L = 80, SVG_R = 190, SVG_T = 70, SVG_B = 60 };
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

/* Widens [*lo, *hi] (log10) by a margin, to at least `min` decades. */
static void pad(double *lo, double *hi, double min)
{
    double span = *hi - *lo, mid = (*lo + *hi) / 2;

    if (span < min) {
        *lo = mid - min / 2;
        *hi = mid + min / 2;
        span = min;
    }
    *lo -= span * 0.06;
    *hi += span * 0.06;
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
    fprintf(f, "<g fill=\"%s\" font-size=\"10\">\n", color);
    for (i = 0; i < c->n; i++) {
        const point *p = &c->p[i];
        double x, y;
        if (x_of(p, l1) < 1)
            continue;
        x = px(a, x_of(p, l1));
        y = py(a, p->one_minus_auc_pct);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>", x, y);
        html_str(f, p->label);
        fprintf(f, ": %zu parameters, %zu non-zero, AUC %.5f, (1-AUC)%% %.4f, %zu bytes"
                   "</title></circle>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                p->parameters, p->nonzero, p->auc, p->one_minus_auc_pct, p->bytes, x,
                l1 ? y + 15 : y - 8);
        html_str(f, p->label);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
               "stroke-width=\"2\"/>\n<text x=\"%d\" y=\"%d\">%s</text>\n",
            SVG_W - SVG_R + 15, SVG_T + 20 + 22 * legend_row, SVG_W - SVG_R + 45,
            SVG_T + 20 + 22 * legend_row, color, SVG_W - SVG_R + 52,
            SVG_T + 25 + 22 * legend_row, name);
}

/* The L1 models that kept no weight: no place on a log axis, so named. */
static void svg_empty_l1(FILE *f, const curve *l1)
{
    size_t i, n = 0;
    int y = SVG_T + 80;

    for (i = 0; i < l1->n; i++)
        n += l1->p[i].nonzero == 0;
    if (n == 0)
        return;
    fprintf(f, "<g font-size=\"11\" fill=\"#d62728\"><text x=\"%d\" y=\"%d\">%zu L1 "
               "model%s with no weight</text>\n<text x=\"%d\" y=\"%d\">left (not drawn):"
               "</text>\n", SVG_W - SVG_R + 15, y, n, n == 1 ? "" : "s", SVG_W - SVG_R + 15,
            y + 14);
    for (i = 0, y += 28; i < l1->n; i++) {
        if (l1->p[i].nonzero)
            continue;
        fprintf(f, "<text x=\"%d\" y=\"%d\">", SVG_W - SVG_R + 25, y);
        html_str(f, l1->p[i].label);
        fprintf(f, ": AUC %.3f</text>\n", l1->p[i].auc);
        y += 14;
    }
    fputs("</g>\n", f);
}

/* Grid lines and labels at 1, 2 and 5 times the powers of ten in
 * [lo, hi] (log10); 2 and 5 are labelled when the axis spans few decades. */
static void svg_ticks(FILE *f, const axes *a, int vertical)
{
    static const int mult[3] = { 1, 2, 5 };
    double lo = vertical ? a->y0 : a->x0, hi = vertical ? a->y1 : a->x1;
    int k, m, label_minor = hi - lo <= 2.5;

    for (k = (int)floor(lo); k <= (int)ceil(hi); k++) {
        for (m = 0; m < 3; m++) {
            double v = mult[m] * pow(10, k), l = log10(v);
            if (l < lo || l > hi)
                continue;
            if (vertical) {
                double y = py(a, v);
                fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                        SVG_L, y, SVG_W - SVG_R, y, m ? "#eee" : "#ccc");
                if (m == 0 || label_minor)
                    fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                            SVG_L - 6, y + 4, v);
            } else {
                double x = px(a, v);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n",
                        x, SVG_T, x, SVG_H - SVG_B, m ? "#eee" : "#ccc");
                if (m == 0 || label_minor)
                    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                            x, SVG_H - SVG_B + 18, v);
            }
        }
    }
}

static void svg_axes(FILE *f, const axes *a)
{
    fputs("<g font-size=\"12\" fill=\"#222\">\n", f);
    svg_ticks(f, a, 0);
    svg_ticks(f, a, 1);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
               "stroke=\"#444\"/>\n", SVG_L, SVG_T, SVG_W - SVG_L - SVG_R,
            SVG_H - SVG_T - SVG_B);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">parameters (non-zero word "
               "weights, log scale)</text>\n", (SVG_L + SVG_W - SVG_R) / 2, SVG_H - 15);
    fprintf(f, "<text transform=\"translate(20,%d) rotate(-90)\" text-anchor=\"middle\">"
               "(1-AUC) %% on the test set (log scale)</text>\n", (SVG_T + SVG_H - SVG_B) / 2);
    fputs("</g>\n", f);
}

void curve_subtitle(const curve_info *ci, char *buf, size_t size)
{
    if (!ci->has_meta) {
        if (size)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, size, "trained on %zu messages, tested on %zu; %s, C=%g, threshold %g",
             ci->train_n, ci->test_n, ci->solver[0] ? ci->solver : "?", ci->c,
             ci->threshold);
}

void curve_svg_draw(FILE *f, const curve *pr, const curve *l1, const char *subtitle)
{
    axes a = { 0, 1, -1, 1 };
    int first = 1;

    axes_fit(&a, pr, 0, &first);
    axes_fit(&a, l1, 1, &first);
    pad(&a.x0, &a.x1, 1);
    pad(&a.y0, &a.y1, 0.5);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"%d\" y=\"28\" font-size=\"16\">spamlr curve: model size versus "
               "quality</text>\n", SVG_W, SVG_H, SVG_W, SVG_H, SVG_L);
    if (subtitle && *subtitle) {
        fprintf(f, "<text x=\"%d\" y=\"48\" font-size=\"12\" fill=\"#555\">", SVG_L);
        html_str(f, subtitle);
        fputs("</text>\n", f);
    }
    svg_axes(f, &a);
    svg_series(f, &a, pr, 0, "#1f77b4", "pruned", 0);
    if (l1->n)
        svg_series(f, &a, l1, 1, "#d62728", "L1 path", 1);
    svg_empty_l1(f, l1);
    fputs("</svg>\n", f);
}

int curve_svg(const char *path, const curve *pr, const curve *l1, const char *subtitle)
{
    out_file o;
    int rc;

    if ((rc = out_file_open(&o, path)) != 0)
        return rc;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", o.f);
    curve_svg_draw(o.f, pr, l1, subtitle);
    return out_file_commit(&o, path);
}
