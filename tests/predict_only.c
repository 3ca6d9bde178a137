/* predict_only.c - a program that only predicts, linked against the
 * prediction-only library (make lib-predict): it loads a model, tokenises
 * each message file, scores and explains it, with no solver, thread pool
 * or regularisation path linked in.
 *
 *   predict_only MODEL FILE...
 *
 * prints "label<TAB>probability<TAB>FILE<TAB>tokens<TAB>top-word" a file. */
#include <stdio.h>
#include <string.h>

#include "spamlr.h"

static int count(void *ctx, const char *tok, size_t len)
{
    (void)tok;
    (void)len;
    ++*(size_t *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    char buf[1200];
    int i, rc = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: predict_only MODEL FILE...\n");
        return 2;
    }
    if (spamlr_model_load(&m, argv[1], &d) != SPAMLR_OK) {
        fprintf(stderr, "%s\n", spamlr_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    if (spamlr_model_info_get(m, &info) || spamlr_scratch_create(&s)) {
        spamlr_model_free(m);
        return 1;
    }
    for (i = 2; i < argc && !rc; i++) {
        spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
        spamlr_contribution top[1];
        char *text = NULL;
        size_t len = 0, tokens = 0;
        double p;
        int label;

        if ((rc = spamlr_read_file(argv[i], &text, &len, &d)) ||
            (rc = spamlr_tokenize(&info.text, text, len, count, &tokens)) ||
            (rc = spamlr_predict_label(m, s, text, len, &label, &p)) ||
            (rc = spamlr_explain(m, s, text, len, &ex, top, 1)))
            fprintf(stderr, "%s: %s\n", argv[i], spamlr_strerror(rc));
        else
            printf("%s\t%.6f\t%s\t%zu\t%s\n", label == SPAMLR_SPAM ? "spam" : "ham", p, argv[i],
                   tokens, ex.n ? top[0].token : "-");
        spamlr_free(text);
    }
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    return rc ? 1 : 0;
}
