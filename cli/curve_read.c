/* curve_read.c - reads back what `spamlr curve --format json` (or tsv)
 * printed, for the model report of `inspect --html --curve FILE`.
 *
 * The JSON reader is a small recursive-descent walk that knows the keys it
 * wants (train, test, solver, c, threshold, prune[], l1[]) and skips the
 * rest; anything that is not JSON is an error naming the byte offset. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "curve.h"

typedef struct jreader {
    const char *s, *end, *path;
    curve *pr, *l1;
    curve_info *info;
    int bad;
} jreader;

static void ws(jreader *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
        j->s++;
}

/* A JSON string into buf (escapes kept simple: \uXXXX becomes '?'). */
static int jstring(jreader *j, char *buf, size_t size)
{
    size_t n = 0;

    if (j->s >= j->end || *j->s != '"')
        return -1;
    for (j->s++; j->s < j->end && *j->s != '"'; j->s++) {
        char c = *j->s;
        if (c == '\\') {
            if (++j->s >= j->end)
                return -1;
            c = *j->s;
            if (c == 'u') {
                if (j->end - j->s < 5)
                    return -1;
                j->s += 4;
                c = '?';
            } else if (c == 'n' || c == 't' || c == 'r' || c == 'b' || c == 'f') {
                c = ' ';
            }
        }
        if (n + 1 < size)
            buf[n++] = c;
    }
    if (j->s >= j->end)
        return -1;
    j->s++;
    if (size)
        buf[n] = '\0';
    return 0;
}

static int jvalue(jreader *j, int depth, const char *k0, const char *k1, point *pt);

static point *new_point(curve *c)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        point *p = realloc(c->p, cap * sizeof *p);
        if (!p)
            return NULL;
        c->p = p;
        c->cap = cap;
    }
    memset(&c->p[c->n], 0, sizeof c->p[c->n]);
    return &c->p[c->n++];
}

/* A number or a literal at the place named by k0 / k1 (and pt). */
static int jscalar(jreader *j, const char *k0, const char *k1, point *pt)
{
    char *e;
    double x;

    if (j->s < j->end && *j->s == '"') {
        char buf[64];
        if (jstring(j, buf, sizeof buf))
            return -1;
        if (pt && k1 && strcmp(k1, "size") == 0)
            snprintf(pt->label, sizeof pt->label, "%.31s", buf);
        else if (!pt && k0 && strcmp(k0, "solver") == 0)
            snprintf(j->info->solver, sizeof j->info->solver, "%.15s", buf);
        return 0;
    }
    if (j->end - j->s >= 4 && (memcmp(j->s, "null", 4) == 0 || memcmp(j->s, "true", 4) == 0)) {
        j->s += 4;
        return 0;
    }
    if (j->end - j->s >= 5 && memcmp(j->s, "false", 5) == 0) {
        j->s += 5;
        return 0;
    }
    x = strtod(j->s, &e); /* the buffer is NUL-terminated */
    if (e == j->s || e > j->end)
        return -1;
    j->s = e;
    if (pt && k1) {
        if (!strcmp(k1, "parameters")) pt->parameters = (size_t)x;
        else if (!strcmp(k1, "nonzero")) pt->nonzero = (size_t)x;
        else if (!strcmp(k1, "auc")) pt->auc = x;
        else if (!strcmp(k1, "one_minus_auc_pct")) pt->one_minus_auc_pct = x;
        else if (!strcmp(k1, "accuracy")) pt->accuracy = x;
        else if (!strcmp(k1, "ham_fp")) pt->fp = (size_t)x;
        else if (!strcmp(k1, "spam_fn")) pt->fn = (size_t)x;
        else if (!strcmp(k1, "bytes")) pt->bytes = (size_t)x;
    } else if (k0 && k1 && !strcmp(k0, "train") && !strcmp(k1, "examples")) {
        j->info->train_n = (size_t)x;
    } else if (k0 && k1 && !strcmp(k0, "test") && !strcmp(k1, "n")) {
        j->info->test_n = (size_t)x;
    } else if (k0 && !k1 && !strcmp(k0, "c")) {
        j->info->c = x;
    } else if (k0 && !k1 && !strcmp(k0, "threshold")) {
        j->info->threshold = x;
    }
    return 0;
}

