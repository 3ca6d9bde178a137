/* dataset.c - building tokenised datasets and the readers that fill them:
 * label<TAB>text lines, CSV, one-message files and directories, index
 * files. Every file may be gzip-compressed (zlib reads plain files
 * transparently). */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/dataset.h"
#include "mail/mime.h"
#include "text/tokenize.h"

/* Largest input file read into memory at once. */
#define SPAMLR_MAX_FILE ((size_t)1 << 32)

int spamlr_dataset_create(spamlr_dataset **out, const spamlr_text_opts *o)
{
    spamlr_dataset *ds;
    spamlr_text_opts def;

    *out = NULL;
    if (!o) {
        spamlr_text_opts_init(&def);
        o = &def;
    }
    if (spamlr__text_opts_check(o) != SPAMLR_OK)
        return SPAMLR_EINVAL;
    if (!(ds = calloc(1, sizeof *ds)))
        return SPAMLR_ENOMEM;
    ds->opts = *o;
    spamlr__vocab_init(&ds->vocab);
    if (!(ds->ptr = calloc(1, sizeof *ds->ptr))) {
        free(ds);
        return SPAMLR_ENOMEM;
    }
    *out = ds;
    return SPAMLR_OK;
}

void spamlr_dataset_free(spamlr_dataset *ds)
{
    if (!ds)
        return;
    spamlr__vocab_free(&ds->vocab);
    free(ds->labels);
    free(ds->ptr);
    free(ds->ids);
    free(ds->cnt);
    free(ds->val);
    free(ds->name_off);
    free(ds->names);
    free(ds->stamp);
    free(ds->pos);
    spamlr__buf_free(&ds->mtext);
    free(ds);
}

size_t spamlr_dataset_rows(const spamlr_dataset *ds) { return ds->rows; }
size_t spamlr_dataset_vocab_size(const spamlr_dataset *ds) { return ds->vocab.n; }

size_t spamlr_dataset_count(const spamlr_dataset *ds, int label)
{
    size_t i, n = 0;

    for (i = 0; i < ds->rows; i++)
        n += ds->labels[i] == label;
    return n;
}

int spamlr_dataset_label(const spamlr_dataset *ds, size_t i)
{
    return i < ds->rows ? ds->labels[i] : SPAMLR_UNLABELLED;
}

const char *spamlr_dataset_name(const spamlr_dataset *ds, size_t i)
{
    return i < ds->rows ? ds->names + ds->name_off[i] : "";
}

/* ------------------------------------------------------------ building */

