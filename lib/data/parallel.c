/* parallel.c - reading a list of message files on several threads.
 *
 * The list is cut into contiguous chunks; threads take chunks in turn and
 * read each into a dataset of its own; the chunks are appended to the
 * target in list order (spamlr__dataset_append) by the calling thread,
 * between its own chunks, as soon as they and those before them are read,
 * so that only the chunks read ahead of the merge are held besides the
 * target. A chunk's token ids are in its first-seen order, so the result
 * is the dataset that reading the list in one thread gives, byte for byte,
 * whatever the thread count: the same vocabulary order, rows, names and
 * counts. */
#define _DEFAULT_SOURCE
#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/parallel.h"
#include "mail/mime.h"

#define MIN_CHUNK 16        /* files: fewer are not worth a dataset */
/* Chunks a thread: they spread uneven files over the workers and keep
 * what waits for the merge small. SpamAssassin's train split on 2 threads
 * (284 files a chunk at 16 chunks, 71 at 64): peak RSS of training 48 MB
 * with 2 chunks a thread merged at the end, 38 MB with 8 merged as they
 * come, 32 MB with 32, in the same time (medians of 11 pairs). */
#define CHUNKS_PER_THREAD 32
/* Files asked for ahead once reading meets one that is not all in the page
 * cache (spamlr__prefetch): the disk then has reads in flight while one
 * file is parsed. 32 (the window holds 31 after the file being read): a
 * test program reading the SpamAssassin split's 4550 files with a cold
 * cache took 0.31 s file by file; 8 ahead 0.13 s, 32 ahead 0.09 s (the
 * inodes cached) or 0.14 s (none cached), 128 no better. Files in the
 * cache are never asked for: a read that finds its file cached costs
 * what it did. */
#define PREFETCH_AHEAD 32

/* The files a reader has opened ahead: item k's descriptor in fd[k %
 * PREFETCH_AHEAD], for items [next - PREFETCH_AHEAD + 1, next). */
typedef struct ahead {
    int fd[PREFETCH_AHEAD];
    uint64_t size[PREFETCH_AHEAD];  /* their sizes */
    size_t next;            /* the first item not yet opened ahead */
} ahead;

static void ahead_init(ahead *a)
{
    size_t k;

    for (k = 0; k < PREFETCH_AHEAD; k++) {
        a->fd[k] = -1;
        a->size[k] = 0;
    }
    a->next = 0;
}

/* Closes what a reader opened ahead and ds's read did not take. */
static void ahead_done(ahead *a, spamlr_dataset *ds)
{
    size_t k;

    for (k = 0; k < PREFETCH_AHEAD; k++)
        if (a->fd[k] >= 0)
            close(a->fd[k]);
    spamlr__rbuf_give(&ds->rbuf, -1, 0, NULL);
}

/* Before item i (of those below end) is read into ds: once reading has
 * met the disk (ds->rbuf.cold), the items after it, up to
 * PREFETCH_AHEAD - 1 ahead, are opened and asked for (spamlr__prefetch);
 * item i's descriptor, when it was, is handed to ds's read of it. */
static void ahead_step(ahead *a, const spamlr__items *l, size_t i, size_t end, int cold,
                       spamlr_dataset *ds)
{
    size_t to = end - i >= PREFETCH_AHEAD ? i + PREFETCH_AHEAD : end;
    int *fd = &a->fd[i % PREFETCH_AHEAD];

    spamlr__rbuf_give(&ds->rbuf, *fd, a->size[i % PREFETCH_AHEAD], spamlr__item_path(l, i));
    *fd = -1;
    if (!cold)
        return;
    if (a->next <= i)
        a->next = i + 1;
    for (; a->next < to; a->next++)
        a->fd[a->next % PREFETCH_AHEAD] =
            spamlr__prefetch(spamlr__item_path(l, a->next), &a->size[a->next % PREFETCH_AHEAD]);
}

int spamlr__items_add(spamlr__items *l, int label, const char *path, long line)
{
    size_t n = strlen(path);
    int rc;

    if ((rc = spamlr__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) ||
        (rc = spamlr__grow((void **)&l->chars, &l->chars_cap, l->chars_len + n + 1, 1)))
        return rc;
    memcpy(l->chars + l->chars_len, path, n + 1);
    l->v[l->n].path = l->chars_len;
    l->v[l->n].label = label;
    l->v[l->n].line = line;
    l->chars_len += n + 1;
    l->n++;
    return SPAMLR_OK;
}

void spamlr__items_free(spamlr__items *l)
{
    free(l->v);
    free(l->chars);
    memset(l, 0, sizeof *l);
}

