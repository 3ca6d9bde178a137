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

#include "data/dataset.h"
#include "data/input.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Sorts the entries (ids[i], val[i]) of one row by id; ids distinct. */
static int sort_entries(uint32_t *ids, float *val, size_t n)
{
    uint64_t *pairs;
    size_t i;

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

        ids[i] = (uint32_t)(pairs[i] >> 32);
        memcpy(&val[i], &bits, sizeof bits);
    }
    free(pairs);
    return SPAMLR_OK;
}

/* Grows the entry arrays of ds (ids, val; value rows have no counts, cnt
 * stays NULL) to hold at least `cap` entries; on failure leaves them as
 * they were (growing later may still work). */
static void reserve_values(spamlr_dataset *ds, size_t cap)
{
    size_t old = ds->nnz_cap, bytes;
    void *p;

    if (cap <= old || cap > SIZE_MAX / sizeof(uint32_t))
        return;
    bytes = spamlr__big_size(cap * sizeof(uint32_t));
    cap = bytes / sizeof(uint32_t);
    if (!(p = spamlr__realloc_big(ds->ids, ds->nnz * sizeof *ds->ids, bytes)))
        return;
    ds->ids = p;
    if (!(p = spamlr__realloc_big(ds->val, ds->val ? ds->nnz * sizeof *ds->val : 0, bytes)))
        return;
    ds->val = p;
    ds->nnz_cap = cap > old ? cap : old;
}

/* Reading a file: lines are parsed as they stream in, in pieces of
 * CHUNK bytes (a buffer that stays in cache: no copy of the whole file,
 * no page faults for it; it grows for longer lines). Each row goes straight into the dataset's entry
 * arrays holding the raw feature index k; once the file (or the rows
 * before a bad line) is read, `finish` turns the indices into dataset ids. */
#define CHUNK ((size_t)1 << 18)

typedef struct reader {
    spamlr_dataset *ds;
    const char *path;
    long line;
    size_t row0, nnz0;      /* this file's rows start here */
    uint32_t maxk;          /* largest feature index read */
    size_t vocab0;          /* vocabulary size before this file */
} reader;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Exact powers of ten: doubles represent 10^0 .. 10^22 exactly. */
static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* Reads a decimal number [-+]digits[.digits][e[-+]digits] at p the quick
 * way when that is exact: at most 19 significant digits whose integer
 * value is below 2^53, and a power of ten within 10^+-22; then m * 10^e
 * (or m / 10^-e) is one correctly rounded operation, the same double
 * strtod gives. Returns 0 and leaves the rest to strtod otherwise (longer
 * numbers, hex, inf, nan, ...), or when the number does not end at a blank
 * or at `end`. The byte at end must not continue a number (the reader
 * puts '\n' or '\0' there): the loops stop on it without comparing
 * pointers, which is most of this parser's speed. */
static int quick_number(const char *p, const char *end, double *out, const char **stop)
{
    const char *s = p, *d0, *i0;
    uint64_t m = 0;
    int neg = *s == '-', any, e = 0, ex = 0, eneg = 0;
    size_t nd;

    s += neg || *s == '+';
    d0 = s;
    while (*s == '0') /* leading zeros are not significant */
        s++;
    for (i0 = s; (unsigned)(*s - '0') < 10; s++)
        m = m * 10 + (uint64_t)(*s - '0');
    nd = (size_t)(s - i0);
    any = s > d0;
    if (*s == '.') {
        const char *f0 = ++s, *g0;

        if (m == 0) /* nor are zeros right after the point of 0.xxx */
            while (*s == '0')
                s++;
        for (g0 = s; (unsigned)(*s - '0') < 10; s++)
            m = m * 10 + (uint64_t)(*s - '0');
        nd += (size_t)(s - g0);
        e = -(int)(s - f0 > 1000 ? 1000 : s - f0);
        any |= s > f0;
    }
    if (!any || nd > 19) /* (more digits may have wrapped m: not used) */
        return 0;
    if (*s == 'e' || *s == 'E') {
        const char *q = s + 1;

        if (*q == '-' || *q == '+')
            eneg = *q++ == '-';
        if ((unsigned)(*q - '0') >= 10)
            return 0;
        for (; (unsigned)(*q - '0') < 10; q++)
            if ((ex = ex * 10 + (*q - '0')) > 1000)
                return 0;
        e += eneg ? -ex : ex;
        s = q;
    }
    if (m >= (uint64_t)1 << 53 || (s != end && !is_blank(*s)))
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
    *stop = s;
    return 1;
}

