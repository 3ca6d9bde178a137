/* fuzz_spamd.c - libFuzzer target for the spamd request parser of `spamlr
 * serve` (cli/spamd.c): any bytes as a request head; a head that parses is
 * answered with a made-up verdict for the rest of the bytes as the message
 * (a zlib body inflated first, at most 1 MiB), so header placement and the
 * reply layout run too. Beyond "no crash, no leak, no UB" it checks that
 * the head length lies within the input, that Content-length in the reply
 * (from protocol 1.3 on) is the body's length, and that PROCESS returns every byte of the
 * message. Seeds: tests/fuzz/corpus/fuzz_spamd/ (replayed by make check). */
#include <stdio.h>

#include "fuzz.h"
#include "../../cli/spamd.h"

static const char *const tokens[] = { "free", "subject:win", "a,b c", "\xe4\xb8\xad\xe5\xa5\x96" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_copy(data, size);
    spamd_request req;
    spamd_reply r;
    spamd_buf extra = { 0 }, inflated = { 0 };
    spamd_inflater *z = NULL;
    spamlr_contribution items[4];
    spamd_verdict v;
    const char *why, *msg;
    size_t len, i, total = 0;
    char want[64];
    int rc;

    if (!buf)
        return 0;
    rc = spamd_parse_head(&req, buf, size, &why);
    if (rc != 0)
        goto out;
    if (req.head_len > size)
        abort();
    msg = buf + req.head_len;
    len = size - req.head_len;
    if (req.zlib) {
        if (spamd_inflater_new(&z) || spamd_inflate(z, &inflated, msg, len, 1 << 20, &why))
            goto out;
        msg = inflated.p ? inflated.p : "";
        len = inflated.len;
    }
    memset(&v, 0, sizeof v);
    for (i = 0; i < 4; i++) {
        memset(&items[i], 0, sizeof items[i]);
        items[i].token = tokens[i];
        items[i].count = 1;
        items[i].contribution = 1.5 - (double)i;
    }
    v.prob = size % 3 ? 0.9 : 0.1;
    v.logodds = size % 3 ? 2.2 : -2.2;
    v.threshold = 0.5;
    v.items = items;
    v.n = size % 5;
    if (v.n > 4)
        v.n = 4;
    if (req.verb == SPAMD_PING || req.verb == SPAMD_SKIP || req.verb == SPAMD_TELL)
        goto out;
    if (spamd_reply_scan(&r, &extra, &req, &v, msg, len))
        goto out;
    for (i = 1; i < (size_t)r.nparts; i++)
        total += r.part[i].iov_len;
    snprintf(want, sizeof want, "Content-length: %zu\r\n", total);
    if (total != r.body_len)
        abort();
    if (req.minor >= 3 && !strstr(r.head, want))
        abort();
    if (req.verb == SPAMD_PROCESS && total != len + extra.len)
        abort();
out:
    spamd_inflater_free(z);
    spamd_buf_free(&extra);
    spamd_buf_free(&inflated);
    free(buf);
    return 0;
}
