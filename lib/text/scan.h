/* scan.h - the tokenizer's byte classifier, one version per instruction
 * set (scan.c: scalar; scan_sse2.c, scan_avx2.c, scan_avx512.c, each built
 * with its own flags), chosen once with the kernels' ISA level
 * (kernels.h: spamlr__isa_get, SPAMLR_SIMD).
 *
 * classify(p, n, b), 1 <= n <= 64, reads p[0..n) and nothing else, and
 * writes, for k < n (bits k >= n are 0):
 *   alnum  bit k: p[k] is an ASCII letter or digit
 *   letter bit k: p[k] is an ASCII letter
 *   sep    bit k: p[k] < 0x80 and neither a letter, a digit nor '$'
 *   link   bit k: a word ending before p[k] may start a URL or an e-mail
 *          address (spamlr__scan_link: what links.c can find there)
 *   low[k] = p[k] | 0x20 (lower-cases letters, keeps digits)
 * low[n..64) get some bytes; low[64..128) are never written (slack for
 * the tokenizer's fixed 64-byte copies). The tokenizer (tokenize.c) finds
 * the ends of runs in these masks with bit scans. */
#ifndef SPAMLR_TEXT_SCAN_H
#define SPAMLR_TEXT_SCAN_H

#include <stddef.h>
#include <string.h>

#include "common/common.h" /* SPAMLR_HAVE_X86 */

#define SPAMLR__SCAN_BLOCK 64

typedef struct spamlr__scan_block {
    uint64_t alnum;
    uint64_t letter;
    uint64_t sep;
    uint64_t link;
    unsigned char low[2 * SPAMLR__SCAN_BLOCK];
} spamlr__scan_block;

typedef struct spamlr__scan {
    const char *name;
    void (*classify)(const unsigned char *p, size_t n, spamlr__scan_block *b);
} spamlr__scan;

extern const spamlr__scan spamlr__scan_scalar;
/* Defined only on x86, each in its own file. */
extern const spamlr__scan spamlr__scan_sse2;
extern const spamlr__scan spamlr__scan_avx2;
extern const spamlr__scan spamlr__scan_avx512;

/* The version for this CPU and SPAMLR_SIMD (chosen once). Thread-safe. */
const spamlr__scan *spamlr__scan_get(void);

/* The version SPAMLR_SIMD=name would select. name may be NULL. */
const spamlr__scan *spamlr__scan_choose(const char *name);

/* The i-th version this CPU runs, best first; NULL past the end ("scalar"
 * is last). For tests and benchmarks. */
const spamlr__scan *spamlr__scan_available(size_t i);

/* The bytes the link mask (below) looks at, one class bit each, for the
 * versions that find them with two 16-entry byte shuffles (AVX2,
 * AVX-512BW): a byte is in a class when the entry of its high half in
 * spamlr__scan_hi and that of its low half in spamlr__scan_lo both have
 * the class's bit (each table is its 16 entries four times over, one
 * copy a 128-bit lane). Bytes >= 0x80 are in none. */
enum {
    SPAMLR__SC_AT = 1,        /* '@' */
    SPAMLR__SC_COLON = 2,     /* ':' */
    SPAMLR__SC_SLASH = 4,     /* '/' */
    SPAMLR__SC_DOT = 8,       /* '.' */
    SPAMLR__SC_LOCALP = 16,   /* '-' '+' '%' (with '.' and '_': address bytes) */
    SPAMLR__SC_UNDER = 32,    /* '_' */
    SPAMLR__SC_W = 64,        /* 'w' 'W' */
    SPAMLR__SC_DOLLAR = 128   /* '$' */
};
extern const unsigned char spamlr__scan_hi[64];
extern const unsigned char spamlr__scan_lo[64];

/* The bits below n (n <= 64). */
static inline uint64_t spamlr__scan_first(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
}

/* For the versions that load whole registers: p itself when a full block
 * can be read, else a zero-padded copy of p[0..n) in pad (so nothing past
 * n is read). */
static inline const unsigned char *spamlr__scan_padded(const unsigned char *p, size_t n,
                                                       unsigned char pad[SPAMLR__SCAN_BLOCK])
{
    if (n >= SPAMLR__SCAN_BLOCK)
        return p;
    memset(pad, 0, SPAMLR__SCAN_BLOCK);
    memcpy(pad, p, n);
    return pad;
}

/* The link mask of a block of n bytes from the masks of its bytes (bit
 * k: p[k] is that byte; `w` either case; `local` also letters and
 * digits): the bytes after which a word can begin what spamlr__link_at
 * finds, a superset of where it finds one, so that the words before the
 * other bytes (most words) never ask it:
 *   '@' (user@host);
 *   '-' '.' '_' '+' '%' in the run of address bytes just before an '@'
 *     (john.smith@), or in the one that reaches the block's end (its
 *     '@' may be in the next block);
 *   ':' before "//" (http://), or at the block's last two bytes;
 *   '.' after "www" (www.host) in the block.
 * A block shorter than 64 bytes ends the text: nothing follows it. The
 * mask serves words that start in the block (the tokenizer's fast path),
 * so a "www" begun in the block before is no concern of it. */
static inline uint64_t spamlr__scan_link(size_t n, uint64_t at, uint64_t localp, uint64_t local,
                                         uint64_t colon, uint64_t slash, uint64_t dot,
                                         uint64_t w)
{
    uint64_t full = n >= SPAMLR__SCAN_BLOCK ? ~(uint64_t)0 : 0;
    uint64_t r = at | (full & local & ((uint64_t)1 << 63)), g = local;

    /* r: the bytes from which address bytes run to an '@' (or to the end
     * of a whole block), filled downwards in six doubling steps, without
     * a branch: bit k joins when bit k + d has and bits k .. k + d - 1 are
     * address bytes (g). Written out: the compiler kept the loop of six. */
#define SPAMLR__SCAN_FILL(d) (r |= (r >> (d)) & g, g &= g >> (d))
    SPAMLR__SCAN_FILL(1);
    SPAMLR__SCAN_FILL(2);
    SPAMLR__SCAN_FILL(4);
    SPAMLR__SCAN_FILL(8);
    SPAMLR__SCAN_FILL(16);
    r |= (r >> 32) & g;     /* the last step's g is not needed */
#undef SPAMLR__SCAN_FILL
    return at | (localp & r) |
           (colon & (((slash >> 1) & (slash >> 2)) | (full & ((uint64_t)3 << 62)))) |
           (dot & (w << 1) & (w << 2) & (w << 3));
}

/* Stores the masks of a block of n bytes, the bits at n and above cleared. */
static inline void spamlr__scan_store(spamlr__scan_block *b, size_t n, uint64_t alnum,
                                      uint64_t letter, uint64_t sep, uint64_t link)
{
    uint64_t keep = spamlr__scan_first(n);

    b->alnum = alnum & keep;
    b->letter = letter & keep;
    b->sep = sep & keep;
    b->link = link & keep;
}

#endif