int spamlr__dataset_row_begin(spamlr_dataset *ds)
{
    ds->building_err = 0;
    if (ds->val)
        return SPAMLR_EINVAL; /* value rows (libsvm) and messages do not mix */
    if (ds->rows >= UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    return SPAMLR_OK;
}

int spamlr__dataset_row_token(spamlr_dataset *ds, const char *tok, size_t len)
{
    uint32_t id, row = (uint32_t)ds->rows + 1;
    int rc, added;

    if ((rc = spamlr__vocab_intern(&ds->vocab, tok, len, &id, &added)))
        return rc;
    if (added && ds->vocab.n > ds->stamp_cap) {
        size_t cap = ds->stamp_cap;
        if ((rc = spamlr__grow((void **)&ds->stamp, &cap, ds->vocab.n, sizeof *ds->stamp)))
            return rc;
        cap = ds->stamp_cap;
        if ((rc = spamlr__grow((void **)&ds->pos, &cap, ds->vocab.n, sizeof *ds->pos)))
            return rc;
        memset(ds->stamp + ds->stamp_cap, 0, (cap - ds->stamp_cap) * sizeof *ds->stamp);
        ds->stamp_cap = cap;
    }
    if (ds->stamp[id] == row) {
        ds->cnt[ds->ptr[ds->rows] + ds->pos[id]]++;
        return SPAMLR_OK;
    }
    if (ds->nnz == ds->nnz_cap) {
        size_t cap = ds->nnz_cap;
        void *p;
        if ((rc = spamlr__grow((void **)&ds->ids, &cap, ds->nnz + 1, sizeof *ds->ids)))
            return rc;
        if (!(p = realloc(ds->cnt, cap * sizeof *ds->cnt)))
            return SPAMLR_ENOMEM; /* ids grew; nnz_cap stays, so we retry both */
        ds->cnt = p;
        ds->nnz_cap = cap;
    }
    ds->stamp[id] = row;
    ds->pos[id] = (uint32_t)(ds->nnz - ds->ptr[ds->rows]);
    ds->ids[ds->nnz] = id;
    ds->cnt[ds->nnz] = 1;
    ds->nnz++;
    return SPAMLR_OK;
}

static int token_cb(void *ctx, const char *tok, size_t len)
{
    spamlr_dataset *ds = ctx;
    int rc = spamlr__dataset_row_token(ds, tok, len);

    if (rc) {
        ds->building_err = rc;
        return 1;
    }
    return 0;
}

int spamlr__dataset_row_text(spamlr_dataset *ds, const char *text, size_t len)
{
    int rc = spamlr_tokenize(&ds->opts, text, len, token_cb, ds);

    return rc ? rc : ds->building_err;
}

int spamlr__dataset_row_message(spamlr_dataset *ds, const char *msg, size_t len)
{
    spamlr__mime_opts mo;
    char fields[SPAMLR__MIME_FIELDS_MAX];
    int rc;

    spamlr__mime_opts_for(&mo, &ds->opts, fields);
    ds->mtext.len = 0;
    rc = spamlr__mime_parse(&mo, &ds->opts, msg, len, &ds->mtext, token_cb, ds);
    /* too deep a nesting still gives what could be read: not an error */
    if (rc && rc != SPAMLR_ELIMIT)
        return rc;
    if (ds->building_err)
        return ds->building_err;
    return spamlr__dataset_row_text(ds, ds->mtext.data, ds->mtext.len);
}

static int cmp_pair(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

int spamlr__dataset_push_row(spamlr_dataset *ds, int label, const char *name)
{
    size_t nlen;
    int rc;

    if (ds->rows + 1 >= ds->rows_cap) {
        size_t cap = ds->rows_cap, c2;
        if ((rc = spamlr__grow((void **)&ds->labels, &cap, ds->rows + 2, sizeof *ds->labels)))
            return rc;
        c2 = ds->rows_cap;
        if ((rc = spamlr__grow((void **)&ds->name_off, &c2, cap, sizeof *ds->name_off)))
            return rc;
        c2 = ds->rows_cap;
        if ((rc = spamlr__grow((void **)&ds->ptr, &c2, cap, sizeof *ds->ptr)))
            return rc;
        ds->rows_cap = cap;
    }
    name = name ? name : "";
    nlen = strlen(name);
    if ((rc = spamlr__grow((void **)&ds->names, &ds->names_cap, ds->names_len + nlen + 1, 1)))
        return rc;
    memcpy(ds->names + ds->names_len, name, nlen + 1);
    ds->name_off[ds->rows] = ds->names_len;
    ds->names_len += nlen + 1;
    ds->labels[ds->rows] = (signed char)label;
    ds->rows++;
    ds->ptr[ds->rows] = ds->nnz;
    return SPAMLR_OK;
}

int spamlr__dataset_row_end(spamlr_dataset *ds, int label, const char *name)
{
    size_t start = ds->ptr[ds->rows], n = ds->nnz - start, i;
    uint32_t *pairs = NULL;
    int rc;

    if (ds->building_err) {
        ds->nnz = start; /* drop the half-built row */
        return ds->building_err;
    }
    /* sort the row's entries by id, keeping each count with its id
     * (unless they already ascend) */
    for (i = 1; i < n && ds->ids[start + i - 1] < ds->ids[start + i]; i++)
        ;
    if (n > 1 && i < n) {
        size_t bytes;
        if (spamlr__mul_size(n, 2 * sizeof *pairs, &bytes) || !(pairs = malloc(bytes))) {
            ds->nnz = start;
            return SPAMLR_ENOMEM;
        }
        for (i = 0; i < n; i++) {
            pairs[2 * i] = ds->ids[start + i];
            pairs[2 * i + 1] = ds->cnt[start + i];
        }
        qsort(pairs, n, 2 * sizeof *pairs, cmp_pair);
        for (i = 0; i < n; i++) {
            ds->ids[start + i] = pairs[2 * i];
            ds->cnt[start + i] = pairs[2 * i + 1];
        }
        free(pairs);
    }
    if ((rc = spamlr__dataset_push_row(ds, label, name)))
        goto fail;
    for (i = start; i < ds->nnz; i++)
        ds->vocab.count[ds->ids[i]]++;
    return SPAMLR_OK;
fail:
    ds->nnz = start;
    return rc;
}

/* Adds one row: a message (parsed as e-mail when the options say so) or,
 * with as_message 0, plain text (the text column of a TSV or CSV line). */
static int add_row(spamlr_dataset *ds, int label, const char *text, size_t len,
                   const char *name, int as_message)
{
    int rc;

    if (!ds || (!text && len) ||
        (label != SPAMLR_SPAM && label != SPAMLR_HAM && label != SPAMLR_UNLABELLED))
        return SPAMLR_EINVAL;
    if ((rc = spamlr__dataset_row_begin(ds)))
        return rc;
    if (as_message && ds->opts.mime)
        rc = spamlr__dataset_row_message(ds, text, len);
    else
        rc = spamlr__dataset_row_text(ds, text, len);
    if (rc) {
        ds->building_err = rc;
        ds->nnz = ds->ptr[ds->rows];
        return rc;
    }
    return spamlr__dataset_row_end(ds, label, name);
}

int spamlr_dataset_add(spamlr_dataset *ds, int label, const char *text, size_t len,
                       const char *name)
{
    return add_row(ds, label, text, len, name, 1);
}

/* ------------------------------------------------------------- readers */

/* Reads the whole of plain file fd (expected to hold `size` bytes; it may
 * have changed since) into a NUL-terminated malloc'ed buffer. */
static int read_plain(int fd, const char *path, size_t size, char **out, size_t *len,
                      spamlr_diag *d)
{
    size_t n = 0, cap = size + 2; /* one spare byte shows the end; one for NUL */
    char *buf = spamlr__alloc_big(cap), *p;

    if (!buf)
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
    for (;;) {
        ssize_t got;

        if (n + 1 == cap) { /* the file grew meanwhile */
            if (n > SPAMLR_MAX_FILE) {
                free(buf);
                return spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                                    "larger than the 4 GiB limit for one input file");
            }
            if (!(p = spamlr__realloc_big(buf, n, 2 * cap))) {
                free(buf);
                return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory reading file");
            }
            buf = p;
            cap *= 2;
        }
        got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;

            free(buf);
            return spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)n, "read error: %s",
                                strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > SPAMLR_MAX_FILE) {
        free(buf);
        return spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                            "larger than the 4 GiB limit for one input file");
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SPAMLR_OK;
}

