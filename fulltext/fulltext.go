package fulltext

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bolt "go.etcd.io/bbolt"

	"elib/fulltext/analysis/zh"
	"elib/internal/pace"
	"elib/vfs"
)

// Defaults of Options.
const (
	DefaultTimeout   = 5 * time.Second
	DefaultBatchSize = 2000
	DefaultLimit     = 10
)

// A writer releases the bbolt lock after holding it this long (between
// chunks of one Apply) and pauses yieldPause so that readers polling for the
// lock (bbolt polls every 50 ms) get their turn.
const (
	maxHold    = time.Second
	yieldPause = 60 * time.Millisecond
	// lockSlice is the bolt_timeout of one open attempt; attempts repeat
	// until Options.Timeout so a cancelled context is noticed quickly.
	lockSlice = 250 * time.Millisecond
)

// Sentinel errors; test with errors.Is.
var (
	// ErrLocked means another process held the index for longer than
	// Options.Timeout.
	ErrLocked = msg.New("locked by another process")
	// ErrReadOnly is returned by Apply on an index opened ReadOnly.
	ErrReadOnly = msg.New("search index opened read-only")
	// ErrClosed is returned after Close.
	ErrClosed = msg.New("search index closed")
)

// Options tune Open.
type Options struct {
	// ReadOnly opens for searching only (a shared lock; Apply fails).
	ReadOnly bool
	// Timeout bounds how long an operation waits for another process's
	// lock on the index before failing with ErrLocked (default 5 s).
	Timeout time.Duration
	// BatchSize is the number of operations per durable bleve batch
	// (default 2000).
	BatchSize int
	// Exclusive keeps the index open for writing from Open until Close
	// instead of per Apply: faster for a process that owns the library
	// (reindex, benchmarks), but other processes cannot search meanwhile.
	Exclusive bool
	// Memory, when set, keeps the index in memory under the name dir
	// instead of on disk (a library on a memory file system).
	Memory *Memory
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
}

// Index is the full-text index of a library's elements. It is safe for
// concurrent use; see the package comment for how it shares the on-disk
// index with other processes.
type Index struct {
	dir  string
	opts Options

	mu     sync.Mutex
	held   bleve.Index // open writer handle (Exclusive, or inside Apply)
	closed bool
	// pace is the pace of the Apply in progress, if it has one: the
	// merger of held waits for it (pacedMerges). Guarded by mu.
	pace context.Context
	// mem is set for an index of Options.Memory: held is that index, never
	// released or closed here.
	mem bool
}

// SetAnalysisWorkers sets how many goroutines analyse documents for every
// search index of the process (bleve's shared analysis queue, default 4).
// A long-running server sets 1 so an import leaves the other cores to the
// requests it serves. Call it before opening any index: indexes keep the
// queue they were opened with, and the old queue is closed.
func SetAnalysisWorkers(n int) { bleve.Config.SetAnalysisQueueSize(max(1, n)) }

// Open opens the index in dir, creating it with elib's mapping if it does
// not exist (unless opts.ReadOnly, which fails with an error matching
// fs.ErrNotExist).
func Open(dir string, opts Options) (*Index, error) {
	opts.EnsureDefaults()
	x := &Index{dir: dir, opts: opts}
	if opts.Memory != nil {
		bi, err := opts.Memory.open(dir, opts.ReadOnly)
		if err != nil {
			return nil, err
		}
		x.held, x.mem = bi, true
		return x, nil
	}
	exists, err := indexExists(dir)
	if err != nil {
		return nil, err
	}
	if !exists {
		if opts.ReadOnly {
			return nil, msg.Errorf("search index %s: %w", dir, fs.ErrNotExist)
		}
		if err := create(dir); err != nil {
			return nil, err
		}
	}
	if opts.Exclusive && !opts.ReadOnly {
		bi, err := x.open(context.Background(), false)
		if err != nil {
			return nil, err
		}
		x.held = bi
	}
	return x, nil
}

