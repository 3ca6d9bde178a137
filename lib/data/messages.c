/* messages.c - the message readers: one file holding a message or an mbox,
 * directories (recursed) and maildirs, and index files of "spam PATH" /
 * "ham PATH" lines. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "data/input.h"
#include "data/parallel.h"

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

/* The body of an mbox message starts at p (a line start): returns where
 * it ends, the next From_ line or end, and sets *escaped when one of its
 * lines is ">From " with one or more '>' (mboxrd), which must be
 * unescaped. Both start with "From", so one memchr for 'F' finds every
 * candidate (a memchr per line went through every line of every mail, 3 %
 * of a training run). */
static const char *body_end(const char *p, const char *end, int *escaped)
{
    const char *q = p, *s;

    *escaped = 0;
    if (from_line(p, end))
        return p;
    while (q < end && (q = memchr(q, 'F', (size_t)(end - q))) != NULL) {
        if (q > p && q[-1] == '\n' && from_line(q, end))
            return q;
        if (q > p && q[-1] == '>' && !*escaped && end - q >= 5 && memcmp(q, "From ", 5) == 0) {
            for (s = q - 1; s > p && s[-1] == '>'; s--)
                ;
            if (s == p || s[-1] == '\n')
                *escaped = 1;
        }
        q++;
    }
    return end;
}

static size_t count_lines(const char *p, const char *e)
{
    size_t n = 0;

    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL)
        p++, n++;
    return n;
}

/* Adds the messages of an mbox (buf starts with a From_ line): each runs
 * to the next From_ line; the From_ line itself is dropped and ">From "
 * (">>From " ...) in bodies loses one '>' (mboxrd). A file holding a single
 * message is named by its path, several by "path:line". */
static int read_mbox(spamlr_dataset *ds, int label, const char *path, const char *buf,
                     size_t len, spamlr_diag *d)
{
    const char *end = buf + len, *p = buf;
    long line = 1, start_line;
    int rc = SPAMLR_OK, single = -1, escaped;

    while (p < end) {
        const char *body = memchr(p, '\n', (size_t)(end - p)), *stop, *msg;
        size_t n = 0;

        start_line = line;
        body = body ? body + 1 : end;
        stop = body_end(body, end, &escaped);
        if (single < 0) /* the first message runs to the end: the only one */
            single = stop == end;
        if (!single)
            line += 1 + (long)count_lines(body, stop);
        if (!escaped) {
            msg = body; /* as it is in the file: no copy */
            n = (size_t)(stop - body);
        } else {
            /* copy, unescaping >From: a message is never longer than the
             * file; one buffer, the dataset's, kept from file to file */
            const char *q, *eol, *s;

            if ((rc = spamlr__grow((void **)&ds->mbox, &ds->mbox_cap, len + 1, 1)))
                return spamlr__diag(d, rc, path, 0, -1, "out of memory");
            for (q = body; q < stop; q = eol) {
                eol = memchr(q, '\n', (size_t)(stop - q));
                eol = eol ? eol + 1 : stop;
                for (s = q; s < eol && *s == '>'; s++)
                    ;
                if (s > q && eol - s >= 5 && memcmp(s, "From ", 5) == 0)
                    q++;
                memcpy(ds->mbox + n, q, (size_t)(eol - q));
                n += (size_t)(eol - q);
            }
            msg = ds->mbox;
        }
        if ((rc = spamlr__dataset_add_named(ds, label, msg, n, path, single ? 0 : start_line, 1,
                                            d)))
            return rc;
        p = stop;
    }
    return rc;
}

int spamlr__dataset_read_message_buffer(spamlr_dataset *ds, int label, const char *path,
                                       const char *buf, size_t len, spamlr_diag *d)
{
    if (from_line(buf, buf + len))
        return read_mbox(ds, label, path, buf, len, d);
    return spamlr__dataset_add_named(ds, label, buf, len, path, 0, 1, d);
}

static int read_dir(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d);

