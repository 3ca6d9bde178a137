/* fuzz_import.c - the dump importer (spamlr_model_import, the reverse of
 * `inspect --dump`: text people edit by hand) on any bytes. Beyond "no
 * crash": a refusal returns no model and says why (SPAMLR_EPARSE with a
 * line in the diag); a model that imports predicts a probability in
 * [0, 1], dumps to text that imports again, and the two save to the same
 * bytes (dump -> import -> save is exact). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size), *dump = NULL;
    spamlr_model *m = (spamlr_model *)1, *again = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    spamlr_scratch *s = NULL;
    unsigned char *a = NULL, *b = NULL;
    size_t dn, an, bn;
    double p;
    int rc;

    if (!text)
        return 0;
    rc = spamlr_model_import(&m, text, size, &d);
    if (rc != SPAMLR_OK) {
        if (m || (rc != SPAMLR_EPARSE && rc != SPAMLR_ENOMEM) ||
            (rc == SPAMLR_EPARSE && (d.code != rc || d.line <= 0)))
            abort();
        free(text);
        return 0;
    }
    if (spamlr_scratch_create(&s) == SPAMLR_OK) {
        static const char msg[] = "Subject: free prize\n\nwin cheap 中奖 now";
        if (spamlr_predict(m, s, msg, sizeof msg - 1, &p, NULL) == SPAMLR_OK &&
            !(p >= 0 && p <= 1))
            abort();
        spamlr_scratch_free(s);
    }
    if (spamlr_model_dump(m, &dump, &dn) == SPAMLR_OK) {
        if (spamlr_model_import(&again, dump, dn, NULL) != SPAMLR_OK)
            abort();                    /* what was dumped imports */
        if (spamlr_model_save_buffer(m, &a, &an) == SPAMLR_OK &&
            spamlr_model_save_buffer(again, &b, &bn) == SPAMLR_OK &&
            (an != bn || memcmp(a, b, an) != 0))
            abort();
        free(a);
        free(b);
        spamlr_model_free(again);
        free(dump);
    }
    spamlr_model_free(m);
    free(text);
    return 0;
}
