/* libsvm.c - rows of explicit feature values: the libsvm / LIBLINEAR text
 * format, `<label> <index>:<value> ...` per line.
 *
 * Feature k becomes the dataset token "k" (its decimal index), so a model
 * trained on such rows lists its weights by index, and inspect and
 * predict work as for words. Values are kept as they are (as float): no
 * weighting, no normalisation. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"

/* Indices below this are mapped to dataset ids through a direct table;
 * larger ones (rare) through the vocabulary's hash table. */
#define DIRECT_MAP_LIMIT ((uint32_t)1 << 24)

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

int spamlr__dataset_add_values(spamlr_dataset *ds, int label, const uint32_t *ids,
                               const float *val, size_t n, const char *name)
{
    size_t start = ds->nnz, i, cap;
    uint64_t *pairs = NULL;
    int rc, sorted = 1;
    void *p;

    if (ds->rows && !ds->val)
        return SPAMLR_EINVAL;
    if (ds->rows >= UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    if (n > SIZE_MAX / 4 - ds->nnz)
        return SPAMLR_ENOMEM;
    if (ds->nnz + n > ds->nnz_cap || !ds->val) {
        cap = ds->nnz_cap;
        if ((rc = spamlr__grow((void **)&ds->ids, &cap, ds->nnz + n + 1, sizeof *ds->ids)))
            return rc;
        if (!(p = realloc(ds->cnt, cap * sizeof *ds->cnt)))
            return SPAMLR_ENOMEM; /* nnz_cap stays: the next call grows all again */
        ds->cnt = p;
        if (!(p = realloc(ds->val, cap * sizeof *ds->val)))
            return SPAMLR_ENOMEM;
        ds->val = p;
        ds->nnz_cap = cap;
    }
    for (i = 1; i < n; i++)
        if (ids[i] <= ids[i - 1])
            sorted = 0;
    if (n == 0) {
        /* a row without features (its arrays may be NULL) */
    } else if (sorted) {
        memcpy(ds->ids + start, ids, n * sizeof *ids);
        memcpy(ds->val + start, val, n * sizeof *val);
    } else {
        /* (id, value bits) in one 64-bit key: ids are distinct, so sorting
         * the keys sorts by id */
        if (!(pairs = malloc(n * sizeof *pairs)))
            return SPAMLR_ENOMEM;
        for (i = 0; i < n; i++) {
            uint32_t bits;

            memcpy(&bits, &val[i], sizeof bits);
            pairs[i] = (uint64_t)ids[i] << 32 | bits;
        }
        qsort(pairs, n, sizeof *pairs, cmp_u64);
        for (i = 0; i < n; i++) {
            uint32_t bits = (uint32_t)pairs[i];

            ds->ids[start + i] = (uint32_t)(pairs[i] >> 32);
            memcpy(&ds->val[start + i], &bits, sizeof bits);
        }
        free(pairs);
    }
    for (i = 0; i < n; i++)
        ds->cnt[start + i] = 1;
    ds->nnz += n;
    /* already sorted, so row_end's sort keeps the values in step */
    return spamlr__dataset_row_end(ds, label, name);
}

/* Grows the entry arrays of ds (ids, cnt, val) to hold `cap` entries;
 * on failure leaves them as they were (growing later may still work). */
static void reserve_values(spamlr_dataset *ds, size_t cap)
{
    void *p;

    if (cap > SIZE_MAX / sizeof(uint32_t))
        return;
    if ((p = realloc(ds->ids, cap * sizeof *ds->ids)))
        ds->ids = p;
    else
        return;
    if ((p = realloc(ds->cnt, cap * sizeof *ds->cnt)))
        ds->cnt = p;
    else
        return;
    if ((p = realloc(ds->val, cap * sizeof *ds->val)))
        ds->val = p;
    else
        return;
    ds->nnz_cap = cap;
    spamlr__advise_huge(ds->ids, cap * sizeof *ds->ids);
    spamlr__advise_huge(ds->cnt, cap * sizeof *ds->cnt);
    spamlr__advise_huge(ds->val, cap * sizeof *ds->val);
}

typedef struct reader {
    spamlr_dataset *ds;
    uint32_t *map;          /* index -> dataset id + 1, 0 = not yet seen */
    size_t map_cap;
    uint32_t *ids;          /* the current line */
    float *val;
    size_t cap;
} reader;

/* Dataset id of feature index k (interned as the token "k"). */
static int feature_id(reader *r, uint32_t k, uint32_t *id)
{
    char tok[16];
    int len, rc;

    if (k < r->map_cap && r->map[k]) {
        *id = r->map[k] - 1;
        return SPAMLR_OK;
    }
    len = snprintf(tok, sizeof tok, "%lu", (unsigned long)k);
    if ((rc = spamlr__vocab_intern(&r->ds->vocab, tok, (size_t)len, id, NULL)))
        return rc;
    if (k < DIRECT_MAP_LIMIT) {
        if (k >= r->map_cap) {
            size_t old = r->map_cap, cap = old;

            if ((rc = spamlr__grow((void **)&r->map, &cap, (size_t)k + 1, sizeof *r->map)))
                return rc;
            memset(r->map + old, 0, (cap - old) * sizeof *r->map);
            r->map_cap = cap;
        }
        r->map[k] = *id + 1;
    }
    return SPAMLR_OK;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Exact powers of ten: doubles represent 10^0 .. 10^22 exactly. */
static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* Reads a decimal number [-+]digits[.digits][e[-+]digits] at p (before
 * end) the quick way when that is exact: at most 19 significant digits
 * whose integer value is below 2^53, and a power of ten within 10^+-22;
 * then m * 10^e (or m / 10^-e) is one correctly rounded operation, the
 * same double strtod gives. Returns 0 and leaves the rest to strtod
 * otherwise (longer numbers, hex, inf, nan, ...). */
static int quick_number(const char *p, const char *end, double *out, const char **stop)
{
    uint64_t m = 0;
    int neg = 0, digits = 0, e = 0, ex = 0, eneg = 0, any = 0;

    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    while (p < end && *p == '0') /* leading zeros are not significant */
        p++, any = 1;
    for (; p < end && *p >= '0' && *p <= '9'; p++, any = 1) {
        if (++digits > 19)
            return 0;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && *p == '.') {
        p++;
        for (; p < end && *p >= '0' && *p <= '9'; p++, any = 1) {
            if (m == 0 && *p == '0') {
                e--;
                continue;
            }
            if (++digits > 19)
                return 0;
            m = m * 10 + (uint64_t)(*p - '0');
            e--;
        }
    }
    if (!any)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;

        if (q < end && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        if (q == end || *q < '0' || *q > '9')
            return 0;
        for (; q < end && *q >= '0' && *q <= '9'; q++)
            if ((ex = ex * 10 + (*q - '0')) > 1000)
                return 0;
        e += eneg ? -ex : ex;
        p = q;
    }
    if (m >= (uint64_t)1 << 53 || (p < end && !is_blank(*p)))
        return 0;
    if (m == 0)
        *out = 0;
    else if (e >= 0 && e <= 22)
        *out = (double)m * pow10_exact[e];
    else if (e < 0 && e >= -22)
        *out = (double)m / pow10_exact[-e];
    else
        return 0;
    if (neg)
        *out = -*out;
    *stop = p;
    return 1;
}

/* The label at p (up to the first blank): +1, 1 -> spam; -1, 0 -> ham
 * (any spelling strtod reads as exactly those numbers, e.g. "1.0").
 * Returns -2 when it is none of them. */
static int parse_label(const char *p, const char *end)
{
    char *stop;
    double v;

    if (p == end || !(*p == '+' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9')))
        return -2;
    v = strtod(p, &stop);
    if (stop != end)
        return -2;
    if (v == 1)
        return SPAMLR_SPAM;
    if (v == -1 || v == 0)
        return SPAMLR_HAM;
    return -2;
}

/* Parses one non-blank line [p, end) into r->ids / r->val and adds it. */
static int parse_line(reader *r, const char *path, long line, const char *p,
                      const char *end, spamlr_diag *d)
{
    const char *q = p;
    unsigned long prev = 0;
    size_t n = 0;
    char name[600];
    int label, rc;

    while (q < end && !is_blank(*q))
        q++;
    if ((label = parse_label(p, q)) < -1)
        return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                            "bad label \"%.*s\" (expected +1, 1, -1 or 0)",
                            (int)(q - p > 40 ? 40 : q - p), p);
    for (;;) {
        unsigned long k = 0;
        const char *f, *qstop;
        char *stop;
        double v;

        while (q < end && is_blank(*q))
            q++;
        if (q == end)
            break;
        f = q;
        while (q < end && *q >= '0' && *q <= '9' && k <= UINT32_MAX)
            k = k * 10 + (unsigned long)(*q++ - '0');
        if (q == f || q == end || *q != ':' || q + 1 == end || is_blank(q[1])
            || k > UINT32_MAX - 1) {
            while (q < end && !is_blank(*q))
                q++;
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                k > UINT32_MAX - 1
                                    ? "feature index in \"%.*s\" is too large"
                                    : "expected INDEX:VALUE, found \"%.*s\"",
                                (int)(q - f > 40 ? 40 : q - f), f);
        }
        if (k == 0)
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "feature index 0 (indices start at 1)");
        if (k <= prev)
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "feature index %lu after %lu: indices must ascend", k, prev);
        if (quick_number(q + 1, end, &v, &qstop))
            stop = (char *)(uintptr_t)qstop;
        else
            v = strtod(q + 1, &stop);
        if (stop == q + 1 || (stop < end && !is_blank(*stop)) || stop > end) {
            const char *e = q + 1;

            while (e < end && !is_blank(*e))
                e++;
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "bad value \"%.*s\" for feature %lu",
                                (int)(e - q - 1 > 40 ? 40 : e - q - 1), q + 1, k);
        }
        if (!isfinite(v) || !isfinite((float)v))
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "non-finite value \"%.*s\" for feature %lu",
                                (int)(stop - q - 1 > 40 ? 40 : stop - q - 1), q + 1, k);
        if (n == r->cap) {
            size_t cap = r->cap;

            if ((rc = spamlr__grow((void **)&r->ids, &cap, n + 1, sizeof *r->ids)))
                return spamlr__diag(d, rc, path, line, -1, "out of memory");
            cap = r->cap;
            if ((rc = spamlr__grow((void **)&r->val, &cap, n + 1, sizeof *r->val)))
                return spamlr__diag(d, rc, path, line, -1, "out of memory");
            r->cap = cap;
        }
        if ((rc = feature_id(r, (uint32_t)k, &r->ids[n])))
            return spamlr__diag(d, rc, path, line, -1, "%s", spamlr_strerror(rc));
        r->val[n++] = (float)v;
        prev = k;
        q = stop;
    }
    snprintf(name, sizeof name, "%.500s:%ld", path, line);
    if ((rc = spamlr__dataset_add_values(r->ds, label, r->ids, r->val, n, name)))
        return spamlr__diag(d, rc, path, line, -1, "%s", spamlr_strerror(rc));
    return SPAMLR_OK;
}

