#!/bin/sh
# Tests of the build itself: the public header compiles alone under strict
# flags (C11 and C++), and a program builds against an installed copy
# through pkg-config, linked both shared and static, and runs.
set -eu
CC=${1:-cc}
MAKE=${2:-make}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "test-build: FAIL: $*" >&2; exit 1; }

printf '#include "spamlr.h"\nint main(void) { return spamlr_version_number() == 0; }\n' > "$work/h.c"
$CC -std=c11 -Wall -Wextra -pedantic -Werror -Iinclude -c "$work/h.c" -o "$work/h.o" ||
  fail "include/spamlr.h does not compile alone with -std=c11 -pedantic -Werror"
if command -v c++ >/dev/null 2>&1; then
  cp "$work/h.c" "$work/h.cc"
  c++ -Wall -Wextra -Werror -Iinclude -c "$work/h.cc" -o "$work/hh.o" ||
    fail "include/spamlr.h does not compile as C++"
fi

$MAKE --no-print-directory -s install DESTDIR="$work/root" PREFIX=/usr/local >/dev/null ||
  fail "make install DESTDIR=... failed"
root="$work/root/usr/local"
for f in include/spamlr.h lib/libspamlr.a lib/libspamlr.so lib/pkgconfig/spamlr.pc bin/spamlr \
    share/man/man1/spamlr.1 share/man/man3/libspamlr.3 share/man/man5/spamlr.5; do
  [ -e "$root/$f" ] || fail "make install did not install $f"
