/* fuzz.h - shared by the fuzz targets: the libFuzzer entry point's
 * prototype (the targets are built with -Wmissing-prototypes) and a helper
 * that copies the input into an exactly-sized heap block, so that a read one
 * byte past the end is caught by ASan/valgrind. */
#ifndef SPAMLR_FUZZ_H
#define SPAMLR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (p && size)
        memcpy(p, data, size);
    return p;
}

#endif
