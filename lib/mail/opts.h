/* opts.h - the header allow-list of the parser: which fields give tokens. */
#ifndef SPAMLR_OPTS_H
#define SPAMLR_OPTS_H

#include <stddef.h>

#define SPAMLR__FIELDS_N 32
#define SPAMLR__FIELD_NAME_MAX 48

typedef struct spamlr__fields {
    char name[SPAMLR__FIELDS_N][SPAMLR__FIELD_NAME_MAX]; /* lower-case, no ':' */
    size_t n;
    int want_struct;        /* "content-type" is in the list */
} spamlr__fields;

/* Fills fl from the allow-list option string s (spamlr__mime_opts.fields;
 * NULL = SPAMLR__MIME_FIELDS_DEFAULT). Verdict fields are left out. */
void spamlr__fields_parse(spamlr__fields *fl, const char *s);

/* Index of the field name[0..n) in the allow-list; -1 when it is not
 * there, -2 when it is on the deny-list (a verdict or storage field, never
 * tokenised). One look-up for both: every field of every message asks. */
int spamlr__fields_find(const spamlr__fields *fl, const char *name, size_t n);

/* The answers of spamlr__fields_find for the field names met lately, as
 * they were written (a mail's fields are mostly the last mail's): a name
 * found here costs a hash and a compare instead of the deny-list and the
 * allow-list. Valid for one spamlr__fields; zero it (or
 * spamlr__fcache_clear) when that changes. */
#define SPAMLR__FCACHE 128
#define SPAMLR__FCACHE_NAME 30
typedef struct spamlr__fcache {
    struct {
        unsigned char len;  /* 0: empty */
        signed char idx;
        char name[SPAMLR__FCACHE_NAME];
    } e[SPAMLR__FCACHE];
} spamlr__fcache;

void spamlr__fcache_clear(spamlr__fcache *fc);

/* spamlr__fields_find(fl, name, n) through fc. */
int spamlr__fields_find_cached(const spamlr__fields *fl, spamlr__fcache *fc, const char *name,
                               size_t n);

#endif
