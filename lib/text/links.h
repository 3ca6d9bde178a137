/* links.h - the ASCII byte classes of the tokenizer, and the URLs and
 * e-mail addresses it finds with them (links.c). */
#ifndef SPAMLR_TEXT_LINKS_H
#define SPAMLR_TEXT_LINKS_H

#include "common/common.h"

enum {
    SPAMLR__AC_SEP = 1,       /* ASCII, not a letter/digit/'$': ends a word */
    SPAMLR__AC_LETTER = 2,
    SPAMLR__AC_DIGIT = 4,
    SPAMLR__AC_DOLLAR = 8,
    SPAMLR__AC_HOSTP = 16,    /* '-' '.' : in host names besides letters/digits */
    SPAMLR__AC_LOCALP = 32,   /* '-' '.' '_' '+' '%' : in e-mail local parts */
    SPAMLR__AC_URLEND = 64,   /* ends a URL: space, control, quotes, < > ), >= 0x80 */
    SPAMLR__AC_LINKAFTER = 128, /* after a word, may make it a link: ':' '@' and LOCALP */
    SPAMLR__AC_ALNUM = SPAMLR__AC_LETTER | SPAMLR__AC_DIGIT
};

/* The classes of every byte value. */
extern const unsigned char spamlr__ascii_class[256];

/* What a text's search for addresses has learned so far; all 0 (after
 * spamlr__links_init) at the start of a text. */
typedef struct spamlr__links {
    size_t no_email_before;  /* a word starting before here is no address */
    size_t next_at;          /* the next '@' (the text's length: none; SIZE_MAX: not looked for) */
} spamlr__links;

void spamlr__links_init(spamlr__links *l);

/* A word starts at p[s] (after no letter or digit) and its ASCII letters
 * and digits end at p[e] (e <= len). When a URL ("http://", "https://"
 * or "www." and a host) or an address (local@domain, the domain holding a
 * '.') starts there, returns its end and sets *prefix ("url:" or
 * "email:"), *from and *n to its token's text in p (the host or the
 * domain, to be lower-cased); else returns s. The URL and address rules
 * are the tokenizer's (tokenize.c). */
size_t spamlr__link_at(spamlr__links *l, const unsigned char *p, size_t len, size_t s, size_t e,
                       const char **prefix, size_t *from, size_t *n);

/* The end of the run from p[i] of host bytes (letters, digits, '-', '.'),
 * of local-part bytes (those and '_', '+', '%'), or of bytes that go on
 * a URL (not SPAMLR__AC_URLEND): the first j >= i outside the class, or
 * len. For link_at, and for the tests that hold them to the class table. */
size_t spamlr__span_host(const unsigned char *p, size_t i, size_t len);
size_t spamlr__span_local(const unsigned char *p, size_t i, size_t len);
size_t spamlr__span_url(const unsigned char *p, size_t i, size_t len);

/* The end of a URL's authority from p[i] (the first URLEND byte, '/', '?'
 * or '#', or len), with *host where its host starts: after the last '@'
 * before that end, else i. */
size_t spamlr__span_authority(const unsigned char *p, size_t i, size_t len, size_t *host);

/* Whether spamlr__link_at can find a link at that word (e < len): the
 * word http or https before ':', www before '.', or a byte that may
 * continue an address's local part where one may start. Inline: it
 * spares most words the call. */
static inline int spamlr__link_may(const spamlr__links *l, const unsigned char *p, size_t s,
                                   size_t e)
{
    unsigned c = p[e];

    if (!(spamlr__ascii_class[c] & SPAMLR__AC_LINKAFTER))
        return 0;           /* most words: a space or a line end after them */
    if (c == ':')
        return e - s - 4 < 2u && (p[s] | 0x20) == 'h';
    if (c == '.' && e - s == 3 && (p[s] | 0x20) == 'w')
        return 1;
    return (c == '@' || (spamlr__ascii_class[c] & SPAMLR__AC_LOCALP)) && s >= l->no_email_before;
}

#endif