/* Reads the message file, mbox or directory at path. */
static int read_file_msg(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d)
{
    char *buf = NULL;
    size_t len;
    int rc, is_dir, own;

    /* into the dataset's buffer, kept from file to file */
    if ((rc = spamlr__slurp_reuse(path, &ds->rbuf, &buf, &len, &is_dir, &own, d)))
        return rc;
    if (is_dir)
        return read_dir(ds, label, path, d);
    rc = spamlr__dataset_read_message_buffer(ds, label, path, buf, len, d);
    if (own)
        free(buf);
    ds->in_bytes += len;
    if (!rc && !ds->prog_list)
        rc = spamlr__progress_read(ds, path, d);
    return rc;
}

/* A directory entry: its name and readdir's d_type (DT_UNKNOWN when the
 * file system does not say). */
typedef struct dir_entry {
    char *name;
    unsigned char type;
} dir_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

static int has_entry(const dir_entry *v, size_t n, const char *name)
{
    dir_entry key;

    key.name = (char *)(uintptr_t)name;
    key.type = DT_UNKNOWN;
    return bsearch(&key, v, n, sizeof *v, cmp_entry) != NULL;
}

/* Lists the message files under directory `path` (recursed, in name
 * order, dot-files skipped, a maildir's tmp/ skipped) into l. Regular
 * files and directories (symbolic links followed); readdir's d_type says
 * which an entry is, and stat only where it cannot (a link, or a file
 * system that does not tell). */
static int collect_dir(spamlr__items *l, int label, const char *path, int depth,
                       spamlr_diag *d)
{
    DIR *dir = NULL;
    struct dirent *e;
    dir_entry *names = NULL;
    char *full = NULL;
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
            !(names[n].name = strdup(e->d_name))) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory listing directory");
            goto out;
        }
        names[n++].type = e->d_type;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_entry);
    maildir = has_entry(names, n, "cur") && has_entry(names, n, "new");
    for (i = 0; i < n; i++) {
        size_t flen = strlen(path) + strlen(names[i].name) + 2;
        int is_dir = names[i].type == DT_DIR, is_reg = names[i].type == DT_REG;

        if (maildir && strcmp(names[i].name, "tmp") == 0)
            continue; /* a maildir's tmp/ holds mails still being delivered */
        free(full);
        if (!(full = malloc(flen))) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, 0, -1, "out of memory");
            goto out;
        }
        snprintf(full, flen, "%s/%s", path, names[i].name);
        if (names[i].type == DT_LNK || names[i].type == DT_UNKNOWN) {
            struct stat st;

            if (stat(full, &st) != 0) {
                rc = spamlr__diag(d, SPAMLR_EIO, full, 0, -1, "cannot open: %s",
                                  strerror(errno));
                goto out;
            }
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir)
            rc = collect_dir(l, label, full, depth + 1, d);
        else if (is_reg && (rc = spamlr__items_add(l, label, full, 0)))
            rc = spamlr__diag(d, rc, path, 0, -1, "out of memory listing directory");
        if (rc)
            goto out;
    }
out:
    for (i = 0; i < n; i++)
        free(names[i].name);
    free(names);
    free(full);
    closedir(dir);
    return rc;
}

/* Reads directory `path`: its files are listed first, then read (on
 * several threads when there are many); a listing error comes after the
 * files listed before it were read, as a one-by-one walk would give. */
static int read_dir(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d)
{
    spamlr__items l;
    spamlr_diag ld = SPAMLR_DIAG_INIT;
    int lrc, rc;

    memset(&l, 0, sizeof l);
    spamlr__diag_clear(&ld);
    lrc = collect_dir(&l, label, path, 0, &ld);
    rc = spamlr__dataset_read_items(ds, &l, NULL, spamlr_dataset_read_path, d);
    spamlr__items_free(&l);
    if (!rc && lrc)
        spamlr__out_copy(d, &ld, sizeof ld);
    return rc ? rc : lrc;
}

int spamlr_dataset_read_path(spamlr_dataset *ds, int label, const char *path, spamlr_diag *d)
{
    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || !path || (label != SPAMLR_SPAM && label != SPAMLR_HAM && label != SPAMLR_UNLABELLED))
        return SPAMLR_EINVAL;
    return read_file_msg(ds, label, path, d);
}

