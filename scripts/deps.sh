#!/bin/sh
# deps.sh — install the Debian packages jobshim needs, only when missing (idempotent).
# As root it installs them with apt-get; otherwise it prints the exact command and fails.
set -eu
# Build: uthash-dev check libffi-dev pkg-config.  Tests: python3 (real-program
# tests and trace parsing), procps, psmisc, python3-psutil (prog_procfs: ps, pgrep,
# pkill, killall, psutil), sysvinit-utils (its pidof), chromium (the `jobshim
# view` page loaded headless: tests/integration/sup_view*.sh, and prog_chromium.sh),
# firefox-esr (headless, sandboxes on: prog_firefox.sh), strace and gdb
# (debuggers inside the tree: prog_debuggers.sh), musl-tools and golang-go
# (static musl and Go images under the seccomp filter: prog_alone.sh), expect,
# python3-pexpect, tmux and bsdutils' script (programs driving a pty:
# sup_tty_progs.sh), zsh and mksh (their own job control on a pty: sup_tty.sh),
# clang (`make sanitize`, and clang-built sanitized programs: prog_sanitizers.sh;
# gcc's sanitizer runtimes come with gcc), valgrind (programs under memcheck:
# prog_valgrind.sh; its valgrind.h quiets the shim's pointer probes); bash, dash, coreutils and util-linux
# are essential.
pkgs="uthash-dev check libffi-dev pkg-config python3 procps psmisc python3-psutil sysvinit-utils chromium firefox-esr strace gdb musl-tools golang-go expect python3-pexpect tmux bsdutils zsh mksh clang valgrind"
# `make ltp` (tests/ltp/) and `make bash-suite` (tests/bash/) build LTP and bash from
# source: LTP=1 adds their tools.
[ "${LTP:-0}" = 1 ] && pkgs="$pkgs autoconf automake m4 bison flex make git"
# `make shells-suite` (tests/shells/): the shells whose own suites it runs, and
# what those suites need (perl for mksh's and make's drivers, g++ for fish's helper).
[ "${SHELLS:-0}" = 1 ] && pkgs="$pkgs zsh mksh ksh93u+m yash fish perl g++ make git"
# `make node-suite` (tests/node/): node, whose own tests it runs; xz-utils unpacks
# its tarball.
[ "${NODE:-0}" = 1 ] && pkgs="$pkgs nodejs xz-utils"
# `make coreutils-suite` (tests/coreutils/): xz-utils unpacks coreutils' tarball,
# make builds it, perl runs its .pl tests (without it they skip on both sides).
[ "${COREUTILS:-0}" = 1 ] && pkgs="$pkgs xz-utils make perl"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "jobshim: missing Debian packages:$missing" >&2
	echo "jobshim: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "jobshim: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; update once, then install.
if ! apt-get install -y --no-install-recommends $missing </dev/null; then
	apt-get update </dev/null
	apt-get install -y --no-install-recommends $missing </dev/null
fi
