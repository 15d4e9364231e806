package index

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/footage"
	"elib/fingerprint/lsh"
	"elib/fingerprint/normalize"
	"elib/fulltext"
	"elib/history"
	"elib/index/manifest"
	"elib/index/store"
	"elib/library/kit"
	"elib/vfs"
)

// Names inside a library directory.
const (
	lockFile    = "lock"
	segmentsDir = "segments"
	fulltextDir = "fulltext"
)

// Options configure Open.
type Options struct {
	// Dir is the library directory.
	Dir string
	// FS holds the library's files (default vfs.OS; Memory uses
	// vfs.NewMem). Its full-text index is on disk beside them when FS is
	// durable, in memory otherwise.
	FS vfs.FS
	// ReadOnly opens without the writer lock; write methods fail.
	ReadOnly bool
	// Engine fingerprints imported material. It may be nil for commands
	// that do not fingerprint (stats, search, check's library side).
	Engine *fingerprint.Engine
	// Workers is the number of fingerprinting goroutines (default GOMAXPROCS).
	Workers int
	// Progress, when set, is called as elements are fingerprinted.
	Progress func(done, total int)
	// SkipVerify skips the whole-file checksum of every segment at Open;
	// headers, footers and every block read are still checksummed.
	SkipVerify bool
	// Salvage opens a damaged library: unreadable segments and blocks are
	// skipped and listed by Damage instead of failing Open. Reindex then
	// rebuilds what is left.
	Salvage bool
	// NoFulltext leaves the full-text index alone on import (Search then
	// returns stale results until Reindex).
	NoFulltext bool
	// CacheBlocks is the number of decoded blocks kept in memory (default
	// 4096: 16 MiB of 4 KiB element blocks and their decoded elements, the
	// candidates of a 100k-element library without a read).
	CacheBlocks int
	// Now is the clock that stamps imported assets' import time (tests);
	// default time.Now.
	Now func() time.Time
	// LazyFulltext brings the full-text index up to date at the first
	// Search after a change instead of at every import: for libraries that
	// are rarely searched (the embedded sample library, a check's batch).
	LazyFulltext bool
	// MergeAfterWrites merges the candidate indexes' new entries into one
	// sorted run per band in the background after each import or
	// refresh, so that checks cost what they cost before it: for
	// long-running processes (elib serve). Without it they are merged at
	// the next open.
	MergeAfterWrites bool
	// LazyIndex (read-only libraries only) defers loading the candidate
	// indexes — LSH and anchors, most of an Open at a million elements —
	// to the first candidate lookup or LoadIndex: for readers that may
	// need none, such as elib stats reading stored check outcomes. A
	// long-running reader should not set it: every Refresh that rebuilds
	// the state defers the load again. The default value is false.
	LazyIndex bool
	// WarmSegments maps the element blocks of the segments Open finds
	// into memory in the background after Open, reading from disk those
	// the page cache lacks, paced to take at most about half a core, so
	// that the first checks of a long-running process (elib serve) neither
	// wait for the disk nor fault on them. The process's RSS then counts
	// those pages (page cache, shared and reclaimable, not heap). It
	// costs a one-shot command reads of blocks it will never use. The
	// default value is false.
	WarmSegments bool
}

