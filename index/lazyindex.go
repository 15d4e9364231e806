package index

import (
	"fmt"

	"elib/index/manifest"
	"elib/vfs"
)

// A LazyIndex library (Options.LazyIndex) opens without its candidate
// indexes: loadState keeps the LSH and anchor snapshot files it opened
// with the manifest (a writer may delete them once it commits a newer
// generation; an open file stays readable) and the first lookup, or
// LoadIndex, reads them. Until then lsh and anchors are nil.

// deferIndex keeps the current generation's LSH and anchor snapshot files
// for a later load instead of loading them now. The caller is loadState.
func (l *Library) deferIndex() {
	l.closeLazyIndex()
	l.lsh, l.anchors = nil, nil
	l.lazyIndex = map[string]vfs.File{}
	for _, s := range []*manifest.Snapshot{l.man.LSH, l.man.Anchors} {
		if s == nil {
			continue
		}
		if f, ok := l.snapFiles[s.File]; ok {
			l.lazyIndex[s.File] = f
			delete(l.snapFiles, s.File)
		}
	}
}

// closeLazyIndex closes the snapshot files of an index not loaded.
func (l *Library) closeLazyIndex() {
	for _, f := range l.lazyIndex {
		f.Close()
	}
	l.lazyIndex = nil
}

// LoadIndex loads the candidate indexes of a library opened with
// Options.LazyIndex now, returning what went wrong (a lookup that loads
// them cannot); it does nothing when they are loaded. Callers about to
// check against the library call it first (kit.IndexLoader).
func (l *Library) LoadIndex() error {
	l.mu.RLock()
	pending := l.lazyIndex != nil
	l.mu.RUnlock()
	if !pending {
		return nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.loadIndexLocked()
}

// loadIndexLocked is LoadIndex for a caller holding l.wmu (Refresh).
func (l *Library) loadIndexLocked() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lazyIndex == nil {
		return nil
	}
	if l.closed {
		return fmt.Errorf("load index of %s: library closed", l.dir)
	}
	l.snapFiles, l.lazyIndex = l.lazyIndex, nil
	err := l.loadLSH()
	l.closeSnapshots()
	if err != nil {
		// Lookups then find nothing rather than failing one by one.
		l.lsh, l.anchors = nil, nil
		l.damage = append(l.damage, err.Error())
		return err
	}
	return nil
}

// ensureIndex loads a LazyIndex library's candidate indexes before a
// lookup. A failure is the lookup's error; the lookups after it find
// nothing (the failure is in Damage).
func (l *Library) ensureIndex() error {
	if err := l.LoadIndex(); err != nil {
		return fmt.Errorf("candidate index not loaded: %w", err)
	}
	return nil
}