/* Copies the token [p, end) (at most cap - 1 bytes) NUL-terminated into
 * tmp for strtod; 0 when it is longer. */
static int token_copy(char *tmp, size_t cap, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);

    if (n >= cap)
        return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return 1;
}

/* The label [p, end): +1, 1 -> spam; -1, 0 -> ham (any spelling strtod
 * reads as exactly those numbers, e.g. "1.0"). Returns -2 for anything
 * else. */
static int parse_label(const char *p, const char *end)
{
    char tmp[64], *stop;
    size_t n = (size_t)(end - p);
    double v;

    if ((n == 1 && *p == '1') || (n == 2 && p[0] == '+' && p[1] == '1'))
        return SPAMLR_SPAM;
    if ((n == 2 && p[0] == '-' && p[1] == '1') || (n == 1 && *p == '0'))
        return SPAMLR_HAM;
    if (n == 0 || !(*p == '+' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9')) ||
        !token_copy(tmp, sizeof tmp, p, end))
        return -2;
    v = strtod(tmp, &stop);
    if (*stop)
        return -2;
    if (v == 1)
        return SPAMLR_SPAM;
    if (v == -1 || v == 0)
        return SPAMLR_HAM;
    return -2;
}

/* The value at p (before end): the quick exact path, else strtod on a
 * copy. Sets *stop after it; 0 when it is not a number ending at a blank
 * or the end of the line. */
static int parse_value(const char *p, const char *end, double *v, const char **stop)
{
    char tmp[128], *s;
    const char *e = p;

    if (quick_number(p, end, v, stop))
        return 1;
    while (e < end && !is_blank(*e))
        e++;
    if (e == p || !token_copy(tmp, sizeof tmp, p, e))
        return 0;
    *v = strtod(tmp, &s);
    if (*s || s == tmp)
        return 0;
    *stop = e;
    return 1;
}

/* Room for `more` entries beyond nnz in the entry arrays. */
static int entries_room(spamlr_dataset *ds, size_t more)
{
    size_t cap;

    if (ds->nnz + more <= ds->nnz_cap && ds->val)
        return SPAMLR_OK;
    if (more > SIZE_MAX / 8 - ds->nnz)
        return SPAMLR_ENOMEM;
    for (cap = ds->nnz_cap > 4096 ? ds->nnz_cap : 4096; cap < ds->nnz + more; cap *= 2)
        ;
    reserve_values(ds, cap);
    return ds->nnz + more <= ds->nnz_cap && ds->val ? SPAMLR_OK : SPAMLR_ENOMEM;
}

/* Parses one non-blank line [p, end) into a new row of raw indices. The
 * byte at end is '\n' or '\0', a sentinel: the loops here and in
 * quick_number stop on it without comparing pointers. */
static int parse_line(reader *r, const char *p, const char *end, spamlr_diag *d)
{
    spamlr_dataset *ds = r->ds;
    const char *q = p, *path = r->path;
    long line = r->line;
    uint32_t *ids;
    float *val;
    uint64_t prev = 0;
    size_t n = 0;
    char name[600];
    int label, rc;

    while (q < end && !is_blank(*q))
        q++;
    if ((label = parse_label(p, q)) < -1)
        return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                            "bad label \"%.*s\" (expected +1, 1, -1 or 0)",
                            (int)(q - p > 40 ? 40 : q - p), p);
    /* every entry takes at least 4 bytes ("1:1 " or " 1:1") */
    if ((rc = entries_room(ds, (size_t)(end - q) / 4 + 1)))
        return spamlr__diag(d, rc, path, line, -1, "out of memory");
    ids = ds->ids + ds->nnz;
    val = ds->val + ds->nnz;
    for (;;) {
        uint64_t k = 0;
        const char *f, *stop;
        double v;

        while (is_blank(*q))
            q++;
        if (q == end)
            break;
        for (f = q; (unsigned)(*q - '0') < 10 && q - f < 11; q++)
            k = k * 10 + (uint64_t)(*q - '0');
        if (q == f || *q != ':' || q + 1 == end || is_blank(q[1]) || k > UINT32_MAX - 1) {
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
                                "feature index %lu after %lu: indices must ascend",
                                (unsigned long)k, (unsigned long)prev);
        if (!parse_value(q + 1, end, &v, &stop)) {
            const char *e = q + 1;

            while (e < end && !is_blank(*e))
                e++;
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "bad value \"%.*s\" for feature %lu",
                                (int)(e - q - 1 > 40 ? 40 : e - q - 1), q + 1,
                                (unsigned long)k);
        }
        if (!isfinite(v) || !isfinite((float)v))
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, -1,
                                "non-finite value \"%.*s\" for feature %lu",
                                (int)(stop - q - 1 > 40 ? 40 : stop - q - 1), q + 1,
                                (unsigned long)k);
        ids[n] = (uint32_t)k;
        val[n++] = (float)v;
        prev = k;
        q = stop;
    }
    if (prev > r->maxk)
        r->maxk = (uint32_t)prev;
    ds->nnz += n;
    snprintf(name, sizeof name, "%.500s:%ld", path, line);
    if ((rc = spamlr__dataset_push_row(ds, label, name))) {
        ds->nnz -= n;
        return spamlr__diag(d, rc, path, line, -1, "%s", spamlr_strerror(rc));
    }
    return SPAMLR_OK;
}

