// Package fsutil holds the small file-system primitives the library store
// relies on for durability: atomic file replacement (write a temporary file,
// fsync it, rename it over the target, fsync the directory) and the
// non-blocking exclusive writer lock.
//
// Data enters as bytes or a write callback and leaves as a file that either
// holds the complete new content or was never changed.
package fsutil
