package vfs

import (
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// NewMem returns an empty file system held in memory. Files are immutable
// once their writer closes them except by a new Create; readers keep the
// content they opened. It is safe for concurrent use.
func NewMem() FS {
	return &memFS{files: map[string]*memData{}, dirs: map[string]bool{"/": true, ".": true}}
}

type memFS struct {
	mu    sync.Mutex
	files map[string]*memData
	dirs  map[string]bool
	locks map[string]bool
}

// memData is one file's content; a Create replaces it with a new memData.
type memData struct {
	mu   sync.RWMutex
	data []byte
	mod  time.Time
}

func clean(name string) string { return path.Clean("/" + name) }

func (m *memFS) Create(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[path.Dir(name)] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	if m.dirs[name] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	}
	d := &memData{mod: time.Now()}
	m.files[name] = d
	return &memFile{name: name, d: d, write: true}, nil
}

func (m *memFS) Open(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.files[name]
	if !ok {
		if m.dirs[name] {
			return &memFile{name: name, d: &memData{}, dir: true}, nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, d: d}, nil
}

func (m *memFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.files[oldname]; ok {
		if !m.dirs[path.Dir(newname)] {
			return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrNotExist}
		}
		delete(m.files, oldname)
		m.files[newname] = d
		return nil
	}
	if !m.dirs[oldname] {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	prefix := oldname + "/"
	for p, d := range m.files {
		if strings.HasPrefix(p, prefix) {
			delete(m.files, p)
			m.files[newname+"/"+p[len(prefix):]] = d
		}
	}
	for p := range m.dirs {
		if p == oldname || strings.HasPrefix(p, prefix) {
			delete(m.dirs, p)
			m.dirs[newname+p[len(oldname):]] = true
		}
	}
	return nil
}

func (m *memFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; ok {
		delete(m.files, name)
		return nil
	}
	if !m.dirs[name] {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	if len(m.children(name)) > 0 {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrExist}
	}
	delete(m.dirs, name)
	return nil
}

func (m *memFS) RemoveAll(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := name + "/"
	delete(m.files, name)
	for p := range m.files {
		if strings.HasPrefix(p, prefix) {
			delete(m.files, p)
		}
	}
	for p := range m.dirs {
		if p == name || strings.HasPrefix(p, prefix) {
			delete(m.dirs, p)
		}
	}
	return nil
}

func (m *memFS) MkdirAll(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := dir; ; p = path.Dir(p) {
		if _, ok := m.files[p]; ok {
			return &fs.PathError{Op: "mkdir", Path: p, Err: fs.ErrExist}
		}
		m.dirs[p] = true
		if p == "/" {
			return nil
		}
	}
}

// children returns the entries directly inside dir; the caller holds m.mu.
func (m *memFS) children(dir string) []fs.DirEntry {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	var out []fs.DirEntry
	for p, d := range m.files {
		if strings.HasPrefix(p, prefix) && !strings.Contains(p[len(prefix):], "/") {
			out = append(out, fs.FileInfoToDirEntry(d.info(p[len(prefix):])))
		}
	}
	for p := range m.dirs {
		if p != dir && strings.HasPrefix(p, prefix) && !strings.Contains(p[len(prefix):], "/") {
			out = append(out, fs.FileInfoToDirEntry(memInfo{name: p[len(prefix):], dir: true}))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func (m *memFS) ReadDir(dir string) ([]fs.DirEntry, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	return m.children(dir), nil
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.files[name]; ok {
		return d.info(path.Base(name)), nil
	}
	if m.dirs[name] {
		return memInfo{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) SyncDir(dir string) error {
	if _, err := m.Stat(dir); err != nil {
		return err
	}
	return nil
}

// Lock takes an in-process lock: a memory file system belongs to one
// process, so another Library of the same FS is the only other writer.
func (m *memFS) Lock(name string) (*Lock, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locks[name] {
		return nil, &LockedError{Path: name}
	}
	if m.locks == nil {
		m.locks = map[string]bool{}
	}
	m.locks[name] = true
	return &Lock{release: func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.locks, name)
		return nil
	}}, nil
}

func (m *memFS) Durable() bool { return false }

func (d *memData) info(name string) memInfo {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return memInfo{name: name, size: int64(len(d.data)), mod: d.mod}
}

// memFile is an open memory file.
type memFile struct {
	name  string
	d     *memData
	write bool
	dir   bool
}

func (f *memFile) Name() string { return f.name }

func (f *memFile) Write(p []byte) (int, error) {
	if !f.write {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: fs.ErrPermission}
	}
	f.d.mu.Lock()
	defer f.d.mu.Unlock()
	f.d.data = append(f.d.data, p...)
	return len(p), nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.d.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.d.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Stat() (fs.FileInfo, error) {
	if f.dir {
		return memInfo{name: path.Base(f.name), dir: true}, nil
	}
	return f.d.info(path.Base(f.name)), nil
}

func (f *memFile) Sync() error  { return nil }
func (f *memFile) Close() error { return nil }

// memInfo is the fs.FileInfo of a memory file or directory.
type memInfo struct {
	name string
	size int64
	mod  time.Time
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return i.mod }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
