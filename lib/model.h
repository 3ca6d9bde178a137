/* model.h - the trained model: vocabulary, weights, settings, metadata. */
#ifndef SPAMLR_MODEL_H
#define SPAMLR_MODEL_H

#include "common.h"
#include "vocab.h"

struct spamlr_model {
    spamlr_text_opts text;
    spamlr__vocab vocab;     /* token -> column; count unused */
    float *w;                /* one weight per vocabulary entry */
    float *idf;              /* per entry, only with SPAMLR_FEAT_TFIDF */
    int has_bias;
    float bias;
    /* training metadata */
    unsigned solver, class_weight, min_count, iterations;
    double c, tol, objective, grad_norm, threshold;
    double l1, l2;           /* penalty weights (0 and 1 in old files) */
    uint64_t examples, spam, ham;
    int64_t trained_at;
    /* parameters made visible (explain, prune, dump) */
    unsigned weight_bits;    /* 32, or 16: weights lie on the grid q * wscale */
    float wscale;            /* grid step for 16-bit weights */
    uint64_t pruned_from;    /* vocabulary size before the first pruning, 0 */
};

/* An empty model with default settings, ready to be filled in. */
int spamlr__model_new(spamlr_model **out, const spamlr_text_opts *text);

/* Rounds the weights to the 16-bit grid of step `scale` (> 0), clamping
 * to +-32767 steps; stores the scale and sets weight_bits to 16. */
void spamlr__model_quantize(spamlr_model *m, float scale);

/* The integer grid index of weight w for step scale, clamped. */
int32_t spamlr__quant16(float w, float scale);

/* Feature value of a token seen `count` times, before normalisation. */
float spamlr__feature_value(unsigned features, uint32_t count, float idf);

/* Scales v[0..n) to unit L2 norm (no-op for a zero vector). */
void spamlr__normalize(float *v, size_t n);

#endif
