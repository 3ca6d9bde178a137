/* lrobj.c - the L2 logistic-regression objective of a model on a libsvm
 * file, evaluated the same way (in double, from the file's values) for a
 * spamlr model and a LIBLINEAR model, so that the two can be compared:
 *
 *   f(w) = 1/2 ||w||^2 + C sum_i log(1 + exp(-y_i w.x_i))
 *
 *   lrobj FILE.svm C spamlr MODEL.slr
 *   lrobj FILE.svm C liblinear MODEL.txt
 *
 * y is +1 for labels 1/+1 and -1 for -1/0. A LIBLINEAR model lists its
 * labels in the order it met them; its w scores the first one, so w is
 * negated when that is -1. Models without a bias only (-B off,
 * --no-bias). Prints f with 15 significant digits. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spamlr.h"

static double *w;
static size_t nw;

static int grow_to(size_t k)
{
    if (k < nw)
        return 0;
    size_t n = k + 1 > 2 * nw ? k + 1 : 2 * nw;
    double *p = realloc(w, n * sizeof *p);

    if (!p)
        return -1;
    memset(p + nw, 0, (n - nw) * sizeof *p);
    w = p;
    nw = n;
    return 0;
}

static int load_spamlr(const char *path)
{
    spamlr_model *m;
    spamlr_model_info info = SPAMLR_MODEL_INFO_INIT;
    spamlr_word wd;
    size_t i;

    if (spamlr_model_load(&m, path, NULL) != SPAMLR_OK)
        return -1;
    spamlr_model_info_get(m, &info);
    if (info.has_bias) {
        fprintf(stderr, "lrobj: %s has a bias; train with --no-bias\n", path);
        return -1;
    }
    for (i = 0; i < spamlr_model_vocab_size(m); i++) {
        unsigned long k;

        if (spamlr_model_word(m, i, &wd) != SPAMLR_OK)
            return -1;
        k = strtoul(wd.token, NULL, 10);
        if (grow_to(k))
            return -1;
        w[k] = wd.weight;
    }
    spamlr_model_free(m);
    return 0;
}

static int load_liblinear(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int first = 1, in_w = 0, nlabel = 0;
    long label0 = 1;
    size_t k = 1;
    double bias = -1, v;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (!in_w) {
            if (strncmp(line, "label ", 6) == 0) {
                label0 = strtol(line + 6, NULL, 10);
                nlabel = 1;
            } else if (strncmp(line, "bias ", 5) == 0) {
                bias = strtod(line + 5, NULL);
            } else if (strncmp(line, "w", 1) == 0 && (line[1] == '\n' || line[1] == '\r')) {
                in_w = 1;
            }
            continue;
        }
        v = strtod(line, NULL);
        if (grow_to(k))
            return -1;
        w[k++] = v;
        first = 0;
    }
    fclose(f);
    if (!in_w || first || !nlabel || bias >= 0) {
        fprintf(stderr, "lrobj: %s: not a two-class LIBLINEAR model without bias\n", path);
        return -1;
    }
    if (label0 != 1)
        for (k = 0; k < nw; k++)
            w[k] = -w[k];
    return 0;
}

static double log1pexp(double t)
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

int main(int argc, char **argv)
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0, k;
    double c, loss = 0, reg = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: lrobj FILE.svm C spamlr|liblinear MODEL\n");
        return 2;
    }
    c = strtod(argv[2], NULL);
    if ((strcmp(argv[3], "spamlr") == 0 ? load_spamlr(argv[4]) : load_liblinear(argv[4]))) {
        fprintf(stderr, "lrobj: cannot read model %s\n", argv[4]);
        return 1;
    }
    if (!(f = fopen(argv[1], "r"))) {
        perror(argv[1]);
        return 1;
    }
    while (getline(&line, &cap, f) > 0) {
        char *p = line, *q;
        double y = strtod(p, &q), z = 0;

        if (q == p)
            continue;
        y = y > 0 ? 1 : -1;
        for (p = q;;) {
            unsigned long idx = strtoul(p, &q, 10);
            double v;

            if (q == p || *q != ':')
                break;
            v = strtod(q + 1, &p);
            if (idx < nw)
                z += v * w[idx];
        }
        loss += log1pexp(-y * z);
    }
    fclose(f);
    free(line);
    for (k = 0; k < nw; k++)
        reg += w[k] * w[k];
    printf("%.15g\n", 0.5 * reg + c * loss);
    free(w);
    return 0;
}