// Library is an opened element library. It is safe for concurrent use.
type Library struct {
	outcomes outcomeState // check outcomes (outcomes.go)
	dir      string
	fs       vfs.FS
	opts     Options
	engine   *fingerprint.Engine
	lock     *vfs.Lock
	dec      *zstd.Decoder
	cache    *blockCache
	hits     sync.Pool // *[]refHit: lookups' scratch (hitBuf)

	wmu sync.Mutex // serialises writers in this process

	merging, mergeAgain atomic.Bool                     // mergeLater's goroutine runs; run again
	caughtUp            <-chan struct{}                 // closed when the merge of the segments the snapshots lagged is done (nil: none)
	warming             sync.WaitGroup                  // warmSegments' goroutine (Options.WarmSegments)
	stopWarming         atomic.Bool                     // set by Close: warmSegments returns
	mergeCtx            atomic.Pointer[context.Context] // the pace of mergeLater's latest call

	mu     sync.RWMutex // guards everything below
	man    *manifest.Manifest
	params lsh.Params
	segs   []*segment
	lsh    *lsh.Index
	// anchors maps winnow anchor hashes to element refs (one band): the
	// candidates that contain part of a checked text (see AnchorHolders).
	anchors *lsh.Index
	types   []byte // per ref: kit.TypeCode, 0 = not live
	live    int
	assets  map[string]assetLoc
	// ord is the live assets in order (assetorder.go; nil: built at the
	// next need); assetsVer counts the changes of assets.
	ord       *assetOrder
	assetsVer uint64
	sketch    *boilerplate.Sketch
	// footage indexes the live video assets' footage fingerprints;
	// footageSeq is the segment each one's record is in (footage.go).
	footage    *footage.Index
	footageSeq map[string]uint64
	damage     []string
	// snapFiles holds the snapshot files opened with the manifest during load.
	snapFiles map[string]vfs.File
	// lazyIndex holds, while a LazyIndex library's candidate indexes are
	// not loaded yet, the LSH and anchor snapshot files opened with the
	// manifest (lsh and anchors are nil meanwhile; see LoadIndex).
	lazyIndex map[string]vfs.File
	ft        *fulltext.Index
	ftErr     error
	// memSearch holds the full-text indexes of a library on a memory FS.
	memSearch *fulltext.Memory
	closed    bool
	// histMu guards memHistory, the history of a library on a memory
	// file system; histCommit batches durable appends.
	histMu     sync.Mutex
	histCommit groupCommit // durable history appends
	histLog    appendLog   // the history file, written by histCommit
	memHistory []history.Entry
	// norm normalises element text for anchors when there is no engine.
	normOnce sync.Once
	norm     *normalize.Normalizer
	// appended counts Refresh calls that took the append-only fast path
	// (tests).
	appended int

	// retired holds what a Refresh replaced while readers may still use
	// it; guarded by wmu. retireAfter (default retireDelay) is how long it
	// stays open.
	retired     []retiredItem
	retireAfter time.Duration
}

// assetLoc says where a live asset is stored.
type assetLoc struct {
	seg      *segment
	block    uint32
	firstRef uint32
	count    uint32
	dir      uint32 // the index in the segment's asset directory
}

// segment is one element-store segment file of the library's FS.
type segment struct {
	meta     manifest.Segment
	r        *store.Reader // nil only when damaged
	firstRef uint32
	n        uint32
	// damaged marks a segment Salvage could not read.
	damaged bool
	// published holds, once read, the published time of each asset of
	// the directory (published.go).
	published publishedTimes
}

func (s *segment) contains(ref uint32) bool { return ref >= s.firstRef && ref-s.firstRef < s.n }

// Exists reports whether dir holds a library.
func Exists(dir string) bool { return existsIn(vfs.OS, dir) }

func existsIn(fsys vfs.FS, dir string) bool {
	_, err := fsys.Stat(filepath.Join(dir, manifest.FileName))
	return err == nil
}

// Init creates an empty library in dir. It fails with kit.ErrExists if one is
// already there.
func Init(dir string) error { return InitFS(vfs.OS, dir) }

// InitFS creates an empty library in dir of fsys.
func InitFS(fsys vfs.FS, dir string) error {
	if err := fsys.MkdirAll(filepath.Join(dir, segmentsDir)); err != nil {
		return msg.Errorf("init library %s: %w", dir, err)
	}
	lk, err := fsys.Lock(filepath.Join(dir, lockFile))
	if err != nil {
		return msg.Errorf("init library %s: %w", dir, err)
	}
	defer lk.Unlock()
	if existsIn(fsys, dir) {
		return msg.Errorf("init library %s: %w", dir, kit.ErrExists)
	}
	m := manifest.New()
	m.Fulltext.Dir = fulltextDir
	if err := manifest.WriteFS(fsys, dir, m); err != nil {
		return msg.Errorf("init library %s: %w", dir, err)
	}
	if err := fsys.SyncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return msg.Errorf("init library %s: %w", dir, err)
	}
	return nil
}

func (o *Options) ensureDefaults() {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.CacheBlocks <= 0 {
		o.CacheBlocks = 4096
	}
	if o.FS == nil {
		o.FS = vfs.OS
	}
}

