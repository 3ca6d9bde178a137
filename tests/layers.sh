#!/bin/sh
# layers.sh - the layout of lib/ stays true (lib/README.md): each folder is a
# layer, and a file may include only headers of its own folder or of the
# layers below it; cli/ includes only the public header. Prints every
# include that breaks this and exits 1; with none, one line and exit 0.
set -eu
cd "$(dirname "$0")/.."
LAYERS="common kernels text mail data model learn"   # bottom first

rank() { # rank FOLDER: its place in LAYERS (1 = bottom), 0 when unknown
  i=0
  for l in $LAYERS; do
    i=$((i + 1))
    [ "$l" = "$1" ] && { echo $i; return; }
  done
  echo 0
}

bad=0 n=0
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.loop"' EXIT INT TERM
for dir in lib/*/; do
  here=$(basename "$dir")
  r=$(rank "$here")
  if [ "$r" = 0 ]; then
    echo "layers.sh: lib/$here/ is not a layer named in tests/layers.sh and lib/README.md"
    bad=1
    continue
  fi
  [ -f "$dir/README.md" ] || { echo "layers.sh: lib/$here/ has no README.md saying what it owns"; bad=1; }
  for f in "$dir"*.[ch]; do
    # every quoted include, as "folder/name.h" or a bare "name.h"
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
      n=$((n + 1))
      case "$inc" in
      spamlr.h) continue ;;
      */*)
        there=${inc%%/*}
        [ -f "lib/$inc" ] || { echo "layers.sh: $f includes \"$inc\", which is not in lib/"; bad=1; continue; }
        rt=$(rank "$there")
        if [ "$rt" -gt "$r" ]; then
          echo "layers.sh: $f (layer $here) includes \"$inc\" from $there, a layer above it"
          bad=1
        fi ;;
      *)
        echo "layers.sh: $f includes \"$inc\" without its folder (write \"$here/$inc\" or the folder it lives in)"
        bad=1 ;;
      esac
    done
  done
done
for f in cli/*.c cli/*.h; do
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    [ "$inc" = spamlr.h ] || [ -f "cli/$inc" ] ||
      { echo "layers.sh: $f includes \"$inc\", neither spamlr.h nor a cli/ header"; bad=1; }
  done
done

# The calls, from the objects in build dir $1 (when given): which file's
# object uses a symbol that which other file's defines. A call may not run
# up a layer, and no two files may need each other, directly or round a
# longer circle (tsort finds those).
edges=
if [ -n "${1:-}" ]; then
  objs=$(find "$1/lib" -name '*.o' | sort)
  [ -n "$objs" ] || { echo "layers.sh: no objects under $1/lib (build first)"; exit 1; }
  edges=$(for o in $objs; do
      f=${o#"$1"/}; f=${f%.o}.c
      nm "$o" | awk -v f="$f" '$1 == "U" { print "U", $2, f } NF == 3 && $2 ~ /^[TDBR]$/ { print "D", $3, f }'
    done | awk '$1 == "D" { def[$2] = $3 } $1 == "U" { use[++k] = $2; by[k] = $3 }
                END { for (i = 1; i <= k; i++) if (use[i] in def && def[use[i]] != by[i]) print by[i], def[use[i]] }' |
    sort -u)
  calls=$(printf '%s\n' "$edges" | grep -c . || true)
  printf '%s\n' "$edges" | while read -r from to; do
    [ -n "$from" ] || continue
    a=$(echo "$from" | cut -d/ -f2); b=$(echo "$to" | cut -d/ -f2)
    if [ "$(rank "$b")" -gt "$(rank "$a")" ]; then
      echo "layers.sh: $from (layer $a) calls into $to, a layer above it"
      echo up >> "$tmp"
    fi
  done
  if ! printf '%s\n' "$edges" | tsort >/dev/null 2>"$tmp.loop"; then
    echo "layers.sh: files that need each other (a circle of calls):"
    sed 's/^/  /' "$tmp.loop"
    bad=1
  fi
  [ ! -s "$tmp" ] || bad=1
fi
[ $bad = 0 ] || exit 1
echo "layers.sh: $n includes${1:+ and ${calls} calls between files} in lib/ follow the layers" \
     "($LAYERS), with no circles; cli/ uses spamlr.h only"