done
soname=$(readelf -d "$root/lib/libspamlr.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ -n "$soname" ] && [ -e "$root/lib/$soname" ] || fail "shared library has no usable soname ($soname)"
# before 1.0 the soname holds major.minor (a minor release may break the ABI)
major=$(sed -n 's/^#define SPAMLR_VERSION_MAJOR \([0-9]*\)/\1/p' include/spamlr.h)
minor=$(sed -n 's/^#define SPAMLR_VERSION_MINOR \([0-9]*\)/\1/p' include/spamlr.h)
want=libspamlr.so.$major
[ "$major" = 0 ] && want=libspamlr.so.0.$minor
[ "$soname" = "$want" ] || fail "soname is $soname, not $want"
readelf --dyn-syms -W "$root/lib/libspamlr.so" | awk '$5=="GLOBAL" && $7!="UND" {print $8}' |
  grep -v '^spamlr_' | grep -v '^_' > "$work/leaks" || true
[ -s "$work/leaks" ] && fail "shared library exports non-spamlr_ symbols: $(head -5 "$work/leaks")"

cat > "$work/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <spamlr.h>
int main(void)
{
    spamlr_dataset *ds = NULL;
    spamlr_model *m = NULL;
    spamlr_scratch *s = NULL;
    double p = -1;
    const char *t[] = {"win free money now", "lunch tomorrow at noon", "free prize claim now",
                       "meeting notes attached"};
    if (SPAMLR_VERSION_NUMBER != spamlr_version_number()) return 1;
    if (spamlr_dataset_create(&ds, NULL)) return 2;
    for (int i = 0; i < 4; i++)
        if (spamlr_dataset_add(ds, i % 2 ? SPAMLR_HAM : SPAMLR_SPAM, t[i], strlen(t[i]), NULL)) return 3;
    if (spamlr_train(&m, ds, NULL, NULL, NULL)) return 4;
    if (spamlr_scratch_create(&s) || spamlr_predict(m, s, "free money", 10, &p, NULL)) return 5;
    printf("%s %.3f\n", spamlr_version_string(), p);
    spamlr_scratch_free(s);
    spamlr_model_free(m);
    spamlr_dataset_free(ds);
    return p > 0.5 ? 0 : 6;
}
C
export PKG_CONFIG_SYSROOT_DIR="$work/root" PKG_CONFIG_PATH="$root/lib/pkgconfig"
cflags=$(pkg-config --cflags spamlr) || fail "pkg-config does not find spamlr.pc"
libs=$(pkg-config --libs spamlr)
slibs=$(pkg-config --libs --static spamlr)
$CC -std=c11 -Wall -Werror $cflags "$work/prog.c" -o "$work/prog-shared" $libs ||
  fail "linking against the installed shared library failed"
LD_LIBRARY_PATH="$root/lib" "$work/prog-shared" > "$work/out" || fail "shared-linked program failed"
$CC -std=c11 -Wall -Werror $cflags "$work/prog.c" -o "$work/prog-static" \
  "$root/lib/libspamlr.a" $(echo "$slibs" | sed 's/-lspamlr//') ||
  fail "linking against the installed static library failed"
"$work/prog-static" > "$work/out2" || fail "static-linked program failed"
cmp -s "$work/out" "$work/out2" || fail "shared and static builds disagree"
# the example mail filter of tests/example builds the same way and runs
$CC -std=c11 -Wall -Wextra -Werror $cflags tests/example/filter.c -o "$work/filter" $libs ||
  fail "tests/example/filter.c does not build against the installed library"
"$root/bin/spamlr" train -q -o "$work/ex.slr" data/corpus.tsv || fail "cannot train the example model"
printf 'From: a@example.com\nSubject: free prize\n\nclaim your free prize now, cheap\n' > "$work/s.eml"
printf 'From: b@example.com\nSubject: lunch\n\nsee you at the meeting tomorrow\n' > "$work/h.eml"
LD_LIBRARY_PATH="$root/lib" "$work/filter" "$work/ex.slr" "$work/s.eml" "$work/h.eml" > "$work/verdicts" ||
  fail "the example filter failed"
[ "$(wc -l < "$work/verdicts")" = 2 ] && grep -q "	$work/s.eml\$" "$work/verdicts" ||
  fail "the example filter printed no verdicts: $(cat "$work/verdicts")"
LD_LIBRARY_PATH="$root/lib" "$work/filter" "$work/missing.slr" "$work/s.eml" 2>/dev/null &&
  fail "the example filter accepted a missing model"
$MAKE --no-print-directory -s uninstall DESTDIR="$work/root" PREFIX=/usr/local >/dev/null
[ ! -e "$root/include/spamlr.h" ] || fail "make uninstall left the header"
for f in man1/spamlr.1 man3/libspamlr.3 man5/spamlr.5; do
  [ ! -e "$root/share/man/$f" ] || fail "make uninstall left share/man/$f"
done

# make install PREFIX=DIR after the build above (whose spamlr.pc said
# /usr/local): the installed .pc names DIR, its directories relative to
# ${prefix}, and a program built through it runs (rpath from the .pc's
# libdir, as the README says to do for a prefix outside the loader's path)
pfx="$work/prefix"
$MAKE --no-print-directory -s install PREFIX="$pfx" >/dev/null || fail "make install PREFIX=$pfx failed"
pc="$pfx/lib/pkgconfig/spamlr.pc"
[ -f "$pc" ] || fail "make install PREFIX=... did not install $pc"
grep -qx "prefix=$pfx" "$pc" || fail "spamlr.pc does not say prefix=$pfx: $(head -1 "$pc")"
grep -qx 'libdir=${prefix}/lib' "$pc" && grep -qx 'includedir=${prefix}/include' "$pc" ||
  fail "spamlr.pc's directories are not relative to \${prefix}: $(sed -n 2,3p "$pc")"
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH="$pfx/lib/pkgconfig"
[ "$(pkg-config --variable=libdir spamlr)" = "$pfx/lib" ] || fail "pkg-config libdir is not $pfx/lib"
cflags=$(pkg-config --cflags spamlr)
libs=$(pkg-config --libs spamlr)
$CC -std=c11 -Wall -Werror $cflags "$work/prog.c" -o "$work/prog-prefix" $libs \
  -Wl,-rpath,"$(pkg-config --variable=libdir spamlr)" ||
  fail "a program does not build through the .pc of make install PREFIX=$pfx"
"$work/prog-prefix" > "$work/out3" || fail "the program built through $pc failed"
cmp -s "$work/out" "$work/out3" || fail "the PREFIX-installed library disagrees"
ldd "$work/prog-prefix" | grep -q "$pfx/lib/libspamlr.so" ||
  fail "the program does not use the library under $pfx: $(ldd "$work/prog-prefix" | grep spamlr)"
echo "test-build: ok (header alone, install with man pages, pkg-config shared+static, example filter, uninstall, install PREFIX= through its .pc)"