func newDecoder() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1<<30))
}

// Open opens the library in opts.Dir. A writer (not ReadOnly) takes the
// library's lock first and fails at once if another process holds it. Open
// verifies the manifest and the segments' checksums; an error names the
// damaged file.
func Open(opts Options) (*Library, error) { return OpenContext(context.Background(), opts) }

// OpenContext is Open that stops when ctx is done: a writer's open may
// catch a stale search index up with the store, which takes long on a
// large library. The index keeps what was applied; the next open goes on.
func OpenContext(ctx context.Context, opts Options) (*Library, error) {
	opts.ensureDefaults()
	dir := opts.Dir
	if !existsIn(opts.FS, dir) {
		if _, err := opts.FS.Stat(dir); err != nil {
			return nil, msg.Errorf("open library %s: %w", dir, kit.ErrNoLibrary)
		}
		return nil, msg.Errorf("open library %s: %w (run elib init)", dir, kit.ErrNoLibrary)
	}
	dec, err := newDecoder()
	if err != nil {
		return nil, msg.Errorf("open library %s: %w", dir, err)
	}
	l := &Library{dir: dir, fs: opts.FS, opts: opts, engine: opts.Engine, dec: dec, cache: newBlockCache(opts.CacheBlocks)}
	if !opts.FS.Durable() {
		l.memSearch = fulltext.NewMemory()
	}
	if !opts.ReadOnly {
		lk, err := opts.FS.Lock(filepath.Join(dir, lockFile))
		if err != nil {
			dec.Close()
			var le *vfs.LockedError
			if errors.As(err, &le) {
				if le.PID > 0 {
					return nil, msg.Errorf("library %s is locked by another writer (pid %d)", dir, le.PID)
				}
				return nil, msg.Errorf("library %s is locked by another writer", dir)
			}
			return nil, msg.Errorf("open library %s: %w", dir, err)
		}
		l.lock = lk
	}
	// A reader can race a writer that swaps generations and deletes the
	// old files; it then simply reads the new manifest.
	for attempt := 0; ; attempt++ {
		err = l.load()
		if err == nil {
			break
		}
		l.closeSegments()
		if !opts.ReadOnly || attempt >= 4 || !errors.Is(err, fs.ErrNotExist) {
			l.release()
			return nil, err
		}
	}
	if !opts.ReadOnly {
		if err := l.recoverWriter(ctx); err != nil {
			l.Close()
			return nil, err
		}
	}
	if opts.WarmSegments {
		l.warmSegments()
	}
	return l, nil
}

// load reads the manifest and rebuilds the in-memory state from it.
func (l *Library) load() error { return l.loadState(nil) }

// loadState reads the manifest and builds the in-memory state from it,
// taking the segments of reuse (by Seq) whose manifest entry is unchanged
// instead of opening and verifying their files again.
func (l *Library) loadState(reuse map[uint64]*segment) error {
	m, err := manifest.ReadFS(l.fs, l.dir)
	if err != nil {
		return msg.Errorf("open library %s: %w", l.dir, err)
	}
	l.man = m
	l.segs = nil
	l.damage = nil
	l.params = paramsOf(m)
	l.openSnapshots()
	defer l.closeSnapshots()
	if err := l.openSegments(reuse); err != nil {
		return err
	}
	l.rebuildMaps()
	if l.opts.LazyIndex && l.opts.ReadOnly {
		l.deferIndex()
	} else if err := l.loadLSH(); err != nil {
		return err
	}
	if err := l.loadSketch(); err != nil {
		return err
	}
	return l.loadFootage()
}

func paramsOf(m *manifest.Manifest) lsh.Params {
	if m.Fingerprint != nil {
		return lsh.Params{Bands: m.Fingerprint.Bands, Rows: m.Fingerprint.Rows}
	}
	return lsh.DefaultParams()
}

