/* fuzz_mime.c - the MIME parser on any bytes, with header tokens and HTML
 * tokens on, as dataset and prediction call it. The first byte picks a few
 * limits so that the small-limit code paths are reached too. */
#include "fuzz.h"
#include "mime.h"

static int count_tok(void *ctx, const char *tok, size_t len)
{
    size_t *n = ctx;
    if (len && !tok)
        abort();
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr__mime_opts mo;
    spamlr_text_opts to;
    spamlr__buf text;
    size_t ntok = 0, i;
    char *msg;
    int rc;

    if (size < 1)
        return 0;
    spamlr__mime_opts_init(&mo);
    spamlr_text_opts_init(&to);
    if (data[0] & 1) {
        mo.max_depth = data[0] >> 4;
        mo.max_header_line = 64;
        mo.max_output = 256;
        mo.max_part = 512;
    }
    if (data[0] & 2)
        mo.fields = "subject from x-mailer list-id received";
    mo.html_tokens = (data[0] & 4) == 0;
    to.ngrams = data[0] & 8 ? 2 : 1;
    if (!(msg = fuzz_copy(data + 1, size - 1)))
        return 0;
    spamlr__buf_init(&text);
    rc = spamlr__mime_parse(&mo, &to, msg, size - 1, &text, count_tok, &ntok);
    if (rc != SPAMLR_OK && rc != SPAMLR_ELIMIT && rc != SPAMLR_ENOMEM)
        abort();
    /* the documented output contract: no NUL, CR or C0 control but \n \t */
    for (i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.data[i];
        if ((c < 32 && c != '\n' && c != '\t') || c == 127)
            abort();
    }
    if (text.len > mo.max_output + 1 && rc == SPAMLR_OK && (data[0] & 1))
        abort();
    spamlr__buf_free(&text);
    free(msg);
    return 0;
}
