/* fuzz_mbox.c - a message file as spamlr_dataset_read_path reads it: an
 * mbox (split at From_ lines, >From unescaped, each message MIME-parsed)
 * or a single message, in memory. */
#include "fuzz.h"
#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_dataset *ds = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf;
    int rc;

    if (spamlr_dataset_create(&ds, NULL) != SPAMLR_OK)
        return 0;
    if ((buf = fuzz_copy(data, size))) {
        rc = spamlr__dataset_read_message_buffer(ds, SPAMLR_SPAM, "in.mbox", buf, size, &d);
        if (rc != SPAMLR_OK && rc != SPAMLR_ENOMEM)
            abort();
        if (rc == SPAMLR_OK && spamlr_dataset_rows(ds) == 0)
            abort(); /* every file gives at least one message */
        free(buf);
    }
    spamlr_dataset_free(ds);
    return 0;
}
