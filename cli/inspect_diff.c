/* inspect_diff.c - spamlr inspect MODEL --diff BASE: per word, the base's
 * weight, the model's and their difference, largest change first: what a
 * user's own mail taught a model adapted from BASE (train --prior). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct diff_row {
    const char *token;
    float base, model;
    int in_base, in_model;
} diff_row;

/* by |difference| descending, then token */
static int cmp_diff(const void *pa, const void *pb)
{
    const diff_row *a = pa, *b = pb;
    double da = fabs((double)a->model - a->base), db = fabs((double)b->model - b->base);

    if (da != db)
        return da > db ? -1 : 1;
    return strcmp(a->token, b->token);
}

static void weight_cell(int present, float w, int tsv)
{
    if (present)
        printf(tsv ? "\t%.9g" : "  %+9.4f", w);
    else
        printf(tsv ? "\t" : "  %9s", "-");
}

int inspect_diff(const char *path, const spamlr_model *m, const char *base_path, size_t top,
                 int tsv)
{
    spamlr_model *base = NULL;
    spamlr_model_base_info bi;
    spamlr_model_info mi = SPAMLR_MODEL_INFO_INIT, bin = SPAMLR_MODEL_INFO_INIT;
    diff_row *rows = NULL;
    size_t nm = spamlr_model_vocab_size(m), nb, n = 0, i;
    int rc;

    if ((rc = model_open(&base, base_path)) != 0)
        return rc;
    nb = spamlr_model_vocab_size(base);
    if (nm > SIZE_MAX / sizeof *rows - nb - 1 || !(rows = malloc((nm + nb + 1) * sizeof *rows))) {
        rc = report_failure(SPAMLR_ENOMEM, NULL, NULL);
        goto out;
    }
    for (i = 0; i < nm; i++) {
        spamlr_word w;
        float bw = 0;

        if (spamlr_model_word(m, i, &w) != SPAMLR_OK)
            continue;
        rows[n].token = w.token;
        rows[n].model = w.weight;
        rows[n].in_model = 1;
        rows[n].in_base = spamlr_model_weight(base, w.token, &bw) == SPAMLR_OK;
        rows[n++].base = bw;
    }
    for (i = 0; i < nb; i++) {
        spamlr_word w;
        float mw;

        if (spamlr_model_word(base, i, &w) != SPAMLR_OK ||
            spamlr_model_weight(m, w.token, &mw) == SPAMLR_OK)
            continue;
        rows[n].token = w.token;
        rows[n].base = w.weight;
        rows[n].in_base = 1;
        rows[n].in_model = 0;
        rows[n++].model = 0;
    }
    qsort(rows, n, sizeof *rows, cmp_diff);
    if (top == 0 || top > n)
        top = n;
    spamlr_model_info_get(m, &mi);
    spamlr_model_info_get(base, &bin);
    if (!tsv) {
        printf("model  %s\nbase   %s", path, base_path);
        if (spamlr_model_base(m, &bi))
            printf(" (%s the base the model records: %s, crc %08lx)\n",
                   bi.crc == spamlr_model_file_crc(base) ? "is" : "is NOT", bi.name,
                   (unsigned long)bi.crc);
        else
            printf(" (the model records no base)\n");
        printf("bias   base %+.4f  model %+.4f  difference %+.4f\n", bin.bias, mi.bias,
               mi.bias - bin.bias);
        printf("%zu words in either model; the %zu largest changes:\n",
               n, top);
        printf("  %9s  %9s  %9s  word\n", "base", "model", "change");
    }
    for (i = 0; i < top; i++) {
        const diff_row *r = &rows[i];

        if (tsv) {
            token_text(stdout, r->token);
            weight_cell(r->in_base, r->base, 1);
            weight_cell(r->in_model, r->model, 1);
            printf("\t%.9g\n", (double)r->model - r->base);
        } else {
            weight_cell(r->in_base, r->base, 0);
            weight_cell(r->in_model, r->model, 0);
            printf("  %+9.4f  ", (double)r->model - r->base);
            token_text(stdout, r->token);
            putchar('\n');
        }
    }
    rc = 0;
out:
    free(rows);
    spamlr_model_free(base);
    return rc;
}
