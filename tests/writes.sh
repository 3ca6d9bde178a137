#!/bin/sh
# tests/writes.sh - where `spamlr` writes, and what it refuses to replace
# (tests/README.md "Writing files"): every command that writes a file
# (train -o, prune -o, import -o, learn -m, eval --save-threshold -m,
# curve --svg) refuses a device, FIFO, socket or directory, `-` and an
# empty name, an output that is one of its inputs; a model keeps its mode
# (and owner, as root), a new one gets 0666 & ~umask; a symbolic link is
# written through to its target, which is the file locked; the lock file
# is never followed through a link; every writer takes MODEL.lock.
#
#   sh tests/writes.sh build/spamlr
set -u
BIN=${1:?usage: sh tests/writes.sh path/to/spamlr}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-writes.XXXXXX") || exit 1
trap 'rm -rf "$T"; [ -n "${lockpid:-}" ] && kill "$lockpid" 2>/dev/null' 0
trap 'exit 1' HUP INT TERM
cd "$T" || exit 1
rows=0 skipped=0 row=''
umask 022

fail() {
    echo "writes.sh: FAIL [$row]: $*" >&2
    [ -s err ] && sed 's/^/    stderr: /' err | head -5 >&2
    exit 1
}
case_() { row=$1; rows=$((rows + 1)); }
run() { "$BIN" "$@" >out 2>err; rc=$?; }
expect() {  # expect RC STDERR-REGEX
    [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
    [ -z "$2" ] || grep -Eq -- "$2" err || fail "stderr does not match /$2/"
}
no_tmp() { [ -z "$(find . -name '*.tmp-*')" ] || fail "temporary files left: $(find . -name '*.tmp-*')"; }
mode() { stat -c %a "$1"; }

printf 'spam\tfree prize now\nham\tlunch at noon\nspam\tcheap pills\nham\tsee you soon\n' > in.tsv
printf 'free cheap prize\n' > msg.eml
printf 'spam\tbuy now\nham\tmeeting at ten\n' > ref.tsv
"$BIN" train -q -o ref.slr ref.tsv 2>/dev/null || fail "cannot train the reference model"
"$BIN" inspect ref.slr --dump > ref.dump || fail "cannot dump"

# every writer, with its output as $1 (the remaining arguments are fixed)
writers='train prune import learn eval curve'
write_to() {  # write_to WRITER OUT
    case $1 in
    train) run train -q -o "$2" in.tsv ;;
    prune) run prune -q -m ref.slr --keep 3 -o "$2" ;;
    import) run import ref.dump -o "$2" ;;
    learn) run learn -q -m "$2" --spam msg.eml ;;
    eval) run eval -m "$2" --target-fpr 0.9 --save-threshold in.tsv in.tsv ;;  # 4 ham: 3/X needed
    curve) run curve -q --train in.tsv --test in.tsv --sizes 2 --svg "$2" ;;
    esac
}

case_ "a FIFO, a socket, a directory and a device are refused by every writer"
mkfifo fifo; mkdir dir
# a character device: a copy of /dev/null's node here (root only), never
# /dev/null itself, which a broken build would replace
if [ "$(id -u)" = 0 ] && mknod cdev c 1 3 2>/dev/null; then :; else
    echo "writes.sh: cannot make a device node: the device case is skipped"; skipped=$((skipped + 1))
fi
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' sock 2>/dev/null ||
    { echo "writes.sh: no python3: the socket case is skipped"; skipped=$((skipped + 1)); }
for w in $writers; do
    for f in fifo dir sock cdev; do
        [ -e "$f" ] || continue
        write_to "$w" "$f"
        expect 1 "^spamlr [a-z]+: $f: is a (FIFO|directory|socket|character device), not a regular file; refusing to replace it"
        [ "$(wc -l < err)" = 1 ] || fail "$w $f: more than one line on stderr"
    done
    [ -p fifo ] && [ -d dir ] || fail "$w replaced a special file"
    [ ! -e cdev ] || [ -c cdev ] || fail "$w replaced the device node"
    [ ! -e sock ] || [ -S sock ] || fail "$w replaced the socket"