/* Opens path for reading ("-" = a duplicate of standard input); refuses
 * directories. *st is filled for named files (st_mode 0 for "-"). */
static int open_input(const char *path, int *fd, struct stat *st, spamlr_diag *d)
{
    memset(st, 0, sizeof *st);
    if (strcmp(path, "-") == 0) {
        if ((*fd = dup(0)) < 0)
            return spamlr__diag(d, SPAMLR_EIO, "-", 0, -1, "cannot read standard input: %s",
                                strerror(errno));
        return SPAMLR_OK;
    }
    if (stat(path, st) != 0)
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st->st_mode))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "is a directory, expected a file");
    if ((*fd = open(path, O_RDONLY)) < 0)
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open: %s", strerror(errno));
    return SPAMLR_OK;
}

/* zlib's reader over fd (it reads plain files as they are), which it
 * now owns. */
static int gz_open_fd(int fd, const char *path, gzFile *gz, spamlr_diag *d)
{
    if (!(*gz = gzdopen(fd, "rb"))) {
        close(fd);
        return spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory opening file");
    }
    gzbuffer(*gz, 1 << 17);
    return SPAMLR_OK;
}

int spamlr__input_open(const char *path, gzFile *gz, size_t *size, spamlr_diag *d)
{
    struct stat st;
    int fd = -1, rc;

    *gz = NULL;
    if ((rc = open_input(path, &fd, &st, d)))
        return rc;
    *size = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    return gz_open_fd(fd, path, gz, d);
}

