/* parallel.h - reading a list of message files on several threads. */
#ifndef SPAMLR_PARALLEL_H
#define SPAMLR_PARALLEL_H

#include "data/dataset.h"

/* A message file (or directory, or mbox) to read with its label; `line`
 * is its line in the index file that named it (0 when none). */
typedef struct spamlr__item {
    size_t path;            /* its path: at this offset in the list's chars */
    int label;
    long line;
} spamlr__item;

/* The items, their paths NUL-terminated one after another in chars (one
 * growing buffer, not an allocation a path). */
typedef struct spamlr__items {
    spamlr__item *v;
    size_t n, cap;
    char *chars;
    size_t chars_len, chars_cap;
} spamlr__items;

static inline const char *spamlr__item_path(const spamlr__items *l, size_t i)
{
    return l->chars + l->v[i].path;
}

/* Appends a copy of path. Returns 0 or SPAMLR_ENOMEM. */
int spamlr__items_add(spamlr__items *l, int label, const char *path, long line);
void spamlr__items_free(spamlr__items *l);

/* How one item is read: spamlr_dataset_read_path (given by the caller, so
 * that this file needs no reader). */
typedef int (*spamlr__read_fn)(spamlr_dataset *ds, int label, const char *path,
                               spamlr_diag *d);

/* Reads every item into ds with `read`, in list
 * order, on up to ds->threads threads (0 = every core), with the same
 * result for any count. Stops at the first item (in list order) that
 * fails, keeping the rows read before it, and returns its error: named by
 * the index file and line when `index` is given ("index:line: path:
 * message"), else as read_path names it. */
int spamlr__dataset_read_items(spamlr_dataset *ds, const spamlr__items *l, const char *index,
                               spamlr__read_fn read, spamlr_diag *d);

/* An error of reading `file`, named at line `line` of index file `index`:
 * "file: message". Returns rc. */
int spamlr__index_error(spamlr_diag *d, int rc, const char *index, long line, const char *file,
                        const char *message);

#endif
