/* explain_html.c - the page of `spamlr explain --html`: the message with
 * its words coloured by their contributions, the score as bias + sum, and
 * the largest contributions as a bar chart.
 *
 * The library explains tokens, not places in the text, so the places are
 * found here: the message as written is cut into pieces (runs between ASCII
 * white space; inside a run each CJK character is a piece of its own, with
 * the character before it as context, so its bigram lands on it), each
 * piece is tokenised with the model's settings, and a known token's
 * contribution is shared equally among the pieces it was found in. Tokens
 * found in no piece (header tokens such as "subject:free", decoded MIME
 * parts, bigrams across pieces) are listed below the text. Every share
 * and every listed token carries its part in data-contribution, so the
 * shares, the listed tokens and the bias add up to the score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "html.h"

#define SHOWN_MAX (1u << 20) /* bytes of the message shown */
#define RUN_MAX 256          /* a longer run is cut (at a character) */

typedef struct piece {
    size_t start, len;  /* in the text */
    size_t ctx;         /* bytes of context before start (0 or one character) */
    size_t tok0, ntok;  /* its known tokens: toks[tok0 .. tok0+ntok) */
} piece;

typedef struct page {
    const spamlr_contribution *c;
    size_t nc;
    size_t *clen;       /* strlen of each token */
    size_t *slot;       /* hash table of contribution index + 1 (0 = empty) */
    size_t mask;
    unsigned *occ;      /* pieces each contribution was found in */
    piece *p;
    size_t np, capp;
    size_t *toks;       /* contribution indices, by piece */
    size_t nt, capt;
    size_t skip;        /* tokens of the context still to skip */
    int nomem;
} page;

