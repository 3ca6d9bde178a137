/* dataset.c - the tokenised dataset: rows of (token id, count) pairs with
 * labels and names, built from text, raw messages or tokens. The readers
 * that fill it from files are input.c, lines.c, messages.c and libsvm.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/dataset.h"
#include "mail/contacts.h"
#include "mail/message.h"
#include "text/tokenize.h"

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
    /* a struct of an older version: it is now the current one (no field
     * was added to it since version 1; idf_power took a reserved slot that
     * spamlr_text_opts_init zeroed: 0 = the default) */
    ds->opts.version = SPAMLR_OPTS_VERSION;
    ds->opts.idf_power = spamlr__idf_power(ds->opts.idf_power);
    ds->rbuf.pre = -1;
    spamlr__vocab_init(&ds->vocab);
    ds->look = &ds->vocab;
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
    if (!ds->lent)
        free(ds->mark);
    free(ds->sortbuf);
    free(ds->pend_buf);
    spamlr__buf_free(&ds->mtext);
    spamlr__mime_state_free(ds->mstate);
    free(ds->mbox);
    spamlr__rbuf_free(&ds->rbuf);
    spamlr_contacts_free(ds->contacts);
    free(ds);
}

void spamlr__dataset_take_rows(spamlr_dataset *ds, uint32_t **ids, uint32_t **cnt)
{
    *ids = ds->ids;
    *cnt = ds->cnt;
    ds->ids = NULL;
    ds->cnt = NULL;
    ds->nnz = ds->nnz_cap = 0;
    ds->rows = 0;
    ds->ptr[0] = 0;
    ds->names_len = 0;
    /* a stamp marks an id as in the row being built: none is now */
    free(ds->mark);
    ds->mark = NULL;
    ds->stamp_cap = 0;
    if (ds->vocab.n)
        memset(ds->vocab.count, 0, ds->vocab.n * sizeof *ds->vocab.count);
}

int spamlr_dataset_set_contacts(spamlr_dataset *ds, const spamlr_contacts *c)
{
    spamlr_contacts *copy = NULL;
    int rc;

    if (!ds)
        return SPAMLR_EINVAL;
    if ((rc = spamlr__contacts_copy(&copy, c)))
        return rc;
    spamlr_contacts_free(ds->contacts);
    ds->contacts = copy;
    ds->contacts_ref = NULL;
    return SPAMLR_OK;
}

size_t spamlr_dataset_rows(const spamlr_dataset *ds) { return ds->rows; }

void spamlr_dataset_set_threads(spamlr_dataset *ds, unsigned threads)
{
    if (ds)
        ds->threads = threads;
}
size_t spamlr_dataset_vocab_size(const spamlr_dataset *ds) { return ds->vocab.n; }

void spamlr_dataset_set_progress(spamlr_dataset *ds, spamlr_progress_fn fn, void *ctx)
{
    if (!ds)
        return;
    ds->prog_fn = fn;
    ds->prog_ctx = ctx;
}

int spamlr__progress_read(spamlr_dataset *ds, const char *path, spamlr_diag *d)
{
    spamlr_progress p;

    if (!ds->prog_fn)
        return SPAMLR_OK;
    memset(&p, 0, sizeof p);
    p.stage = SPAMLR_PROGRESS_READ;
    p.done = ds->rows + ds->other_rows;
    p.bytes = ds->in_bytes + ds->other_bytes;
    p.total = ds->prog_list ? ds->prog_total : 0;
    p.files = ds->prog_list ? ds->prog_files : 0;
    if (ds->prog_fn(ds->prog_ctx, &p) == 0)
        return SPAMLR_OK;
    return spamlr__diag(d, SPAMLR_ECANCELED, path, 0, -1, "canceled while reading");
}

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
    ds->npend = 0;
    ds->pend_len = 0;
    if (ds->val)
        return SPAMLR_EINVAL; /* value rows (libsvm) and messages do not mix */
    if (ds->rows >= UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    return SPAMLR_OK;
}

int spamlr__dataset_close(spamlr_dataset *ds, const spamlr__vocab *look)
{
    if (ds->rows || ds->val || ds->closed)
        return SPAMLR_EINVAL;
    ds->closed = 1;
    ds->look = look ? look : &ds->vocab;
    return SPAMLR_OK;
}

void spamlr__dataset_lend(spamlr_dataset *ds, struct spamlr__row_mark *mark, size_t n)
{
    ds->mark = mark;
    ds->stamp_cap = n;
    ds->lent = 1;
}

