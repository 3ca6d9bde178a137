/* input.h - opening and reading one input file (input.c). */
#ifndef SPAMLR_INPUT_H
#define SPAMLR_INPUT_H

#include <zlib.h>

#include "common/common.h"

/* Reads a whole file (gzip-compressed or not; "-" = stdin) into a
 * malloc'ed, NUL-terminated buffer. Errors name the path in d. */
int spamlr__slurp(const char *path, char **out, size_t *len, spamlr_diag *d);

/* The same, but a directory is no error when is_dir is not NULL: *is_dir
 * is then 1 and nothing is read (else 0). A regular file costs open,
 * fstat, read and close: gzip is told from the bytes read, and a read
 * that gives the file's size with room to spare needs no second one to
 * see the end. */
int spamlr__slurp_path(const char *path, char **out, size_t *len, int *is_dir,
                       spamlr_diag *d);

/* A read buffer kept from file to file, for files of up to
 * SPAMLR__RBUF_KEEP bytes (a bigger one is read into a buffer of its own,
 * so that a large mbox does not stay in memory): reading a list of mail
 * files allocates no buffer per file. */
typedef struct spamlr__rbuf {
    char *p;
    size_t cap;
    int cold;   /* set when a file read into it was not all in the page
                   cache: its reader then asks for the next files ahead
                   (spamlr__prefetch); cleared by that reader */
    int pre;    /* pre_path opened ahead (spamlr__rbuf_give), or -1 */
    uint64_t pre_size;  /* its size then */
    const char *pre_path;
} spamlr__rbuf;
#define SPAMLR__RBUF_KEEP ((size_t)1 << 20)

/* spamlr__slurp_path into rb: *out points into rb->p (valid until the
 * next read into rb) and *own is 0, or, for a bigger, gzip-compressed or
 * non-regular file, *out is a buffer of its own (*own 1) for the caller
 * to free. */
int spamlr__slurp_reuse(const char *path, spamlr__rbuf *rb, char **out, size_t *len,
                        int *is_dir, int *own, spamlr_diag *d);

/* Frees rb's buffer and closes a descriptor it holds (rb stays usable). */
void spamlr__rbuf_free(spamlr__rbuf *rb);

/* Opens path, when it is a regular file within the input limit, and asks
 * the kernel to read its data into the page cache in the background
 * (posix_fadvise WILLNEED); returns the descriptor and its size in *size
 * (-1 for any other path), for spamlr__rbuf_give. A reader of many files
 * that does this some files ahead keeps several reads in flight instead
 * of waiting for each (lib/data/parallel.c, PREFETCH_AHEAD). */
int spamlr__prefetch(const char *path, uint64_t *size);

/* Hands rb the descriptor fd (of `size` bytes) that spamlr__prefetch
 * opened for path, for the next read into rb of that very string (-1:
 * none); a descriptor rb still held, which no read took, is closed. */
void spamlr__rbuf_give(spamlr__rbuf *rb, int fd, uint64_t size, const char *path);

/* The largest input file read into memory: 4 GiB, or less when the
 * environment variable SPAMLR_MAX_INPUT holds a smaller number of bytes
 * (for tests). */
size_t spamlr__input_limit(void);

/* The SPAMLR_ELIMIT error for path, naming the limit. */
int spamlr__input_too_big(const char *path, size_t limit, spamlr_diag *d);

/* Streaming instead: opens path (gzip or plain; "-" = stdin; directories
 * refused; *size = its size on disk when it is a regular file, else 0) and
 * reads from it in pieces. input_read puts up to n bytes in
 * buf and sets *got (0 at the end); `done` (bytes read so far) is for the
 * messages. A gzip stream that ends early is an SPAMLR_EIO error. The
 * caller gzclose()s. */
int spamlr__input_open(const char *path, gzFile *gz, size_t *size, spamlr_diag *d);
int spamlr__input_read(gzFile gz, char *buf, size_t n, const char *path, size_t done,
                       size_t *got, spamlr_diag *d);

#endif