static int jobject(jreader *j, int depth, const char *k0, point *pt)
{
    char key[64];

    j->s++;
    ws(j);
    if (j->s < j->end && *j->s == '}') {
        j->s++;
        return 0;
    }
    for (;;) {
        ws(j);
        if (jstring(j, key, sizeof key))
            return -1;
        ws(j);
        if (j->s >= j->end || *j->s++ != ':')
            return -1;
        ws(j);
        /* depth 0: key is k0; inside train/test or a point: key is k1 */
        if (jvalue(j, depth + 1, depth == 0 ? key : k0, depth == 0 ? NULL : key, pt))
            return -1;
        ws(j);
        if (j->s < j->end && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->end && *j->s == '}') {
            j->s++;
            return 0;
        }
        return -1;
    }
}

static int jarray(jreader *j, int depth, const char *k0)
{
    curve *c = depth == 1 && k0 ? (!strcmp(k0, "prune") ? j->pr : !strcmp(k0, "l1") ? j->l1
                                                                                   : NULL)
                                : NULL;

    j->s++;
    ws(j);
    if (j->s < j->end && *j->s == ']') {
        j->s++;
        return 0;
    }
    for (;;) {
        point *pt = NULL;
        ws(j);
        if (c && j->s < j->end && *j->s == '{' && !(pt = new_point(c))) {
            j->bad = 2;
            return -1;
        }
        if (jvalue(j, depth + 1, pt ? k0 : NULL, NULL, pt))
            return -1;
        ws(j);
        if (j->s < j->end && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->end && *j->s == ']') {
            j->s++;
            return 0;
        }
        return -1;
    }
}

static int jvalue(jreader *j, int depth, const char *k0, const char *k1, point *pt)
{
    if (depth > 16 || j->s >= j->end)
        return -1;
    if (*j->s == '{')
        return jobject(j, depth, k0, pt);
    if (*j->s == '[')
        return jarray(j, depth, k1 ? NULL : k0);
    return jscalar(j, k0, k1, pt);
}

/* The rows of `curve --format tsv`: path, size, parameters, nonzero, auc,
 * one_minus_auc_pct, accuracy, ham_fp, spam_fn, bytes. */
static int read_tsv(char *text, curve *pr, curve *l1)
{
    char *line, *next;

    for (line = text; line && *line; line = next) {
        char path[16], size[32];
        point *pt;
        curve *c;
        size_t par, nz, fp, fn, bytes;
        double auc, pct, acc;

        if ((next = strchr(line, '\n')))
            *next++ = '\0';
        if (strncmp(line, "path\t", 5) == 0 || !*line)
            continue;
        if (sscanf(line, "%15[^\t]\t%31[^\t]\t%zu\t%zu\t%lf\t%lf\t%lf\t%zu\t%zu\t%zu", path,
                   size, &par, &nz, &auc, &pct, &acc, &fp, &fn, &bytes) != 10)
            return -1;
        c = strcmp(path, "l1") == 0 ? l1 : pr;
        if (!(pt = new_point(c)))
            return -2;
        snprintf(pt->label, sizeof pt->label, "%.31s", size);
        pt->parameters = par;
        pt->nonzero = nz;
        pt->auc = auc;
        pt->one_minus_auc_pct = pct;
        pt->accuracy = acc;
        pt->fp = fp;
        pt->fn = fn;
        pt->bytes = bytes;
    }
    return 0;
}

int curve_read(const char *path, curve *pr, curve *l1, curve_info *info)
{
    char *text = NULL;
    size_t len;
    jreader j;
    int rc, r;

    memset(info, 0, sizeof *info);
    if ((rc = slurp_file(path, &text, &len)) != 0)
        return rc;
    memset(&j, 0, sizeof j);
    j.s = text;
    j.end = text + len;
    j.pr = pr;
    j.l1 = l1;
    j.info = info;
    ws(&j);
    if (j.s < j.end && *j.s == '{') {
        info->has_meta = 1;
        r = jvalue(&j, 0, NULL, NULL, NULL);
        if (r == 0) {
            ws(&j);
            r = j.s == j.end ? 0 : -1;
        }
        if (r && j.bad == 2)
            rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        else if (r)
            rc = runtime_error("%s: byte %zu: not the JSON of 'spamlr curve --format json'",
                               path, (size_t)(j.s - text));
    } else {
        r = read_tsv(text, pr, l1);
        if (r == -2)
            rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        else if (r)
            rc = runtime_error("%s: neither the JSON nor the TSV of 'spamlr curve'", path);
    }
    if (rc == 0 && pr->n + l1->n == 0)
        rc = runtime_error("%s: holds no curve points", path);
    free(text);
    return rc;
}