int spamlr__input_read(gzFile gz, char *buf, size_t n, const char *path, size_t done,
                       size_t *got, spamlr_diag *d)
{
    int r, zerr;

    if (n > INT_MAX)
        n = INT_MAX;
    *got = 0;
    r = gzread(gz, buf, (unsigned)n);
    if (r < 0) {
        const char *msg = gzerror(gz, &zerr);

        return spamlr__diag(d, SPAMLR_EIO, path, 0, (long long)done,
                            "read error (after %zu decompressed bytes): %s", done,
                            zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    /* a gzip stream that stops early reads as a short file: zlib only
     * says so through gzerror */
    if (r == 0 && n > 0 && (gzerror(gz, &zerr), zerr == Z_BUF_ERROR))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1,
                            "compressed data ends early (truncated after %zu "
                            "decompressed bytes)", done);
    *got = (size_t)r;
    return SPAMLR_OK;
}

int spamlr__slurp(const char *path, char **out, size_t *len, spamlr_diag *d)
{
    gzFile gz = NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    struct stat st;
    int rc = SPAMLR_OK, fd = -1;

    *out = NULL;
    *len = 0;
    if ((rc = open_input(path, &fd, &st, d)))
        return rc;
    /* A regular file that is not gzip-compressed is read in one go into
     * a buffer of its size: no copy through zlib, no regrowing. */
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SPAMLR_MAX_FILE) {
        unsigned char magic[2];
        ssize_t m = pread(fd, magic, 2, 0);

        if (m >= 0 && !(m == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
            rc = read_plain(fd, path, (size_t)st.st_size, out, len, d);
            close(fd);
            return rc;
        }
    }
    if ((rc = gz_open_fd(fd, path, &gz, d)))
        return rc;
    for (;;) {
        if ((rc = spamlr__grow((void **)&buf, &cap, n + (1 << 16) + 1, 1))) {
            spamlr__diag(d, rc, path, 0, -1, "out of memory reading file");
            goto out;
        }
        if ((rc = spamlr__input_read(gz, buf + n, cap - n - 1, path, n, &got, d)))
            goto out;
        if (got == 0)
            break;
        n += got;
        if (n > SPAMLR_MAX_FILE) {
            rc = spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                              "larger than the 4 GiB limit for one input file");
            goto out;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    gzclose(gz);
    return rc;
}

static int parse_label(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '"')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r')) n--;
    if ((n == 4 && strncasecmp(s, "spam", 4) == 0) || (n == 1 && *s == '1'))
        return SPAMLR_SPAM;
    if ((n == 3 && strncasecmp(s, "ham", 3) == 0) || (n == 1 && *s == '0'))
        return SPAMLR_HAM;
    return -2;
}

static int add_named(spamlr_dataset *ds, int label, const char *text, size_t len,
                     const char *path, long line, int as_message, spamlr_diag *d)
{
    char name[600];
    int rc;

    if (line > 0)
        snprintf(name, sizeof name, "%s:%ld", path, line);
    else
        snprintf(name, sizeof name, "%s", path);
    rc = add_row(ds, label, text, len, name, as_message);
    if (rc)
        return spamlr__diag(d, rc, path, line, -1, "%s", spamlr_strerror(rc));
    return SPAMLR_OK;
}

static void label_excerpt(char *dst, size_t size, const char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n && k + 5 < size; i++)
        dst[k++] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
    if (i < n)
        dst[k++] = '.', dst[k++] = '.', dst[k++] = '.';
    dst[k] = '\0';
}

static int read_tsv(spamlr_dataset *ds, const char *path, const char *buf, size_t len,
                    spamlr_diag *d)
{
    const char *p = buf, *end = buf + len;
    long line = 0;
    int rc;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *tab;
        size_t n;
        int label;

        if (!eol)
            eol = end;
        line++;
        n = (size_t)(eol - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (n == 0)
            goto next;
        tab = memchr(p, '\t', n);
        if (!tab) {
            char ex[48];
            label_excerpt(ex, sizeof ex, p, n < 40 ? n : 40);
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, (long long)(p - buf),
                                "no TAB between label and text (line starts \"%s\"); "
                                "expected label<TAB>text", ex);
        }
        if ((label = parse_label(p, (size_t)(tab - p))) < -1) {
            char ex[48];
            label_excerpt(ex, sizeof ex, p, (size_t)(tab - p));
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, (long long)(p - buf),
                                "unknown label \"%s\" (expected spam, ham, 1 or 0)", ex);
        }
        if ((rc = add_named(ds, label, tab + 1, (size_t)(p + n - tab - 1), path, line, 0, d)))
            return rc;
    next:
        p = eol + 1;
    }
    return SPAMLR_OK;
}

