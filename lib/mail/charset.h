/* charset.h - any declared charset -> UTF-8, through iconv, with fallback
 * detection for undeclared, unknown and lying charsets. Part of the mime
 * module.
 *
 * Rules, in order (name = the declared charset, lower-cased, quotes and
 * blanks removed):
 *  1. utf-16*, utf-32*, ucs-2, ucs-4, "unicode" (= UTF-16LE): iconv.
 *  2. Otherwise, unless the name is a 7-bit stateful encoding (utf-7,
 *     iso-2022-*, hz-gb-2312): bytes that are valid UTF-8 are taken as
 *     UTF-8 whatever the name says (mail lies; legacy text is almost never
 *     valid UTF-8 by chance). Pure ASCII is copied.
 *  3. Undeclared, unknown to iconv, utf-8, us-ascii, iso-8859-1 or
 *     windows-1252 (and their aliases): GB18030 when the bytes decode as it
 *     without error and look Chinese (a run of at least two GB2312-zone
 *     characters, mostly Han); else UTF-8 where sequences are valid and
 *     windows-1252 for every other byte.
 *  4. Any other name: iconv, with aliases widened to the superset real
 *     mail uses: gb2312/gbk/cp936/euc-cn -> GB18030, big5 -> BIG5-HKSCS,
 *     shift_jis/sjis -> CP932, euc-kr/ks_c_5601-1987 -> CP949, euc-jp ->
 *     EUC-JP-MS, iso-2022-jp -> ISO-2022-JP-2.
 * Invalid or incomplete input sequences become one U+FFFD per run; the
 * conversion never fails because of the input. U+FEFF (BOM) is dropped. */
#ifndef SPAMLR_CHARSET_H
#define SPAMLR_CHARSET_H

#include <iconv.h>

#include "common/buf.h"

#define SPAMLR__ICONV_SLOTS 4

/* Open iconv descriptors, reused within one parse call. */
typedef struct spamlr__iconv_cache {
    struct {
        char name[40];      /* iconv name; "" = free slot */
        iconv_t cd;
        int failed;         /* iconv_open failed for this name */
    } slot[SPAMLR__ICONV_SLOTS];
    unsigned next;          /* slot to evict next */
} spamlr__iconv_cache;

void spamlr__iconv_cache_init(spamlr__iconv_cache *c);
void spamlr__iconv_cache_free(spamlr__iconv_cache *c);

/* Converts in[0..len), declared as charset cs[0..cslen) (cslen 0 or cs
 * NULL = undeclared), to UTF-8. When the input can be used as it is
 * (valid UTF-8), *out points into `in` and nothing is copied; otherwise
 * the result is written to `scratch` (whose old content is discarded) and
 * *out points to scratch->data. At most max_out bytes result, cut at a
 * character boundary. Returns 0 or SPAMLR_ENOMEM. */
int spamlr__charset_decode(spamlr__iconv_cache *c, const char *cs, size_t cslen,
                           const char *in, size_t len, spamlr__buf *scratch,
                           const char **out, size_t *outlen, size_t max_out);

/* Lower-cased charset name cs[0..cslen) with quotes and blanks removed,
 * into name[0..size) (NUL-terminated). Returns its length; 0 when empty or
 * when it holds characters no charset name has, or is too long. */
size_t spamlr__charset_name(const char *cs, size_t cslen, char *name, size_t size);

/* Length (1..4) of the valid UTF-8 sequence at s[0] (n > 0 bytes left),
 * 0 when it is invalid or incomplete. */
size_t spamlr__cs_utf8_seq(const unsigned char *s, size_t n);

/* Length of the longest prefix of s[0..len) that is valid UTF-8. */
size_t spamlr__cs_utf8_prefix(const char *s, size_t len);

/* Encodes code point cp (<= 0x10FFFF, not a surrogate) as UTF-8 into
 * out[0..4). Returns the length (1..4), 0 for an invalid code point. */
size_t spamlr__cs_utf8_put(uint32_t cp, char *out);

/* Unicode code point of windows-1252 byte b (0 for the five holes). */
uint32_t spamlr__cs_cp1252(unsigned char b);

#endif
