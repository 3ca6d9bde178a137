/* fuzz_learn.c - online learning on any messages: an empty model (the
 * `learn --create` path) learns the input's messages one by one and as a
 * batch, unlearns and relearns one (AdaGrad: no weight may move by more
 * than eta) and the batch's last one through the scratch (it must leave
 * a memory that held every message), under settings the first two bytes
 * pick (AdaGrad or FTRL, margin, memory, n-grams, sub-words, MIME or
 * plain text). Beyond "no crash": every call returns a documented code;
 * every probability is a number in [0, 1]; the model saves to bytes that
 * load again and predict the same probability bit for bit, and dumps to
 * text that imports. The rest of the input is cut into up to four
 * messages at each "\n--\n". */
#include <math.h>
#include <stdio.h>

#include "fuzz.h"

#define MAX_MSGS 4

static int ok(int rc)
{
    return rc == SPAMLR_OK || rc == SPAMLR_ENOMEM || rc == SPAMLR_ELIMIT;
}

static void check_prob(double p)
{
    if (!(p >= 0 && p <= 1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spamlr_text_opts to;
    spamlr_online_opts oo;
    spamlr_model *m = NULL, *l = NULL, *im = NULL;
    spamlr_scratch *s = NULL;
    spamlr_dataset *ds = NULL;
    const char *msg[MAX_MSGS];
    size_t len[MAX_MSGS], n = 0, i, bn;
    unsigned char *buf = NULL;
    char *text, *dump = NULL, *p, *end;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    double prob, p2;
    int rc, outcome;

    if (size < 2)
        return 0;
    spamlr_text_opts_init(&to);
    to.mime = data[0] & 1;
    to.ngrams = data[0] & 2 ? 2 : 1;
    to.subwords = data[0] & 4 ? 4 : 0;
    spamlr_online_opts_init(&oo);
    oo.solver = data[0] & 8 ? SPAMLR_SOLVER_FTRL : SPAMLR_SOLVER_ADAGRAD;
    oo.margin = data[0] & 16 ? INFINITY : 2;
    oo.memory = data[1] & 1 ? 0 : 4;
    if (data[1] & 2)
        oo.eta = 1000;
    if (!(text = fuzz_copy(data + 2, size - 2)))
        return 0;
    for (p = text, end = text + (size - 2); n < MAX_MSGS;) {
        char *cut = NULL;
        for (char *q = p; q + 4 <= end; q++)
            if (!memcmp(q, "\n--\n", 4)) {
                cut = q;
                break;
            }
        msg[n] = p;
        len[n++] = (size_t)((cut ? cut : end) - p);
        if (!cut)
            break;
        p = cut + 4;
    }
    if (spamlr_model_create(&m, &to) != SPAMLR_OK || spamlr_scratch_create(&s) != SPAMLR_OK)
        goto out;
    if (spamlr_model_online_setup(m, &oo) != SPAMLR_OK)
        abort();
    /* one by one, classes alternating; the first unlearned, then relearned */
    for (i = 0; i < n; i++) {
        rc = spamlr_model_learn_ex(m, s, msg[i], len[i], i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, 1,
                                   &prob, &outcome);
        if (!ok(rc))
            abort();
        if (rc == SPAMLR_OK)
            check_prob(prob);
    }
    {   /* the first, unlearned: AdaGrad (no prior) moves no weight by
         * more than eta, the most a step moves one */
        size_t nv = spamlr_model_vocab_size(m), j;
        float *w0 = malloc((nv + 1) * sizeof *w0);
        double eta = oo.eta > 0 ? oo.eta : 0.5;

        for (j = 0; w0 && j < nv; j++) {
            spamlr_word wd;
            w0[j] = spamlr_model_word(m, j, &wd) == SPAMLR_OK ? wd.weight : 0;
        }
        rc = spamlr_model_learn_ex(m, s, msg[0], len[0], SPAMLR_SPAM, -1, NULL, &outcome);
        if (!ok(rc) && rc != SPAMLR_EINVAL && rc != SPAMLR_ENOTFOUND)
            abort();
        for (j = 0; w0 && rc == SPAMLR_OK && oo.solver == SPAMLR_SOLVER_ADAGRAD && j < nv; j++) {
            spamlr_word wd;
            if (spamlr_model_word(m, j, &wd) == SPAMLR_OK &&
                !(fabs((double)wd.weight - w0[j]) <= eta * (1 + 1e-5))) {
                if (getenv("FUZZ_SAY"))
                    fprintf(stderr, "unlearning moved %s by %g (eta %g)\n", wd.token,
                            fabs((double)wd.weight - w0[j]), eta);
                abort();
            }
        }
        free(w0);
    }
    rc = spamlr_model_learn_ex(m, s, msg[0], len[0], SPAMLR_HAM, SPAMLR_RELEARN, NULL, &outcome);
    if (!ok(rc) && rc != SPAMLR_EINVAL && rc != SPAMLR_ENOTFOUND)
        abort();
    /* the same messages as a batch, classes the other way round */
    if (spamlr_dataset_create(&ds, &to) == SPAMLR_OK) {
        for (i = 0; i < n; i++)
            if (!ok(spamlr_dataset_add(ds, i % 2 ? SPAMLR_SPAM : SPAMLR_HAM, msg[i], len[i], NULL)))
                abort();
        if (!ok(spamlr_model_learn_batch(m, ds, NULL, spamlr_dataset_rows(ds))))
            abort();
        /* the last, learned in the batch, unlearned alone through the
         * scratch (as spamc's TELL to serve): the same row, so when the
         * memory held every message it leaves it */
        if (n > 0 && spamlr_model_info_get(m, &info) == SPAMLR_OK) {
            size_t held = info.remembered[0] + info.remembered[1];
            uint64_t offered = info.memory_offered[0] + info.memory_offered[1];

            rc = spamlr_model_learn_ex(m, s, msg[n - 1], len[n - 1],
                                       (n - 1) % 2 ? SPAMLR_SPAM : SPAMLR_HAM, -1, NULL, &outcome);
            if (!ok(rc) && rc != SPAMLR_EINVAL && rc != SPAMLR_ENOTFOUND)
                abort();
            if (rc == SPAMLR_OK && held > 0 && held == offered &&
                spamlr_model_info_get(m, &info) == SPAMLR_OK &&
                info.remembered[0] + info.remembered[1] != held - 1) {
                if (getenv("FUZZ_SAY"))
                    fprintf(stderr, "unlearned, the memory holds %zu, not %zu\n",
                            info.remembered[0] + info.remembered[1], held - 1);
                abort();
            }
        }
    }
    for (i = 0; i < n; i++)
        if (spamlr_predict(m, s, msg[i], len[i], &prob, NULL) == SPAMLR_OK)
            check_prob(prob);
    /* saved, loaded: the same probability; dumped: imports */
    if (spamlr_model_save_buffer(m, &buf, &bn) == SPAMLR_OK) {
        spamlr_diag d = SPAMLR_DIAG_INIT;
        if (spamlr_model_load_buffer(&l, buf, bn, &d) != SPAMLR_OK) {
            if (getenv("FUZZ_SAY"))
                fprintf(stderr, "saved model does not load: %s\n", d.message);
            abort();
        }
        if (spamlr_predict(m, s, msg[0], len[0], &prob, NULL) == SPAMLR_OK &&
            (spamlr_predict(l, s, msg[0], len[0], &p2, NULL) != SPAMLR_OK ||
             memcmp(&prob, &p2, sizeof prob) != 0))
            abort();
    }
    if (spamlr_model_dump(m, &dump, &bn) == SPAMLR_OK) {
        rc = spamlr_model_import(&im, dump, bn, NULL);
        if (!ok(rc))
            abort();
    }
out:
    spamlr_model_free(im);
    free(dump);
    spamlr_model_free(l);
    free(buf);
    spamlr_dataset_free(ds);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    free(text);
    return 0;
}
