/* lines.c - the line readers: label<TAB>text lines (TSV) and CSV with the
 * label in the first column, one row a line (a record for CSV). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/dataset.h"
#include "data/input.h"

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
    const char *p = buf + spamlr__bom_len(buf, len), *end = buf + len;
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
        if ((label = spamlr__parse_label(p, (size_t)(tab - p))) < -1) {
            char ex[48];
            label_excerpt(ex, sizeof ex, p, (size_t)(tab - p));
            return spamlr__diag(d, SPAMLR_EPARSE, path, line, (long long)(p - buf),
                                "unknown label \"%s\" (expected spam, ham, 1 or 0)", ex);
        }
        if ((rc = spamlr__dataset_add_named(ds, label, tab + 1, (size_t)(p + n - tab - 1), path, line, 0, d)))
            return rc;
    next:
        p = eol + 1;
        if ((line & 1023) == 0 && ds->prog_fn) {
            /* the bytes so far, for the report only */
            uint64_t saved = ds->in_bytes;
            ds->in_bytes += (uint64_t)(p - buf);
            rc = spamlr__progress_read(ds, path, d);
            ds->in_bytes = saved;
            if (rc)
                return rc;
        }
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

/* Whether a first CSV record's label field names the column: label,
 * class, category, type, target or v1 (the SMS Spam Collection's CSV),
 * any case, quotes and spaces around allowed. */
static int is_header_name(const char *s, size_t n)
{
    static const char *const names[] = {"label", "class", "category", "type", "target",
                                        "v1", NULL};
    size_t i;

    while (n && (*s == ' ' || *s == '"'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r'))
        n--;
    for (i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
            return 1;
    return 0;
}

static int read_csv(spamlr_dataset *ds, const char *path, const char *buf, size_t len,
                    spamlr_diag *d)
{
    const char *p = buf + spamlr__bom_len(buf, len), *end = buf + len;
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
        lab = spamlr__parse_label(label ? label : "", llen);
        if (lab < -1) {
            char ex[48];
            /* a header row ("label,text") is skipped; any other unknown
             * label is an error, on the first line as on the others */
            if (first && is_header_name(label, llen))
                goto nextrec;
            label_excerpt(ex, sizeof ex, label, llen);
            rc = spamlr__diag(d, SPAMLR_EPARSE, path, rline, -1,
                              "unknown label \"%s\" (expected spam, ham, 1 or 0)", ex);
            goto out;
        }
        if ((rc = spamlr__dataset_add_named(ds, lab, text ? text : "", tlen, path, rline, 0, d)))
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

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    rc = spamlr__dataset_read_lines_buffer(ds, path, buf, len, d);
    free(buf);
    ds->in_bytes += len;
    if (!rc)
        rc = spamlr__progress_read(ds, path, d);
    return rc;
}
