/* filter.c - the smallest useful embedding of libspamlr: classify the mails
 * given as paths and print one verdict line each.
 *
 *   cc filter.c $(pkg-config --cflags --libs spamlr) -o filter
 *   ./filter MODEL MAIL...
 *
 * Prints "spam|ham<TAB>probability<TAB>path"; exit status 0, or 1 when the
 * model or a mail cannot be read. One model, one scratch: predicting
 * allocates nothing once the scratch is warm, and the model could be shared
 * by many threads, each with its own scratch. */
#include <stdio.h>
#include <stdlib.h>

#include <spamlr.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *p;
    size_t cap = 0, n = 0, k;

    if (!f)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            if (!(p = realloc(buf, cap))) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        k = fread(buf + n, 1, cap - n, f);
        n += k;
    } while (k > 0);
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    spamlr_model *model = NULL;
    spamlr_scratch *scratch = NULL;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_diag diag = SPAMLR_DIAG_INIT;
    char msg[1200];
    int i, rc = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL MAIL...\n", argv[0]);
        return 2;
    }
    if (spamlr_model_load(&model, argv[1], &diag) != SPAMLR_OK) {
        fprintf(stderr, "%s\n", spamlr_diag_format(&diag, msg, sizeof msg));
        return 1;
    }
    if (spamlr_scratch_create(&scratch) != SPAMLR_OK) {
        spamlr_model_free(model);
        return 1;
    }
    spamlr_model_info_get(model, &info);
    for (i = 2; i < argc; i++) {
        size_t len = 0;
        char *mail = slurp(argv[i], &len);
        double p;
        int err;

        if (!mail) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            rc = 1;
            continue;
        }
        err = spamlr_predict(model, scratch, mail, len, &p, NULL);
        free(mail);
        if (err != SPAMLR_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], spamlr_strerror(err));
            rc = 1;
            continue;
        }
        printf("%s\t%.4f\t%s\n", p >= info.threshold ? "spam" : "ham", p, argv[i]);
    }
    spamlr_scratch_free(scratch);
    spamlr_model_free(model);
    return rc;
}