void spamlr__dataset_unlend(spamlr_dataset *ds)
{
    size_t i;

    if (!ds->lent)
        return;
    for (i = 0; i < ds->nnz; i++)
        ds->mark[ds->ids[i]].stamp = 0;
    ds->mark = NULL;
    ds->stamp_cap = 0;
    ds->lent = 0;
}

/* Makes mark cover every id of the vocabulary. */
static int cover_ids(spamlr_dataset *ds)
{
    size_t cap, n = ds->look->n;
    int rc;

    if (n <= ds->stamp_cap)
        return SPAMLR_OK;
    if (!ds->mark) {
        /* the first: calloc's zero pages, faulted in only where the ids
         * fall, instead of clearing every page (a closed dataset's marks
         * cover the model's words: 330 KB for 42,000, of which one
         * message touches a part; each page faulted costs microseconds) */
        if (!(ds->mark = calloc(n, sizeof *ds->mark)))
            return SPAMLR_ENOMEM;
        ds->stamp_cap = n;
        return SPAMLR_OK;
    }
    cap = ds->stamp_cap;
    if ((rc = spamlr__grow((void **)&ds->mark, &cap, n, sizeof *ds->mark)))
        return rc;
    memset(ds->mark + ds->stamp_cap, 0, (cap - ds->stamp_cap) * sizeof *ds->mark);
    ds->stamp_cap = cap;
    return SPAMLR_OK;
}

/* Counts token `id` in the row being built (inline in both flushes: it
 * runs for every token). */
