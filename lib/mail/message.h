/* message.h - one message to tokens (message.c). */
#ifndef SPAMLR_MESSAGE_H
#define SPAMLR_MESSAGE_H

#include "common/common.h"
#include "common/buf.h"
#include "mail/mime.h"

/* Gives every token of msg[0..len) to fn(ctx, ...), tokenised with `o`:
 * as an e-mail when as_mail (headers, MIME parts, transfer encodings and
 * charsets decoded into *text, which the caller owns and which is
 * overwritten; header and structure tokens first, then the words of the
 * decoded text, with the sender: tokens of `contacts` when not NULL), else
 * as plain text (text unused). When fn asks to stop it should also set
 * *stop (may be NULL): the decoded text is then not tokenised. Returns
 * SPAMLR_OK (a message nested too deeply gives what could be read) or an
 * error code. *st is the caller's parser state, kept from one message to
 * the next (spamlr__mime_parse_state; NULL at first, freed by the caller
 * with spamlr__mime_state_free). */
int spamlr__message_tokens(spamlr__mime_state **st, const spamlr_text_opts *o,
                           const struct spamlr_contacts *contacts, int as_mail, const char *msg,
                           size_t len, spamlr__buf *text, spamlr_token_fn fn, void *ctx,
                           const int *stop);

#endif