done
no_tmp

case_ "a link to a FIFO is refused, naming both"
ln -s fifo fifolink
write_to train fifolink; expect 1 '^spamlr [a-z]+: fifolink: links to fifo, which is a FIFO'
[ -p fifo ] && [ -L fifolink ] || fail "the link or the FIFO was replaced"

case_ "'-o -' and '-o \"\"' are usage errors naming the option"
for w in train prune import; do
    write_to "$w" -; expect 2 "option '-o': '-' \(standard output\) is not supported"
    [ ! -e ./- ] || fail "$w wrote a file named '-'"
    write_to "$w" ''; expect 2 "option '-o': the file name is empty"
done
write_to curve -; expect 2 "option '--svg': '-'"

case_ "an output in a missing directory fails before any work"
write_to curve /nonexistent/x.svg
expect 1 '^spamlr [a-z]+: /nonexistent/x\.svg: cannot write there: /nonexistent: No such file or directory'
grep -q 'training on' err && fail "curve trained before finding the output unwritable"

case_ "a new model gets 0666 & ~umask"
for u in 022 077 002; do
    for w in train prune import; do
        rm -f new.slr
        (umask $u; write_to "$w" new.slr; [ "$rc" = 0 ]) || fail "$w: cannot write a new model"
        want=$(printf '%o' $((0666 & ~0$u)))
        [ "$(mode new.slr)" = "$want" ] || fail "$w under umask $u made mode $(mode new.slr), expected $want"
    done
done

case_ "an existing model keeps its mode through every writer"
for m in 600 640 444 664; do
    for w in train prune import learn eval; do
        cp ref.slr m.slr; chmod "$m" m.slr
        write_to "$w" m.slr; expect 0 ''
        [ "$(mode m.slr)" = "$m" ] || fail "$w turned mode $m into $(mode m.slr)"
        case $w in train|learn) ! cmp -s m.slr ref.slr || fail "$w did not write" ;; esac
    done
done
no_tmp

case_ "an existing model keeps its owner (as root)"
if [ "$(id -u)" = 0 ]; then
    for w in train learn eval; do
        cp ref.slr m.slr; chown 65534:65534 m.slr; chmod 600 m.slr
        write_to "$w" m.slr; expect 0 ''
        [ "$(stat -c %u:%g:%a m.slr)" = 65534:65534:600 ] ||
            fail "$w made the owner $(stat -c %u:%g:%a m.slr)"
    done
else
    echo "writes.sh: not root: the owner case is skipped"; skipped=$((skipped + 1))
fi

case_ "a symbolic link is written through to its target, which is locked"
mkdir -p real sub
for w in train learn eval prune import; do
    cp ref.slr real/m.slr; chmod 600 real/m.slr
    rm -f sub/link.slr sub/hop.slr real/m.slr.lock sub/link.slr.lock
    ln -s ../real/m.slr sub/hop.slr; ln -s hop.slr sub/link.slr  # a relative chain
    write_to "$w" sub/link.slr; expect 0 ''
    [ -L sub/link.slr ] && [ -L sub/hop.slr ] || fail "$w replaced the link by a file"
    [ "$(readlink sub/link.slr)" = hop.slr ] || fail "$w changed the link"
    case $w in train|learn) ! cmp -s real/m.slr ref.slr || fail "$w did not update the target" ;; esac
    "$BIN" inspect real/m.slr >/dev/null 2>&1 || fail "$w: the target does not load"
    [ "$(mode real/m.slr)" = 600 ] || fail "$w: the target's mode changed"
    [ -e real/m.slr.lock ] && [ ! -e sub/link.slr.lock ] && [ ! -e sub/hop.slr.lock ] ||
        fail "$w locked the link's name, not the target's"
done
[ -z "$(find sub real -name '*.tmp-*')" ] || fail "temporary files left"

case_ "a dangling link creates its target"
rm -f real/new.slr; ln -s ../real/new.slr sub/dangling.slr
write_to train sub/dangling.slr; expect 0 ''
[ -L sub/dangling.slr ] && [ -f real/new.slr ] || fail "the link's target was not created"

