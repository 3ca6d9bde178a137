/* replay.c - runs one fuzz target over files without libFuzzer: every
 * regular file of each directory argument (or each file argument) is fed
 * to LLVMFuzzerTestOneInput once. Used by `make check` on the seed corpora
 * (tests/fuzz/corpus/<target>/), so every seed and every regression input
 * of a past finding is run on every build, with sanitizers when
 * SANITIZE= is set. Exit status: 0, or 1 when a file or directory cannot
 * be read (a crash is a crash). */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, k;

    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    do {
        if (n == cap) {
            unsigned char *p = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!p) {
                fclose(f);
                free(buf);
                return 1;
            }
            buf = p;
        }
        k = fread(buf + n, 1, cap - n, f);
        n += k;
    } while (k);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, bad = 0;
    long files = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *dir;
        struct dirent *e;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            files++;
            continue;
        }
        if (!(dir = opendir(argv[i]))) {
            bad = 1;
            continue;
        }
        while ((e = readdir(dir))) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad |= run_file(path);
                files++;
            }
        }
        closedir(dir);
    }
    printf("replay %s: %ld inputs%s\n", argv[0], files, bad ? ", some unreadable" : "");
    return bad;
}
