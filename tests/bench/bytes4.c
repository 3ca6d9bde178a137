/* bytes4.c - the benchmark peer for online learning: the simple filter
 * that led the TREC 2007 spam track, written for `make bench` / `make
 * accuracy` (not part of the library). Online logistic regression without
 * regularisation on binary features: the overlapping 4-byte windows of a
 * message's first 3,000 bytes, hashed into 1,000,081 buckets, learning
 * rate 0.004. Each message is first scored, then learned (test, then
 * train), in input order or shuffled with a fixed seed.
 *
 *   bytes4 [--shuffle SEED] FILE.idx|FILE.tsv
 *
 * An .idx file holds "spam|ham PATH" lines (paths relative to it), a .tsv
 * file "spam|ham<TAB>text" lines. Prints "label probability" per message. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1000081u
#define PREFIX 3000
#define RATE 0.004

typedef struct msg {
    int spam;
    char *text;
    size_t len;
} msg;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(PREFIX);
    size_t n = 0;

    if (!f || !buf) {
        fprintf(stderr, "bytes4: cannot read %s\n", path);
        exit(1);
    }
    n = fread(buf, 1, PREFIX, f);
    fclose(f);
    *len = n;
    return buf;
}

static msg *load(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    msg *m = NULL;
    size_t n = 0, cap = 0, dl = 0;
    char *line = NULL, *slash = strrchr(path, '/');
    size_t lcap = 0;
    ssize_t got;
    int idx = strlen(path) > 4 && strcmp(path + strlen(path) - 4, ".idx") == 0;

    if (!f) {
        fprintf(stderr, "bytes4: cannot open %s\n", path);
        exit(1);
    }
    dl = slash ? (size_t)(slash - path) + 1 : 0;
    while ((got = getline(&line, &lcap, f)) > 0) {
        char *sep = strchr(line, idx ? ' ' : '\t');
        if (!sep)
            continue;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (n == cap && !(m = realloc(m, (cap = cap ? 2 * cap : 1024) * sizeof *m)))
            exit(1);
        m[n].spam = strncmp(line, "spam", 4) == 0;
        if (idx) {
            char *full = malloc(dl + strlen(sep + 1) + 1);
            memcpy(full, path, dl);
            strcpy(full + dl, sep + 1);
            m[n].text = read_file(full, &m[n].len);
            free(full);
        } else {
            m[n].len = strlen(sep + 1) < PREFIX ? strlen(sep + 1) : PREFIX;
            m[n].text = malloc(m[n].len + 1);
            memcpy(m[n].text, sep + 1, m[n].len);
        }
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return m;
}

/* FNV-1a of the 4 bytes at p, into a bucket. */
static uint32_t bucket(const unsigned char *p)
{
    uint32_t h = 2166136261u;
    int i;

    for (i = 0; i < 4; i++)
        h = (h ^ p[i]) * 16777619u;
    return h % BUCKETS;
}

int main(int argc, char **argv)
{
    unsigned long long seed = 0;
    size_t n, i, j, *order, *feat;
    float *w = calloc(BUCKETS, sizeof *w);
    unsigned char *seen = calloc(BUCKETS, 1);
    msg *m;

    if (argc == 4 && strcmp(argv[1], "--shuffle") == 0) {
        seed = strtoull(argv[2], NULL, 10);
        argv += 2;
    } else if (argc != 2) {
        fprintf(stderr, "usage: bytes4 [--shuffle SEED] FILE.idx|FILE.tsv\n");
        return 2;
    }
    m = load(argv[1], &n);
    order = malloc((n + 1) * sizeof *order);
    feat = malloc(PREFIX * sizeof *feat);
    if (!w || !seen || !order || !feat)
        return 1;
    for (i = 0; i < n; i++)
        order[i] = i;
    if (seed) { /* Fisher-Yates with xorshift64 */
        uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
        for (i = n; i > 1; i--) {
            size_t k;
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            k = (size_t)(s % i);
            j = order[i - 1], order[i - 1] = order[k], order[k] = j;
        }
    }
    for (i = 0; i < n; i++) {
        const msg *x = &m[order[i]];
        size_t k = 0;
        double z = 0, p, g;

        for (j = 0; j + 4 <= x->len; j++) {
            uint32_t b = bucket((const unsigned char *)x->text + j);
            if (!seen[b]) { /* binary: each bucket once per message */
                seen[b] = 1;
                feat[k++] = b;
                z += w[b];
            }
        }
        p = 1.0 / (1.0 + exp(-z));
        printf("%s %.9g\n", x->spam ? "spam" : "ham", p);
        g = (x->spam ? 1.0 : 0.0) - p;
        for (j = 0; j < k; j++) {
            w[feat[j]] += (float)(RATE * g);
            seen[feat[j]] = 0;
        }
    }
    return 0;
}