case_ "a link planted at MODEL.lock is refused, nothing created through it"
cp ref.slr m.slr; rm -f m.slr.lock; ln -s "$T/victim" m.slr.lock
for w in train learn eval prune import; do
    write_to "$w" m.slr
    expect 1 '^spamlr [a-z]+: m\.slr\.lock: is a symbolic link; refusing to use it as the lock file'
    [ ! -e victim ] || fail "$w created a file through the lock link"
done
cmp -s m.slr ref.slr || fail "the model was written without its lock"
rm -f m.slr.lock; mkfifo m.slr.lock
write_to learn m.slr; expect 1 '^spamlr [a-z]+: m\.slr\.lock: is not a regular file'
rm -f m.slr.lock

case_ "an output that is an input is refused before any work"
cp in.tsv keep.tsv; ln in.tsv hard.tsv; ln -s in.tsv soft.tsv
for o in in.tsv hard.tsv soft.tsv; do
    run train -q -o "$o" in.tsv; expect 1 "^spamlr [a-z]+: $o: is also an input \(in\.tsv\); refusing"
done
run train -q -o in.tsv - < in.tsv; expect 1 '^spamlr [a-z]+: in\.tsv: is also an input \(standard input\)'
run curve -q --train in.tsv --test keep.tsv --svg in.tsv; expect 1 '^spamlr [a-z]+: in\.tsv: is also an input'
run curve -q --train keep.tsv --test in.tsv --svg hard.tsv; expect 1 'is also an input'
cmp -s in.tsv keep.tsv || fail "an input was overwritten"
cp ref.dump d.txt; run import d.txt -o d.txt; expect 1 '^spamlr [a-z]+: d\.txt: is also an input'
cmp -s d.txt ref.dump || fail "the dump was overwritten"
cp ref.slr m.slr; run learn -q -m m.slr --spam m.slr; expect 1 'is also an input'
run eval -m m.slr --target-fpr 0.5 --save-threshold m.slr; expect 1 'is also an input'
mkdir mdir; cp msg.eml mdir/one.eml; cp msg.eml mdir/two.eml
run train -q -o mdir/one.eml --spam mdir --ham in.tsv
expect 1 '^spamlr [a-z]+: mdir/one\.eml: is inside the input directory mdir'
cmp -s mdir/one.eml msg.eml || fail "a message in the input directory was overwritten"
run train -q -o mdir/new.slr --ham mdir --spam in.tsv; expect 1 'inside the input directory'
[ ! -e mdir/new.slr ] || fail "a model was written among the messages"
cp ref.slr m.slr; run prune -q -m m.slr --keep 3 -o m.slr; expect 0 ''   # in place: allowed

case_ "prune in place reports the size before"
cp ref.slr m.slr; before=$(wc -c < m.slr)
run prune -m m.slr --keep 2 -o m.slr; expect 0 "m\.slr: $before bytes -> m\.slr: [0-9]+ bytes"

case_ "every writer of a model waits for MODEL.lock"
if command -v flock >/dev/null 2>&1; then
    for w in train prune import learn eval; do
        cp ref.slr m.slr; cp ref.slr held.slr; : > m.slr.lock
        flock m.slr.lock sleep 1 & lockpid=$!
        sleep 0.1
        ( write_to "$w" m.slr; exit "$rc" ) & wpid=$!
        sleep 0.6
        cmp -s m.slr held.slr || fail "$w wrote the model while another process held its lock"
        [ -z "$(find . -maxdepth 1 -name 'm.slr.tmp-*')" ] || fail "$w began writing under the lock"
        wait "$lockpid"; lockpid=
        wait "$wpid" || fail "$w failed after the lock was released"
        case $w in train|learn) ! cmp -s m.slr held.slr || fail "$w did not write after the lock" ;; esac
    done
else
    echo "writes.sh: no flock(1): the lock case is skipped"; skipped=$((skipped + 1))
fi

echo "writes.sh: $rows cases passed${skipped:+ ($skipped skipped)}"