typedef struct chunk {
    size_t lo, hi;          /* its items */
    spamlr_dataset *ds;     /* the rows read */
    size_t failed;          /* the item that failed (rc != 0) */
    int rc;
    int done;               /* read (under the job's lock) */
    spamlr_diag d;
} chunk;

typedef struct job {
    const spamlr__items *l;
    spamlr__read_fn read;
    spamlr_dataset *ds;     /* the target: chunk 0 is read straight into it */
    const spamlr_text_opts *opts;
    chunk *c;
    size_t nc, next;        /* chunks, and the next one to take */
    size_t merged;          /* chunks appended to ds (the caller's) */
    int cold;               /* a file was read from the disk: every thread
                               asks for its next files ahead (atomic) */
    size_t stop;            /* no chunk after this one is needed */
    pthread_mutex_t lock;
    /* progress: files read, and rows and bytes read into the chunks'
     * own datasets (under lock); only the calling thread reports it */
    pthread_t caller;
    int report;
    int canceled;           /* the progress function asked to stop */
    size_t files, rows;
    uint64_t bytes;
} job;

/* A reading thread's array for the closed chunks it reads, one after
 * another (spamlr__dataset_lend): made once, not per chunk. */
typedef struct lend {
    struct spamlr__row_mark *mark;
    size_t n;
} lend;

static int lend_init(lend *l, const job *j)
{
    memset(l, 0, sizeof *l);
    if (!j->ds->closed)
        return SPAMLR_OK;
    l->n = j->ds->look->n;
    if (!(l->mark = calloc(l->n + 1, sizeof *l->mark)))
        return SPAMLR_ENOMEM;
    return SPAMLR_OK;
}

static void lend_free(lend *l)
{
    free(l->mark);
}

static void read_files(job *j, chunk *c, spamlr_dataset *into);

/* Reads chunk c into into (its own dataset when NULL, closed with the
 * arrays of lt when the target is closed). */
static void read_chunk(job *j, chunk *c, spamlr_dataset *into, lend *lt)
{

    if (!into) {
        if ((c->rc = spamlr_dataset_create(&c->ds, j->opts))) {
            c->failed = c->lo;
            spamlr__diag(&c->d, c->rc, NULL, 0, -1, "out of memory");
            return;
        }
        into = c->ds;
        into->contacts_ref = j->ds->contacts ? j->ds->contacts : j->ds->contacts_ref;
        into->threads = 1; /* a directory inside is read by this worker */
        /* the target's hash seed (both secret, neither persisted): the
         * merge then reuses the chunk's hashes instead of hashing again */
        into->vocab.seed = j->ds->vocab.seed;
        /* its rows are sorted once, when appended with the target's ids */
        into->unsorted = 1;
        /* a closed target's words are looked up where they are (nothing
         * is added to them while the list is read) */
        if (j->ds->closed) {
            if (!lt->mark)
                c->rc = SPAMLR_ENOMEM;
            else {
                spamlr__dataset_lend(into, lt->mark, lt->n);
                c->rc = spamlr__dataset_close(into, j->ds->look);
            }
            if (c->rc) {
                c->failed = c->lo;
                spamlr__diag(&c->d, c->rc, NULL, 0, -1, "out of memory");
                return;
            }
        }
    }
    read_files(j, c, into);
    /* the thread's arrays, zeroed again, for its next chunk */
    if (into != j->ds)
        spamlr__dataset_unlend(into);
}

/* Reads the files of chunk c into `into`. */
static void read_files(job *j, chunk *c, spamlr_dataset *into)
{
    size_t i;
    ahead a;

    ahead_init(&a);
    for (i = c->lo; i < c->hi; i++) {
        size_t rows = into->rows;
        uint64_t bytes = into->in_bytes;
        int canceled;

        if (into->rbuf.cold)
            __atomic_store_n(&j->cold, 1, __ATOMIC_RELAXED);
        ahead_step(&a, j->l, i, c->hi, __atomic_load_n(&j->cold, __ATOMIC_RELAXED), into);

        if (j->report) { /* the caller canceled: no further file */
            pthread_mutex_lock(&j->lock);
            canceled = j->canceled;
            pthread_mutex_unlock(&j->lock);
            if (canceled) {
                c->failed = i;
                c->rc = spamlr__diag(&c->d, SPAMLR_ECANCELED, NULL, 0, -1,
                                     "canceled while reading");
                break;
            }
        }
        if ((c->rc = j->read(into, j->l->v[i].label, spamlr__item_path(j->l, i), &c->d))) {
            c->failed = i;
            break;
        }
        if (!j->report)
            continue;
        pthread_mutex_lock(&j->lock);
        j->files++;
        if (into != j->ds) {
            j->rows += into->rows - rows;
            j->bytes += into->in_bytes - bytes;
        }
        if (pthread_equal(pthread_self(), j->caller)) {
            j->ds->other_rows = j->rows;
            j->ds->other_bytes = j->bytes;
            j->ds->prog_files = j->files;
            pthread_mutex_unlock(&j->lock);
            if ((c->rc = spamlr__progress_read(j->ds, NULL, &c->d))) {
                pthread_mutex_lock(&j->lock);
                j->canceled = 1;
                pthread_mutex_unlock(&j->lock);
                c->failed = i;
                break;
            }
        } else {
            pthread_mutex_unlock(&j->lock);
        }
    }
    ahead_done(&a, into);
}

