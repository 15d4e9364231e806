//go:build !amd64 || noasm || !gc

package lsh

import "unsafe"

// havePrefetch reports that this build has no prefetch instruction: the
// lookups warm the cache with loads instead (band.touch).
const havePrefetch = false

// prefetchLine is never called in this build.
func prefetchLine(unsafe.Pointer) { panic("lsh: prefetchLine not built") }