static int collect_index(void *ctx, int label, const char *path, long line, spamlr_diag *d)
{
    (void)d;
    return spamlr__items_add(ctx, label, path, line);
}

int spamlr_dataset_read_index(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    spamlr__items l;
    spamlr_diag ld = SPAMLR_DIAG_INIT;
    char *buf = NULL;
    size_t len;
    int rc, lrc;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || !path)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__slurp(path, &buf, &len, d)))
        return rc;
    /* the files it names are listed first, then read (on several threads
     * when there are many); an error in a line of the index comes after
     * the files of the lines before it were read */
    memset(&l, 0, sizeof l);
    spamlr__diag_clear(&ld);
    lrc = spamlr__dataset_read_index_buffer(path, buf, len, collect_index, &l, &ld);
    free(buf);
    rc = spamlr__dataset_read_items(ds, &l, path, spamlr_dataset_read_path, d);
    spamlr__items_free(&l);
    if (!rc && lrc)
        spamlr__out_copy(d, &ld, sizeof ld);
    return rc ? rc : lrc;
}

int spamlr_dataset_read_paths(spamlr_dataset *ds, const int *labels, const char *const *paths,
                              size_t n, spamlr_diag *d)
{
    spamlr__items l;
    size_t i;
    int rc = SPAMLR_OK;

    if (spamlr__diag_bad(d))
        return SPAMLR_EINVAL;
    spamlr__diag_clear(d);
    if (!ds || (n && !paths))
        return SPAMLR_EINVAL;
    for (i = 0; i < n; i++)
        if (!paths[i] || (labels && labels[i] != SPAMLR_SPAM && labels[i] != SPAMLR_HAM &&
                          labels[i] != SPAMLR_UNLABELLED))
            return SPAMLR_EINVAL;
    memset(&l, 0, sizeof l);
    for (i = 0; i < n && !rc; i++)
        rc = spamlr__items_add(&l, labels ? labels[i] : SPAMLR_UNLABELLED, paths[i], 0);
    if (rc)
        spamlr__diag(d, rc, NULL, 0, -1, "out of memory");
    else
        rc = spamlr__dataset_read_items(ds, &l, NULL, spamlr_dataset_read_path, d);
    spamlr__items_free(&l);
    return rc;
}

int spamlr__dataset_read_index_buffer(const char *path, const char *buf, size_t len,
                                      spamlr__index_fn each, void *ctx, spamlr_diag *d)
{
    char *full = NULL;
    const char *p, *end, *slash;
    size_t dirlen, full_cap = 0;
    long line = 0;
    int rc = SPAMLR_OK;

    slash = strrchr(path, '/');
    dirlen = slash && strcmp(path, "-") ? (size_t)(slash - path) + 1 : 0;
    for (p = buf + spamlr__bom_len(buf, len), end = buf + len; p < end;) {
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
        label = spamlr__parse_label(p, (size_t)(sp - p));
        for (f = sp; f < p + n && (*f == ' ' || *f == '\t'); f++)
            ;
        fn = (size_t)(p + n - f);
        if (label < -1 || fn == 0) {
            rc = spamlr__diag(d, SPAMLR_EPARSE, path, line, (long long)(p - buf),
                              fn == 0 ? "expected \"spam PATH\" or \"ham PATH\""
                                      : "unknown label (expected spam, ham, 1 or 0)");
            goto out;
        }
        /* (one buffer for every line's path, grown as a longer one comes) */
        if (spamlr__grow((void **)&full, &full_cap, dirlen + fn + 1, 1)) {
            rc = spamlr__diag(d, SPAMLR_ENOMEM, path, line, -1, "out of memory");
            goto out;
        }
        if (*f == '/')
            dirlen = 0;
        memcpy(full, path, *f == '/' ? 0 : dirlen);
        memcpy(full + (*f == '/' ? 0 : dirlen), f, fn);
        full[(*f == '/' ? 0 : dirlen) + fn] = '\0';
        if ((rc = each(ctx, label, full, line, d))) {
            spamlr__index_error(d, rc, path, line, full, d ? d->message : "");
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