/* Takes the next chunk and reads it (with the thread's arrays lt);
 * returns 0 when none is left. */
static int read_next(job *j, lend *lt)
{
    size_t k;

    pthread_mutex_lock(&j->lock);
    k = j->next < j->stop ? j->next++ : j->nc;
    pthread_mutex_unlock(&j->lock);
    if (k >= j->nc)
        return 0;
    read_chunk(j, &j->c[k], NULL, lt);
    pthread_mutex_lock(&j->lock);
    j->c[k].done = 1;
    if (j->c[k].rc && k < j->stop)
        j->stop = k;
    pthread_mutex_unlock(&j->lock);
    return 1;
}

static void *worker(void *arg)
{
    job *j = arg;
    lend lt;

    /* (out of memory: the chunks it takes fail, and say so) */
    lend_init(&lt, j);
    while (read_next(j, &lt))
        ;
    lend_free(&lt);
    return NULL;
}

static int item_error(const spamlr__items *l, size_t i, const char *index, int rc,
                      const spamlr_diag *in, spamlr_diag *d);

/* The caller's: appends the chunks read, in list order from j->merged,
 * up to the first not yet read, or up to and including the first that
 * failed (whose error it then returns, as the sequential reader would).
 * A chunk is freed once appended. */
static int merge_ready(job *j, const char *index, spamlr_diag *d)
{
    int rc = SPAMLR_OK, done;

    while (!rc && j->merged < j->nc) {
        chunk *c = &j->c[j->merged];

        pthread_mutex_lock(&j->lock);
        done = c->done;
        pthread_mutex_unlock(&j->lock);
        if (!done)
            break;
        if (c->ds) {
            if ((rc = spamlr__dataset_append(j->ds, c->ds)))
                return spamlr__diag(d, rc, index, 0, -1, "out of memory merging what was read");
            j->ds->in_bytes += c->ds->in_bytes;
            if (j->report) { /* its rows and bytes now count in the target */
                pthread_mutex_lock(&j->lock);
                j->rows -= c->ds->rows;
                j->bytes -= c->ds->in_bytes;
                pthread_mutex_unlock(&j->lock);
            }
            spamlr_dataset_free(c->ds);
            c->ds = NULL;
        }
        if (c->rc)
            rc = item_error(j->l, c->failed, index, c->rc, &c->d, d);
        j->merged++;
    }
    return rc;
}

/* The error of item i as the sequential readers report it. */
static int item_error(const spamlr__items *l, size_t i, const char *index, int rc,
                      const spamlr_diag *in, spamlr_diag *d)
{
    if (!index) {
        spamlr__out_copy(d, in, sizeof *in);
        return rc;
    }
    return spamlr__index_error(d, rc, index, l->v[i].line, spamlr__item_path(l, i), in->message);
}

/* One thread: straight into ds, as the readers always did. */
static int read_serial(spamlr_dataset *ds, const spamlr__items *l, const char *index,
                       spamlr__read_fn read, int report, spamlr_diag *d)
{
    spamlr_diag one = SPAMLR_DIAG_INIT;
    size_t i;
    int rc = SPAMLR_OK;
    ahead a;

    ahead_init(&a);
    for (i = 0; i < l->n && !rc; i++) {
        ahead_step(&a, l, i, l->n, ds->rbuf.cold, ds);
        if ((rc = read(ds, l->v[i].label, spamlr__item_path(l, i), &one)))
            rc = item_error(l, i, index, rc, &one, d);
        else if (report) {
            ds->prog_files++;
            rc = spamlr__progress_read(ds, index, d);
        }
    }
    ahead_done(&a, ds);
    return rc;
}

int spamlr__index_error(spamlr_diag *d, int rc, const char *index, long line, const char *file,
                        const char *message)
{
    char what[1100];

    snprintf(what, sizeof what, "%.500s: %.500s", file, message ? message : "");
    spamlr__diag(d, rc, index, line, -1, "%.500s", what);
    return rc;
}

