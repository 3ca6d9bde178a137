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

#include "common/common.h" /* spamlr__crc32 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (p && size)
        memcpy(p, data, size);
    return p;
}

/* A model file's checksum is checked before its payload, so a loader's
 * target tries each input as given and again with its trailing CRC-32
 * recomputed, on an exact-size copy. */
static inline void fuzz_as_file(const uint8_t *data, size_t size,
                                void (*try_load)(const uint8_t *, size_t))
{
    unsigned char *copy = (unsigned char *)fuzz_copy(data, size);
    uint32_t crc;

    if (!copy)
        return;
    try_load(copy, size);
    if (size > 24) {
        crc = spamlr__crc32(0, copy, size - 4);
        for (int i = 0; i < 4; i++)
            copy[size - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
        try_load(copy, size);
    }
    free(copy);
}

#endif