// openSegments opens (and verifies) the manifest's segments; a segment of
// reuse with the same manifest entry is taken as it is: segment files are
// immutable, so one opened and verified before still holds.
func (l *Library) openSegments(reuse map[uint64]*segment) error {
	n := len(l.man.Segments)
	l.segs = make([]*segment, n)
	errs := make([]error, n)
	reused := make([]bool, n)
	// Open every file first, so that a writer deleting a replaced
	// generation cannot pull a file away while earlier ones are verified.
	for i, sm := range l.man.Segments {
		if old := reuse[sm.Seq]; old != nil && old.meta == sm && old.r != nil && !old.damaged {
			l.segs[i], reused[i] = old, true
			continue
		}
		l.segs[i], errs[i] = l.openSegment(sm)
	}
	if !l.opts.SkipVerify {
		// A reader skips the segments it verified before (verified.go).
		remember := l.opts.ReadOnly && !l.opts.Salvage
		var marks verifiedMarks
		ids := make([]fileID, n)
		known := make([]bool, n)
		if remember {
			marks = l.readVerified()
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, max(1, l.opts.Workers))
		verified := 0
		for i, sm := range l.man.Segments {
			if errs[i] != nil || reused[i] {
				continue
			}
			if remember {
				if ids[i], known[i] = l.segmentIdentity(sm); known[i] && marks.verifiedBefore(sm, ids[i]) {
					continue
				}
			}
			verified++
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				errs[i] = l.verifySegment(l.segs[i], sm)
			}()
		}
		wg.Wait()
		if remember && verified > 0 {
			// Those verified now or before; a reused one keeps its mark.
			now := map[string]fileID{}
			for i, sm := range l.man.Segments {
				if known[i] && errs[i] == nil {
					now[sm.File] = ids[i]
				} else if v, ok := marks.Segments[sm.File]; ok && reused[i] {
					now[sm.File] = v.ID
				}
			}
			l.writeVerified(now)
		}
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		sm := l.man.Segments[i]
		if !l.opts.Salvage {
			if l.segs[i] != nil && l.segs[i].r != nil {
				l.segs[i].r.Close()
			}
			return msg.Errorf("open library %s: %w", l.dir, err)
		}
		if l.segs[i] != nil {
			// The footer is readable: keep the segment and skip its bad
			// blocks as they are met.
			l.damage = append(l.damage, fmt.Sprintf("%v (salvaging its readable blocks)", err))
			continue
		}
		l.damage = append(l.damage, fmt.Sprintf("%v (segment skipped: %d assets, %d elements lost)", err, sm.Assets, sm.Elements))
		l.segs[i] = &segment{meta: sm, firstRef: sm.FirstRef, n: uint32(sm.Elements), damaged: true}
	}
	return nil
}

// openSegment opens one segment and checks its footer against the manifest.
func (l *Library) openSegment(sm manifest.Segment) (*segment, error) {
	path := filepath.Join(l.dir, sm.File)
	r, err := store.Open(l.fs, path, l.dec)
	if err != nil {
		return nil, err
	}
	if r.FirstRef() != sm.FirstRef && r.NumElements() > 0 || r.NumElements() != sm.Elements {
		r.Close()
		return nil, msg.Errorf("segment %s: %w: does not match the manifest", path, store.ErrCorrupt)
	}
	return &segment{meta: sm, r: r, firstRef: sm.FirstRef, n: uint32(sm.Elements)}, nil
}

// verifySegment checks a segment's whole-file checksum. On failure the
// segment stays open, so Salvage can still read the blocks whose own
// checksums hold.
func (l *Library) verifySegment(s *segment, sm manifest.Segment) error {
	want, err := manifest.ParseHash(sm.XXHash)
	if err != nil {
		return msg.Errorf("segment %s: bad checksum in manifest: %w", s.r.Path(), err)
	}
	return s.r.Verify(sm.Size, want)
}

// rebuildMaps derives the live-element types and the asset map from the
// segments' footers, applying tombstones in order.
func (l *Library) rebuildMaps() {
	l.types = make([]byte, l.man.NextRef)
	n := 0 // at most this many assets: the map is sized once
	for _, s := range l.segs {
		if !s.damaged {
			n += len(s.assetDir())
		}
	}
	l.assets = make(map[string]assetLoc, n)
	l.live = 0
	l.ord, l.assetsVer = nil, l.assetsVer+1
	for _, s := range l.segs {
		l.applySegment(s)
	}
}

