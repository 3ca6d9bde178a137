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

#endif
