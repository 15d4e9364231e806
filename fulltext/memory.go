package fulltext

import (
	"fmt"
	"io/fs"
	"sync"

	"github.com/blevesearch/bleve/v2"
)

// Memory holds the search indexes of a library kept in memory (a library on
// a memory file system), by directory name: bleve.NewMemOnly indexes with
// the same mapping, analyzer, facets and highlighting as the on-disk ones.
// Opening a directory twice gives the same index; closing an Index opened
// from Memory leaves it in place until Remove or Close. Safe for concurrent
// use.
type Memory struct {
	mu   sync.Mutex
	idxs map[string]bleve.Index
}

// NewMemory returns an empty set of in-memory search indexes.
func NewMemory() *Memory { return &Memory{idxs: map[string]bleve.Index{}} }

// open returns the index of dir, creating it (unless readOnly).
func (m *Memory) open(dir string, readOnly bool) (bleve.Index, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if bi, ok := m.idxs[dir]; ok {
		return bi, nil
	}
	if readOnly {
		return nil, fmt.Errorf("search index %s: %w", dir, fs.ErrNotExist)
	}
	bi, err := bleve.NewMemOnly(NewMapping())
	if err != nil {
		return nil, fmt.Errorf("create search index %s in memory: %w", dir, err)
	}
	m.idxs[dir] = bi
	return bi, nil
}

// Keep closes and forgets every index but the one of dir (a reindex
// replaced them).
func (m *Memory) Keep(dir string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for d, bi := range m.idxs {
		if d != dir {
			_ = bi.Close()
			delete(m.idxs, d)
		}
	}
}

// Close closes every index.
func (m *Memory) Close() error {
	if m == nil {
		return nil
	}
	m.Keep("\x00")
	return nil
}