/* Parses the complete lines of buf[0..len) (and, when `last`, the line
 * that ends without a newline); *used = bytes consumed. */
static int parse_lines(reader *r, const char *buf, size_t len, int last, size_t *used,
                       spamlr_diag *d)
{
    const char *p = buf, *end = buf + len;
    int rc;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *s;

        if (!eol) {
            if (!last)
                break;
            eol = end;
        }
        r->line++;
        for (s = p; s < eol && is_blank(*s); s++)
            ;
        /* (a NUL byte in a line is garbage to the parser, like any other) */
        if (s < eol && (rc = parse_line(r, s, eol, d))) {
            *used = (size_t)(p - buf);
            return rc;
        }
        p = eol < end ? eol + 1 : end;
    }
    *used = (size_t)(p - buf);
    return SPAMLR_OK;
}

/* Decimal digits of k at the end of tmp[16]; returns where they start. */
static char *u32_digits(uint32_t k, char tmp[16])
{
    char *p = tmp + 15;

    *p = '\0';
    do
        *--p = (char)('0' + k % 10);
    while (k /= 10);
    return p;
}

/* Interns the tokens of the distinct indices keys[0..n) into ds, their ids
 * into id[0..n). `fresh`: none is there yet, so no lookups. The slot of
 * the token AHEAD places on is prefetched: the table is larger than the
 * caches, and a miss per token would otherwise cost most of the time. */
