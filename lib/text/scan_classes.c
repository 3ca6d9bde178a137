/* scan_classes.c - the link classes' lookup tables (scan.h), read by the
 * versions of the byte classifier that find those classes with byte
 * shuffles (scan_avx2.c, scan_avx512.c). Plain data, built without
 * special flags. */
#include "text/scan.h"

#define SC_ALL4(...) __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__
#define SC(x) SPAMLR__SC_##x

const unsigned char spamlr__scan_hi[64] = { SC_ALL4(
    0, 0, SC(SLASH) | SC(DOT) | SC(LOCALP) | SC(DOLLAR), SC(COLON), SC(AT), SC(UNDER) | SC(W),
    0, SC(W), 0, 0, 0, 0, 0, 0, 0, 0) };
const unsigned char spamlr__scan_lo[64] = { SC_ALL4(
    SC(AT), 0, 0, 0, SC(DOLLAR), SC(LOCALP), 0, SC(W), 0, 0, SC(COLON), SC(LOCALP), 0,
    SC(LOCALP), SC(DOT), SC(SLASH) | SC(UNDER)) };
