/* tokbench.c - throughput of reading e-mail: MIME parsing, decoding and
 * tokenising, on raw messages already in memory.
 *
 *   tokbench INDEX [simple|nfkc]
 *
 * (the second argument: spamlr_text_opts.fold, default the library's)
 * loads every message INDEX names, then times (median of 5 passes, one
 * core) (1) spamlr_dataset_add on each, i.e. the whole pipeline: MIME
 * structure, transfer encodings, charsets, HTML to text, header and body
 * tokens, vocabulary lookups; (2) spamlr_tokenize alone over the raw
 * bytes (no MIME); (3) memchr for a byte that is not there over the same
 * messages (the memory-bandwidth ceiling the tokenizer is compared with);
 * (4) the parse alone: the same tokens as (1), made by the message parser
 * the dataset uses, given to a callback that only counts them (no hash,
 * no vocabulary, no row). (1) less (4) is what turning tokens into rows
 * costs, reported per token. Prints "messages MB full tokenizer memchr
 * parse tokens rows_ns": MB/s of raw message bytes (1 MB = 10^6 B) per
 * second of this process's CPU time, so that other processes on a shared
 * machine do not count, then the tokens the messages give and the
 * nanoseconds a token of (1) less (4). SPAMLR_SIMD picks the tokenizer's
 * byte classifier (scalar, sse2, avx2, avx512) as it does the kernels. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "spamlr.h"
#include "common/buf.h"
#include "mail/message.h"
#include "mail/mime.h"

typedef struct msg {
    char *data;
    size_t len;
} msg;

static int count_tok(void *ctx, const char *tok, size_t len)
{
    (void)tok;
    *(size_t *)ctx += len;
    return 0;
}

/* The parse's callback: counts the tokens (and reads a byte of each, as
 * any consumer would). */
typedef struct tally {
    size_t tokens, sink;
} tally;

static int count_one(void *ctx, const char *tok, size_t len)
{
    tally *t = ctx;

    t->tokens++;
    t->sink += len + (unsigned char)tok[0];
    return 0;
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[4096], dir[4096], path[8300];
    msg *m = NULL;
    size_t n = 0, cap = 0, i, bytes = 0, sink = 0;
    double full[5], tok[5], mch[5], parse[5];
    spamlr_text_opts o;
    spamlr__mime_state *st = NULL;
    spamlr__buf text;
    tally ty = { 0, 0 };
    size_t tokens = 0;
    int pass;

    spamlr_text_opts_init(&o);
    spamlr__buf_init(&text);
    if (argc == 3 && strcmp(argv[2], "simple") && strcmp(argv[2], "nfkc"))
        argc = 0;
    if (argc == 3)
        o.fold = strcmp(argv[2], "nfkc") ? SPAMLR_FOLD_SIMPLE : SPAMLR_FOLD_NFKC;
    if (argc < 2 || argc > 3 || !(f = fopen(argv[1], "r"))) {
        fprintf(stderr, "usage: tokbench INDEX [simple|nfkc]\n");
        return 2;
    }
    bench_index_dir(argv[1], dir, sizeof dir);
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *nl;
        FILE *g;
        long sz;

        if (!sp)
            continue;
        if ((nl = strchr(sp, '\n')))
            *nl = '\0';
        snprintf(path, sizeof path, "%s%s", dir, sp + 1);
        if (!(g = fopen(path, "rb")))
            continue;
        fseek(g, 0, SEEK_END);
        sz = ftell(g);
        rewind(g);
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            m = realloc(m, cap * sizeof *m);
        }
        m[n].data = malloc((size_t)sz + 1);
        if (!m || !m[n].data || fread(m[n].data, 1, (size_t)sz, g) != (size_t)sz)
            return 1;
        m[n].len = (size_t)sz;
        bytes += (size_t)sz;
        n++;
        fclose(g);
    }
    fclose(f);
    for (pass = 0; pass < 5; pass++) {
        spamlr_dataset *ds;
        double t0;

        if (spamlr_dataset_create(&ds, &o))
            return 1;
        t0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (i = 0; i < n; i++)
            if (spamlr_dataset_add(ds, SPAMLR_SPAM, m[i].data, m[i].len, NULL))
                return 1;
        full[pass] = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
        spamlr_dataset_free(ds);
        t0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (i = 0; i < n; i++)
            spamlr_tokenize(&o, m[i].data, m[i].len, count_tok, &sink);
        tok[pass] = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
        t0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (i = 0; i < n; i++)
            sink += memchr(m[i].data, 0xFF, m[i].len) == NULL;
        mch[pass] = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
        /* the parse as spamlr_dataset_add makes it (its state and text
         * buffer kept from message to message, as a dataset keeps them) */
        ty.tokens = 0;
        t0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (i = 0; i < n; i++)
            if (spamlr__message_tokens(&st, &o, NULL, 1, m[i].data, m[i].len, &text, count_one,
                                       &ty, NULL))
                return 1;
        parse[pass] = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
        tokens = ty.tokens;
    }
    spamlr__mime_state_free(st);
    spamlr__buf_free(&text);
    qsort(full, 5, sizeof full[0], bench_cmp_double);
    qsort(tok, 5, sizeof tok[0], bench_cmp_double);
    qsort(mch, 5, sizeof mch[0], bench_cmp_double);
    qsort(parse, 5, sizeof parse[0], bench_cmp_double);
    printf("%zu %.1f %.1f %.1f %.1f %.1f %zu %.1f\n", n, (double)bytes / 1e6,
           (double)bytes / 1e6 / full[2], (double)bytes / 1e6 / tok[2],
           (double)bytes / 1e6 / mch[2], (double)bytes / 1e6 / parse[2], tokens,
           tokens ? (full[2] - parse[2]) * 1e9 / (double)tokens : 0.0);
    return sink + ty.sink == 0;
}
