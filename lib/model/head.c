/* head.c - the head and the end of a model file of any layout or kind:
 * magic, format version, flags and the metadata block; the CRC-32 (model_io.c
 * reads them; the layouts are in model_io.c, mapped.c and delta.c). */
#include "model/model.h"
#include "model/sections.h"

const unsigned char spamlr__model_magic[8] = {0x89, 'S', 'L', 'R', '\r', '\n', 0x1a, '\n'};

void spamlr__model_head(const spamlr_model *m, wbuf *b, uint32_t version, uint32_t flags)
{
    put(b, spamlr__model_magic, 8);
    put_u32(b, version);
    put_u32(b, (m->has_bias ? 1u : 0u) | (m->idf ? 2u : 0u) | flags);
    put_u32(b, META_LEN);
    put_u32(b, m->text.ngrams);
    put_u32(b, m->text.max_token_len);
    put_u32(b, m->text.number_fold);
    put_u32(b, m->text.cjk_bigrams);
    put_u32(b, m->text.features);
    put_u32(b, m->text.normalize);
    put_u32(b, m->text.mime);
    put_u32(b, m->solver);
    put_u32(b, m->class_weight);
    put_u32(b, m->min_count);
    put_u32(b, m->iterations);
    put_u32(b, m->text.header_fields | HDR_SET);
    put_f64(b, m->c);
    put_f64(b, m->tol);
    put_f64(b, m->objective);
    put_f64(b, m->grad_norm);
    put_f64(b, m->threshold);
    put_f64(b, m->has_bias ? (double)m->bias : 0.0);
    put_u64(b, m->examples);
    put_u64(b, m->spam);
    put_u64(b, m->ham);
    put_u64(b, (uint64_t)m->trained_at);
    put_f64(b, m->l1);
    put_f64(b, m->l2);
    put_u32(b, m->text.fold);
    put_u32(b, m->text.subwords);
    put_u32(b, m->text.idf_power);
}

int spamlr__model_check_loaded(const spamlr_model *m, uint32_t flags, spamlr_diag *d)
{
    const char *what = spamlr__model_meta_check(m);

    if (what)
        return spamlr__diag(d, SPAMLR_ECORRUPT, NULL, 0, 20, "metadata out of range: %s", what);
    if ((flags & 2) != (m->text.features == SPAMLR_FEAT_TFIDF ? 2u : 0u))
        return bad(d, SPAMLR_ECORRUPT, 12, "idf values and feature setting disagree");
    return SPAMLR_OK;
}

int spamlr__model_finish(wbuf *b, unsigned char **out, size_t *size)
{
    put_u32(b, spamlr__crc32(0, b->p, b->n));
    if (b->err)
        return b->err;
    *out = b->p;
    *size = b->n;
    b->p = NULL;
    return SPAMLR_OK;
}
