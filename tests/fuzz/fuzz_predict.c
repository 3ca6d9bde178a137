/* fuzz_predict.c - one message, scored every way the library scores it,
 * on any bytes: spamlr_predict, spamlr_predict_label, spamlr_explain, a
 * dataset (spamlr_dataset_add, then spamlr_predict_dataset) and a dataset
 * kept to the model's words (spamlr_dataset_keep_model_words) must give
 * the same log-odds, bit for bit: explain and the label (spamlr.h says
 * so), and both datasets (spamlr_predict_dataset sums a row in the
 * order of the model's ids, as spamlr_predict does); the probability
 * lies in [0, 1]; explain's counts add up. The
 * first input byte picks the model: the library's default settings, word
 * bigrams with sub-words, or plain text (no e-mail decoding), each
 * trained once (C = 1) on the few messages below. */

#include "fuzz.h"

/* (each message one literal in parentheses: clang's -Wstring-concatenation) */
static const char *const SPAM[] = {
    ("Subject: WIN a FREE prize\nFrom: \"Promo\" <win@prizes.example>\n"
     "Content-Type: text/html\n\n<p>Click <a href=\"http://cheap.example/x\">here</a> "
     "for cheap pills 中奖 now!</p>"),
    ("Subject: =?utf-8?B?5YWN6LS55Lit5aWW?=\nContent-Type: text/plain; charset=utf-8\n\n"
     "恭喜您中奖了 请点击领取 $1000 http://free.example"),
    "Subject: cheap loans\n\nApply now, free money, no credit check, call 555-0100",
};
static const char *const HAM[] = {
    "Subject: lunch tomorrow?\nFrom: Ann <ann@work.example>\n\nSee you at noon at the station.",
    "Subject: Re: the patch\nIn-Reply-To: <123@lists.example>\n\nThanks, the review is attached.",
    ("Subject: 明天开会\nContent-Type: text/plain; charset=utf-8\n\n"
     "我们明天下午三点开会"),
};

static spamlr_model *models[3];

static spamlr_model *model(unsigned which)
{
    spamlr_text_opts to;
    spamlr_train_opts o;
    spamlr_dataset *ds = NULL;
    size_t i;

    if (models[which])
        return models[which];
    spamlr_text_opts_init(&to);
    if (which == 1) {
        to.ngrams = 2;
        to.subwords = 4;
    } else if (which == 2) {
        to.mime = 0;
    }
    spamlr_train_opts_init(&o);
    o.c = 1;
    o.min_count = 1;
    if (spamlr_dataset_create(&ds, &to) != SPAMLR_OK)
        abort();
    for (i = 0; i < sizeof SPAM / sizeof *SPAM; i++)
        if (spamlr_dataset_add(ds, SPAMLR_SPAM, SPAM[i], strlen(SPAM[i]), NULL) ||
            spamlr_dataset_add(ds, SPAMLR_HAM, HAM[i], strlen(HAM[i]), NULL))
            abort();
    if (spamlr_train(&models[which], ds, &o, NULL, NULL) != SPAMLR_OK)
        abort();
    spamlr_dataset_free(ds);
    return models[which];
}

static void same(double a, double b)
{
    if (memcmp(&a, &b, sizeof a) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const spamlr_model *m;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_explanation ex = SPAMLR_EXPLANATION_INIT;
    spamlr_scratch *s = NULL;
    spamlr_dataset *open = NULL, *kept = NULL;
    char *msg;
    double p, z, pd, zd;
    int label, rc;

    if (size < 1)
        return 0;
    m = model(data[0] % 3);
    spamlr_model_info_get(m, &info);
    if (!(msg = fuzz_copy(data + 1, size - 1)))
        return 0;
    if (spamlr_scratch_create(&s) != SPAMLR_OK)
        goto out;
    rc = spamlr_predict(m, s, msg, size - 1, &p, &z);
    if (rc == SPAMLR_ENOMEM)
        goto out;
    if (rc != SPAMLR_OK || !(p >= 0 && p <= 1) || !(z == z))
        abort();
    if (spamlr_predict_label(m, s, msg, size - 1, &label, &pd) != SPAMLR_OK)
        abort();
    same(p, pd);
    if (label != (p >= spamlr_model_threshold(m) ? SPAMLR_SPAM : SPAMLR_HAM))
        abort();
    if (spamlr_explain(m, s, msg, size - 1, &ex, NULL, 0) == SPAMLR_OK) {
        same(ex.score, z);
        same(ex.prob, p);
        if (ex.known + ex.unknown != ex.tokens || ex.total > ex.known)
            abort();
    }
    /* an open dataset, and one kept to the model's words */
    if (spamlr_dataset_create(&open, &info.text) == SPAMLR_OK &&
        spamlr_dataset_add(open, SPAMLR_UNLABELLED, msg, size - 1, NULL) == SPAMLR_OK &&
        spamlr_predict_dataset(m, open, &pd, &zd) == SPAMLR_OK) {
        double pk, zk;
        same(zd, z);
        same(pd, p);
        if (spamlr_dataset_create(&kept, &info.text) == SPAMLR_OK &&
            spamlr_dataset_keep_model_words(kept, m) == SPAMLR_OK &&
            spamlr_dataset_add(kept, SPAMLR_UNLABELLED, msg, size - 1, NULL) == SPAMLR_OK &&
            spamlr_predict_dataset(m, kept, &pk, &zk) == SPAMLR_OK) {
            same(zk, zd);
            same(pk, pd);
        }
    }
out:
    spamlr_dataset_free(kept);
    spamlr_dataset_free(open);
    spamlr_scratch_free(s);
    free(msg);
    return 0;
}
