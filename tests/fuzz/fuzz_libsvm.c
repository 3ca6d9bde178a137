/* fuzz_libsvm.c - the libsvm reader (spamlr_dataset_read_libsvm) on any
 * bytes, in memory. Beyond "no crash": a failure names the file and a
 * line, and every row read has a label and only finite values. */
#include <math.h>

#include "fuzz.h"
#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_dataset *ds = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf;
    size_t i;
    int rc;

    if (spamlr_dataset_create(&ds, NULL) != SPAMLR_OK)
        return 0;
    if ((buf = fuzz_copy(data, size))) {
        rc = spamlr__dataset_read_libsvm_buffer(ds, "in.svm", buf, size, &d);
        if (rc != SPAMLR_OK && (rc != d.code || d.path[0] == '\0' ||
                                (rc == SPAMLR_EPARSE && d.line <= 0)))
            abort();
        if (spamlr_dataset_count(ds, SPAMLR_SPAM) + spamlr_dataset_count(ds, SPAMLR_HAM) !=
            spamlr_dataset_rows(ds))
            abort();
        for (i = 0; ds->val && i < ds->nnz; i++)
            if (!isfinite(ds->val[i]))
                abort();
        free(buf);
    }
    spamlr_dataset_free(ds);
    return 0;
}
