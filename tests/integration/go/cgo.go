//go:build withcgo

// cgo.go — built with -tags withcgo: links libc dynamically (cgo), so the shim is preloaded too.
package main

// #include <unistd.h>
import "C"

func init() {
	if int(C.getpid()) != int(C.getpid()) {
		panic("getpid")
	}
}
