/* textout.c - appending decoded parts to the message text as clean UTF-8 lines, cut at a cap. */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mail/charset.h"
#include "mail/textout.h"

int spamlr__text_append(spamlr__buf *t, size_t max, const char *s, size_t n)
{
    size_t room, i = 0, k;
    char *o, *end;

    if (t->len >= max || n == 0)
        return SPAMLR_OK;
    room = max - t->len;
    if (spamlr__buf_reserve(t, n < room ? n : room))
        return SPAMLR_ENOMEM;
    o = t->data + t->len;
    end = o + (n < room ? n : room);
    while (i < n && o < end) {
        unsigned char b = (unsigned char)s[i];
        uint64_t w, ctl;
#if defined(__SSE2__)
        /* sixteen bytes at a time, as far as they are printable ASCII,
         * tab or line feed (kept as they are): one look at most lines */
        while (n - i >= 16 && (size_t)(end - o) >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
            unsigned bad;

            ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
            ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
            _mm_storeu_si128((__m128i *)(void *)o, v);
            bad = ~(unsigned)_mm_movemask_epi8(ok) & 0xFFFFu;
            if (bad) {
                k = (size_t)spamlr__ctz64(bad);
                o += k;
                i += k;
                break;
            }
            o += 16;
            i += 16;
        }
#endif
        /* eight printable ASCII bytes at a time */
        while (n - i >= 8 && (size_t)(end - o) >= 8) {
            memcpy(&w, s + i, 8);
            ctl = (w | ((w - 0x2020202020202020ULL) & ~w) |
                   ((w ^ 0x7F7F7F7F7F7F7F7FULL) - 0x0101010101010101ULL)) &
                  0x8080808080808080ULL;
            if (ctl)
                break;
            memcpy(o, &w, 8);
            o += 8;
            i += 8;
        }
        if (i >= n || o >= end)
            break;
        b = (unsigned char)s[i];
        if (b >= 0x20 && b < 0x7F) {
            *o++ = (char)b;
            i++;
        } else if (b == '\n' || b == '\t') {
            *o++ = (char)b;
            i++;
        } else if (b == '\r') {
            *o++ = '\n';
            i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
        } else if (b < 0x80) {
            *o++ = ' ';
            i++;
        } else if (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] < 0xA0) {
            *o++ = ' ';
            i += 2;
        } else if (!(k = spamlr__cs_utf8_seq((const unsigned char *)s + i, n - i))) {
            /* not valid UTF-8 after all (iconv turns UCS-4 values above
             * U+10FFFF into 5- and 6-byte forms): a space per bad byte */
            *o++ = ' ';
            i++;
        } else {
            if (k > (size_t)(end - o)) { /* cut before a split character */
                end = o;
                break;
            }
            memcpy(o, s + i, k);
            o += k;
            i += k;
        }
    }
    t->len = (size_t)(o - t->data);
    t->data[t->len] = '\0';
    return SPAMLR_OK;
}

int spamlr__text_part_begin(spamlr__buf *t, size_t max, size_t *mark)
{
    *mark = t->len;
    if (t->len > 0 && t->data[t->len - 1] != '\n' && t->len < max)
        return spamlr__buf_putc(t, '\n');
    return SPAMLR_OK;
}

void spamlr__text_part_end(spamlr__buf *t, size_t mark)
{
    if (t->len == mark + 1 && t->data[mark] == '\n') {
        t->len = mark;
        t->data[mark] = '\0';
    }
}