static int read_items(spamlr_dataset *ds, const spamlr__items *l, const char *index,
                      spamlr__read_fn read, int report, spamlr_diag *d);

/* The list is the top one (not a directory inside a listed directory):
 * its files are counted for the progress report. */
int spamlr__dataset_read_items(spamlr_dataset *ds, const spamlr__items *l, const char *index,
                               spamlr__read_fn read, spamlr_diag *d)
{
    int report = ds->prog_fn && !ds->prog_list, rc;

    if (report) {
        ds->prog_list = 1;
        ds->prog_total = l->n;
        ds->prog_files = 0;
    }
    ds->rbuf.cold = 0; /* (a list is read ahead only once it proves cold) */
    rc = read_items(ds, l, index, read, report, d);
    /* the list is read: the parser's buffers and descriptors, kept from
     * message to message, are not needed until the next read */
    spamlr__mime_state_free(ds->mstate);
    ds->mstate = NULL;
    free(ds->mbox);
    ds->mbox = NULL;
    ds->mbox_cap = 0;
    spamlr__rbuf_free(&ds->rbuf);
    if (report) {
        ds->other_rows = 0;
        ds->other_bytes = 0;
        if (rc == SPAMLR_OK) /* the workers' last files are not yet counted */
            ds->prog_files = l->n;
        if (rc != SPAMLR_ECANCELED) { /* a canceled caller hears no more */
            int prc = spamlr__progress_read(ds, index, d);
            rc = rc ? rc : prc;
        }
        ds->prog_list = 0;
    }
    return rc;
}

static int read_items(spamlr_dataset *ds, const spamlr__items *l, const char *index,
                      spamlr__read_fn read, int report, spamlr_diag *d)
{
    pthread_t th[64];
    lend lt;
    unsigned nth = ds->threads ? ds->threads : spamlr__ncpu(), started = 0, t, saved;
    job j;
    size_t k;
    int rc = SPAMLR_OK;

    if (nth > 64)
        nth = 64;
    if (nth > l->n / MIN_CHUNK)
        nth = (unsigned)(l->n / MIN_CHUNK);
    if (nth <= 1)
        return read_serial(ds, l, index, read, report, d);
    memset(&j, 0, sizeof j);
    j.l = l;
    j.read = read;
    j.ds = ds;
    j.opts = &ds->opts;
    j.nc = (size_t)nth * CHUNKS_PER_THREAD;
    if (j.nc > l->n / MIN_CHUNK)
        j.nc = l->n / MIN_CHUNK;
    j.stop = j.nc;
    j.caller = pthread_self();
    j.report = report;
    if (!(j.c = calloc(j.nc, sizeof *j.c)))
        return spamlr__diag(d, SPAMLR_ENOMEM, index, 0, -1, "out of memory");
    for (k = 0; k < j.nc; k++) {
        j.c[k].lo = l->n * k / j.nc;
        j.c[k].hi = l->n * (k + 1) / j.nc;
        j.c[k].d.size = sizeof j.c[k].d;
    }
    pthread_mutex_init(&j.lock, NULL);
    /* this thread takes chunk 0 (into ds) before the others start, and a
     * directory inside an item is read by the thread that reads the item */
    j.next = 1;
    saved = ds->threads;
    ds->threads = 1;
    for (t = 1; t < nth; t++, started++)
        if (pthread_create(&th[t], NULL, worker, &j) != 0)
            break;
    lend_init(&lt, &j);
    read_chunk(&j, &j.c[0], ds, &lt);
    pthread_mutex_lock(&j.lock);
    j.c[0].done = 1;
    if (j.c[0].rc)
        j.stop = 0;
    pthread_mutex_unlock(&j.lock);
    /* between its chunks this thread appends what is ready; after a
     * failed merge it only waits for the workers */
    while (!(rc = merge_ready(&j, index, d)) && read_next(&j, &lt))
        ;
    if (rc) {
        pthread_mutex_lock(&j.lock);
        j.stop = 0;
        pthread_mutex_unlock(&j.lock);
    }
    for (t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    if (!rc)
        rc = merge_ready(&j, index, d);
    pthread_mutex_destroy(&j.lock);
    lend_free(&lt);
    ds->threads = saved;
    for (k = 0; k < j.nc; k++)
        spamlr_dataset_free(j.c[k].ds);
#if defined(__GLIBC__)
    /* the chunks were allocated in the workers' malloc arenas, which keep
     * freed memory: give it back (about 10 MB of a 48 MB peak when
     * training on the SpamAssassin split with 2 threads) */
    malloc_trim(0);
#endif
    free(j.c);
    return rc;
}