/* One CSV field starting at *pp (RFC 4180). Unquoted fields end at ',' or
 * a line end; quoted ones may hold commas, newlines and "" escapes. The
 * field's text is written to *field (malloc'ed scratch, grown as needed).
 * Sets *eor at the end of a record. Returns 0 or an error. */
static int csv_field(const char **pp, const char *end, char **field, size_t *flen,
                     size_t *fcap, long *line, int *eor)
{
    const char *p = *pp;
    int rc;

    *flen = 0;
    *eor = 0;
    if (p < end && *p == '"') {
        p++;
        for (;;) {
            if (p >= end)
                return SPAMLR_EPARSE; /* unterminated quote */
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    p++;
                } else {
                    p++;
                    break;
                }
            }
            if (*p == '\n')
                (*line)++;
            if ((rc = spamlr__grow((void **)field, fcap, *flen + 2, 1)))
                return rc;
            (*field)[(*flen)++] = *p++;
        }
        while (p < end && *p != ',' && *p != '\n')
            p++; /* junk after the closing quote is ignored */
    } else {
        while (p < end && *p != ',' && *p != '\n') {
            if ((rc = spamlr__grow((void **)field, fcap, *flen + 2, 1)))
                return rc;
            (*field)[(*flen)++] = *p++;
        }
        if (*flen && (*field)[*flen - 1] == '\r')
            (*flen)--;
    }
    if (p >= end || *p == '\n')
        *eor = 1;
    *pp = p < end ? p + 1 : p;
    return SPAMLR_OK;
}

static int read_csv(spamlr_dataset *ds, const char *path, const char *buf, size_t len,
                    spamlr_diag *d)
{
    const char *p = buf, *end = buf + len;
    char *label = NULL, *text = NULL, *junk = NULL;
    size_t llen, lcap = 0, tlen, tcap = 0, jlen, jcap = 0;
    long line = 1, rline;
    int rc = SPAMLR_OK, eor, lab, first = 1;

    while (p < end) {
        rline = line;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1;
            line++;
            continue;
        }
        if ((rc = csv_field(&p, end, &label, &llen, &lcap, &line, &eor)))
            goto bad;
        if (eor) {
            rc = spamlr__diag(d, SPAMLR_EPARSE, path, rline, -1,
                              "only one column; expected label,text");
            goto out;
        }
        if ((rc = csv_field(&p, end, &text, &tlen, &tcap, &line, &eor)))
            goto bad;
        while (!eor)
            if ((rc = csv_field(&p, end, &junk, &jlen, &jcap, &line, &eor)))
                goto bad;
        line++;
        lab = parse_label(label ? label : "", llen);
        if (lab < -1) {
            char ex[48];
            /* a header row such as "label,text" is skipped */
            if (first)
                goto nextrec;
            label_excerpt(ex, sizeof ex, label, llen);
            rc = spamlr__diag(d, SPAMLR_EPARSE, path, rline, -1,
                              "unknown label \"%s\" (expected spam, ham, 1 or 0)", ex);
            goto out;
        }
        if ((rc = add_named(ds, lab, text ? text : "", tlen, path, rline, 0, d)))
            goto out;
    nextrec:
        first = 0;
    }
    goto out;
bad:
    rc = spamlr__diag(d, rc == SPAMLR_EPARSE ? rc : rc, path, rline, -1, "%s",
                      rc == SPAMLR_EPARSE ? "unterminated quoted field" : spamlr_strerror(rc));
