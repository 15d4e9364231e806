//go:build !linux

package vfs

// populate maps the pages of b, mapped memory, by touching each page.
func populate(b []byte) error { return touchPages(b) }
