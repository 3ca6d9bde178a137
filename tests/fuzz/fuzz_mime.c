/* fuzz_mime.c - libFuzzer target for the mime parser.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude -Ilib \
 *       tests/fuzz/fuzz_mime.c lib/mime.c lib/charset.c lib/html.c ... \
 *       -o fuzz_mime -lz -lm -lpthread   (plus the other lib/ files)
 *   ./fuzz_mime -max_total_time=300 NEW_DIR tests/fuzz/corpus/mime tests/mime
 *
 * The first input byte picks options (depth limit, small caps, allow-list)
 * so that the limits are exercised too; the rest is the message. Beyond
 * "no crash, no leak, no UB" it checks the output contract: valid UTF-8
 * text without control characters, within max_output, and tokens that
 * are never empty and hold no control byte. tests/test_mime.c replays tests/fuzz/corpus/mime. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_token(void *ctx, const char *tok, size_t len)
{
    size_t *n = ctx;

    size_t i;

    if (len == 0 || len > 512)
        abort();
    /* no control byte: a token is printed in TSV columns and handed out
     * as a C string (a boundary's shape once kept a NUL) */
    for (i = 0; i < len; i++)
        if ((unsigned char)tok[i] < 0x20 || (unsigned char)tok[i] == 0x7F)
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
    unsigned sel = size ? data[0] : 0;
    int r;

    spamlr__mime_opts_init(&mo);
    spamlr_text_opts_init(&to);
    if (sel & 1) {
        mo.max_depth = sel >> 5;            /* 0..7 */
        mo.max_output = 64 + (sel & 0x1e) * 8;
        mo.max_header_line = 32 + (sel & 0x1e);
        mo.max_part = 100 + (sel & 0x1e) * 16;
    }
    if (sel & 2)
        mo.fields = "subject received x-spam-status date message-id content-type from to";
    if (sel & 4)
        mo.html_tokens = 0;
    if (size) {
        data++;
        size--;
    }
    spamlr__buf_init(&text);
    r = spamlr__mime_parse(&mo, &to, (const char *)data, size, &text, on_token, &ntok);
    if (r != SPAMLR_OK && r != SPAMLR_ELIMIT)
        abort();
    if (text.len > mo.max_output || spamlr__cs_utf8_prefix(text.data, text.len) != text.len)
        abort();
    for (i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.data[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            abort();
    }
    spamlr__buf_free(&text);
    return 0;
}
