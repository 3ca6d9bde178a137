/* fuzz_lines.c - the TSV and CSV readers (spamlr_dataset_read_lines) on
 * any bytes, in memory. The first byte picks CSV or TSV and e-mail
 * decoding of the dataset (the text column is plain text either way). */
#include "fuzz.h"
#include "data/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_dataset *ds = NULL;
    spamlr_text_opts o;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    char *buf;
    int rc;

    if (size < 1)
        return 0;
    spamlr_text_opts_init(&o);
    o.ngrams = (data[0] & 2) ? 2 : 1;
    if (spamlr_dataset_create(&ds, &o) != SPAMLR_OK)
        return 0;
    if ((buf = fuzz_copy(data + 1, size - 1))) {
        rc = spamlr__dataset_read_lines_buffer(ds, (data[0] & 1) ? "in.csv" : "in.tsv", buf,
                                               size - 1, &d);
        if (rc != SPAMLR_OK && (rc != d.code || rc == SPAMLR_EINVAL || d.path[0] == '\0'))
            abort();
        if (spamlr_dataset_count(ds, SPAMLR_SPAM) + spamlr_dataset_count(ds, SPAMLR_HAM) !=
            spamlr_dataset_rows(ds))
            abort();
        free(buf);
    }
    spamlr_dataset_free(ds);
    return 0;
}