out:
    free(label);
    free(text);
    free(junk);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int spamlr__dataset_read_lines_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                      size_t len, spamlr_diag *d)
{
    if (ends_with(path, ".csv") || ends_with(path, ".csv.gz"))
        return read_csv(ds, path, buf, len, d);
    return read_tsv(ds, path, buf, len, d);
}

int spamlr_dataset_read_lines(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc;

    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    rc = spamlr__dataset_read_lines_buffer(ds, path, buf, len, d);
    free(buf);
    return rc;
}

/* True when p starts an mbox "From " envelope line as MTAs write it:
 * "From <sender> <weekday> <month> ..." (asctime date). Requiring the date
 * keeps a body line such as "From the desk of..." from splitting a mail. */
static int from_line(const char *p, const char *end)
{
    static const char days[] = "MonTueWedThuFriSatSun";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *q = p + 5;
    int i, ok = 0;

    if (end - p < 20 || memcmp(p, "From ", 5) != 0)
        return 0;
    while (q < end && *q != ' ' && *q != '\n')
        q++;
    while (q < end && *q == ' ')
        q++;
    if (end - q < 8 || q[3] != ' ')
        return 0;
    for (i = 0; i < 7; i++)
        ok |= memcmp(q, days + 3 * i, 3) == 0;
    if (!ok)
        return 0;
    for (i = 0, ok = 0; i < 12; i++)
        ok |= memcmp(q + 4, months + 3 * i, 3) == 0;
    return ok;
}

/* Adds the messages of an mbox (buf starts with a From_ line): each runs
 * to the next From_ line; the From_ line itself is dropped and ">From "
 * (">>From " ...) in bodies loses one '>' (mboxrd). A file holding a single
 * message is named by its path, several by "path:line". */
static int read_mbox(spamlr_dataset *ds, int label, const char *path, const char *buf,
                     size_t len, spamlr_diag *d)
{
    const char *end = buf + len, *p = buf, *next;
    char *msg = NULL;
    size_t cap = 0;
    long line = 1, start_line;
    int rc = SPAMLR_OK, single;

    for (next = memchr(buf, '\n', len); next && !from_line(next + 1, end);
         next = memchr(next + 1, '\n', (size_t)(end - next - 1)))
        ;
    single = next == NULL;
    while (p < end) {
        const char *body = memchr(p, '\n', (size_t)(end - p)), *q;
        size_t n = 0;

        start_line = line;
        body = body ? body + 1 : end;
        line++;
        /* copy the body up to the next From_ line, unescaping >From */
        for (q = body; q < end;) {
            const char *eol = memchr(q, '\n', (size_t)(end - q)), *s = q;
            size_t k;
            eol = eol ? eol + 1 : end;
            if (from_line(q, end))
                break;
            while (s < eol && *s == '>')
                s++;
            if (s > q && eol - s >= 5 && memcmp(s, "From ", 5) == 0)
                q++;
            k = (size_t)(eol - q);
            if ((rc = spamlr__grow((void **)&msg, &cap, n + k + 1, 1))) {
                rc = spamlr__diag(d, rc, path, start_line, -1, "out of memory");
                goto out;
            }
            memcpy(msg + n, q, k);
            n += k;
            q = eol;
            line++;
        }
        if ((rc = add_named(ds, label, msg ? msg : "", n, path, single ? 0 : start_line, 1, d)))
            goto out;
        p = q;
    }
out:
    free(msg);
    return rc;
}

int spamlr__dataset_read_message_buffer(spamlr_dataset *ds, int label, const char *path,
                                       const char *buf, size_t len, spamlr_diag *d)
{
    if (from_line(buf, buf + len))
        return read_mbox(ds, label, path, buf, len, d);
    return add_named(ds, label, buf, len, path, 0, 1, d);
}

