/* html.h - HTML (already UTF-8) -> plain text, plus a few markup facts.
 * Part of the mime module.
 *
 * Tags are removed: inline and unknown tags leave nothing ("Via<b></b>gra"
 * reads "Viagra", as a browser shows it); block tags (p, br, div, tr, li,
 * h1-h6, table, ul, ol, blockquote, pre, hr, ...) give a line break, td/th
 * a space. Comments, <!...>, <?...?> and the content of script, style,
 * title, head, noscript... are dropped. Entities are decoded: named ones
 * from a table of the common HTML names (Latin-1 set, typographic
 * punctuation, arrows, ...), numeric &#...; and &#x...; (windows-1252 for
 * 128-159 as browsers do; NUL, surrogates and out-of-range give U+FFFD;
 * soft hyphen and zero-width characters give nothing). Runs of white space
 * become one space. The output is valid UTF-8 with no control character
 * other than "\n" (invalid input bytes are skipped).
 */
#ifndef SPAMLR_HTML_H
#define SPAMLR_HTML_H

#include "common/buf.h"

enum {
    SPAMLR__HTML_URL = 0,     /* host of an http(s)/ftp or //host link */
    SPAMLR__HTML_MAILTO = 1   /* domain of a mailto: link */
};

/* What the markup held. The caller zeroes it; calls add to it. */
typedef struct spamlr__html_info {
    unsigned images;          /* <img> tags */
    unsigned hidden;          /* elements hiding their text */
    unsigned scripts, iframes, forms, objects; /* <script>, <iframe>/<frame>,
                                 <form>, <object>/<embed>/<applet> */
    /* Called (when not NULL) with the lower-case host of each link in an
     * href, src or action attribute (numeric IPv4/decimal hosts come as
     * "ip"); kind is SPAMLR__HTML_URL or SPAMLR__HTML_MAILTO. */
    void (*link)(void *ctx, int kind, const char *host, size_t len);
    void *link_ctx;
} spamlr__html_info;

/* Appends the text of html[0..len) to out, stopping once out->len reaches
 * max_len (at a character boundary). Returns 0 or SPAMLR_ENOMEM. */
int spamlr__html_to_text(spamlr__buf *out, size_t max_len, const char *html, size_t len,
                         spamlr__html_info *info);

/* Does html[0..len) start (after blanks) like an HTML document: <html,
 * <!doctype html, <head, <body? */
int spamlr__html_sniff(const char *s, size_t len);

/* The charset named by a <meta> in the first 4 KiB of html (charset= in
 * a meta tag), as a pointer into html and a length; 0 when none. */
size_t spamlr__html_meta_charset(const char *html, size_t len, const char **cs);

#endif