static SPAMLR__INLINE int count_id(spamlr_dataset *ds, uint32_t id)
{
    uint32_t row = (uint32_t)ds->rows + 1;
    int rc;

    if (ds->mark[id].stamp == row) {
        ds->cnt[ds->ptr[ds->rows] + ds->mark[id].pos]++;
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
    ds->mark[id].stamp = row;
    ds->mark[id].pos = (uint32_t)(ds->nnz - ds->ptr[ds->rows]);
    ds->ids[ds->nnz] = id;
    ds->cnt[ds->nnz] = 1;
    ds->nnz++;
    return SPAMLR_OK;
}

/* Looks up the pending tokens, in order, and counts them in the row. */
static int flush_open(spamlr_dataset *ds, unsigned n)
{
    uint32_t id[SPAMLR__PEND];
    unsigned i;
    int rc = SPAMLR_OK;

    for (i = 0; i < n; i++) {
        if ((rc = spamlr__vocab_intern_key(&ds->vocab, ds->pend_buf + ds->pend_off[i],
                                           ds->pend_n[i], ds->pend_h[i], ds->pend_key[i], &id[i],
                                           NULL)))
            return rc;
#if defined(__GNUC__)
        if (id[i] < ds->stamp_cap)
            __builtin_prefetch(&ds->mark[id[i]]);
#endif
    }
    if ((rc = cover_ids(ds)))
        return rc;
    for (i = 0; i < n && !rc; i++)
        rc = count_id(ds, id[i]);
    return rc;
}

/* The same for a closed dataset: a token absent from look is dropped. */
static int flush_closed(spamlr_dataset *ds, unsigned n)
{
    const spamlr__vocab *v = ds->look;
    uint32_t id[SPAMLR__PEND];
    unsigned i, k = 0;
    int rc = SPAMLR_OK;

    for (i = 0; i < n; i++) {
        const char *s = ds->pend_buf + ds->pend_off[i];
        size_t slot;
        int64_t e = v->cap ? spamlr__vocab_lookup_key(v, s, ds->pend_n[i], ds->pend_h[i],
                                                      ds->pend_key[i], &slot)
                           : spamlr__vocab_find(v, s, ds->pend_n[i]);

        if (e >= 0)
            id[k++] = (uint32_t)e;
    }
    if ((rc = cover_ids(ds)))
        return rc;
    for (i = 0; i < k && !rc; i++)
        rc = count_id(ds, id[i]);
    return rc;
}

static int flush_pending(spamlr_dataset *ds)
{
    unsigned n = ds->npend;

    ds->npend = 0;
    ds->pend_len = 0;
    return ds->closed ? flush_closed(ds, n) : flush_open(ds, n);
}

/* Adds a token to the row being built (looked up with the batch it
 * joins). The hash of a token of up to 8 bytes comes from its slot key,
 * and its bytes are stored as that key (the bytes after it are free); the
 * bytes go last, since stores through a char pointer make the compiler
 * read every field of ds again. */
static inline int row_token(spamlr_dataset *ds, const char *tok, size_t len)
{
    const spamlr__vocab *look = ds->look; /* the table it is looked up in */
    uint64_t key = spamlr__slot_key(tok, len);
    uint32_t h = len <= 8 ? spamlr__vocab_hash_key8(look, key, len)
                          : spamlr__vocab_hash(look, tok, len);
    size_t at = ds->pend_len;
    unsigned k = ds->npend;
    char *buf;
    int rc;

    if (len > UINT32_MAX - 1)
        return SPAMLR_ELIMIT;
    if (at + len + 8 > ds->pend_cap &&
        (rc = spamlr__grow((void **)&ds->pend_buf, &ds->pend_cap, at + len + 8, 1)))
        return rc;
    buf = ds->pend_buf + at;
    spamlr__vocab_prefetch(look, h);
    ds->pend_off[k] = (uint32_t)at;
    ds->pend_n[k] = (uint32_t)len;
    ds->pend_h[k] = h;
    ds->pend_key[k] = key;
    ds->pend_len = at + len;
    ds->npend = k + 1;
    if (len <= 8)
        memcpy(buf, &key, 8);
    else
        spamlr__copy_short(buf, tok, len);
    if (k + 1 == SPAMLR__PEND)
        return flush_pending(ds);
    return SPAMLR_OK;
}

static int token_cb(void *ctx, const char *tok, size_t len)
{
    spamlr_dataset *ds = ctx;
    int rc = row_token(ds, tok, len);

    if (rc) {
        ds->building_err = rc;
        return 1;
    }
    return 0;
}

int spamlr__dataset_row_text(spamlr_dataset *ds, const char *text, size_t len)
{
    int rc = spamlr__message_tokens(&ds->mstate, &ds->opts, NULL, 0, text, len, NULL, token_cb,
                                    ds, &ds->building_err);

    return rc ? rc : ds->building_err;
}

int spamlr__dataset_row_message(spamlr_dataset *ds, const char *msg, size_t len)
{
    int rc = spamlr__message_tokens(&ds->mstate, &ds->opts,
                                    ds->contacts ? ds->contacts : ds->contacts_ref, 1,
                                    msg, len, &ds->mtext, token_cb, ds, &ds->building_err);

    return rc ? rc : ds->building_err;
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

/* Drops the half-built row at start: its entries, and its marks (a
 * later row of the same number must not find them). */
static void drop_row(spamlr_dataset *ds, size_t start)
{
    size_t i;

    for (i = start; i < ds->nnz; i++)
        if (ds->ids[i] < ds->stamp_cap)
            ds->mark[ds->ids[i]].stamp = 0;
    ds->nnz = start;
}

/* Sorts the row of n entries at start by id, keeping each count with its
 * id (unless they already ascend). */
static int sort_row(spamlr_dataset *ds, size_t start, size_t n)
{
    uint64_t *k;
    size_t i;
    int rc;

    for (i = 1; i < n && ds->ids[start + i - 1] < ds->ids[start + i]; i++)
        ;
    if (n < 2 || i == n)
        return SPAMLR_OK;
    if (2 * n > ds->sort_cap) {
        size_t cap = ds->sort_cap;
        if ((rc = spamlr__grow((void **)&ds->sortbuf, &cap, 2 * n, sizeof *ds->sortbuf)))
            return rc;
        ds->sort_cap = cap;
    }
    for (i = 0; i < n; i++)
        ds->sortbuf[i] = (uint64_t)ds->ids[start + i] << 32 | ds->cnt[start + i];
    k = spamlr__sort_keys(ds->sortbuf, ds->sortbuf + n, n);
    for (i = 0; i < n; i++) {
        ds->ids[start + i] = (uint32_t)(k[i] >> 32);
        ds->cnt[start + i] = (uint32_t)k[i];
    }
    return SPAMLR_OK;
}

int spamlr__dataset_row_end(spamlr_dataset *ds, int label, const char *name)
{
    size_t start = ds->ptr[ds->rows], n, i;
    int rc;

    if (!ds->building_err && ds->npend && (rc = flush_pending(ds)))
        ds->building_err = rc;
    ds->npend = 0;
    if (ds->building_err) {
        drop_row(ds, start);
        return ds->building_err;
    }
    n = ds->nnz - start;
    /* sort the row's entries by id (closed: the ids of look, so that a
     * kept dataset's rows are in the order spamlr_predict_dataset sums) */
    if (!ds->unsorted && (rc = sort_row(ds, start, n)))
        goto fail;
    if ((rc = spamlr__dataset_push_row(ds, label, name)))
        goto fail;
    /* (a chunk's words are counted in its target, when appended) */
    if (ds->look == &ds->vocab)
        for (i = start; i < ds->nnz; i++)
            ds->vocab.count[ds->ids[i]]++;
    return SPAMLR_OK;
fail:
    drop_row(ds, start);
    return rc;
}

#define MERGE_AHEAD 16 /* words whose slots are fetched ahead of the one merged */

int spamlr__dataset_append(spamlr_dataset *ds, const spamlr_dataset *src)
{
    uint32_t *map = NULL;
    size_t r, i;
    int rc = SPAMLR_OK;

    if (src->val || ds->val || src->closed != ds->closed ||
        (src->closed && src->look != ds->look))
        return SPAMLR_EINVAL;
    /* (a closed chunk's ids are its target's already) */
    if (!src->closed && src->vocab.n && !(map = malloc(src->vocab.n * sizeof *map)))
        return SPAMLR_ENOMEM;
    /* src's ids are in its first-seen order, so interning them in id order
     * gives the ids reading src's messages into ds would have given. With
     * the same seed (a chunk of the parallel reader) src's hashes hold in
     * ds's table: no hashing, and the slots are prefetched ahead. */
    for (i = 0; !src->closed && i < src->vocab.n; i++) {
        const char *w = spamlr__vocab_str(&src->vocab, (uint32_t)i);

        if (src->vocab.seed != ds->vocab.seed)
            rc = spamlr__vocab_intern(&ds->vocab, w, src->vocab.len[i], &map[i], NULL);
        else {
            if (i + MERGE_AHEAD < src->vocab.n)
                spamlr__vocab_prefetch(&ds->vocab, src->vocab.hash[i + MERGE_AHEAD]);
            rc = spamlr__vocab_intern_hashed(&ds->vocab, w, src->vocab.len[i], src->vocab.hash[i],
                                             &map[i], NULL);
        }
        if (rc)
            goto out;
    }
    for (r = 0; r < src->rows; r++) {
        size_t a = src->ptr[r], n = src->ptr[r + 1] - a, start = ds->nnz;
        if ((rc = spamlr__dataset_row_begin(ds)))
            goto out;
        if (ds->nnz + n > ds->nnz_cap) {
            size_t cap = ds->nnz_cap;
            void *p;
            if ((rc = spamlr__grow((void **)&ds->ids, &cap, ds->nnz + n, sizeof *ds->ids)))
                goto out;
            if (!(p = realloc(ds->cnt, cap * sizeof *ds->cnt))) {
                rc = SPAMLR_ENOMEM;
                goto out;
            }
            ds->cnt = p;
            ds->nnz_cap = cap;
        }
        for (i = 0; i < n; i++) {
            ds->ids[start + i] = map ? map[src->ids[a + i]] : src->ids[a + i];
            ds->cnt[start + i] = src->cnt[a + i];
        }
        ds->nnz += n;
        if ((rc = spamlr__dataset_row_end(ds, src->labels[r], spamlr_dataset_name(src, r))))
            goto out;
    }
out:
    free(map);
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
        drop_row(ds, ds->ptr[ds->rows]);
        return rc;
    }
    return spamlr__dataset_row_end(ds, label, name);
}

int spamlr_dataset_add(spamlr_dataset *ds, int label, const char *text, size_t len,
                       const char *name)
{
    return add_row(ds, label, text, len, name, 1);
}

/* ------------------------------------------------- for the readers */

/* The label a reader's text names: SPAMLR_SPAM for "spam" or "1",
 * SPAMLR_HAM for "ham" or "0" (any case, spaces, quotes and a CR around
 * it), -2 for anything else. */
int spamlr__parse_label(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '"')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r')) n--;
    if ((n == 4 && strncasecmp(s, "spam", 4) == 0) || (n == 1 && *s == '1'))
        return SPAMLR_SPAM;
    if ((n == 3 && strncasecmp(s, "ham", 3) == 0) || (n == 1 && *s == '0'))
        return SPAMLR_HAM;
    return -2;
}

/* Adds a row named "path:line" (line > 0) or "path" (as add_row); an error
 * is put in d with the path and line. */
int spamlr__dataset_add_named(spamlr_dataset *ds, int label, const char *text, size_t len,
                              const char *path, long line, int as_message,
                              spamlr_diag *d)
{
    char name[600];
    int rc;

    if (line > 0)
        snprintf(name, sizeof name, "%s:%ld", path, line);
    else
        snprintf(name, sizeof name, "%s", path);
    rc = ds->on_message && as_message ? ds->on_message(ds->on_ctx, text, len)
                                      : add_row(ds, label, text, len, name, as_message);
    if (rc)
        return spamlr__diag(d, rc, path, line, -1, "%s", spamlr_strerror(rc));
    return SPAMLR_OK;
}
