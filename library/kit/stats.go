package kit

import "elib/element"

// Stats summarises a library.
type Stats struct {
	// Assets and Elements count live assets and elements.
	Assets   int `json:"assets"`
	Elements int `json:"elements"`
	// ByType counts live elements per type.
	ByType map[element.Type]int `json:"by_type"`
	// DiskBytes is the size of the library directory.
	DiskBytes int64 `json:"disk_bytes"`
	// Segments is the number of element-store segment files.
	Segments int `json:"segments"`
	// Generation is the manifest generation.
	Generation uint64 `json:"generation"`
}

// ReindexOptions configure Reindex.
type ReindexOptions struct {
	// From, when set, rebuilds the library from the supported files under
	// this directory (asset ids relative to it) instead of from the stored
	// assets.
	From string
	// Workers is the number of fingerprinting goroutines (default: the
	// library's Options.Workers).
	Workers int
	// Progress, when set, is called as assets are rebuilt.
	Progress func(done, total int)
}
