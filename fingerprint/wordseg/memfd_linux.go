//go:build linux

package wordseg

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// memfdPaths writes each file into an anonymous memory file and returns
// /proc/self/fd/N paths to them; release closes the memory files.
func memfdPaths(files map[string][]byte) ([5]string, func(), error) {
	var paths [5]string
	var opened []*os.File
	release := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	for i, name := range fileNames {
		fd, err := unix.MemfdCreate("elib-"+name, unix.MFD_CLOEXEC)
		if err != nil {
			release()
			return paths, nil, fmt.Errorf("memfd_create %s: %w", name, err)
		}
		f := os.NewFile(uintptr(fd), name)
		opened = append(opened, f)
		if _, err := f.Write(files[name]); err != nil {
			release()
			return paths, nil, fmt.Errorf("write memfd %s: %w", name, err)
		}
		p := fmt.Sprintf("/proc/self/fd/%d", fd)
		if st, err := os.Stat(p); err != nil || st.Size() != int64(len(files[name])) {
			release()
			return paths, nil, fmt.Errorf("memfd %s not readable through %s: %v", name, p, err)
		}
		paths[i] = p
	}
	return paths, release, nil
}
