/* mime.h - one raw RFC 5322 message -> decoded UTF-8 text + header tokens.
 *
 * The mime module reads any bytes as an e-mail message: header fields
 * (folded, RFC 2047 encoded words, duplicates, garbage, see header.h), MIME
 * structure (multipart types nested to max_depth, message/rfc822 parsed
 * recursively), transfer encodings (base64, quoted-printable, see
 * transfer.h; 7bit, 8bit, binary), charsets (through iconv, with fallback
 * detection, see charset.h) and HTML (to text, see html.h). It produces
 *
 *   text    the UTF-8 text of every text/plain and text/html part, in message
 *           order, parts separated by "\n". It is always valid UTF-8 and
 *           holds no NUL, CR or other C0 control except "\n" and "\t".
 *   tokens  header and structure tokens in their final form, passed to the
 *           caller's spamlr_token_fn:
 *
 *   subject:<t>         each token t of the decoded Subject, as
 *                       spamlr_tokenize() makes it with the caller's options
 *   from:<t>            each token of the From display name (or comment)
 *   from:@<domain>      domain of the From address, lower-case
 *   reply-to:@<domain>  domain of the (first) Reply-To address
 *   to:count:<b>        number of addresses in all To fields, bucketed
 *   cc:count:<b>        same for Cc; <b> is 0, 1, 2-5 or 6+; only when the
 *                       field is present
 *   x-mailer:<t>        each token of X-Mailer; any other field put in the
 *                       allow-list gives "<name>:<t>" the same way
 *   content-type:<t/s>  type/subtype of the top-level entity as read:
 *                       text/plain when absent or unreadable,
 *                       multipart/mixed when a multipart body is recognised
 *                       without it (see below)
 *   part:<t/s>          type/subtype of every entity below the top level
 *   charset:<name>      every charset declared by a text part or by an
 *                       encoded word in a decoded field, lower-case, as
 *                       declared (gb2312, not gb18030)
 *   filename:<t>        each token of a part's file name (Content-Disposition
 *                       filename or Content-Type name, RFC 2047/2231 decoded)
 *   attach:<ext>        the file name's extension, lower-case ("attach:pdf")
 *   url:<host>          host of every http(s)/ftp link in HTML href/src
 *                       attributes (lower-case, without user@ and :port;
 *                       "www." kept); all-numeric hosts give "url:ip"
 *   mailto:<domain>     domain of every mailto: link in HTML
 *   html:img:<b>        number of <img> tags in all HTML parts, bucketed
 *                       1, 2-5 or 6+ (no token without images)
 *   html:hidden         HTML hides text (display:none, visibility:hidden,
 *                       font size 0/1, font-size 0-1px, white text colour)
 *   sender:contact, sender:contact-domain, sender:unknown
 *                       the From address's relation to the contact list,
 *                       and reply-to:not-contact (spamlr.h, "contacts"):
 *                       only when mo->contacts is set, whatever the
 *                       allow-list
 *   html:script, html:iframe, html:form, html:object
 *                       the HTML holds such an element
 *
 * Reading rules worth knowing:
 *   - The header ends at the first empty line (LF or CRLF); a first line
 *     "From " (mbox) is skipped; a line that is no field ("Dear friend:
 *     hi", an indented first line) starts the body, so a message without
 *     header is all body and one without empty line all header. A field
 *     whose name holds odd bytes is skipped. An empty line followed by
 *     indented text and then a well-known field (To:, X-...:) is taken as
 *     part of the folded field before it (spamware does this).
 *   - Field values are unfolded and cut at max_header_line; encoded words
 *     (B and Q, any charset) are decoded, adjacent ones joined without the
 *     blanks between them (bytes of one charset are joined before
 *     conversion, so a character split across words survives); raw 8-bit
 *     header text is read in the top-level charset, or the first charset=
 *     of the message, with the fallback rules of charset.h.
 *   - The first Content-Type / Content-Transfer-Encoding of an entity
 *     counts. Missing or unreadable Content-Type = text/plain (in a
 *     multipart/digest: message/rfc822), except that a body starting like
 *     an HTML document is read as HTML, and one whose first 8 KiB hold a
 *     line "--X" followed by a "Content-..." line is read as multipart
 *     with boundary X. A multipart without boundary, or whose boundary
 *     never occurs, is read as text. Preamble and epilogue are ignored; a
 *     missing close delimiter ends the last part at the end of the body.
 *   - text/plain and text/html parts are read (whatever their
 *     Content-Disposition); other types give tokens only. An HTML part
 *     without charset takes the one of its <meta>.
 *   - Parts are separated by "\n": a part's text starts on a new line.
 *
 * The structure tokens (content-type:, part:, charset:, attach:) come when
 * "content-type" is in the allow-list; the HTML ones when html_tokens is set.
 * Every token from part:, charset:, attach:, url:, mailto:, html: is given
 * at most once per message (up to 256 distinct ones; later new ones are
 * dropped). Header-field tokens come from the top-level header only; the
 * Subject of an attached message/rfc822 becomes a line of text instead.
 *
 * Never tokenised, whatever the allow-list says: the verdict fields that
 * other filters add (X-Spam-*, X-Bogosity, X-DSPAM-*, X-Virus-*,
 * X-SpamBayes-*, X-CRM114-*, X-Bayes-*), and never the mere presence of a
 * field name. A field with an empty value gives no token at all.
 */
