/* fuzz_delta.c - a per-user delta (spamlr_model_load_delta_buffer) on any
 * bytes, on a fixed base made from the dump below (so that its checksum,
 * which a delta must name, is the same in every run and in the seeds).
 * Whatever loads must be usable: it dumps to text that imports, predicts a
 * probability in [0, 1], learns a message, and saves as a delta that
 * loads again. As in
 * fuzz_model, every input is tried as given and with its CRC recomputed. */
#include "fuzz.h"
#include "common/common.h"

/* The base: a few words, binary features, every setting explicit. The
 * seeds in corpus/fuzz_delta/ are deltas on it. */
static const char BASE_DUMP[] =
    "spamlr-dump 1\n"
    "features=binary\nfold=0\nsubwords=0\nmime=1\nnormalize=1\n"
    "c=4\nl2=1\nbias=-0.25\nexamples=4\nspam=2\nham=2\ntrained_at=1733300000\n"
    "[words]\n"
    "free\t1.5\nprize\t2\nwin\t1.25\nmeeting\t-1\nlunch\t-0.75\n"
    "subject:free\t0.5\n\xe4\xb8\xad\xe5\xa5\x96\t2.5\n";

static spamlr_model *base;

static spamlr_model *fuzz_base(void)
{
    spamlr_model *m = NULL;
    unsigned char *buf = NULL;
    size_t n;

    if (base)
        return base;
    if (spamlr_model_import(&m, BASE_DUMP, sizeof BASE_DUMP - 1, NULL) ||
        spamlr_model_save_buffer(m, &buf, &n) || spamlr_model_load_buffer(&base, buf, n, NULL))
        abort();
    spamlr_model_free(m);
    free(buf);
    return base;
}

static void use(spamlr_model *m, const spamlr_model *b)
{
    static const char msg[] = "Subject: free prize\n\nwin cheap \xe4\xb8\xad\xe5\xa5\x96 now";
    spamlr_scratch *s = NULL;
    unsigned char *again = NULL;
    spamlr_model *m2 = NULL;
    size_t n;
    double p;

    { /* what loads dumps to text that imports */
        char *dump = NULL;
        size_t dn;
        int rc;
        if (spamlr_model_dump(m, &dump, &dn) == SPAMLR_OK) {
            rc = spamlr_model_import(&m2, dump, dn, NULL);
            if (rc != SPAMLR_OK && rc != SPAMLR_ENOMEM)
                abort();
            spamlr_model_free(m2);
            m2 = NULL;
            free(dump);
        }
    }
    if (spamlr_scratch_create(&s) == SPAMLR_OK) {
        if (spamlr_predict(m, s, msg, sizeof msg - 1, &p, NULL) == SPAMLR_OK &&
            !(p >= 0 && p <= 1))
            abort();
        spamlr_model_learn(m, s, msg, sizeof msg - 1, SPAMLR_HAM, 1, NULL);
        spamlr_scratch_free(s);
    }
    if (spamlr_model_save_delta_buffer(m, b, &again, &n, NULL) == SPAMLR_OK) {
        if (spamlr_model_load_delta_buffer(&m2, b, again, n, NULL) != SPAMLR_OK)
            abort();
        spamlr_model_free(m2);
        free(again);
    }
}

static void try_load(const uint8_t *data, size_t size)
{
    const spamlr_model *b = fuzz_base();
    spamlr_model *m = NULL;
    spamlr_diag d = SPAMLR_DIAG_INIT;
    int rc = spamlr_model_load_delta_buffer(&m, b, data, size, &d);

    if (rc == SPAMLR_OK) {
        if (!m)
            abort();
        use(m, b);
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