int spamlr_dataset_read_libsvm(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc;

    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if (ds->rows && !ds->val)
        return spamlr__diag(d, SPAMLR_EINVAL, path, 0, -1,
                            "libsvm rows cannot be added to a dataset holding messages");
    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    rc = spamlr__dataset_read_libsvm_buffer(ds, path, buf, len, d);
    free(buf);
    return rc;
}

int spamlr__dataset_read_libsvm_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                       size_t len, spamlr_diag *d)
{
    reader r;
    const char *p, *end;
    long line = 0;
    int rc = SPAMLR_OK;

    if (ds->rows && !ds->val)
        return spamlr__diag(d, SPAMLR_EINVAL, path, 0, -1,
                            "libsvm rows cannot be added to a dataset holding messages");
    memset(&r, 0, sizeof r);
    r.ds = ds;
    /* Every entry takes at least 4 bytes ("1:1 "): reserving len / 4 more
     * entries up front (address space; pages are touched only as used)
     * saves growing the arrays, and copying them, again and again. */
    if (len / 4 > ds->nnz_cap - ds->nnz && (ds->val || !ds->rows))
        reserve_values(ds, ds->nnz + len / 4 + 1);
    for (p = buf, end = buf + len; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *s;

        if (!eol)
            eol = end;
        line++;
        for (s = p; s < eol && is_blank(*s); s++)
            ;
        /* (a NUL byte in a line is garbage to the parser, like any other) */
        if (s < eol && (rc = parse_line(&r, path, line, s, eol, d)))
            break;
        p = eol + 1;
    }
    if (!ds->rows) { /* nothing read: the dataset may still take messages */
        free(ds->val);
        ds->val = NULL;
    }
    free(r.map);
    free(r.ids);
    free(r.val);
    return rc;
}