#ifndef SPAMLR_MIME_H
#define SPAMLR_MIME_H

#include "common/common.h"
#include "common/buf.h"

/* The default header allow-list. */
#define SPAMLR__MIME_FIELDS_DEFAULT "subject from reply-to to cc content-type x-mailer"

/* Parser settings; fill with spamlr__mime_opts_init() and change fields. */
typedef struct spamlr__mime_opts {
    unsigned max_depth;       /* nesting of multipart/message entities below
                                 the top (top = 0). Deeper ones are skipped
                                 and the call returns SPAMLR_ELIMIT. Default
                                 32; values above 128 are taken as 128 (the
                                 parser recurses; this bounds its stack) */
    size_t max_header_line;   /* an unfolded field longer than this is
                                 truncated (bytes). Default 65536 */
    size_t max_output;        /* at most this many bytes are appended to
                                 text by one call (cut at a UTF-8 boundary;
                                 not an error). Default 4 MiB */
    size_t max_part;          /* at most this many bytes of one part's body
                                 are decoded. Default 16 MiB */
    unsigned html_tokens;     /* 1 = url:, mailto:, html: tokens. Default 1 */
    unsigned other_fields;    /* 1 = every top-level field outside the list
                                 gives "<name>:" tokens too (deny-list
                                 aside). Default 0 */
    unsigned field_aware;     /* 1 = structured tokens for Received,
                                 Message-ID, Date, addresses, mailers
                                 (fields.h). Default 0 */
    unsigned received_origin; /* 1 = Received gives tokens for its two
                                 earliest fields only (the last two of the
                                 header). Default 0 */
    const char *fields;       /* header allow-list: field names separated
                                 by spaces or commas, case-insensitive;
                                 NULL = SPAMLR__MIME_FIELDS_DEFAULT, "" =
                                 no header tokens. Special forms exist for
                                 subject, from, reply-to, to, cc,
                                 content-type; any other name is tokenised
                                 with "<name>:" as prefix */
    const struct spamlr_contacts *contacts; /* NULL = none (the default);
                                 else the sender: tokens (spamlr.h) */
} spamlr__mime_opts;

void spamlr__mime_opts_init(spamlr__mime_opts *o);

/* Parser settings for text options `to`: the header allow-list written
 * into buf (at least SPAMLR__MIME_FIELDS_MAX bytes) from
 * to->header_fields, mo->fields pointing to it. */
#define SPAMLR__MIME_FIELDS_MAX 160
void spamlr__mime_opts_for(spamlr__mime_opts *mo, const spamlr_text_opts *to, char *buf);

/* Parses msg[0..len) (any bytes; never reads outside them). Appends the
 * message's text to *text (which the caller initialised and owns; what it
 * held before is kept, and a "\n" separates it from the new text) and calls
 * tok(ctx, token, len) for each header/structure token (see above); tok may
 * be NULL, and when it returns non-zero no more tokens are given (the text
 * is still completed). Header values are tokenised with spamlr_tokenize(to,
 * ...); to may be NULL only when tok is NULL.
 *
 * Returns SPAMLR_OK; SPAMLR_ELIMIT when entities were nested deeper than
 * max_depth (everything read before and beside them is still output);
 * SPAMLR_ENOMEM (text then holds what was written before); SPAMLR_EINVAL
 * for NULL arguments. Temporary memory (bounded by max_part, max_output and
 * max_header_line, and by len) is freed before returning. Thread-safe: no
 * global state; iconv descriptors are opened and closed within the call. */
int spamlr__mime_parse(const spamlr__mime_opts *mo, const spamlr_text_opts *to,
                       const char *msg, size_t len, spamlr__buf *text,
                       spamlr_token_fn tok, void *ctx);

/* The same with a parser state that lives from one message to the next
 * (*st; NULL = made here): its buffers, the parsed header allow-list and
 * the open iconv descriptors are reused, so a reader of many messages
 * allocates nothing for the parser in steady state and opens each charset
 * once. One state belongs to one thread at a time; free it with
 * spamlr__mime_state_free (NULL allowed). SPAMLR_ENOMEM when it cannot be
 * made. */
typedef struct spamlr__mime_state spamlr__mime_state;
int spamlr__mime_parse_state(spamlr__mime_state **st, const spamlr__mime_opts *mo,
                             const spamlr_text_opts *to, const char *msg, size_t len,
                             spamlr__buf *text, spamlr_token_fn tok, void *ctx);
void spamlr__mime_state_free(spamlr__mime_state *st);

#endif
