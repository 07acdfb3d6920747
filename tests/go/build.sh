#!/bin/sh
# build.sh BUILD — the Go standard library's process and signal tests, compiled as test binaries for tests/go/run.sh.
#
# With the installed Go (Debian 12: golang-go, Go 1.19), `go test -c` of
# each package in GO_PKGS (default: os/exec os/signal syscall os runtime),
# twice: cgo (a dynamic image: the shim is preloaded, but Go's runtime makes its
# system calls itself, so the seccomp filter and the tracer see them) and
# static (CGO_ENABLED=0: no loader, only the filter and the tracer).  Into
# BUILD/go-suite/{cgo,static}/PKG.test (PKG's slashes as _), the build
# cache in BUILD/go-suite/cache.  Needs golang-go (scripts/deps.sh).
set -eu
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
G=$B/go-suite
command -v go >/dev/null || { echo "go-suite: go missing (sh scripts/deps.sh installs golang-go)"; exit 1; }
export GOCACHE="$G/cache" GOPATH="$G/gopath" GOFLAGS='' GO111MODULE=''
mkdir -p "$G/cgo" "$G/static"
for p in ${GO_PKGS:-os/exec os/signal syscall os runtime}; do
	n=$(echo "$p" | tr / _)
	nice -n 10 go test -c -o "$G/cgo/$n.test" "$p" >"$G/build.log" 2>&1 ||
		{ echo "go-suite: go test -c $p failed: $G/build.log"; exit 1; }
	CGO_ENABLED=0 nice -n 10 go test -c -o "$G/static/$n.test" "$p" >"$G/build.log" 2>&1 ||
		{ echo "go-suite: CGO_ENABLED=0 go test -c $p failed: $G/build.log"; exit 1; }
done
set -- "$G"/cgo/*.test "$G"/static/*.test
echo "go-suite: built $# test binaries ($(go version | cut -d' ' -f3)) in $G"
