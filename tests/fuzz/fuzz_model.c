/* fuzz_model.c - the model loader on any bytes. Whatever loads must be
 * usable: queried, used to predict, and saved again to the same bytes.
 * Hint for the fuzzer: the seed corpus holds real saved models, and the
 * loader checks the CRC before the payload, so the target also tries the
 * input with its CRC recomputed (the second half of the input space is
 * reached only that way). A copy of what loads also learns a batch of two
 * messages (the online state, the memory and a learned model's document
 * counts as the file gave them: the idf values worked out again) and must
 * then still predict a probability. What loads whole loads to predict
 * (SPAMLR_LOAD_PREDICT) too, and predicts the same probability. */
#include <math.h>

#include "fuzz.h"
#include "common/common.h"

static void use(const spamlr_model *m)
{
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_scratch *s = NULL;
    spamlr_word w, top[4];
    unsigned char *again = NULL;
    size_t n, again_size;
    double p;
    float f;

    spamlr_model_info_get(m, &info);
    n = spamlr_model_vocab_size(m);
    if (n != info.parameters)
        abort();
    /* a packed model's words are each found with their weight (the loader
     * builds their table); a mapped model's table is read as its writer
     * laid it out (the loader checks that every look-up stays inside the
     * file, not that every word was put where it is looked for): a word
     * is found with its weight or not at all */
    if (n && (spamlr_model_word(m, n - 1, &w) != SPAMLR_OK ||
              (info.layout == SPAMLR_LAYOUT_PACKED
               ? spamlr_model_weight(m, w.token, &f) != SPAMLR_OK || f != w.weight
               : spamlr_model_weight(m, w.token, &f) == SPAMLR_OK && !isfinite(f))))
        abort();
    spamlr_model_top(m, 1, top, 4);
    spamlr_model_top(m, -1, top, 4);
    if (spamlr_scratch_create(&s) == SPAMLR_OK) {
        static const char msg[] = "Subject: free prize\n\nwin cheap 中奖 now";
        spamlr_model *c = NULL;
        spamlr_dataset *ds = NULL;

        if (spamlr_predict(m, s, msg, sizeof msg - 1, &p, NULL) == SPAMLR_OK &&
            !(p >= 0 && p <= 1))
            abort();
        if (spamlr_model_clone(&c, m) == SPAMLR_OK &&
            spamlr_dataset_create(&ds, &info.text) == SPAMLR_OK &&
            spamlr_dataset_add(ds, SPAMLR_SPAM, msg, sizeof msg - 1, NULL) == SPAMLR_OK &&
            spamlr_dataset_add(ds, SPAMLR_HAM, "Subject: lunch\n\nsee you at noon", 31, NULL) ==
                SPAMLR_OK &&
            spamlr_model_learn_batch(c, ds, NULL, 2) == SPAMLR_OK &&
            spamlr_predict(c, s, msg, sizeof msg - 1, &p, NULL) == SPAMLR_OK && !(p >= 0 && p <= 1))
            abort();
        spamlr_dataset_free(ds);
        spamlr_model_free(c);
        spamlr_scratch_free(s);
    }
    if (spamlr_model_save_buffer(m, &again, &again_size) == SPAMLR_OK) {
        spamlr_model *m2 = NULL;
        char *dump = NULL;
        size_t dn;
        if (spamlr_model_load_buffer(&m2, again, again_size, NULL) != SPAMLR_OK)
            abort();
        /* and predicts as the model saved, bit for bit (packed: a mapped
         * file's table is read as its writer laid it out, so a word put
         * in the wrong slot is not found until a save lays it out again) */
        if (info.layout == SPAMLR_LAYOUT_PACKED) {
            static const char msg2[] = "Subject: free prize\n\nwin cheap \xe4\xb8\xad\xe5\xa5\x96 now";
            spamlr_scratch *s2 = NULL;
            double a = -1, b = -2;
            if (spamlr_scratch_create(&s2) == SPAMLR_OK &&
                spamlr_predict(m, s2, msg2, sizeof msg2 - 1, &a, NULL) == SPAMLR_OK &&
                (spamlr_predict(m2, s2, msg2, sizeof msg2 - 1, &b, NULL) != SPAMLR_OK ||
                 memcmp(&a, &b, sizeof a) != 0))
                abort();
            spamlr_scratch_free(s2);
        }
        spamlr_model_free(m2);
        m2 = NULL;
        /* its dump imports, and saves to the same bytes; a mapped file's
         * words are read as its writer laid them out (none is looked for
         * twice), so one that holds a word twice dumps to text that
         * import refuses, saying so */
        if (spamlr_model_dump(m, &dump, &dn) == SPAMLR_OK) {
            unsigned char *b = NULL;
            size_t bn;
            int rc = spamlr_model_import(&m2, dump, dn, NULL);
            if (rc != SPAMLR_OK && rc != SPAMLR_ENOMEM &&
                !(rc == SPAMLR_EPARSE && info.layout == SPAMLR_LAYOUT_MAPPED))
                abort();
            if (rc == SPAMLR_OK && spamlr_model_save_buffer(m2, &b, &bn) == SPAMLR_OK &&
                (bn != again_size || memcmp(b, again, bn) != 0))
                abort();
            free(b);
            spamlr_model_free(m2);
            free(dump);
        }
        free(again);
    }
}

static void try_load(const uint8_t *data, size_t size)
{
    spamlr_model *m = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int rc = spamlr_model_load_buffer(&m, data, size, &d);

    if (rc == SPAMLR_OK) {
        spamlr_model *q = NULL;
        spamlr_scratch *s = NULL;
        static const char msg[] = "Subject: free prize\n\nwin cheap 中奖 now";
        double p1 = -1, p2 = -2;

        if (!m)
            abort();
        if (spamlr_model_load_buffer_ex(&q, data, size, SPAMLR_LOAD_PREDICT, NULL) != SPAMLR_OK)
            abort();
        if (spamlr_scratch_create(&s) == SPAMLR_OK &&
            (spamlr_predict(m, s, msg, sizeof msg - 1, &p1, NULL) !=
                 spamlr_predict(q, s, msg, sizeof msg - 1, &p2, NULL) ||
             memcmp(&p1, &p2, sizeof p1) != 0))
            abort();
        spamlr_scratch_free(s);
        spamlr_model_free(q);
        use(m);
        spamlr_model_free(m);
    } else if (m || d.code != rc || rc > 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_as_file(data, size, try_load);
    return 0;
}
