#!/bin/sh
# Makes sure the build and test dependencies are present: installs them
# when run as root on Debian/Ubuntu, otherwise prints the command to run.
pkgs="check pkg-config zlib1g-dev libdeflate-dev libutf8proc-dev spamc"
missing=0
command -v pkg-config >/dev/null 2>&1 || missing=1
if [ $missing = 0 ]; then
  pkg-config --exists check zlib libdeflate libutf8proc || missing=1
fi
command -v spamc >/dev/null 2>&1 || missing=1 # tests/serve.sh's client
[ $missing = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "deps: installing $pkgs"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs) >/dev/null || {
    echo "deps: apt-get install $pkgs failed" >&2; exit 1; }
  exit 0
fi
echo "deps: missing build dependencies; install them with:" >&2
echo "  sudo apt-get install -y $pkgs" >&2
exit 1