// applySegment adds one segment's tombstones and records to the maps
// (dropping the asset order: a commit keeps it, see commit).
func (l *Library) applySegment(s *segment) {
	l.ord, l.assetsVer = nil, l.assetsVer+1
	if s.damaged {
		return
	}
	for _, t := range s.tombstones() {
		l.applyTombstone(t)
	}
	if need := int(s.firstRef + s.n); need > len(l.types) {
		l.types = append(l.types, make([]byte, need-len(l.types))...)
	}
	codes := s.typeCodes()
	for i, c := range codes {
		if l.types[s.firstRef+uint32(i)] == 0 && c != 0 {
			l.live++
		}
		l.types[s.firstRef+uint32(i)] = c
	}
	for i, a := range s.assetDir() {
		if old, ok := l.assets[a.ID]; ok {
			// A record without a tombstone for the old one (cannot happen
			// with this writer) still replaces it.
			l.killRange(old.firstRef, old.count)
		}
		l.assets[a.ID] = assetLoc{seg: s, block: a.Block, firstRef: a.FirstRef, count: a.Count, dir: uint32(i)}
	}
}

func (l *Library) applyTombstone(t store.Tombstone) {
	l.killRange(t.FirstRef, t.Count)
	if loc, ok := l.assets[t.AssetID]; ok && loc.firstRef == t.FirstRef && loc.count == t.Count {
		delete(l.assets, t.AssetID)
	}
}

func (l *Library) killRange(first, count uint32) {
	for r := first; r < first+count && int(r) < len(l.types); r++ {
		if l.types[r] != 0 {
			l.types[r] = 0
			l.live--
		}
	}
}

func (s *segment) tombstones() []store.Tombstone { return s.r.Tombstones() }

func (s *segment) typeCodes() []byte { return s.r.Types() }

func (s *segment) assetDir() []store.AssetEntry { return s.r.Assets() }

// Damage lists what a Salvage open (or a reindex) could not read.
func (l *Library) Damage() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]string(nil), l.damage...)
}

// Dir returns the library directory (of its FS).
func (l *Library) Dir() string { return l.dir }

// Generation returns the manifest generation the library reflects (from
// memory: the error is always nil).
func (l *Library) Generation() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.man.Generation, nil
}

// Compatible reports whether engine signs like the library's stored
// fingerprints (kit.ErrIncompatible otherwise). An empty library is compatible
// with every engine.
func (l *Library) Compatible(engine *fingerprint.Engine) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.compatible(engine)
}

func (l *Library) compatible(engine *fingerprint.Engine) error {
	if engine == nil || l.man.Fingerprint == nil || l.live == 0 && len(l.assets) == 0 {
		return nil
	}
	if *fingerprintInfo(engine) != *l.man.Fingerprint {
		return kit.ErrIncompatible
	}
	return nil
}

func fingerprintInfo(e *fingerprint.Engine) *manifest.Fingerprint {
	o := e.Options()
	b := e.Bands()
	return &manifest.Fingerprint{Lanes: o.Lanes, ShingleSize: o.ShingleSize, Seed: o.Seed, Bands: b.Bands, Rows: b.Rows}
}

func (l *Library) closeSegments() {
	for _, s := range l.segs {
		if s != nil && s.r != nil {
			s.r.Close()
		}
	}
	l.segs = nil
}

func (l *Library) release() {
	if l.lock != nil {
		l.lock.Unlock()
		l.lock = nil
	}
	if l.dec != nil {
		l.dec.Close()
		l.dec = nil
	}
}

// Close releases the library's files and lock.
func (l *Library) Close() error {
	l.stopWarming.Store(true)
	l.warming.Wait() // before the locks: it takes l.mu to list the segments
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var err error
	if l.ft != nil {
		err = l.ft.Close()
		l.ft = nil
	}
	l.memSearch.Close()
	if rerr := l.closeRetired(time.Time{}, true); err == nil {
		err = rerr
	}
	l.closeSegments()
	l.closeLazyIndex()
	l.release()
	l.cache.reset()
	l.histCommit.idle(func() { err = errors.Join(err, l.histLog.close()) })
	return err
}

