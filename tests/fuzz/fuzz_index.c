/* fuzz_index.c - the index reader (spamlr_dataset_read_index) on any
 * bytes, in memory. The paths it names are not opened (a fuzzed index
 * could name /dev/zero): a stub checks each one and adds a tiny row. */
#include "fuzz.h"
#include "data/dataset.h"

static int stub(void *ctx, int label, const char *path, long line, spamlr_diag *d)
{
    spamlr_dataset *ds = ctx;
    size_t n = strlen(path);

    (void)d;
    if (line < 1)
        abort();
    if (n == 0 || (label != SPAMLR_SPAM && label != SPAMLR_HAM))
        abort();
    if (path[0] != '/' && strncmp(path, "dir/sub/", 8) != 0)
        abort(); /* relative paths are resolved against the index's dir */
    return spamlr_dataset_add(ds, label, path, n, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_dataset *ds = NULL;
    spamlr_text_opts o;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf;
    int rc;

    spamlr_text_opts_init(&o);
    o.mime = 0;
    if (spamlr_dataset_create(&ds, &o) != SPAMLR_OK)
        return 0;
    if ((buf = fuzz_copy(data, size))) {
        rc = spamlr__dataset_read_index_buffer("dir/sub/train.idx", buf, size, stub, ds, &d);
        if (rc != SPAMLR_OK && (rc != d.code || d.path[0] == '\0'))
            abort();
        free(buf);
    }
    spamlr_dataset_free(ds);
    return 0;
}
