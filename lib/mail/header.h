/* header.h - header-field syntax: field lines, unfolding, encoded words, addresses, parameters. */
#ifndef SPAMLR_HEADER_H
#define SPAMLR_HEADER_H

#include "common/buf.h"

/* One header field: name and raw (folded) value, pointing into the
 * message. */
typedef struct spamlr__hfield {
    const char *name, *val;
    size_t nlen, vlen;
} spamlr__hfield;

/* Reads the field at m[*pos]. Returns 1 with f filled; 0 at the end of
 * the header section, with *pos at the start of the body: after a blank
 * line, or at the first line that is no field (no name, or blanks inside
 * the name, or no colon: "Dear friend: hi" starts a body). A blank line
 * followed by indented text and then a well-known field is taken as part
 * of the folded field (see mime.h). */
int spamlr__hdr_next_field(const char *m, size_t n, size_t *pos, spamlr__hfield *f);

/* Whether the text from m + pos starts with a header block that plausibly
 * is one: a field of a name mail uses (From, Subject, Received, X-..., a
 * list in header.c), or two fields or more ended by a blank line. Plain
 * text whose first line only looks like a field ("Reminder: claim your
 * prize", "Note: ...") is not, and is read as a body. */
int spamlr__hdr_plausible(const char *m, size_t n, size_t pos);

/* The value of the first "charset=" (any case) in m[0..n), unquoted, up
 * to a quote, ';' or space, in out[size] (at most size - 1 bytes,
 * NUL-terminated; "" when there is none); returns its length. Found by
 * its '=' (memchr), not by a test at every byte: the charset of raw 8-bit
 * header text is looked for in the first 64 KiB of every message whose
 * top level says none. */
size_t spamlr__hdr_first_charset(const char *m, size_t n, char *out, size_t size);

/* Unfolds the raw value v[0..n) into hv (CR/LF removed, cut at max bytes)
 * and gives it trimmed in *out, *olen. 0 or SPAMLR_ENOMEM. */
int spamlr__hdr_unfold(spamlr__buf *hv, size_t max, const char *v, size_t n, const char **out,
                       size_t *olen);

/* Parses an RFC 2047 encoded word at v[i] ("=?"): 1 with its charset
 * (without an RFC 2231 "*language"), encoding 'b' or 'q', encoded text and
 * the index after its "?="; 0 when there is none. */
int spamlr__hdr_encoded_word(const char *v, size_t n, size_t i, const char **cs, size_t *cslen,
                             int *enc, const char **txt, size_t *tlen, size_t *end);

/* The first mailbox of an address list: its display name (or comment)
 * and its address. */
void spamlr__hdr_mailbox(const char *v, size_t n, const char **dn, size_t *dl, const char **ad,
                         size_t *al);

/* The lower-case domain of an address into d (size >= 256); its length,
 * 0 when there is none or it holds odd characters. */
size_t spamlr__hdr_domain(const char *a, size_t n, char *d);

/* Number of addresses in an address-list value. */
unsigned spamlr__hdr_count_addresses(const char *v, size_t n);

/* The next address of an address list v[0..n) from *pos (start at 0):
 * 1 with its addr-spec in *ad, *al (inside <> when given so, else the
 * word holding '@'), *pos moved past it; 0 when none is left. Group
 * names ("team: a@b, c@d;") and comments are skipped. */
int spamlr__hdr_next_address(const char *v, size_t n, size_t *pos, const char **ad, size_t *al);

/* Removes quotes and backslash escapes from s[0..n) into b, given in
 * *out, *olen. 0 or SPAMLR_ENOMEM (then *out holds what was written). */
int spamlr__hdr_unquote(spamlr__buf *b, const char *s, size_t n, const char **out, size_t *olen);

/* Finds parameter `name` (lower-case) in v[from..n): plain, RFC 2231
 * extended (name*) or continued (name*0, name*1*, ...). Writes the value
 * to out (NUL-terminated, cut to size-1) and returns its length, or -1
 * when absent. *ext: the value is charset'lang'bytes. */
long spamlr__hdr_param(const char *v, size_t n, size_t from, const char *name, char *out,
                       size_t size, int *ext);

/* Reads "type/subtype" at v[0..n) into out (lower-case); returns the index
 * after it, with out "" when it is malformed. */
size_t spamlr__hdr_media_type(const char *v, size_t n, char *out, size_t size);

#endif
