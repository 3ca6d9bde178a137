/* readbench.c - three ways to get many small mail files from the page
 * cache into memory, as the readers could: (1) what the library does, a
 * buffer of the file's size from malloc, one read asking for a byte more
 * than fstat said, close, free; (2) the same into one buffer kept from
 * file to file; (3) mmap of the whole file, munmap. Each then reads every
 * byte once (a sum of 8-byte words), as the parser would.
 *
 *   readbench INDEX
 *
 * INDEX holds "label PATH" lines (paths relative to INDEX's directory).
 * Prints "files MB malloc_read reused_read mmap": MB/s (10^6 B) of file
 * bytes per second of wall time (system time is most of it), median of 5
 * passes after one that warms the page cache. Prints; never fails on a
 * slow result (exit 1 only when it cannot run). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static uint64_t touch(const unsigned char *p, size_t n)
{
    uint64_t s = 0, w;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        s ^= w;
    }
    for (; i < n; i++)
        s += p[i];
    return s;
}

static char **paths;
static size_t npaths;
static volatile uint64_t sink; /* keeps the sums from being optimised away */

/* One pass by method m; returns the bytes read, 0 on an error. */
static size_t pass(int m)
{
    static unsigned char *keep;
    static size_t keep_cap;
    size_t i, total = 0;

    for (i = 0; i < npaths; i++) {
        struct stat st;
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        size_t size;
        ssize_t got;

        if (fd < 0 || fstat(fd, &st) != 0) {
            perror(paths[i]);
            return 0;
        }
        size = (size_t)st.st_size;
        if (m == 2) {
            void *p = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;

            if (size && p == MAP_FAILED) {
                perror("mmap");
                return 0;
            }
            sink += touch(p, size);
            if (size)
                munmap(p, size);
        } else {
            unsigned char *buf;

            if (m == 1) {
                if (size + 1 > keep_cap) {
                    free(keep);
                    keep_cap = 2 * (size + 1);
                    if (!(keep = malloc(keep_cap)))
                        return 0;
                }
                buf = keep;
            } else if (!(buf = malloc(size + 1))) {
                return 0;
            }
            got = read(fd, buf, size + 1);
            if (got < 0) {
                perror("read");
                return 0;
            }
            sink += touch(buf, (size_t)got);
            if (m == 0)
                free(buf);
        }
        close(fd);
        total += size;
    }
    return total;
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[4096], dir[4096];
    size_t cap = 0, bytes = 0;
    double t[3][5];
    int m, r;

    if (argc != 2 || !(f = fopen(argv[1], "r"))) {
        fprintf(stderr, "usage: readbench INDEX\n");
        return 1;
    }
    bench_index_dir(argv[1], dir, sizeof dir);
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, ' '), *e;
        size_t n;

        if (!p || line[0] == '#')
            continue;
        p++;
        if ((e = strpbrk(p, "\r\n")))
            *e = '\0';
        if (npaths == cap) {
            char **q = realloc(paths, (cap = cap ? 2 * cap : 1024) * sizeof *q);
            if (!q)
                return 1;
            paths = q;
        }
        n = strlen(dir) + strlen(p) + 1;
        if (!(paths[npaths] = malloc(n)))
            return 1;
        snprintf(paths[npaths++], n, "%s%s", p[0] == '/' ? "" : dir, p);
    }
    fclose(f);
    if (!npaths || !(bytes = pass(0)))
        return 1;
    for (r = 0; r < 5; r++)
        for (m = 0; m < 3; m++) { /* interleaved, so drift hits all alike */
            double t0 = bench_seconds(CLOCK_MONOTONIC);

            if (!pass(m))
                return 1;
            t[m][r] = bench_seconds(CLOCK_MONOTONIC) - t0;
        }
    printf("%zu %.1f", npaths, (double)bytes / 1e6);
    for (m = 0; m < 3; m++) {
        qsort(t[m], 5, sizeof t[m][0], bench_cmp_double);
        printf(" %.1f", (double)bytes / 1e6 / t[m][2]);
    }
    printf("\n");
    return 0;
}