static size_t hash(const char *s, size_t n)
{
    size_t h = 1469598103934665603u, i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int index_tokens(page *g)
{
    size_t i, size = 16, h;

    while (size < 2 * g->nc)
        size *= 2;
    g->mask = size - 1;
    if (!(g->slot = calloc(size, sizeof *g->slot)) ||
        !(g->clen = malloc((g->nc + 1) * sizeof *g->clen)) ||
        !(g->occ = calloc(g->nc + 1, sizeof *g->occ)))
        return -1;
    for (i = 0; i < g->nc; i++) {
        g->clen[i] = strlen(g->c[i].token);
        for (h = hash(g->c[i].token, g->clen[i]) & g->mask; g->slot[h]; h = (h + 1) & g->mask)
            ;
        g->slot[h] = i + 1;
    }
    return 0;
}

/* The contribution index of tok, or -1 when it is unknown. */
static long find(const page *g, const char *tok, size_t n)
{
    size_t h, k;

    for (h = hash(tok, n) & g->mask; (k = g->slot[h]) != 0; h = (h + 1) & g->mask)
        if (g->clen[k - 1] == n && memcmp(g->c[k - 1].token, tok, n) == 0)
            return (long)(k - 1);
    return -1;
}

static int on_token(void *ctx, const char *tok, size_t len)
{
    page *g = ctx;
    long k;

    if (g->skip) {
        g->skip--;
        return 0;
    }
    if ((k = find(g, tok, len)) < 0)
        return 0;
    if (g->nt == g->capt) {
        size_t cap = g->capt ? 2 * g->capt : 256;
        size_t *t = realloc(g->toks, cap * sizeof *t);
        if (!t) {
            g->nomem = 1;
            return 1;
        }
        g->toks = t;
        g->capt = cap;
    }
    g->toks[g->nt++] = (size_t)k;
    return 0;
}

static int count_token(void *ctx, const char *tok, size_t len)
{
    (void)tok;
    (void)len;
    ++*(size_t *)ctx;
    return 0;
}

/* Han, Kana, Hangul, Bopomofo: the tokenizer's one-character tokens. */
static int is_cjk(uint32_t c)
{
    return (c >= 0x2e80 && c <= 0x2fdf) || (c >= 0x3040 && c <= 0x318f) ||
           (c >= 0x31a0 && c <= 0x31ff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff66 && c <= 0xff9f) ||
           (c >= 0x20000 && c <= 0x3ffff);
}

/* Tokenises one piece (after ctx bytes of context) and records its known
 * tokens; pieces without any are not kept. */
static int add_piece(page *g, const spamlr_text_opts *o, const char *text, size_t start,
                     size_t len, size_t ctx)
{
    size_t tok0 = g->nt, i;

    g->skip = 0;
    if (ctx)
        spamlr_tokenize(o, text + start - ctx, ctx, count_token, &g->skip);
    spamlr_tokenize(o, text + start - ctx, ctx + len, on_token, g);
    if (g->nomem)
        return -1;
    if (g->nt == tok0)
        return 0;
    if (g->np == g->capp) {
        size_t cap = g->capp ? 2 * g->capp : 256;
        piece *p = realloc(g->p, cap * sizeof *p);
        if (!p)
            return -1;
        g->p = p;
        g->capp = cap;
    }
    g->p[g->np].start = start;
    g->p[g->np].len = len;
    g->p[g->np].ctx = ctx;
    g->p[g->np].tok0 = tok0;
    g->p[g->np].ntok = g->nt - tok0;
    g->np++;
    for (i = tok0; i < g->nt; i++)
        g->occ[g->toks[i]]++;
    return 0;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Cuts text[0..len) into pieces (see the top of the file). */
static int cut(page *g, const spamlr_text_opts *o, const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0;

    while (i < len) {
        size_t run = i, end, s, pc, n;
        uint32_t cp;

        if (is_space(u[i])) {
            i++;
            continue;
        }
        while (i < len && !is_space(u[i]) && i - run < RUN_MAX)
            i += (n = html_utf8(u + i, len - i, &cp)) ? n : 1;
        end = i;
        /* pc: start of the CJK character just before i, SIZE_MAX for none */
        for (s = run, pc = SIZE_MAX, i = run; i < end; i += n) {
            int cjk;

            n = html_utf8(u + i, end - i, &cp);
            cjk = n && is_cjk(cp);
            if (!n)
                n = 1;
            if (!cjk) {
                pc = SIZE_MAX;
                continue;
            }
            if ((i > s && add_piece(g, o, text, s, i - s, 0)) ||
                add_piece(g, o, text, i, n, pc != SIZE_MAX ? i - pc : 0))
                return -1;
            pc = i;
            s = i + n;
        }
        if (end > s && add_piece(g, o, text, s, end - s, 0))
            return -1;
        i = end;
    }
    return 0;
}

/* ------------------------------------------------------------- writing */

/* A piece's part of the score: each of its tokens' contribution divided
 * among the pieces that token was found in. */
static double share(const page *g, const piece *p)
{
    double a = 0;
    size_t i;

    for (i = p->tok0; i < p->tok0 + p->ntok; i++)
        a += g->c[g->toks[i]].contribution / g->occ[g->toks[i]];
    return a;
}

static void color(FILE *f, double a, double scale)
{
    double t = scale > 0 ? fabs(a) / scale : 0;

    t = 0.12 + 0.78 * sqrt(t > 1 ? 1 : t);
    if (a > 0)
        fprintf(f, "background:rgba(214,39,40,%.2f)", t);
    else if (a < 0)
        fprintf(f, "background:rgba(33,102,172,%.2f)", t);
    else
        fputs("background:#eee", f);
    if (t > 0.6)
        fputs(";color:#fff", f);
}

static void piece_span(FILE *f, const page *g, const piece *p, const char *text,
                       double scale)
{
    double a = share(g, p);
    size_t i;

    fputs("<span class=\"tok\" data-contribution=\"", f);
    html_num(f, a);
    fputs("\" style=\"", f);
    color(f, a, scale);
    fputs("\" title=\"", f);
    for (i = p->tok0; i < p->tok0 + p->ntok; i++) {
        const spamlr_contribution *c = &g->c[g->toks[i]];
        fputs(i > p->tok0 ? "&#10;" : "", f);
        html_str(f, c->token);
        fprintf(f, ": weight %+.4f, value %.4f, contribution %+.4f", c->weight, c->value,
                c->contribution);
        if (g->occ[g->toks[i]] > 1)
            fprintf(f, " (shared by %u places here)", g->occ[g->toks[i]]);
    }
    fprintf(f, "&#10;this piece: %+.4f\">", a);
    html_text(f, text + p->start, p->len);
    fputs("</span>", f);
}

static void write_message(FILE *f, const page *g, const char *text, size_t shown,
                          size_t len)
{
    double scale = 0, a;
    size_t i, at = 0;

    for (i = 0; i < g->np; i++)
        if ((a = fabs(share(g, &g->p[i]))) > scale)
            scale = a;
    fputs("<h2>The message</h2>\n<p class=\"sub key\">"
          "<span style=\"background:rgba(214,39,40,.7);color:#fff\">towards spam</span>"
          "<span style=\"background:rgba(33,102,172,.7);color:#fff\">towards ham</span>"
          "the stronger the colour, the larger the part; hover over a word for its "
          "weight and contribution</p>\n<div class=\"msg\" id=\"message\">", f);
    for (i = 0; i < g->np; i++) {
        html_text(f, text + at, g->p[i].start - at);
        piece_span(f, g, &g->p[i], text, scale);
        at = g->p[i].start + g->p[i].len;
    }
    html_text(f, text + at, shown - at);
    fputs("</div>\n", f);
    if (shown < len)
        fprintf(f, "<p class=\"sub\">Only the first %zu of %zu bytes are shown; the "
                   "tokens of the rest are listed below.</p>\n", shown, len);
}

static void write_unseen(FILE *f, const page *g)
{
    size_t i, n = 0;

    for (i = 0; i < g->nc; i++)
        n += g->occ[i] == 0;
    fprintf(f, "<h2>Tokens not seen in the text as written (%zu)</h2>\n", n);
    if (n == 0)
        return;
    fputs("<p class=\"sub\">Header tokens such as subject:free, words of decoded MIME "
          "parts or HTML, and word bigrams have no one place in the text.</p>\n"
          "<div class=\"chips\" id=\"unseen\">", f);
    for (i = 0; i < g->nc; i++) {
        const spamlr_contribution *c = &g->c[i];
        if (g->occ[i])
            continue;
        fputs("<span class=\"tok\" data-contribution=\"", f);
        html_num(f, c->contribution);
        fputs("\" style=\"", f);
        color(f, c->contribution, fabs(g->c[0].contribution));
        fprintf(f, "\" title=\"weight %+.4f, value %.4f, count %u, contribution %+.4f\">",
                c->weight, c->value, c->count, c->contribution);
        html_str(f, c->token);
        fputs("</span>", f);
    }
    fputs("</div>\n", f);
}

static void write_head(FILE *f, const char *name, const spamlr_model *m,
                       const spamlr_explanation *ex)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    double sum = ex->score - ex->bias;
    int spam;

    spamlr_model_info_get(m, &in);
    spam = ex->prob >= in.threshold;
    html_begin(f, "spamlr explain");
    fputs("<h1>Why this message scores as it does</h1>\n<p class=\"sub\">", f);
    html_str(f, name);
    fputs("</p>\n<p class=\"score\" id=\"score\" data-score=\"", f);
    html_num(f, ex->score);
    fputs("\" data-bias=\"", f);
    html_num(f, ex->bias);
    fprintf(f, "\">score <b>%+.4f</b> = bias %+.4f + contributions %+.4f &rarr; "
               "probability <b>%.4f</b>: <b class=\"%s\">%s</b> (threshold %g)</p>\n",
            ex->score, ex->bias, sum, ex->prob, spam ? "spamw" : "hamw",
            spam ? "spam" : "ham", in.threshold);
    fprintf(f, "<table class=\"kv\"><tr><td>tokens</td><td>%zu, of which %zu known "
               "(%zu distinct) and %zu unknown (they add nothing)</td></tr>\n"
               "<tr><td>model</td><td>%zu word weights, C=%g, %s</td></tr></table>\n",
            ex->tokens, ex->known, ex->total, ex->unknown, in.parameters, in.c,
            solver_name(in.solver));
}

static void write_bars(FILE *f, const spamlr_explanation *ex, const spamlr_contribution *c,
                       size_t top)
{
    size_t i, n = top < ex->n ? top : ex->n;

    fprintf(f, "<h2>The %zu largest contributions</h2>\n", n);
    if (n == 0) {
        fputs("<p>No known tokens: the score is the bias.</p>\n", f);
        return;
    }
    fputs("<table class=\"bars\" id=\"bars\">\n", f);
    for (i = 0; i < n; i++)
        html_bar(f, c[i].token, c[i].contribution, fabs(c[0].contribution));
    fputs("</table>\n", f);
}

int explain_html(const char *path, const char *name, const spamlr_model *m,
                 const char *text, size_t len, const spamlr_explanation *ex,
                 const spamlr_contribution *items, size_t top)
{
    spamlr_model_info in = SPAMLR_MODEL_INFO_INIT;
    out_file o;
    page g;
    size_t shown = len;
    int rc;

    memset(&g, 0, sizeof g);
    g.c = items;
    g.nc = ex->n;
    spamlr_model_info_get(m, &in);
    if (shown > SHOWN_MAX) { /* cut at a character */
        shown = SHOWN_MAX;
        while (shown > 0 && ((unsigned char)text[shown] & 0xc0) == 0x80)
            shown--;
    }
    if (index_tokens(&g) || cut(&g, &in.text, text, shown)) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    if ((rc = out_file_open(&o, path)) != 0)
        goto out;
    write_head(o.f, name, m, ex);
    write_message(o.f, &g, text, shown, len);
    write_unseen(o.f, &g);
    write_bars(o.f, ex, items, top);
    html_end(o.f);
    rc = out_file_commit(&o, path);
out:
    free(g.slot);
    free(g.clen);
    free(g.occ);
    free(g.p);
    free(g.toks);
    return rc;
}
