/* inspect_html.c - the model report of `spamlr inspect --html`: the
 * parameter count and settings, the top spam and ham words as bars, a
 * histogram of every weight, and the size-vs-quality curve when a curve
 * file is given. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "curve.h"
#include "html.h"

#define BINS 41
enum { HW = 820, HH = 260, HL = 60, HR = 20, HT = 20, HB = 40 };

static void row(FILE *f, const char *key, const char *fmt, ...) CLI_PRINTF(3, 4);

static void row(FILE *f, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(f, "<tr><td>%s</td><td>", key);
    html_str(f, buf);
    fputs("</td></tr>\n", f);
}

static void write_settings(FILE *f, const char *model_path, const spamlr_model *m,
                           const spamlr_model_info *in, long long disk_bytes)
{
    char when[64];
    time_t t = (time_t)in->trained_at;
    struct tm *tm = gmtime(&t);
    double lo, hi;

    if (!tm || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", tm))
        snprintf(when, sizeof when, "unknown");
    html_begin(f, "spamlr model report");
    fputs("<h1>Model report</h1>\n<p class=\"sub\">", f);
    html_str(f, model_path);
    fprintf(f, "</p>\n<p class=\"score\" id=\"parameters\" data-parameters=\"%zu\">"
               "<b>%zu</b> parameters: word weights%s, <b>%zu</b> of them non-zero</p>\n",
            in->parameters, in->parameters, in->has_bias ? " + 1 bias" : "", in->nonzero);
    fputs("<h2>Settings</h2>\n<table class=\"kv\" id=\"settings\">\n", f);
    if (in->has_bias)
        row(f, "bias", "%+.6f", in->bias);
    else
        row(f, "bias", "none");
    if (in->pruned_from)
        row(f, "pruned from", "%zu words", in->pruned_from);
    row(f, "weights", "%s", in->weight_bits == 16 ? "16-bit steps" : "32-bit float");
    row(f, "file layout", "%s", in->layout == SPAMLR_LAYOUT_MAPPED ? "mapped" : "packed");
    if (disk_bytes >= 0)
        row(f, "bytes on disk", "%lld", disk_bytes);
    row(f, "bytes in memory", "%zu", in->memory_bytes);
    row(f, "trained", "%s on %zu messages (%zu spam, %zu ham)", when, in->examples, in->spam,
        in->ham);
    row(f, "solver", "%s, C=%g, l1=%g, l2=%g, tol=%g, %u iterations", solver_name(in->solver),
        in->c, in->l1, in->l2, in->tol, in->iterations);
    row(f, "min count, class weight", "%u, %s", in->min_count,
        class_weight_name(in->class_weight));
    row(f, "tokenizer", "ngrams=%u, max_token_len=%u, number_fold=%u, cjk_bigrams=%u, "
        "mime=%u, fold=%s, subwords=%u", in->text.ngrams, in->text.max_token_len,
        in->text.number_fold, in->text.cjk_bigrams, in->text.mime,
        in->text.fold ? "nfkc" : "simple", in->text.subwords);
    row(f, "features", "%s%s, %s", features_name(in->text.features),
        in->text.features != SPAMLR_FEAT_TFIDF ? ""
        : in->text.idf_power == 1 ? " (idf)" : in->text.idf_power == 2 ? " (idf squared)"
        : " (idf to a higher power)",
        in->text.normalize ? "L2-normalised" : "not normalised");
    row(f, "threshold", "%g", in->threshold);
    if (spamlr_model_unsure(m, &lo, &hi))
        row(f, "unsure zone", "ham below %g, spam from %g on", lo, hi);
    fputs("</table>\n", f);
}

static void word_bars(FILE *f, const char *title, const char *id, const spamlr_word *w,
                      size_t n, double scale)
{
    size_t i;

    fprintf(f, "<div><h2>%s</h2>\n", title);
    if (n == 0) {
        fputs("<p>(none)</p></div>\n", f);
        return;
    }
    fprintf(f, "<table class=\"bars\" id=\"%s\">\n", id);
    for (i = 0; i < n; i++)
        html_bar(f, w[i].token, w[i].weight, scale);
    fputs("</table></div>\n", f);
}

/* The histogram of every word weight, counts on a log scale. */
static int write_histogram(FILE *f, const spamlr_model *m)
{
    size_t n = spamlr_model_vocab_size(m), i, count[BINS], top = 0;
    double lo = 0, hi = 0, width;
    spamlr_word w;
    int b;

    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++)
        if (spamlr_model_word(m, i, &w) == SPAMLR_OK && isfinite(w.weight)) {
            lo = w.weight < lo ? w.weight : lo;
            hi = w.weight > hi ? w.weight : hi;
        }
    hi = fabs(lo) > hi ? fabs(lo) : hi; /* symmetric, 0 in the middle bin */
    if (hi == 0)
        hi = 1;
    width = 2 * hi / BINS;
    for (i = 0; i < n; i++)
        if (spamlr_model_word(m, i, &w) == SPAMLR_OK && isfinite(w.weight)) {
            b = (int)floor((w.weight + hi) / width);
            count[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
        }
    for (b = 0; b < BINS; b++)
        top = count[b] > top ? count[b] : top;
    fprintf(f, "<h2>The weights: a histogram of all %zu</h2>\n<p class=\"sub\">number of "
               "words (log scale) in each of %d bins from %+.3f to %+.3f</p>\n", n, BINS,
            -hi, hi);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"histogram\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
               "font-size=\"11\">\n", HW, HH, HW, HH);
    for (b = 0; b < BINS; b++) {
        double bw = (double)(HW - HL - HR) / BINS, h = 0;
        double mid = -hi + (b + 0.5) * width;
        if (count[b] && top)
            h = (HH - HT - HB) * log1p((double)count[b]) / log1p((double)top);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                   "<title>%+.3f to %+.3f: %zu words</title></rect>\n", HL + b * bw + 1,
                HH - HB - h, bw - 2, h, mid > width / 2 ? "#b2182b" : mid < -width / 2
                ? "#2166ac" : "#888", mid - width / 2, mid + width / 2, count[b]);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", HL,
            HH - HB, HW - HR, HH - HB);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%+.2f</text>"
               "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">0</text>"
               "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%+.2f</text>\n"
               "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">weight (ham-ward &larr; "
               "&rarr; spam-ward)</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">"
               "%zu</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n</svg>\n",
            HL, HH - HB + 15, -hi, (HL + HW - HR) / 2, HH - HB + 15, HW - HR, HH - HB + 15,
            hi, (HL + HW - HR) / 2, HH - 6, HL - 6, HT + 4, top, HL - 6, HH - HB);
    return 0;
}

