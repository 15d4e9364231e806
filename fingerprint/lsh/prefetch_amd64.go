//go:build amd64 && !noasm && gc

package lsh

import "unsafe"

// havePrefetch reports that prefetchLine issues a prefetch instruction.
const havePrefetch = true

// prefetchLine asks the CPU to bring the cache line holding p into its
// caches without waiting for it (PREFETCHT0).
//
//go:noescape
func prefetchLine(p unsafe.Pointer)
