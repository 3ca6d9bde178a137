/* entity.h - what the header of one MIME entity says about its body: its
 * type, charset, boundary, transfer encoding and file name, read from its
 * Content-* field values; and the delimiter lines of a multipart body.
 * Pure functions over bytes; mime.c walks the structure with them. */
#ifndef SPAMLR_MAIL_ENTITY_H
#define SPAMLR_MAIL_ENTITY_H

#include <stddef.h>

enum { SPAMLR__CTE_NONE, SPAMLR__CTE_BASE64, SPAMLR__CTE_QP };

typedef struct spamlr__entity {
    char type[64];          /* "type/subtype", lower-case; "" = none/invalid */
    char charset[48];       /* as declared; "" = none */
    char boundary[200];
    size_t blen;            /* 0 = none (or unusable) */
    char filename[160];     /* raw parameter value */
    size_t fnlen;
    int fn_ext;             /* filename is RFC 2231 charset'lang'bytes */
    int fn_from_disp;       /* filename came from Content-Disposition */
    int cte;                /* SPAMLR__CTE_* */
    int have_ctype, have_cte;
} spamlr__entity;

/* The unfolded value v[0..n) of a Content-Type field: type, charset,
 * boundary and the name parameter (unless Content-Disposition gave one). */
void spamlr__entity_content_type(spamlr__entity *e, const char *v, size_t n);

/* Of a Content-Transfer-Encoding field: base64, quoted-printable or
 * none (have_cte set either way). */
void spamlr__entity_transfer_encoding(spamlr__entity *e, const char *v, size_t n);

/* Of a Content-Disposition field: its filename parameter, which wins over
 * Content-Type's name. */
void spamlr__entity_disposition(spamlr__entity *e, const char *v, size_t n);

/* A body without Content-Type that is a multipart all the same (some
 * spamware leaves the header out): in its first 8 KiB, a line "--X" whose
 * next line starts with "Content-". Takes X as e's boundary; 1 when found. */
int spamlr__entity_sniff_boundary(spamlr__entity *e, const char *b, size_t n);

/* The next delimiter line of boundary bd[0..bl) from the line start p (up
 * to end): its start, with *close set for a closing one ("--bd--") and
 * *after the line after it; NULL when there is none. */
const char *spamlr__find_delim(const char *p, const char *end, const char *bd, size_t bl,
                               int *close, const char **after);

#endif