// cleanup removes files no manifest generation refers to: leftovers of a
// crash (temporary files, uncommitted segments and snapshots) and the files
// of generations replaced by a reindex. Only a writer calls it.
func (l *Library) cleanup() {
	keep := map[string]bool{manifest.FileName: true, lockFile: true, segmentsDir: true, historyFile: true}
	for _, s := range l.man.Segments {
		keep[s.File] = true
		keep[publishedFile(s.File)] = true
	}
	if l.man.LSH != nil {
		keep[l.man.LSH.File] = true
	}
	if l.man.Anchors != nil {
		keep[l.man.Anchors.File] = true
	}
	if l.man.Sketch != nil {
		keep[l.man.Sketch.File] = true
	}
	if l.man.Footage != nil {
		keep[l.man.Footage.File] = true
	}
	if l.man.Fulltext.Dir != "" {
		keep[l.man.Fulltext.Dir] = true
	}
	l.memSearch.Keep(filepath.Join(l.dir, l.man.Fulltext.Dir))
	remove := func(rel string) {
		if err := l.fs.RemoveAll(filepath.Join(l.dir, rel)); err != nil {
			slog.Warn("remove stale library file", "file", rel, "err", err)
		}
	}
	for _, sub := range []string{".", segmentsDir} {
		entries, err := l.fs.ReadDir(filepath.Join(l.dir, sub))
		if err != nil {
			continue
		}
		for _, e := range entries {
			rel := filepath.ToSlash(filepath.Join(sub, e.Name()))
			if keep[rel] {
				continue
			}
			name := e.Name()
			switch {
			case strings.HasSuffix(name, vfs.TempSuffix),
				sub == segmentsDir && strings.HasPrefix(name, "seg-"),
				strings.HasPrefix(name, "lsh-"), strings.HasPrefix(name, "sketch-"), strings.HasPrefix(name, "footage-"),
				e.IsDir() && strings.HasPrefix(name, fulltextDir):
				remove(rel)
			}
		}
	}
}

// recoverWriter runs when a writer opens: it removes crash leftovers,
// persists snapshots that were missing, and catches the full-text index up
// with the store.
func (l *Library) recoverWriter(ctx context.Context) error {
	l.cleanup()
	l.cleanupOutcomes()
	if l.opts.Salvage && len(l.damage) > 0 {
		return nil // Reindex rebuilds everything; do not write over damage.
	}
	if l.man.Fulltext.Seq < l.man.LastSeq() && !l.opts.NoFulltext {
		if err := l.catchUpFulltext(ctx); err != nil {
			if ctx.Err() != nil {
				return msg.Errorf("open library %s: %w", l.dir, ctx.Err()) // the search index keeps what was applied
			}
			slog.Warn("search index not caught up; run elib reindex", "err", err)
		}
	}
	if l.man.Anchors == nil && len(l.man.Segments) > 0 {
		// A library written before anchors existed: persist the index
		// Open just built, so later opens load it instead.
		if err := l.persistDerived(); err != nil {
			slog.Warn("anchor index not persisted; it is rebuilt at every open until the next import", "err", err)
		}
	}
	return nil
}

// persistDerived writes the LSH and anchor snapshots of the current state
// under a new generation. The caller is the writer, opening.
func (l *Library) persistDerived() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.man.Clone()
	prev := l.man
	m.Generation++
	if err := l.snapshotLSH(m, true); err != nil {
		return err
	}
	if err := manifest.WriteFS(l.fs, l.dir, m); err != nil {
		return err
	}
	l.man = m
	l.removeStaleSnapshots(prev, m)
	return nil
}

// segmentFor returns the segment holding ref, or nil.
func (l *Library) segmentFor(ref uint32) *segment {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].firstRef+l.segs[i].n > ref })
	if i < len(l.segs) && l.segs[i].contains(ref) {
		return l.segs[i]
	}
	return nil
}

// typeCount returns live elements per type.
func (l *Library) typeCount() map[element.Type]int {
	var counts [16]int
	for _, c := range l.types {
		counts[c]++
	}
	out := make(map[element.Type]int)
	for c, n := range counts {
		if t, ok := kit.TypeOf(byte(c)); ok && n > 0 {
			out[t] = n
		}
	}
	return out
}
