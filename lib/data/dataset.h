/* dataset.h - tokenised messages: rows of (token id, count) pairs in the
 * dataset's own vocabulary, plus labels and names. */
#ifndef SPAMLR_DATASET_H
#define SPAMLR_DATASET_H

#include "common/common.h"
#include "common/buf.h"
#include "data/input.h"
#include "text/vocab.h"

#define SPAMLR__PEND 32

struct spamlr_dataset {
    spamlr_text_opts opts;
    spamlr__vocab vocab;     /* count[id] = rows holding the token */
    size_t rows, rows_cap;
    signed char *labels;
    size_t *ptr;             /* rows + 1 offsets into ids/cnt */
    uint32_t *ids;           /* ascending within a row (but see unsorted) */
    uint32_t *cnt;           /* (NULL with val: value rows have no counts) */
    float *val;              /* NULL, or explicit feature values (libsvm
                                rows), used as they are: no weighting, no
                                normalisation. A dataset holds either
                                message rows or value rows, never both. */
    size_t nnz, nnz_cap;
    size_t *name_off;        /* row -> offset into names */
    char *names;
    size_t names_len, names_cap;
    /* building the current row: mark[id].stamp == rows + 1 when id is in
     * it, at entry mark[id].pos of the row (side by side: one fetch) */
    struct spamlr__row_mark {
        uint32_t stamp, pos;
    } *mark;
    size_t stamp_cap;
    /* tokens not yet looked up (SPAMLR__PEND of them at most): their bytes
     * in pend_buf, hashed, their slots prefetched, so that the lookups of
     * a batch wait for memory together rather than one after another */
    char *pend_buf;
    size_t pend_len, pend_cap;
    unsigned npend;
    uint32_t pend_off[SPAMLR__PEND], pend_n[SPAMLR__PEND], pend_h[SPAMLR__PEND];
    uint64_t pend_key[SPAMLR__PEND]; /* their first 8 bytes (spamlr__slot_key) */
    /* scratch of row_end's sort: 2 x the longest row's (id << 32 | count) */
    uint64_t *sortbuf;
    size_t sort_cap;
    int building_err;        /* first error met inside the token callback */
    /* when set, every message read is given to on_message (raw bytes)
     * instead of becoming a row (addresses.c collects addresses so) */
    int (*on_message)(void *ctx, const char *msg, size_t len);
    void *on_ctx;
    spamlr_contacts *contacts; /* owned: the parser's contact list, or NULL */
    const spamlr_contacts *contacts_ref; /* borrowed instead (a reading
                                worker's dataset uses its target's) */
    unsigned threads;        /* readers of many files: 0 = every core */
    int unsorted;            /* rows keep their ids in first-seen order (a
                                parallel reader's chunk, sorted when merged) */
    /* Where tokens are looked up: the dataset's own vocabulary, or, closed
     * (spamlr__dataset_close), a parallel reader's target's for its
     * chunks. Closed, a token absent from look is dropped and nothing is
     * added to it; a row's entries go in the order of look's ids, the
     * order spamlr_predict_dataset sums a row in. */
    int closed;
    const spamlr__vocab *look;
    int lent;                /* mark is a reader thread's (lend) */
    spamlr__buf mtext;       /* decoded text of the message being added */
    struct spamlr__mime_state *mstate; /* the MIME parser's, kept between
                                messages (spamlr__message_tokens) */
    char *mbox;              /* a message of an mbox file, unescaped */
    size_t mbox_cap;
    spamlr__rbuf rbuf;       /* the file being read (spamlr__slurp_reuse) */
    /* progress (spamlr_dataset_set_progress): reported on the calling
     * thread; other threads' rows and bytes not yet in ds are added */
    spamlr_progress_fn prog_fn;
    void *prog_ctx;
    uint64_t in_bytes;       /* bytes read into this dataset */
    size_t other_rows;       /* read on other threads, not yet appended */
    uint64_t other_bytes;
    size_t prog_files, prog_total; /* of the list being read */
    int prog_list;           /* a list (directory, index) is being read */
};

