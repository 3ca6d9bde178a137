/* slurp.c - reading a whole file (or standard input) into memory. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

int slurp_file(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : NULL;
    char *buf = NULL, *p;
    size_t n = 0, cap = 0, k;
    struct stat st;

    *out = NULL;
    *len = 0;
    if (!f) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return runtime_error("%s: is a directory", path);
        if (!(f = fopen(path, "rb")))
            return runtime_error("%s: cannot open: %s", path, strerror(errno));
    }
    for (;;) {
        if (n + 1 >= cap) {
            cap = cap ? 2 * cap : 65536;
            if (cap > SIZE_MAX / 2 || !(p = realloc(buf, cap))) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                return runtime_error("%s: out of memory", path);
            }
            buf = p;
        }
        k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        if (f != stdin)
            fclose(f);
        return runtime_error("%s: read error", path);
    }
    if (f != stdin)
        fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}