static int write_curve(FILE *f, const char *curve_path)
{
    curve pr = { NULL, 0, 0 }, l1 = { NULL, 0, 0 };
    curve_info ci;
    char sub[256];
    int rc;

    if ((rc = curve_read(curve_path, &pr, &l1, &ci)) == 0) {
        curve_subtitle(&ci, sub, sizeof sub);
        fputs("<h2>Size versus quality</h2>\n<p class=\"sub\">from ", f);
        html_str(f, curve_path);
        fputs(" (spamlr curve)</p>\n<div id=\"curve\">", f);
        curve_svg_draw(f, &pr, &l1, sub);
        fputs("</div>\n", f);
    }
    free(pr.p);
    free(l1.p);
    return rc;
}

int inspect_html(const char *path, const char *model_path, const spamlr_model *m,
                 long long disk_bytes, size_t top, const char *curve_path)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    spamlr_word *spam = NULL, *ham = NULL;
    size_t nspam = 0, nham = 0;
    double scale;
    out_file o;
    int rc;

    memset(&o, 0, sizeof o);
    spamlr_model_info_get(m, &in);
    if (top && (!(spam = malloc(top * sizeof *spam)) || !(ham = malloc(top * sizeof *ham)))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    if (top) {
        nspam = spamlr_model_top(m, 1, spam, top);
        nham = spamlr_model_top(m, -1, ham, top);
    }
    if ((rc = out_file_open(&o, path)) != 0)
        goto out;
    write_settings(o.f, model_path, m, &in, disk_bytes);
    scale = nspam ? fabs(spam[0].weight) : 0;
    if (nham && fabs(ham[0].weight) > scale)
        scale = fabs(ham[0].weight);
    fputs("<div class=\"cols\">\n", o.f);
    word_bars(o.f, "Top spam words", "top-spam", spam, nspam, scale);
    word_bars(o.f, "Top ham words", "top-ham", ham, nham, scale);
    fputs("</div>\n", o.f);
    if ((rc = write_histogram(o.f, m)) || (curve_path && (rc = write_curve(o.f, curve_path))))
        goto out;
    html_end(o.f);
    rc = out_file_commit(&o, path);
out:
    if (o.f)
        out_file_abort(&o);
    free(spam);
    free(ham);
    return rc;
}
