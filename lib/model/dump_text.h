/* dump_text.h - private to lib/model: the text primitives of the model
 * dump (dump_text.c), which dump.c and dump_state.c share: writing
 * formatted lines and escaped tokens, reading lines, numbers and escaped
 * tokens with errors that name the line. */
#ifndef SPAMLR_MODEL_DUMP_TEXT_H
#define SPAMLR_MODEL_DUMP_TEXT_H

#include "common/buf.h"
#include "model/model.h"

#define MAX_TOKEN 4096 /* the longest token a model file may hold */

/* ------------------------------------------------------------- writing */

typedef struct textbuf {
    spamlr__buf b;
    int err;
} textbuf;

/* Appends a formatted piece (at most 255 bytes); errors stay in o->err. */
void spamlr__dump_emit(textbuf *o, const char *fmt, ...) SPAMLR__PRINTF(2, 3);
/* Appends a token, escaping \\, TAB, LF, CR, other control bytes and
 * bytes that are not UTF-8 (as \xHH). */
void spamlr__dump_token(textbuf *o, const char *s, size_t len);

/* ------------------------------------------------------------- reading */

typedef struct reader {
    const char *p, *end;
    long line;
    spamlr_diag *d;
    char buf[64];       /* a value as a NUL-terminated string */
} reader;

/* The next line (without its newline and a trailing CR); 0 at the end. */
int spamlr__dump_line(reader *r, const char **s, size_t *n);
/* A parse error on the current line: what, then 'arg' when not NULL. */
int spamlr__dump_err(reader *r, const char *what, const char *arg);
/* Copies v[0..n) into r->buf; -1 when it does not fit. */
int spamlr__dump_value(reader *r, const char *v, size_t n);
/* Numbers in v[0..n): 0, or non-zero when v is not one (f32: finite;
 * i64: a signed decimal; u64: at most max, no sign). */
int spamlr__dump_f64(reader *r, const char *v, size_t n, double *x);
int spamlr__dump_f32(reader *r, const char *v, size_t n, float *x);
int spamlr__dump_i64(reader *r, const char *v, size_t n, int64_t *out);
int spamlr__dump_u64(reader *r, const char *v, size_t n, unsigned long long max,
                     unsigned long long *x);
int spamlr__dump_u32(reader *r, const char *v, size_t n, unsigned *x);
/* Unescapes a token into t (at least n + 1 bytes); its length in *tn.
 * nul: a \x00 escape is allowed (a word: models written before 0.3's
 * shapes became printable may hold one, and their dumps must import);
 * a raw NUL byte never is. */
int spamlr__dump_unescape(reader *r, const char *s, size_t n, char *t, size_t *tn, int nul);

#endif
