package vfs

import (
	"errors"

	"golang.org/x/sys/unix"
)

// populate maps the pages of b, mapped memory, with
// madvise(MADV_POPULATE_READ) (Linux 5.14); on older kernels it touches
// each page instead. A signal (the Go runtime's preemption) interrupts
// the call: it is repeated, the pages mapped so far stay mapped.
func populate(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	for {
		err := unix.Madvise(b, unix.MADV_POPULATE_READ)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN):
			continue
		case errors.Is(err, unix.EINVAL):
			return touchPages(b)
		default: // EFAULT past the end of a file that shrank, EIO
			return ErrMappingFault
		}
	}
}
