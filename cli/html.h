/* html.h - the self-contained HTML pages of `explain --html` and `inspect
 * --html`: the atomic output file and the escaping and page parts they
 * share (htmlout.c), the explain page (explain_html.c) and the model
 * report (inspect_html.c).
 *
 * A page needs no network: inline CSS only, no script, and a
 * Content-Security-Policy that forbids scripts and every fetch, so that
 * even a message that slipped through the escaping could run nothing. */
#ifndef SPAMLR_CLI_HTML_H
#define SPAMLR_CLI_HTML_H

#include <stdint.h>
#include <stdio.h>

#include "spamlr.h"

/* ------------------------------------------------ the atomic output file */

/* A file written under a temporary name beside its target and renamed over
 * it when complete, so that a reader never sees half a page and a failure
 * leaves any earlier file as it was. */
typedef struct out_file {
    FILE *f;
    char *target; /* path with its symbolic links followed (malloc'ed) */
    char *tmp;    /* target.tmp-XXXXXX (malloc'ed) */
} out_file;

/* Creates the temporary file for path (mode 0666 & ~umask, as fopen would
 * make the file). 0, or EXIT_RUNTIME reported (o is then empty). */
int out_file_open(out_file *o, const char *path);

/* Flushes, fsyncs and closes the file and renames it over the target.
 * 0, or EXIT_RUNTIME reported, with the temporary file removed. Frees o
 * either way. */
int out_file_commit(out_file *o, const char *path);

/* Closes and removes the temporary file and frees o (o may be empty). */
void out_file_abort(out_file *o);

/* ----------------------------------------------------------- page parts */

/* Decodes the UTF-8 sequence at s[0..len) (len > 0): returns its length
 * (1..4) and the code point in *cp, or 0 for an invalid sequence
 * (overlong, surrogate, above U+10FFFF, cut short). */
size_t html_utf8(const unsigned char *s, size_t len, uint32_t *cp);

/* Writes len bytes of untrusted s as HTML text that is also safe inside a
 * quoted attribute value: & < > " ' as entities, invalid UTF-8, NUL and
 * the C0 controls but TAB and LF (CR dropped before LF) and C1 controls
 * as U+FFFD; valid UTF-8 as it is. */
void html_text(FILE *f, const char *s, size_t len);
/* The same for a NUL-terminated string. */
void html_str(FILE *f, const char *s);

/* A number for a data attribute: %.17g, "0" when it is not finite. */
void html_num(FILE *f, double x);

/* The page's head (doctype, charset, CSP, the shared style sheet, the
 * title, escaped) and the opening of its body; html_end closes it. */
void html_begin(FILE *f, const char *title);
void html_end(FILE *f);

/* One row of a bar chart of signed values inside a <table class="bars">:
 * the label (escaped), a bar to the left (value < 0, ham-ward, blue) or
 * right (spam-ward, red) of the middle, as long as |value| / scale, and
 * the value. scale <= 0 draws no bar. */
void html_bar(FILE *f, const char *label, double value, double scale);

/* ------------------------------------------------------------- the pages */

/* explain --html: the page for one message (text[0..len), named `name`)
 * explained by ex with every contribution in items[0..ex->n) (ex->n ==
 * ex->total), the largest `top` in the bar chart. Writes path atomically;
 * 0, or an exit code reported. */
int explain_html(const char *path, const char *name, const spamlr_model *m,
                 const char *text, size_t len, const spamlr_explanation *ex,
                 const spamlr_contribution *items, size_t top);

/* inspect --html: the report of model m (file model_path, disk_bytes its
 * size or -1) with the top `top` spam and ham words, and the size-vs-
 * quality curve of curve_path (output of `spamlr curve --format json` or
 * tsv; NULL for none). Writes path atomically; 0, or an exit code
 * reported. */
int inspect_html(const char *path, const char *model_path, const spamlr_model *m,
                 long long disk_bytes, size_t top, const char *curve_path);

#endif /* SPAMLR_CLI_HTML_H */
