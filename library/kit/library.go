package kit

import (
	"context"
	"time"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/fulltext"
	"elib/history"
)

// Library is an elib library, whatever stores it: the file library
// (package index, also in memory) and PostgreSQL (package
// library/postgres) implement it, proven by one conformance suite
// (library/conformance_test.go). Every method is safe for concurrent use.
// Every method that reads storage returns the backend's error, wrapped
// with what it read: a file library's reads can fail only where it
// reads files (Element, Asset, footage), PostgreSQL's everywhere.
// Abilities only some backends have are the small interfaces below
// (Notifier, Lagger, IndexLoader), asked for once, where a library is
// taken in (server.New). The package imports
// nothing above the element, fingerprint and storage-format floors: the
// file backend (index) builds on it, so it must not import check, whose
// tests open file libraries.
type Library interface {
	// The read side the check uses: check.Source, spelled out here so
	// that this package stays below check (package library asserts that
	// a Library is a check.Source).
	CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error
	Element(ref uint32) (*element.Stored, error)
	Prefetch(refs []uint32) error
	AssetElements(assetID string) ([]uint32, error)
	Asset(id string) (*element.Asset, error)
	Allowlist() ([]string, error)
	SentenceDFs(hashes []uint64) ([]int, error)
	AssetCount() (int, error)
	AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error)
	AssetsOf(refs []uint32) ([]string, error)

	ElementByID(id string) (*element.Stored, error)
	// AssetIDs returns the ids of all live assets, sorted.
	AssetIDs() ([]string, error)
	ElementCount() (int, error)
	Search(ctx context.Context, q fulltext.Query) (*fulltext.Result, error)
	Stats() (Stats, error)
	// FootageLookup finds the live video assets whose footage a probed
	// fingerprint shows (stored per video asset, see element.Asset.Footage).
	FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) (footage.Result, error)
	// FootageVideos is the number of live video assets with footage.
	FootageVideos() (int, error)

	Import(ctx context.Context, assets []element.Asset) (ImportResult, error)
	// PrepareImport and ImportPrepared are Import in two steps: the first
	// fingerprints without touching the library, so a Batcher prepares
	// the next batch while the previous one is stored.
	PrepareImport(ctx context.Context, assets []element.Asset) (PreparedImport, error)
	ImportPrepared(ctx context.Context, p PreparedImport) (ImportResult, error)
	Remove(ctx context.Context, assetOrElementIDs ...string) (int, error)
	Reindex(ctx context.Context, opts ReindexOptions) error
	AllowlistAdd(phrases ...string) error
	AllowlistRemove(phrases ...string) error

	// PackStore keeps the library's creator packs.
	PackStore
	// Store keeps the library's check history.
	history.Store

	// Generation changes with every committed change.
	Generation() (uint64, error)
	// Refresh catches up with changes other processes committed and
	// reports whether anything changed.
	Refresh() (bool, error)
	// Damage lists what could not be read (file library salvage). Every
	// backend keeps the list in memory, so there is no error to return.
	Damage() []string
	Close() error
}

// IndexLoader is a library that may open without its candidate indexes
// and load them at the first lookup (a file library opened read-only with
// index.Options.LazyIndex). LoadIndex loads them now and reports what a
// lookup could not: callers about to check against the library call it
// first. It does nothing when they are loaded.
type IndexLoader interface {
	LoadIndex() error
}

// PublishedIndex is a library that keeps every asset's published time
// (element.Asset.Published) apart from the asset record, so that stats
// select a period and build the timeline of an as-of check without
// decoding assets (the file library and PostgreSQL do).
type PublishedIndex interface {
	// PublishedTimes returns the published time of each of ids (zero for
	// an asset without one) and whether the asset is live (false: no
	// such asset, its time zero).
	PublishedTimes(ids []string) (times []time.Time, live []bool, err error)
}

// PublishedOrder is a PublishedIndex that keeps its live assets'
// published times in order, so that the timeline of an as-of check (how
// many assets are published after a time) costs no sort of every time
// (the file library keeps it through its imports' commits).
type PublishedOrder interface {
	PublishedIndex
	// PublishedOrder returns the published entries (PublishedEntry) of
	// the live assets that have a time, sorted — shared, not to be
	// changed — and how many live assets there are; ok is false when
	// some asset's time is one an entry cannot hold.
	PublishedOrder() (entries []int64, assets int, ok bool, err error)
}

// PackStore keeps creator packs.
type PackStore interface {
	Packs() ([]Pack, error)
	Pack(id string) (Pack, error)
	PackAdd(p Pack) (string, error)
	PackRemove(id string) error
}

// Notifier is a library that announces other processes' commits as they
// happen (PostgreSQL's LISTEN/NOTIFY), so a server need not wait for its
// next poll to refresh.
type Notifier interface {
	Changes(ctx context.Context) <-chan struct{}
}

// Lagger is a library whose database may trail its primary (PostgreSQL on
// a streaming replica).
type Lagger interface {
	ReplicaLag(ctx context.Context) (time.Duration, error)
}
