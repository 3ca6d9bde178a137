/* words.c - the model's words as a user asks for them: one token's
 * weight, an entry by id, the top words, and a word written as a user
 * writes it, looked up through the model's own tokenizer. */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

int spamlr_model_weight(const spamlr_model *m, const char *token, float *w)
{
    int64_t id = spamlr__vocab_find(&m->vocab, token, strlen(token));

    *w = id >= 0 ? m->w[id] : 0.0f;
    return id >= 0 ? SPAMLR_OK : SPAMLR_ENOTFOUND;
}

size_t spamlr_model_vocab_size(const spamlr_model *m) { return m->vocab.n; }

int spamlr_model_word(const spamlr_model *m, size_t id, spamlr_word *out)
{
    if (id >= m->vocab.n)
        return SPAMLR_EINVAL;
    out->token = spamlr__vocab_str(&m->vocab, (uint32_t)id);
    out->weight = m->w[id];
    out->id = (uint32_t)id;
    return SPAMLR_OK;
}

/* true when a ranks before b for this direction */
static int word_before(const spamlr_model *m, int dir, uint32_t a, uint32_t b)
{
    float wa = dir > 0 ? m->w[a] : -m->w[a], wb = dir > 0 ? m->w[b] : -m->w[b];

    if (wa != wb)
        return wa > wb;
    return strcmp(spamlr__vocab_str(&m->vocab, a), spamlr__vocab_str(&m->vocab, b)) < 0;
}

size_t spamlr_model_top(const spamlr_model *m, int direction, spamlr_word *out, size_t k)
{
    size_t n = 0, i, j;

    /* insertion into a sorted list of at most k: O(V k), fine for small k */
    for (i = 0; i < m->vocab.n && k; i++) {
        uint32_t id = (uint32_t)i;
        float w = m->w[i];
        if (!(direction > 0 ? w > 0 : w < 0))
            continue;
        if (n == k && !word_before(m, direction, id, out[n - 1].id))
            continue;
        j = n < k ? n++ : k - 1;
        while (j > 0 && word_before(m, direction, id, out[j - 1].id)) {
            out[j] = out[j - 1];
            j--;
        }
        spamlr_model_word(m, id, &out[j]);
    }
    return n;
}

/* The first token the tokenizer makes, and how many it makes. */
typedef struct first_tok {
    char buf[SPAMLR_MAX_TOKEN_LEN + 1];
    size_t len, count;
} first_tok;

static int on_token(void *ctx, const char *tok, size_t len)
{
    first_tok *f = ctx;

    if (f->count++ == 0) {
        memcpy(f->buf, tok, len);
        f->buf[len] = '\0';
        f->len = len;
    }
    return f->count > 1; /* a second token: no need to go on */
}

int spamlr_model_lookup(const spamlr_model *m, const char *text, size_t len, spamlr_word *out)
{
    first_tok f;
    int64_t id;

    if (!m || !out || (!text && len))
        return SPAMLR_EINVAL;
    out->token = NULL;
    out->weight = 0;
    out->id = UINT32_MAX;
    /* a token exactly as stored: "subject:free", "url:example.com", "c4:rol" */
    if ((id = spamlr__vocab_find(&m->vocab, text ? text : "", len)) >= 0)
        return spamlr_model_word(m, (size_t)id, out);
    f.count = 0;
    if (spamlr_tokenize(&m->text, text ? text : "", len, on_token, &f) != SPAMLR_OK)
        return SPAMLR_EINVAL;
    if (f.count != 1)
        return f.count ? SPAMLR_EINVAL : SPAMLR_ENOTFOUND;
    if ((id = spamlr__vocab_find(&m->vocab, f.buf, f.len)) < 0)
        return SPAMLR_ENOTFOUND;
    return spamlr_model_word(m, (size_t)id, out);
}
