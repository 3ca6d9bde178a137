/* scan.c - the scalar byte classifier (the reference the SIMD versions are
 * tested against) and the choice of version, made with the kernels' ISA
 * level (kernels.c) so that one SPAMLR_SIMD setting governs both. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "kernels/kernels.h"
#include "text/scan.h"

static void scalar_classify(const unsigned char *p, size_t n, spamlr__scan_block *b)
{
    uint64_t alnum = 0, letter = 0, sep = 0, bit = 1;
    uint64_t at = 0, localp = 0, colon = 0, slash = 0, dot = 0, w = 0;
    size_t k;

    for (k = 0; k < n; k++, bit <<= 1) {
        unsigned c = p[k];

        if ((c | 0x20) - 'a' < 26u) {
            letter |= bit;
            alnum |= bit;
            if ((c | 0x20) == 'w')
                w |= bit;
        } else if (c - '0' < 10u) {
            alnum |= bit;
        } else if (c < 0x80 && c != '$') {
            sep |= bit;
            if (c == '@')
                at |= bit;
            else if (c == ':')
                colon |= bit;
            else if (c == '/')
                slash |= bit;
            else if (c == '-' || c == '.' || c == '_' || c == '+' || c == '%')
                localp |= bit;
            if (c == '.')
                dot |= bit;
        }
        b->low[k] = (unsigned char)(c | 0x20);
    }
    spamlr__scan_store(b, n, alnum, letter, sep,
                       spamlr__scan_link(n, at, localp, alnum | localp, colon, slash, dot, w));
}

const spamlr__scan spamlr__scan_scalar = { "scalar", scalar_classify };

static const void *const tables[SPAMLR__ISA_COUNT] = {
    &spamlr__scan_scalar,
#if defined(SPAMLR_HAVE_X86)
    &spamlr__scan_sse2,
    &spamlr__scan_avx2,
    &spamlr__scan_avx512,
#else
    NULL, NULL, NULL,
#endif
};

const spamlr__scan *spamlr__scan_available(size_t i)
{
    return spamlr__isa_available(tables, i);
}

const spamlr__scan *spamlr__scan_choose(const char *name)
{
    return spamlr__isa_pick(tables, spamlr__isa_choose(name));
}

static const spamlr__scan *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static void choose_once(void)
{
    chosen = spamlr__isa_pick(tables, spamlr__isa_get());
}

const spamlr__scan *spamlr__scan_get(void)
{
    if (pthread_once(&chosen_once, choose_once) != 0 || !chosen)
        return &spamlr__scan_scalar;
    return chosen;
}
