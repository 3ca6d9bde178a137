/* message.c - one message to tokens: the single path by which training
 * (lib/data) and prediction and online learning (lib/model) turn a
 * message into its token stream, so that the two can never read the same
 * bytes differently. */
#include "mail/message.h"
#include "mail/mime.h"

int spamlr__message_tokens(spamlr__mime_state **st, const spamlr_text_opts *o,
                           const struct spamlr_contacts *contacts, int as_mail, const char *msg,
                           size_t len, spamlr__buf *text, spamlr_token_fn fn, void *ctx,
                           const int *stop)
{
    int rc;

    if (as_mail) {
        spamlr__mime_opts mo;
        char fields[SPAMLR__MIME_FIELDS_MAX];

        spamlr__mime_opts_for(&mo, o, fields);
        mo.contacts = contacts;
        text->len = 0;
        rc = spamlr__mime_parse_state(st, &mo, o, msg, len, text, fn, ctx);
        /* too deep a nesting still gives what could be read: not an error */
        if (rc && rc != SPAMLR_ELIMIT)
            return rc;
        if (stop && *stop)
            return SPAMLR_OK;
        msg = text->data;
        len = text->len;
    }
    return spamlr_tokenize(o, msg, len, fn, ctx);
}
