package index

import (
	"context"
	"errors"
	"fmt"

	"elib/element"
	"elib/fingerprint"
	"elib/vfs"
)

// memoryDir is where Memory keeps its library in its memory file system.
const memoryDir = "/library"

// memoryCacheBlocks keeps every decoded block of a memory library: its
// files are in memory already, so decoding each block once is the cost.
const memoryCacheBlocks = 1 << 20

// Memory builds a library in memory (nothing on disk) from assets; elib
// uses it for the embedded sample library and a check's batch. It is an
// ordinary Library on a memory file system (vfs.NewMem) with its search
// index in memory (bleve.NewMemOnly), so it behaves as one on disk: every
// method works; writes are simply not durable. The search index is built
// at the first Search. Without an engine (assets must then be empty) it
// is an empty library that can be read but not imported into.
func Memory(ctx context.Context, engine *fingerprint.Engine, assets []element.Asset) (*Library, error) {
	if engine == nil && len(assets) > 0 {
		return nil, errors.New("memory library: nil fingerprint engine")
	}
	fsys := vfs.NewMem()
	if err := InitFS(fsys, memoryDir); err != nil {
		return nil, fmt.Errorf("memory library: %w", err)
	}
	l, err := Open(Options{Dir: memoryDir, FS: fsys, Engine: engine, CacheBlocks: memoryCacheBlocks, LazyFulltext: true})
	if err != nil {
		return nil, fmt.Errorf("memory library: %w", err)
	}
	if len(assets) > 0 {
		if _, err := l.Import(ctx, assets); err != nil {
			l.Close()
			return nil, fmt.Errorf("memory library: %w", err)
		}
		l.mu.Lock()
		l.lsh.Compact()
		l.anchors.Compact()
		l.mu.Unlock()
	}
	return l, nil
}
