/* fields.h - field-aware header tokens: what the structure of Received,
 * Message-ID, Date, address and mailer fields says (fields.c). */
#ifndef SPAMLR_FIELDS_H
#define SPAMLR_FIELDS_H

#include "common/common.h"

/* The top-level fields whose tokens are not plain text tokens, known by
 * their lower-case names: one look-up per field instead of a strcmp for
 * each of them (spamlr__field_kind). */
typedef enum spamlr__fkind {
    SPAMLR__FK_OTHER,
    SPAMLR__FK_CONTENT_TYPE,
    SPAMLR__FK_RECEIVED,
    SPAMLR__FK_MESSAGE_ID,
    SPAMLR__FK_DATE,
    SPAMLR__FK_RETURN_PATH,
    SPAMLR__FK_SENDER,
    SPAMLR__FK_TO,
    SPAMLR__FK_CC,
    SPAMLR__FK_FROM,
    SPAMLR__FK_REPLY_TO,
    SPAMLR__FK_MAILER         /* x-mailer, user-agent */
} spamlr__fkind;

/* The kind of the field of lower-case name lname[0..len). */
spamlr__fkind spamlr__field_kind(const char *lname, size_t len);

/* Receives one token: prefix (NUL-terminated) followed by t[0..n). */
typedef void (*spamlr__emit_fn)(void *ctx, const char *prefix, const char *t, size_t n);

/* The shape of s[0..n): every run of digits becomes one '9', of ASCII
 * letters one 'a' (an upper-case run 'A'), of other bytes (UTF-8
 * included) one 'x'; a control byte becomes 'c', white space ' ';
 * punctuation stays. At most size - 1 bytes go to out
 * (NUL-terminated); returns their number. "20021009.GA4155@host" gives
 * "9.A9@a". */
size_t spamlr__shape(const char *s, size_t n, char *out, size_t size);

/* dom[0..n) (a lower-case domain) and its parent domains down to the
 * last two labels: "a.b.example.com" gives prefix + "a.b.example.com",
 * "b.example.com", "example.com". */
void spamlr__domain_tokens(const char *prefix, const char *dom, size_t n, spamlr__emit_fn emit,
                           void *ctx);

/* One Received field, unfolded: the host after "from" (with its parent
 * domains), every IPv4 address as its /24 and /16 prefixes
 * (received:ip:1.2.3, received:ip:1.2), every IPv6 address as its first
 * two groups, and the shape of its clauses (received:shape:from-by-with-
 * id-for). The host after "by" gives no token: it is the receiving side's
 * server, which says how a mailbox was delivered (in the SpamAssassin
 * corpus, how spam and ham were collected), not what the sender did. */
void spamlr__field_received(const char *v, size_t n, spamlr__emit_fn emit, void *ctx);

/* Message-ID: the domain (and parents) after '@', the shape of the local
 * part. */
void spamlr__field_message_id(const char *v, size_t n, spamlr__emit_fn emit, void *ctx);

/* Date: the time zone as written (date:tz:+0200, date:tz:est) and the
 * shape of the whole value. */
void spamlr__field_date(const char *v, size_t n, spamlr__emit_fn emit, void *ctx);

/* X-Mailer / User-Agent (prefix "x-mailer:" or "user-agent:"): the
 * product name (the words before the first version number, joined by
 * '_') and name/major version: "Microsoft Outlook Express 6.00.2800" gives
 * name:microsoft_outlook_express and ver:microsoft_outlook_express/6. */
void spamlr__field_mailer(const char *prefix, const char *v, size_t n, spamlr__emit_fn emit,
                          void *ctx);

#endif
