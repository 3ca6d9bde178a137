/* uncache.c - drops the files an index names from the page cache, as a
 * machine that has not read them lately holds them: not in memory, to be
 * read from the disk (posix_fadvise POSIX_FADV_DONTNEED on each; their
 * data is written back first, and a file system that keeps files in
 * memory, tmpfs, keeps them).
 *
 *   uncache INDEX...
 *
 * Paths in an index are relative to its directory, as for spamlr.
 * Exits 1 when an index cannot be read (a listed file that cannot be
 * opened is skipped). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
    char line[4096], dir[4096], path[8300];
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: uncache INDEX...\n");
        return 2;
    }
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");

        if (!f) {
            perror(argv[i]);
            return 1;
        }
        bench_index_dir(argv[i], dir, sizeof dir);
        while (fgets(line, sizeof line, f)) {
            char *p = strpbrk(line, " \t");
            int fd;

            if (!p)
                continue;
            p += strspn(p, " \t");
            p[strcspn(p, "\r\n")] = '\0';
            snprintf(path, sizeof path, "%s%s", *p == '/' ? "" : dir, p);
            if ((fd = open(path, O_RDONLY)) < 0)
                continue;
            (void)fdatasync(fd);
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        }
        fclose(f);
    }
    return 0;
}