/* Calls the progress function of ds (if any) with stage READ. Returns 0,
 * or SPAMLR_ECANCELED when it asked to stop (d, when not NULL, then says
 * so, naming path). */
int spamlr__progress_read(spamlr_dataset *ds, const char *path, spamlr_diag *d);

/* Opens a row; feeds text to it (may be called several times); closes it. */
int spamlr__dataset_row_begin(spamlr_dataset *ds);
int spamlr__dataset_row_text(spamlr_dataset *ds, const char *text, size_t len);
/* Feeds a raw e-mail to the current row: its header and structure tokens
 * and the tokens of its decoded text. */
int spamlr__dataset_row_message(spamlr_dataset *ds, const char *msg, size_t len);
int spamlr__dataset_row_end(spamlr_dataset *ds, int label, const char *name);
/* Closes the row of entries ptr[rows]..nnz as they are (no sorting, no
 * token counts): label, a copy of name, ptr. The caller has filled the
 * entry arrays. */
int spamlr__dataset_push_row(spamlr_dataset *ds, int label, const char *name);

/* Takes the dataset's entry arrays (ids and counts, nnz_cap entries each;
 * the caller frees them) and leaves it with its vocabulary and no rows, as
 * if none had been added (word counts 0), ready for more
 * (spamlr_train_consume's matrix is made in them). */
void spamlr__dataset_take_rows(spamlr_dataset *ds, uint32_t **ids, uint32_t **cnt);

/* Appends src's rows to ds (as if src's messages were read into ds): src's
 * tokens are interned into ds's vocabulary in src's id order, each row is
 * remapped, sorted and closed with its label and name. Message rows only.
 * On an error ds keeps the rows appended so far. */
int spamlr__dataset_append(spamlr_dataset *ds, const spamlr_dataset *src);

/* Closes ds, which holds no rows yet, to the words of look (NULL: its own
 * vocabulary, which must then hold them; else a closed dataset's
 * vocabulary, which must outlive ds: a parallel reader's chunk). 0 or
 * SPAMLR_ENOMEM / SPAMLR_EINVAL. */
int spamlr__dataset_close(spamlr_dataset *ds, const spamlr__vocab *look);

/* For a parallel reader's closed chunks: ds (empty, before
 * spamlr__dataset_close) uses mark (n entries) instead of an array of its
 * own, zeroed, as long as the look-up vocabulary's n ids;
 * spamlr__dataset_unlend gives it back zeroed again (only the entries its
 * rows set are cleared), keeping ds's rows. */
void spamlr__dataset_lend(spamlr_dataset *ds, struct spamlr__row_mark *mark, size_t n);
void spamlr__dataset_unlend(spamlr_dataset *ds);

/* For the readers (dataset.c). */
int spamlr__parse_label(const char *s, size_t n);
int spamlr__dataset_add_named(spamlr_dataset *ds, int label, const char *text, size_t len,
                              const char *path, long line, int as_message, spamlr_diag *d);

/* The readers' in-memory forms (for fuzzing and tests): buf[0..len) holds
 * the file's bytes (need not be NUL-terminated), path names it in
 * diagnostics (and, for lines, ".csv" selects CSV; for an index, paths are
 * relative to its directory). The index form calls fn(ctx, label, PATH,
 * line, d) for every "label PATH" line instead of reading PATH; an error
 * from fn stops it and is named by index:line. */
typedef int (*spamlr__index_fn)(void *ctx, int label, const char *path, long line,
                                spamlr_diag *d);
int spamlr__dataset_read_lines_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                      size_t len, spamlr_diag *d);
int spamlr__dataset_read_message_buffer(spamlr_dataset *ds, int label, const char *path,
                                        const char *buf, size_t len, spamlr_diag *d);
int spamlr__dataset_read_index_buffer(const char *path, const char *buf, size_t len,
                                      spamlr__index_fn fn, void *ctx, spamlr_diag *d);

int spamlr__dataset_read_libsvm_buffer(spamlr_dataset *ds, const char *path, const char *buf,
                                       size_t len, spamlr_diag *d);

#endif