static int read_file_msg(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc;

    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    rc = spamlr__dataset_read_message_buffer(ds, label, path, buf, len, d);
    free(buf);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dir(spamlr_dataset *ds, int label, const char *path, int depth,
                    spamlr_diag *d)
{
    DIR *dir = NULL;
    struct dirent *e;
    char **names = NULL, *full = NULL;
    const char *cur = "cur", *new = "new";
    size_t n = 0, cap = 0, i;
    int rc = SPAMLR_OK, maildir;

    if (depth > 64)
        return spamlr__diag(d, SPAMLR_ELIMIT, path, 0, -1,
                            "directories nested deeper than 64 levels");
    if (!(dir = opendir(path)))
        return spamlr__diag(d, SPAMLR_EIO, path, 0, -1, "cannot open directory: %s",
                            strerror(errno));
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        if ((rc = spamlr__grow((void **)&names, &cap, n + 1, sizeof *names)) ||
            !(names[n] = strdup(e->d_name))) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory listing directory");
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    maildir = bsearch(&cur, names, n, sizeof *names, cmp_str) &&
              bsearch(&new, names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        struct stat st;
        size_t flen = strlen(path) + strlen(names[i]) + 2;
        if (maildir && strcmp(names[i], "tmp") == 0)
            continue; /* a maildir's tmp/ holds mails still being delivered */
        free(full);
        if (!(full = malloc(flen))) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
            goto out;
        }
        snprintf(full, flen, "%s/%s", path, names[i]);
        if (stat(full, &st) != 0) {
            rc = spamlr__diag(d, SPAMLR_EIO, full, 0, -1, "cannot open: %s", strerror(errno));
            goto out;
        }
        if (S_ISDIR(st.st_mode))
            rc = read_dir(ds, label, full, depth + 1, d);
        else if (S_ISREG(st.st_mode))
            rc = read_file_msg(ds, label, full, d);
        if (rc)
            goto out;
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(full);
    closedir(dir);
    return rc;
}

int spamlr_dataset_read_path(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d)
{
    struct stat st;

    spamlr__diag_clear(d);
    if (!ds || !path || (label != SPAMLR_SPAM && label != SPAMLR_HAM && label != SPAMLR_UNLABELLED))
        return SPAMLR_EINVAL;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return read_dir(ds, label, path, 0, d);
    return read_file_msg(ds, label, path, d);
}

int spamlr_dataset_read_index(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc;

    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    rc = spamlr__dataset_read_index_buffer(ds, path, buf, len, spamlr_dataset_read_path, d);
    free(buf);
    return rc;
}

int spamlr__dataset_read_index_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                      size_t len, spamlr__index_fn read_fn, spamlr_diag *d)
{
    char *full = NULL;
    const char *p, *end, *slash;
    size_t dirlen;
    long line = 0;
    int rc = SPAMLR_OK;

    slash = strrchr(path, '/');
    dirlen = slash && strcmp(path, "-") ? (size_t)(slash - path) + 1 : 0;
    for (p = buf, end = buf + len; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *sp, *f;
        size_t n, fn;
        int label;

        if (!eol)
            eol = end;
        line++;
        n = (size_t)(eol - p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        if (n == 0 || *p == '#')
            goto next;
        for (sp = p; sp < p + n && *sp != ' ' && *sp != '\t'; sp++)
            ;
        label = parse_label(p, (size_t)(sp - p));
        for (f = sp; f < p + n && (*f == ' ' || *f == '\t'); f++)
            ;
        fn = (size_t)(p + n - f);
        if (label < -1 || fn == 0) {
            rc = spamlr__diag(d, SPAMLR_EPARSE, path, line, (long long)(p - buf),
                              fn == 0 ? "expected \"spam PATH\" or \"ham PATH\""
                                      : "unknown label (expected spam, ham, 1 or 0)");
            goto out;
        }
        free(full);
        if (!(full = malloc(dirlen + fn + 1))) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, line, -1, "out of memory");
            goto out;
        }
        if (*f == '/')
            dirlen = 0;
        memcpy(full, path, *f == '/' ? 0 : dirlen);
        memcpy(full + (*f == '/' ? 0 : dirlen), f, fn);
        full[(*f == '/' ? 0 : dirlen) + fn] = '\0';
        if ((rc = read_fn(ds, label, full, d))) {
            char what[1100];
            snprintf(what, sizeof what, "%.500s: %.500s", full, d ? d->message : "");
            spamlr__diag(d, rc, path, line, -1, "%.500s", what);
            goto out;
        }
        if (slash && strcmp(path, "-"))
            dirlen = (size_t)(slash - path) + 1;
    next:
        p = eol + 1;
    }
out:
    free(full);
    return rc;
}
