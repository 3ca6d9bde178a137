/* mpi.c - training on several processes with MPI (built with `make MPI=1`,
 * which defines SPAMLR_WITH_MPI and compiles with mpicc; otherwise every
 * entry point says SPAMLR_EUNSUPPORTED and nothing here needs MPI).
 *
 * Each process holds its own rows. They agree on the columns once: every
 * process sends its tokens with their document counts to rank 0
 * (MPI_Gatherv of one byte string each), rank 0 adds the counts up,
 * applies min_count and broadcasts the kept tokens with their totals; each
 * process then maps its own token ids onto those columns. From then on the
 * solver runs in every process on its rows, and the sums over rows
 * (gradient with the loss, Hessian-vector products: cols + 1 doubles;
 * line-search points: 2 doubles) go through MPI_Allreduce. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "learn/dist.h"
#include "model/model.h"

#ifdef SPAMLR_WITH_MPI
#include <mpi.h>

static int we_started;

int spamlr_mpi_init(int *rank, int *size)
{
    int inited = 0;

    if (MPI_Initialized(&inited) != MPI_SUCCESS)
        return SPAMLR_EIO;
    if (!inited) {
        if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
            return SPAMLR_EIO;
        we_started = 1;
    }
    if (rank)
        MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (size)
        MPI_Comm_size(MPI_COMM_WORLD, size);
    return SPAMLR_OK;
}

int spamlr_mpi_finalize(void)
{
    int done = 0;

    if (we_started && MPI_Finalized(&done) == MPI_SUCCESS && !done)
        MPI_Finalize();
    we_started = 0;
    return SPAMLR_OK;
}

int spamlr_mpi_all_ok(int ok, int *all)
{
    int mine = ok != 0, every = 0;

    if (MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        return SPAMLR_EIO;
    *all = every;
    return SPAMLR_OK;
}

/* In place, in pieces that fit an int count. */
static void mpi_reduce(void *ctx, double *v, size_t n)
{
    (void)ctx;
    while (n) {
        int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;

        MPI_Allreduce(MPI_IN_PLACE, v, k, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        v += k;
        n -= (size_t)k;
    }
}

/* Token lists travel as records: u32 count, u32 length, the bytes. */
static void put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

/* This process's tokens that some labelled row holds, with their counts. */
static int pack_local(const spamlr__vocab *v, const uint32_t *df, unsigned char **out,
                      size_t *len)
{
    size_t i, n = 0;
    unsigned char *p;

    for (i = 0; i < v->n; i++)
        if (df[i])
            n += 8 + v->len[i];
    if (!(p = malloc(n + 1)))
        return SPAMLR_ENOMEM;
    *out = p;
    *len = n;
    for (i = 0; i < v->n; i++) {
        if (!df[i])
            continue;
        put_u32(p, df[i]);
        put_u32(p + 4, v->len[i]);
        memcpy(p + 8, spamlr__vocab_str(v, (uint32_t)i), v->len[i]);
        p += 8 + v->len[i];
    }
    return SPAMLR_OK;
}

/* Adds the records of buf into vocab (counts summed, saturating). */
static int merge_records(spamlr__vocab *vocab, const unsigned char *buf, size_t len)
{
    size_t pos = 0;
    uint32_t id;
    int rc;

    while (pos + 8 <= len) {
        uint32_t c = get_u32(buf + pos), l = get_u32(buf + pos + 4);

        if (l > len - pos - 8)
            return SPAMLR_ECORRUPT;
        if ((rc = spamlr__vocab_intern(vocab, (const char *)buf + pos + 8, l, &id, NULL)))
            return rc;
        vocab->count[id] = vocab->count[id] > UINT32_MAX - c ? UINT32_MAX : vocab->count[id] + c;
        pos += 8 + l;
    }
    return pos == len ? SPAMLR_OK : SPAMLR_ECORRUPT;
}

/* Rank 0: gathers every process's records, merges, keeps tokens with a
 * total >= min_count, packs those (in merge order) into *out. */
static int merge_at_root(const unsigned char *mine, size_t mylen, unsigned min_count,
                         int nproc, unsigned char **out, size_t *outlen)
{
    int *counts = NULL, *displs = NULL, p, rc = SPAMLR_ENOMEM, myint = (int)mylen;
    unsigned char *all = NULL, *q;
    spamlr__vocab merged;
    size_t total = 0, i, n = 0;

    spamlr__vocab_init(&merged);
    counts = calloc((size_t)nproc, sizeof *counts);
    displs = calloc((size_t)nproc, sizeof *displs);
    if (!counts || !displs) {
        /* still take part in the collectives, then fail */
        MPI_Gather(&myint, 1, MPI_INT, NULL, 1, MPI_INT, 0, MPI_COMM_WORLD);
        goto out;
    }
    MPI_Gather(&myint, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (p = 0; p < nproc; p++) {
        if (counts[p] < 0 || total > (size_t)INT_MAX - (size_t)counts[p])
            counts[p] = 0, rc = SPAMLR_ELIMIT;
        displs[p] = (int)total;
        total += (size_t)counts[p];
    }
    all = malloc(total + 1);
    MPI_Gatherv(mine, myint, MPI_BYTE, all ? all : (unsigned char *)mine,
                counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (!all || rc == SPAMLR_ELIMIT)
        goto out;
    if ((rc = merge_records(&merged, all, total)))
        goto out;
    for (i = 0; i < merged.n; i++)
        if (merged.count[i] >= min_count)
            n += 8 + merged.len[i];
    rc = SPAMLR_ENOMEM;
    if (!(q = malloc(n + 1)))
        goto out;
    *out = q;
    *outlen = n;
    for (i = 0; i < merged.n; i++) {
        if (merged.count[i] < min_count)
            continue;
        put_u32(q, merged.count[i]);
        put_u32(q + 4, merged.len[i]);
        memcpy(q + 8, spamlr__vocab_str(&merged, (uint32_t)i), merged.len[i]);
        q += 8 + merged.len[i];
    }
    rc = SPAMLR_OK;
out:
    spamlr__vocab_free(&merged);
    free(counts);
    free(displs);
    free(all);
    return rc;
}

static int mpi_columns(void *ctx, const spamlr__vocab *local, const uint32_t *df,
                       unsigned min_count, uint32_t *col, spamlr__vocab *vocab, uint32_t **cdf)
{
    unsigned char *mine = NULL, *list = NULL;
    size_t mylen = 0, listlen = 0, pos, i;
    uint64_t len64;
    int rank, nproc, rc, myint;
    uint32_t id;

    (void)ctx;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nproc);
    rc = pack_local(local, df, &mine, &mylen);
    if (rc == SPAMLR_OK && mylen > (size_t)INT_MAX)
        rc = SPAMLR_ELIMIT;
    myint = rc ? 0 : (int)mylen;
    if (rank == 0) {
        int rc0 = merge_at_root(mine, (size_t)myint, min_count, nproc, &list, &listlen);

        rc = rc ? rc : rc0;
    } else {
        MPI_Gather(&myint, 1, MPI_INT, NULL, 1, MPI_INT, 0, MPI_COMM_WORLD);
        MPI_Gatherv(mine, myint, MPI_BYTE, NULL, NULL, NULL, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    /* the length, or UINT64_MAX when rank 0 failed */
    len64 = rank == 0 ? (rc || listlen > (size_t)INT_MAX ? UINT64_MAX : listlen) : 0;
    MPI_Bcast(&len64, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (len64 == UINT64_MAX) {
        rc = rc ? rc : SPAMLR_ENOMEM;
        goto out;
    }
    listlen = (size_t)len64;
    if (rank != 0 && !(list = malloc(listlen + 1)))
        rc = SPAMLR_ENOMEM;
    if (!list) {
        /* keep the collective matched with a throwaway buffer */
        unsigned char *tmp = malloc(listlen + 1);

        MPI_Bcast(tmp, (int)listlen, MPI_BYTE, 0, MPI_COMM_WORLD);
        free(tmp);
        goto out;
    }
    MPI_Bcast(list, (int)listlen, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rc)
        goto out;
    /* the columns, in the order rank 0 sent them */
    if (!(*cdf = malloc((listlen / 8 + 1) * sizeof **cdf))) {
        rc = SPAMLR_ENOMEM;
        goto out;
    }
    for (pos = 0; pos + 8 <= listlen;) {
        uint32_t c = get_u32(list + pos), l = get_u32(list + pos + 4);
        int added = 0;

        if (l > listlen - pos - 8) {
            rc = SPAMLR_ECORRUPT;
            goto out;
        }
        if ((rc = spamlr__vocab_intern(vocab, (const char *)list + pos + 8, l, &id, &added)))
            goto out;
        (*cdf)[id] = c;
        pos += 8 + l;
    }
    for (i = 0; i < local->n; i++) {
        int64_t c = spamlr__vocab_find(vocab, spamlr__vocab_str(local, (uint32_t)i),
                                       local->len[i]);

        col[i] = c < 0 ? UINT32_MAX : (uint32_t)c;
    }
    rc = SPAMLR_OK;
out:
    free(mine);
    free(list);
    /* all fail if one did (the most negative code wins) */
    {
        int worst = rc;

        MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        return worst;
    }
}

int spamlr_train_mpi(spamlr_model **out, const spamlr_dataset *ds, const spamlr_train_opts *o,
                     spamlr_train_report *report, spamlr_diag *diag)
{
    spamlr__dist dist;
    int inited = 0;

    if (out)
        *out = NULL;
    if (MPI_Initialized(&inited) != MPI_SUCCESS || !inited)
        return SPAMLR_EINVAL;
    dist.ctx = NULL;
    dist.reduce = mpi_reduce;
    dist.columns = mpi_columns;
    return spamlr__train(out, ds, o, report, diag, &dist);
}

#else /* !SPAMLR_WITH_MPI */

int spamlr_mpi_init(int *rank, int *size)
{
    if (rank)
        *rank = 0;
    if (size)
        *size = 1;
    return SPAMLR_EUNSUPPORTED;
}

int spamlr_mpi_finalize(void)
{
    return SPAMLR_EUNSUPPORTED;
}

int spamlr_mpi_all_ok(int ok, int *all)
{
    *all = ok != 0;
    return SPAMLR_EUNSUPPORTED;
}

int spamlr_train_mpi(spamlr_model **out, const spamlr_dataset *ds, const spamlr_train_opts *o,
                     spamlr_train_report *report, spamlr_diag *diag)
{
    (void)ds;
    (void)o;
    (void)report;
    if (out)
        *out = NULL;
    spamlr__diag_clear(diag);
    return SPAMLR_EUNSUPPORTED;
}

#endif
