/* slurp.c - reading a whole file (or standard input) into memory, through
 * the library's reader (gzip, the input size limit), as every command reads
 * its inputs. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int slurp_file(const char *path, char **out, size_t *len)
{
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int err;

    d = (spamlr_diag)SPAMLR_DIAG_INIT;
    if ((err = spamlr_read_file(path, out, len, &d)) != SPAMLR_OK) {
        if (strcmp(path, "-") == 0 && strcmp(d.path, "-") == 0)
            snprintf(d.path, sizeof d.path, "(standard input)");
        return report_failure(err, &d, path);
    }
    return 0;
}
