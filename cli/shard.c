/* shard.c - reading every Nth record of the inputs (train --mpi). Each
 * process copies its lines of an index or TSV file into a temporary file
 * (index paths made absolute) and reads that with the library's reader. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shard.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether an index line is a record (not blank, not a comment). */
static int index_record(const char *line)
{
    line += strspn(line, " \t\r\n");
    return *line && *line != '#';
}

/* Writes this shard's records of `path` to the open file `out`; *r counts
 * records over all inputs. Index paths are made absolute against the
 * index file's directory. */
static int copy_shard(const input_item *it, FILE *out, size_t *r, int shard, int nshard)
{
    FILE *in = fopen(it->path, "r");
    char *line = NULL, *dir = NULL, *slash;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;

    if (!in)
        return runtime_error("%s: cannot open: %s", it->path, strerror(errno));
    /* the temporary copy lives elsewhere: relative paths need an
     * absolute directory */
    if (!(dir = realpath(it->path, NULL))) {
        fclose(in);
        return runtime_error("%s: %s", it->path, strerror(errno));
    }
    slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    while ((len = getline(&line, &cap, in)) > 0) {
        int keep;

        if (it->kind == INPUT_INDEX ? !index_record(line) : line[strspn(line, "\r\n")] == '\0')
            continue;
        keep = (int)(*r % (size_t)nshard) == shard;
        ++*r;
        if (!keep)
            continue;
        if (it->kind == INPUT_INDEX) {
            /* "label PATH": PATH relative to the index file */
            char *p = line + strspn(line, " \t");
            size_t lab = strcspn(p, " \t");
            char *path = p + lab + strspn(p + lab, " \t");

            if (*path != '/' && *dir) {
                fprintf(out, "%.*s %s%s", (int)lab, p, dir, path);
                if (line[len - 1] != '\n')
                    fputc('\n', out);
                continue;
            }
        }
        fputs(line, out);
        if (line[len - 1] != '\n')
            fputc('\n', out);
    }
    if (ferror(in))
        rc = runtime_error("%s: read error", it->path);
    fclose(in);
    free(line);
    free(dir);
    return rc;
}

static int read_shard(const input_item *it, spamlr_dataset *ds, size_t *r, int shard,
                      int nshard)
{
    char tmp[] = "/tmp/spamlr-shard-XXXXXX";
    spamlr_diag d = SPAMLR_DIAG_INIT;
    FILE *out;
    int fd, err, rc;

    if (strcmp(it->path, "-") == 0 || ends_with(it->path, ".gz") || ends_with(it->path, ".csv"))
        return runtime_error("%s: --mpi splits plain index and label<TAB>text files by "
                             "line; not standard input, .gz or .csv", it->path);
    if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return runtime_error("cannot create a temporary file: %s", strerror(errno));
    }
    rc = copy_shard(it, out, r, shard, nshard);
    if (fclose(out) != 0 && rc == 0)
        rc = runtime_error("cannot write a temporary file: %s", strerror(errno));
    if (rc == 0) {
        d = (spamlr_diag)SPAMLR_DIAG_INIT;
        err = it->kind == INPUT_INDEX ? spamlr_dataset_read_index(ds, tmp, &d)
                                      : spamlr_dataset_read_lines(ds, tmp, &d);
        if (err != SPAMLR_OK) {
            /* name the user's file, not the temporary copy */
            if (strcmp(d.path, tmp) == 0 || !d.path[0]) {
                snprintf(d.path, sizeof d.path, "%s", it->path);
                d.line = 0;
                d.offset = -1;
            }
            rc = report_failure(err, &d, it->path);
        } else {
            report_diag_warning(&d);
        }
    }
    unlink(tmp);
    return rc;
}

int shard_read_all(const input_list *l, spamlr_dataset *ds, int shard, int nshard)
{
    size_t i, r = 0;
    int rc;

    for (i = 0; i < l->n; i++) {
        if (l->items[i].kind != INPUT_INDEX && l->items[i].kind != INPUT_LINES)
            return runtime_error("%s: with --mpi, give --index files or label<TAB>text "
                                 "files (they are split by line between the processes)",
                                 l->items[i].path);
        if ((rc = read_shard(&l->items[i], ds, &r, shard, nshard)))
            return rc;
    }
    return 0;
}