#define AHEAD 12
static int intern_indices(spamlr_dataset *ds, const uint32_t *keys, size_t n, int fresh,
                          uint32_t *id)
{
    char tmp[16], *t;
    uint32_t *h;
    size_t i;
    int rc = SPAMLR_OK;

    if ((rc = spamlr__vocab_reserve(&ds->vocab, n, n * 11)))
        return rc;
    if (!(h = malloc((n + 1) * sizeof *h)))
        return SPAMLR_ENOMEM;
    for (i = 0; i < n; i++) {
        t = u32_digits(keys[i], tmp);
        h[i] = spamlr__vocab_hash(&ds->vocab, t, (size_t)(tmp + 15 - t));
    }
    for (i = 0; i < n && !rc; i++) {
        size_t len;

        if (i + AHEAD < n)
            spamlr__vocab_prefetch(&ds->vocab, h[i + AHEAD]);
        t = u32_digits(keys[i], tmp);
        len = (size_t)(tmp + 15 - t);
        rc = fresh ? spamlr__vocab_add_new(&ds->vocab, t, len, h[i], &id[i])
                   : spamlr__vocab_intern(&ds->vocab, t, len, &id[i], NULL);
    }
    free(h);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

/* The file's rows hold raw feature indices: makes them dataset ids. The
 * indices are interned in ascending order, so that in a dataset without
 * earlier tokens the ids ascend with them and every row stays sorted;
 * otherwise rows are sorted again. Then the token counts. On failure
 * (memory) the file's rows are taken out again. */
static int finish(reader *r)
{
    spamlr_dataset *ds = r->ds;
    uint32_t *ids, *tab = NULL, *keys = NULL;
    size_t n = ds->nnz - r->nnz0, j, distinct = 0, i;
    int rc = SPAMLR_OK;

    if (ds->rows == r->row0) /* (then the entry arrays may not exist) */
        return SPAMLR_OK;
    ids = ds->ids + r->nnz0;
    if (n > 0 && (size_t)r->maxk <= 4 * n + 65536) {
        /* a table over 0..maxk: tab[k] = 1 when seen, then id + 1 */
        if (!(tab = calloc((size_t)r->maxk + 1, sizeof *tab))) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        for (j = 0; j < n; j++)
            tab[ids[j]] = 1;
        for (i = 1; i <= r->maxk; i++)
            distinct += tab[i];
        if (!(keys = calloc(2 * distinct + 1, sizeof *keys))) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        for (i = 1, j = 0; i <= r->maxk; i++)
            if (tab[i])
                keys[j++] = (uint32_t)i;
        if ((rc = intern_indices(ds, keys, distinct, r->vocab0 == 0, keys + distinct)))
            goto out;
        for (i = 0; i < distinct; i++)
            tab[keys[i]] = keys[distinct + i] + 1;
        for (j = 0; j < n; j++)
            ids[j] = tab[ids[j]] - 1;
    } else if (n > 0) {
        /* sparse, huge indices: the sorted distinct ones, and a binary
         * search for each entry */
        if (!(keys = malloc(n * sizeof *keys))) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        memcpy(keys, ids, n * sizeof *keys);
        qsort(keys, n, sizeof *keys, cmp_u32);
        for (j = 0; j < n; j++)
            if (j == 0 || keys[j] != keys[j - 1])
                keys[distinct++] = keys[j];
        if (!(tab = malloc(distinct * sizeof *tab))) {
            rc = SPAMLR_ENOMEM;
            goto out;
        }
        if ((rc = intern_indices(ds, keys, distinct, r->vocab0 == 0, tab)))
            goto out;
        for (j = 0; j < n; j++) {
            size_t lo = 0, hi = distinct;

            while (hi - lo > 1) { /* keys[lo] <= ids[j] < keys[hi] */
                size_t mid = lo + (hi - lo) / 2;

                if (keys[mid] <= ids[j])
                    lo = mid;
                else
                    hi = mid;
            }
            ids[j] = tab[lo];
        }
    }
    if (r->vocab0 > 0) /* earlier tokens keep their ids: sort again */
        for (i = r->row0; i < ds->rows; i++) {
            size_t s = ds->ptr[i], e = ds->ptr[i + 1];

            for (j = s + 1; j < e && ds->ids[j - 1] < ds->ids[j]; j++)
                ;
            if (j < e && (rc = sort_entries(ds->ids + s, ds->val + s, e - s)))
                goto out;
        }
    for (j = r->nnz0; j < ds->nnz; j++)
        ds->vocab.count[ds->ids[j]]++;
out:
    if (rc) { /* take the rows out: they hold raw indices */
        ds->names_len = ds->name_off[r->row0];
        ds->rows = r->row0;
        ds->nnz = r->nnz0;
    }
    free(tab);
    free(keys);
    return rc;
}

static void reader_init(reader *r, spamlr_dataset *ds, const char *path)
{
    memset(r, 0, sizeof *r);
    r->ds = ds;
    r->path = path;
    r->row0 = ds->rows;
    r->nnz0 = ds->nnz;
    r->vocab0 = ds->vocab.n;
}

/* After reading (rc: how it went): ids for the rows read, and a dataset
 * that still takes messages when no row was read. */
static int reader_end(reader *r, int rc, spamlr_diag *d)
{
    spamlr_dataset *ds = r->ds;
    int rc2 = finish(r);

    if (rc2 && !rc)
        rc = spamlr__diag(d, rc2, r->path, 0, -1, "%s", spamlr_strerror(rc2));
    if (!ds->rows) {
        free(ds->val);
        ds->val = NULL;
    }
    return rc;
}

static int check_mixing(const spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    if (ds->rows && !ds->val)
        return spamlr__diag(d, SPAMLR_EINVAL, path, 0, -1,
                            "libsvm rows cannot be added to a dataset holding messages");
    if (ds->closed)
        return spamlr__diag(d, SPAMLR_EINVAL, path, 0, -1,
                            "libsvm rows cannot be added to a dataset kept to a model's words "
                            "(spamlr_dataset_keep_model_words): read them into another dataset");
    return SPAMLR_OK;
}

int spamlr_dataset_read_libsvm(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    reader r;
    gzFile gz = NULL;
    char *buf = NULL;
    size_t cap = CHUNK, have = 0, done = 0, size = 0;
    int rc, eof = 0, first = 1;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if ((rc = check_mixing(ds, path, d)))
        return rc;
    if ((rc = spamlr__input_open(path, &gz, &size, d)))
        return rc;
    if (!(buf = spamlr__alloc_big(cap + 1))) {
        gzclose(gz);
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
    }
    reader_init(&r, ds, path);
    while (!eof) {
        size_t got, used;
        void *p;

        if (have == cap) { /* a line longer than the buffer */
            if (cap > spamlr__input_limit()) {
                rc = spamlr__diag(d, SPAMLR_ELIMIT, path, r.line + 1, -1,
                                  "a line longer than the %zu-byte limit for one input",
                                  spamlr__input_limit());
                break;
            }
            if (cap > SIZE_MAX / 2 - 1 || !(p = spamlr__realloc_big(buf, have, 2 * cap + 1))) {
                rc = spamlr__diag(d, SPAMLR_ENOMEM, path, r.line + 1, -1,
                                  "out of memory for a line of over %zu bytes", cap);
                break;
            }
            buf = p;
            cap *= 2;
        }
        if ((rc = spamlr__input_read(gz, buf + have, cap - have, path, done, &got, d)))
            break;
        eof = got == 0;
        if (first && done == 0 && spamlr__bom_len(buf, got)) {
            memmove(buf, buf + 3, got - 3);
            got -= 3;
            done += 3;
        }
        have += got;
        done += got;
        buf[have] = '\0'; /* the sentinel after a last line without '\n' */
        if ((rc = parse_lines(&r, buf, have, eof, &used, d)))
            break;
        if (first && used > 0 && size > done && gzdirect(gz)) {
            /* a plain file: room for the whole of it at the first piece's
             * entries per byte (growing and copying the arrays costs more) */
            double per = (double)(ds->nnz - r.nnz0) / (double)used;

            reserve_values(ds, ds->nnz + (size_t)(per * 1.05 * (double)(size - used)) + 1024);
        }
        first = 0;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    free(buf);
    gzclose(gz);
    return reader_end(&r, rc, d);
}

int spamlr__dataset_read_libsvm_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                       size_t len, spamlr_diag *d)
{
    reader r;
    size_t used;
    char *copy;
    int rc;

    if ((rc = check_mixing(ds, path, d)))
        return rc;
    if (buf && spamlr__bom_len(buf, len))
        buf += 3, len -= 3;
    /* the parser wants a sentinel byte after the data */
    if (len == SIZE_MAX || !(copy = malloc(len + 1)))
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
    memcpy(copy, buf, len);
    copy[len] = '\0';
    reader_init(&r, ds, path);
    rc = parse_lines(&r, copy, len, 1, &used, d);
    free(copy);
    return reader_end(&r, rc, d);
}