// Dir returns the index directory.
func (x *Index) Dir() string { return x.dir }

func indexExists(dir string) (bool, error) {
	_, err := os.Stat(filepath.Join(dir, "index_meta.json"))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, msg.Errorf("search index %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, msg.Errorf("search index %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return false, msg.Errorf("search index %s: directory exists but holds no index_meta.json", dir)
	}
	return false, nil
}

// create builds an empty index in DIR.tmp-* next to dir and renames it into
// place, so a concurrent creator or a crash never leaves a half-made index
// at dir (the library's writer removes DIR.tmp-* leftovers at open).
func create(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(dir)+".tmp-")
	if err != nil {
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)                // no-op after a successful rename
	if err := os.Remove(tmp); err != nil { // bleve wants to create the directory itself
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	bi, err := bleve.NewUsing(tmp, NewMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore,
		map[string]interface{}{"bolt_timeout": lockSlice.String()})
	if err != nil {
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	if err := bi.Close(); err != nil {
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	_ = os.Remove(dir) // an empty directory left by someone else
	if err := os.Rename(tmp, dir); err != nil {
		if ok, _ := indexExists(dir); ok {
			return nil // another process created it first
		}
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	if err := vfs.SyncDir(parent); err != nil {
		return msg.Errorf("create search index %s: %w", dir, err)
	}
	return nil
}

// open opens the bleve index, retrying while another process holds the
// lock, for up to opts.Timeout. A writer handle opened for a paced Apply
// merges only small segments (pacedMergePlan).
func (x *Index) open(ctx context.Context, readOnly bool) (bleve.Index, error) {
	deadline := time.Now().Add(x.opts.Timeout)
	cfg := map[string]interface{}{"bolt_timeout": lockSlice.String()}
	if readOnly {
		cfg["read_only"] = true
	} else {
		cfg["eventCallbackName"] = mergePaceCallback
		if x.pace != nil {
			cfg["scorchMergePlanOptions"] = pacedMergePlan
		}
	}
	for {
		bi, err := bleve.OpenUsing(x.dir, cfg)
		if err == nil {
			return bi, nil
		}
		if !errors.Is(err, bolt.ErrTimeout) {
			if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) || errors.Is(err, bleve.ErrorIndexMetaMissing) {
				return nil, msg.Errorf("search index %s: %w", x.dir, fs.ErrNotExist)
			}
			return nil, msg.Errorf("open search index %s: %w", x.dir, err)
		}
		if ctx.Err() != nil {
			return nil, msg.Errorf("open search index %s: %w", x.dir, ctx.Err())
		}
		if time.Now().After(deadline) {
			return nil, msg.Errorf("search index %s is %w (waited %v)", x.dir, ErrLocked, x.opts.Timeout)
		}
	}
}

// Apply indexes docs (replacing documents with the same ID) and deletes
// deleteIDs, in durable bleve batches of at most BatchSize operations.
// Each batch is atomic and survives a crash once Apply moves past it; Apply
// as a whole is not atomic, but re-applying the same input is idempotent.
func (x *Index) Apply(docs []Doc, deleteIDs []string) error {
	return x.ApplyContext(context.Background(), docs, deleteIDs)
}

// ApplyContext is Apply that stops between batches once ctx is done,
// returning its error: the batches applied stay, and applying the same
// input again completes it. Under a pace (package pace) in ctx it waits
// before each batch, and bleve's merger, while the index is open for the
// call, waits for the same pace before each round of merges (pacedMerges).
// Batches are not cut smaller under a pace: every batch is a new bleve
// segment, and small segments cost more in merges than they spare.
func (x *Index) ApplyContext(ctx context.Context, docs []Doc, deleteIDs []string) error {
	if x.opts.ReadOnly {
		return ErrReadOnly
	}
	replaced := make(map[string]bool, len(docs))
	for _, d := range docs {
		replaced[d.ID] = true
	}
	type op struct {
		del string
		doc *Doc
	}
	ops := make([]op, 0, len(docs)+len(deleteIDs))
	for _, id := range deleteIDs {
		if !replaced[id] { // indexing an ID replaces it already
			ops = append(ops, op{del: id})
		}
	}
	for i := range docs {
		if docs[i].ID == "" {
			return msg.Errorf("apply to search index %s: document %d has no ID", x.dir, i)
		}
		ops = append(ops, op{doc: &docs[i]})
	}
	if len(ops) == 0 {
		return nil
	}

	if err := zh.Warm(); err != nil { // not while holding the lock
		return msg.Errorf("apply to search index %s: %w", x.dir, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return ErrClosed
	}
	var since time.Time
	release := func() error {
		if x.opts.Exclusive || x.mem || x.held == nil {
			return nil
		}
		if x.pace != nil {
			pacedMerges.settle(x.held)
		}
		err := x.held.Close()
		x.held = nil
		return err
	}
	if pace.Paced(ctx) {
		// (The merger of a handle opened below waits for this pace.)
		x.pace = context.WithoutCancel(ctx)
		defer func() {
			x.pace = nil
			if x.held != nil { // (Exclusive or in memory: still open)
				pacedMerges.set(x.held, nil)
			}
		}()
	}
	size := x.opts.BatchSize
	for start := 0; start < len(ops); start += size {
		if err := pace.Wait(ctx); err != nil {
			_ = release()
			return msg.Errorf("apply to search index %s: %w", x.dir, err)
		}
		if x.held == nil {
			bi, err := x.open(context.Background(), false)
			if err != nil {
				return msg.Errorf("apply: %w", err)
			}
			x.held, since = bi, time.Now()
		}
		pacedMerges.set(x.held, x.pace)
		end := min(start+size, len(ops))
		b := x.held.NewBatch()
		for _, o := range ops[start:end] {
			if o.doc == nil {
				b.Delete(o.del)
				continue
			}
			if err := b.Index(o.doc.ID, o.doc.fields()); err != nil {
				_ = release()
				return msg.Errorf("apply to search index %s: document %s: %w", x.dir, o.doc.ID, err)
			}
		}
		if err := x.held.Batch(b); err != nil {
			_ = release()
			return msg.Errorf("apply to search index %s: %w", x.dir, err)
		}
		if end < len(ops) && !x.opts.Exclusive && time.Since(since) >= maxHold {
			if err := release(); err != nil {
				return msg.Errorf("apply to search index %s: %w", x.dir, err)
			}
			time.Sleep(yieldPause)
		}
	}
	if err := release(); err != nil {
		return msg.Errorf("apply to search index %s: close: %w", x.dir, err)
	}
	return nil
}

// with runs fn on an open handle: the held writer if there is one,
// otherwise a read-only handle opened (and closed) for the call.
func (x *Index) with(ctx context.Context, fn func(bleve.Index) error) error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return ErrClosed
	}
	if x.held != nil {
		defer x.mu.Unlock()
		return fn(x.held)
	}
	x.mu.Unlock()
	bi, err := x.open(ctx, true)
	if err != nil {
		return err
	}
	err = fn(bi)
	if cerr := bi.Close(); cerr != nil && err == nil {
		err = msg.Errorf("close search index %s: %w", x.dir, cerr)
	}
	return err
}

// DocCount returns the number of indexed elements.
func (x *Index) DocCount() (uint64, error) {
	var n uint64
	err := x.with(context.Background(), func(bi bleve.Index) error {
		var err error
		n, err = bi.DocCount()
		return err
	})
	if err != nil {
		return 0, msg.Errorf("count search index %s: %w", x.dir, err)
	}
	return n, nil
}

// Close releases the index. It is safe to call more than once.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if x.mem {
		x.held = nil
		return nil
	}
	if x.held != nil {
		err := x.held.Close()
		x.held = nil
		if err != nil {
			return msg.Errorf("close search index %s: %w", x.dir, err)
		}
	}
	return nil
}
