/* inputs.c - the INPUT options shared by train, eval and predict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char input_help[] =
    "INPUT (repeatable, read in the order given; any file may be gzip-compressed,\n"
    "'-' is standard input):\n"
    "  --spam PATH        every message under PATH is spam: a file holding one\n"
    "                     message, or a directory (recursed, one message per file)\n"
    "  --ham PATH         the same for ham\n"
    "  --index FILE       lines 'spam PATH' or 'ham PATH' (PATH relative to FILE)\n"
    "  --libsvm FILE      lines '<label> <index>:<value> ...' as LIBLINEAR reads\n"
    "                     them (label +1/1 spam, -1/0 ham; values used as given)\n";

int input_take(input_list *l, int id, const char *path, input_kind positional)
{
    input_kind kind;

    switch (id) {
    case OPT_SPAM: kind = INPUT_SPAM; break;
    case OPT_HAM: kind = INPUT_HAM; break;
    case OPT_INDEX: kind = INPUT_INDEX; break;
    case OPT_LIBSVM: kind = INPUT_LIBSVM; break;
    default: kind = positional; break;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        input_item *p;

        if (cap > SIZE_MAX / sizeof *p || !(p = realloc(l->items, cap * sizeof *p)))
            return report_failure(SPAMLR_ENOMEM, NULL, NULL);
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n].kind = kind;
    l->items[l->n].path = path;
    l->n++;
    return 0;
}

/* An input that is not a message path (those are read in runs, below). */
static int read_one(const input_item *it, spamlr_dataset *ds, spamlr_diag *d)
{
    switch (it->kind) {
    case INPUT_INDEX: return spamlr_dataset_read_index(ds, it->path, d);
    case INPUT_LINES: return spamlr_dataset_read_lines(ds, it->path, d);
    case INPUT_LIBSVM: return spamlr_dataset_read_libsvm(ds, it->path, d);
    default: return SPAMLR_EINVAL;
    }
}

#define NOT_A_PATH 2 /* path_label of an index, lines or libsvm file */

/* The label of a message file or directory input, or NOT_A_PATH. */
static int path_label(const input_item *it)
{
    switch (it->kind) {
    case INPUT_SPAM: return SPAMLR_SPAM;
    case INPUT_HAM: return SPAMLR_HAM;
    case INPUT_UNLABELLED: return SPAMLR_UNLABELLED;
    default: return NOT_A_PATH;
    }
}

/* Reads the inputs in order: a run of message files and directories in
 * one spamlr_dataset_read_paths (on the dataset's threads, files asked
 * for ahead), the others one by one. */
int input_read_all(const input_list *l, spamlr_dataset *ds)
{
    const char **paths = NULL;
    int *labels = NULL, rc = 0;
    size_t i, j;

    if (l->n && (!(paths = malloc(l->n * sizeof *paths)) ||
                 !(labels = malloc(l->n * sizeof *labels)))) {
        free(paths);
        return report_failure(SPAMLR_ENOMEM, NULL, NULL);
    }
    spamlr_dataset_set_progress(ds, progress_report, NULL);
    for (i = 0; i < l->n && !rc; i = j) {
        spamlr_diag d = SPAMLR_DIAG_INIT;
        int err;

        for (j = i; j < l->n && path_label(&l->items[j]) != NOT_A_PATH; j++) {
            paths[j - i] = l->items[j].path;
            labels[j - i] = path_label(&l->items[j]);
        }
        if (j == i) { /* an index, lines or libsvm file */
            if ((err = read_one(&l->items[i], ds, &d)))
                rc = report_failure(err, &d, l->items[i].path);
            j = i + 1;
        } else if ((err = spamlr_dataset_read_paths(ds, labels, paths, j - i, &d))) {
            rc = report_failure(err, &d, NULL); /* (the diag names the path) */
        }
        if (!rc)
            report_diag_warning(&d);
    }
    spamlr_dataset_set_progress(ds, NULL, NULL);
    if (!rc)
        progress_end();
    free(paths);
    free(labels);
    return rc;
}

int input_has_labels(const input_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (l->items[i].kind != INPUT_UNLABELLED)
            return 1;
    return 0;
}

int keep_model_words(spamlr_dataset *ds, const spamlr_model *m, const input_list *l)
{
    size_t i;
    int rc;

    for (i = 0; i < l->n; i++)
        if (l->items[i].kind == INPUT_LIBSVM)
            return 0;
    if ((rc = spamlr_dataset_keep_model_words(ds, m)) != SPAMLR_OK)
        return report_failure(rc, NULL, NULL);
    return 0;
}

void input_free(input_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}
