// Package vfs is the file system the library store runs on, as pebble's
// vfs is: one FS interface with two implementations, the operating
// system's (OS) and an in-memory one (NewMem) for the memory library and
// tests, so the store never asks which it has. Beside it sit the
// primitives durability relies on: atomic file replacement (Write,
// WriteFile, Commit: write a temporary file, fsync it, rename it over the
// target, fsync the directory) and the non-blocking exclusive writer lock
// (TryLock, Lock), and read-only mappings of files (Mapper, Mapping), which
// the store's segment readers read blocks from.
//
// Data enters as bytes or a write callback and leaves as a file that either
// holds the complete new content or was never changed.
package vfs
