# tests/cli_lib.sh - helpers shared by the CLI test scripts (cli.sh,
# cli_inspect.sh, cli_online.sh); sourced, not run.
#
#   . "$(dirname "$0")/cli_lib.sh"
#   cli_setup NAME path/to/spamlr TOOL...
#
# cli_setup checks the binary and the tools the script needs, makes the work
# directory $T (removed on exit) and sets BIN (absolute), ROOT (the
# repository root, the working directory) and WRAP (SPAMLR_CLI_WRAPPER: run
# every spamlr command under a tool, e.g. 'valgrind -q --error-exitcode=99').

cli_setup() {
    NAME=$1
    BIN=$2
    shift 2
    case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
    [ -x "$BIN" ] || { echo "$NAME: $BIN is not an executable" >&2; exit 1; }
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { echo "$NAME: $tool is needed" >&2; exit 1; }
    done
    WRAP=${SPAMLR_CLI_WRAPPER:-}
    ROOT=$(pwd)
    T=$(mktemp -d "${TMPDIR:-/tmp}/spamlr-$NAME.XXXXXX") || exit 1
    trap 'rm -rf "$T"' 0
    # no -m means $SPAMLR_MODEL, else ~/.spamlr/model.slr: neither from the
    # user running the tests (a missing $T/home)
    unset SPAMLR_MODEL
    HOME=$T/home
    export HOME
    trap 'exit 1' HUP INT TERM
    checks=0
    current=''
}

fail() {
    echo "$NAME: FAIL [$current]: $*" >&2
    if [ -s "$T/err" ]; then
        echo "--- stderr of the last command:" >&2
        sed 's/^/    /' "$T/err" | head -20 >&2
    fi
    exit 1
}

# check NAME: starts a check (named in failure messages).
check() {
    current=$1
    checks=$((checks + 1))
}

# run ARGS...: runs spamlr with stdout in $T/out, stderr in $T/err, status in $rc.
run() {
    $WRAP "$BIN" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

# run_in FILE ARGS...: the same with standard input from FILE.
run_in() {
    f=$1
    shift
    $WRAP "$BIN" "$@" <"$f" >"$T/out" 2>"$T/err"
    rc=$?
}

expect_rc() {
    [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
}

expect_err() {  # expect_err REGEX: stderr matches (extended regex, any case)
    grep -Eiq -- "$1" "$T/err" || fail "stderr does not match /$1/"
}

expect_out() {
    grep -Eq -- "$1" "$T/out" || fail "stdout does not match /$1/"
}

# json_check FILE PYTHON-EXPR: FILE parses as JSON (one document) and the
# expression over `d` is true.
json_check() {
    python3 -m json.tool "$1" >/dev/null 2>"$T/jerr" || fail "$1 is not valid JSON: $(cat "$T/jerr")"
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" || fail "JSON check failed: $2"
}
