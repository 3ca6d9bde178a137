/* tolibsvm.c - writes a labelled input as a libsvm file, for benchmarks
 * that train spamlr and LIBLINEAR on the same matrix.
 *
 *   tolibsvm INDEX OUT [REPEAT]
 *
 * reads INDEX (lines "spam PATH" / "ham PATH") with the default tokenizer
 * and writes one line per message: +1 (spam) or -1 (ham), then the
 * message's distinct tokens as binary features scaled to unit L2 norm,
 * feature k being the k-th token in order of first appearance. No bias
 * column. With REPEAT > 1 the whole set is written that many times (a
 * larger problem with the same statistics). Reaches into the dataset's
 * private rows, so it links the static library. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/dataset.h"

int main(int argc, char **argv)
{
    spamlr_dataset *ds = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    FILE *f;
    long rep = argc > 3 ? strtol(argv[3], NULL, 10) : 1, r;
    size_t i, j;
    char msg[1200];

    if (argc < 3 || rep < 1) {
        fprintf(stderr, "usage: tolibsvm INDEX OUT [REPEAT]\n");
        return 2;
    }
    if (spamlr_dataset_create(&ds, NULL) || spamlr_dataset_read_index(ds, argv[1], &d)) {
        fprintf(stderr, "tolibsvm: %s\n", spamlr_diag_format(&d, msg, sizeof msg));
        return 1;
    }
    if (!(f = fopen(argv[2], "w"))) {
        perror(argv[2]);
        return 1;
    }
    for (r = 0; r < rep; r++) {
        for (i = 0; i < ds->rows; i++) {
            size_t n = ds->ptr[i + 1] - ds->ptr[i];
            float v = n ? (float)(1.0 / sqrt((double)n)) : 0.0f;

            if (ds->labels[i] == SPAMLR_UNLABELLED)
                continue;
            fputs(ds->labels[i] == SPAMLR_SPAM ? "+1" : "-1", f);
            /* ids ascend within a row, so indices id + 1 ascend too */
            for (j = ds->ptr[i]; j < ds->ptr[i + 1]; j++)
                fprintf(f, " %lu:%.9g", (unsigned long)ds->ids[j] + 1, (double)v);
            fputc('\n', f);
        }
    }
    if (fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    spamlr_dataset_free(ds);
    return 0;
}
