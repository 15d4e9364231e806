package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"elib/library/kit"
	"elib/vfs"
)

// Check outcomes (kit.Outcome, issue 25) live beside the segments in
// outcomes/: each write is one new file, out-<seq>.bin (outcomecodec.go),
// written atomically (vfs.Write: temporary file, fsync, rename, directory
// fsync) and ending in a CRC-32C of its content, so a process killed
// mid-write leaves either the whole file or none, and a damaged file is
// noticed. A file holds the entries one write changed, or the merge of
// files before it: the state is the newest full file (one holding every
// outcome; older files are void) and the files after it, applied oldest
// first, and applying a merge over the files it merged changes nothing —
// so a crash between writing a merge and removing its inputs leaves a
// state that reads the same.
//
// The files form a stack, log-structured: after a write, while the newest
// file is at least half the size of the one below it (or there are more
// than outcomeMaxFiles), the two are merged into one, so a write rewrites
// files of its own size, a byte is rewritten about log2(state / write)
// times, and only a merge reaching the bottom file writes every outcome
// (that merge is a full file, without removed assets' outcomes).
//
// A process keeps the files' bytes and an index of each asset's entry,
// not decoded outcomes: Outcomes and StoredOutcomes decode what they
// return, and a merge copies outcomes from file to file without decoding
// them. Libraries written before outcomes have no folder: every asset's
// outcome is then missing, which readers treat as stale. Outcomes are not
// part of the manifest: losing them costs a recomputation, never an
// asset. Libraries written before the binary form hold out-<seq>.json
// files: they are read, and the first reader writes the whole state as
// one binary full file (so that the next reads are quick); so are
// binary files of version 2, which have no entry table (outcomecodec.go).

const (
	outcomesDir = "outcomes"
	// outcomeJSONVersion and outcomeBinaryVersion are the versions of
	// an outcome file (JSON files were written before binary ones, and
	// binary ones of version 2 before the entry table); files
	// of other versions are ignored (their outcomes count as missing).
	outcomeJSONVersion   = 1
	outcomeBinaryVersion = 3
	outcomeFilePrefix    = "out-"
	outcomeFileExtension = ".bin"
	outcomeJSONExtension = ".json"
)

// outcomeMaxFiles is how many files the state keeps at most before the
// newest two are merged whatever their sizes (a variable for tests).
var outcomeMaxFiles = 32

// outcomeEntry is one asset's stored outcome as a write or a JSON file
// holds it: the outcome computed at sequence Computed, and the sequence of
// the last stale mark.
type outcomeEntry struct {
	Outcome  *kit.Outcome `json:"o,omitempty"`
	Computed uint64       `json:"c,omitempty"`
	Stale    uint64       `json:"s,omitempty"`
}

// outcomeFile is the content of one outcome file.
type outcomeFile struct {
	Version int    `json:"version"`
	Seq     uint64 `json:"seq"`
	// Full marks a file holding the whole state (older files are void).
	Full    bool                     `json:"full,omitempty"`
	Entries map[string]*outcomeEntry `json:"entries"`
}

// outcomeRef is one asset's entry in the state: where its outcome is
// (src and off, or decoded when read from a JSON file; neither: none),
// the sequence it was computed at and that of its last stale mark.
type outcomeRef struct {
	src      *outcomeSource
	off      int
	decoded  *kit.Outcome
	computed uint64
	stale    uint64
}

func (r *outcomeRef) has() bool   { return r.src != nil || r.decoded != nil }
func (r *outcomeRef) fresh() bool { return r.has() && r.computed > r.stale }

// apply lays e, from a newer file, over r.
func (r *outcomeRef) apply(e outcomeRef) {
	if e.has() && e.computed >= r.computed {
		r.src, r.off, r.decoded, r.computed = e.src, e.off, e.decoded, e.computed
	}
	r.stale = max(r.stale, e.stale)
}

// outcomeRun is one file of the state: its entries by id, sorted.
type outcomeRun struct {
	name string
	seq  uint64
	full bool
	size int            // the file's bytes
	src  *outcomeSource // nil: a JSON file, or a damaged one
	v2   bool           // a binary file of version 2 (no entry table)
	ids  []string
	refs []outcomeRef
}

// outcomeState is the outcomes as read from the folder.
type outcomeState struct {
	mu     sync.Mutex
	loaded string // the folder listing the state was read from
	seq    uint64
	runs   []*outcomeRun // the newest full file (if any) and those after it, oldest first
	// ids and refs are the runs applied in order: every asset's entry,
	// by id (sorted). A state of one file shares its run's slices
	// (shared: refs are copied before they change in place).
	ids    []string
	refs   []outcomeRef
	shared bool
	read   bool // ids and refs hold the folder's state (false: read it)
	// rewrite makes the next write a full file of the whole state: the
	// state holds JSON files or damaged ones. legacy marks JSON and
	// version 2 files:
	// the first reader rewrites them (upgradeOutcomes).
	rewrite, legacy bool
	// links index the entries for invalidation (outcomelinks.go; nil:
	// built at the next question).
	links *outcomeLinks
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// outcomeFileName is the name of the file written at seq.
func outcomeFileName(seq uint64) string {
	return fmt.Sprintf("%s%016d%s", outcomeFilePrefix, seq, outcomeFileExtension)
}

// outcomeFileSeq is the sequence of an outcome file's name (ok false:
// not an outcome file).
func outcomeFileSeq(name string) (seq uint64, ok bool) {
	rest, found := strings.CutPrefix(name, outcomeFilePrefix)
	if !found {
		return 0, false
	}
	if r, found := strings.CutSuffix(rest, outcomeFileExtension); found {
		rest = r
	} else if r, found := strings.CutSuffix(rest, outcomeJSONExtension); found {
		rest = r
	} else {
		return 0, false
	}
	seq, err := strconv.ParseUint(rest, 10, 64)
	return seq, err == nil
}

// decodeOutcomeFileJSON checks and reads one JSON file (JSON, a newline,
// the CRC-32C of the JSON in hex, a newline), as libraries written
// before the binary form hold.
func decodeOutcomeFileJSON(b []byte) (*outcomeFile, error) {
	b = bytes.TrimSuffix(b, []byte("\n"))
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 {
		return nil, errors.New("no checksum")
	}
	sum, err := strconv.ParseUint(string(b[i+1:]), 16, 32)
	if err != nil || uint32(sum) != crc32.Checksum(b[:i], crcTable) {
		return nil, errors.New("checksum mismatch")
	}
	var f outcomeFile
	if err := json.Unmarshal(b[:i], &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// outcomeLocked brings l.outcomes up to date with the folder (another
// process may have written) and returns it locked.
func (l *Library) outcomeLocked() (*outcomeState, error) {
	st := &l.outcomes
	st.mu.Lock()
	for try := 0; ; try++ {
		vanished, err := l.loadOutcomes(st)
		if err != nil {
			st.mu.Unlock()
			return nil, err
		}
		if !vanished || try >= 3 {
			return st, nil
		}
		st.read = false // a writer merged meanwhile: list again
	}
}

// loadOutcomes reads the folder into st (under st.mu) unless its listing
// is the one st holds; vanished reports a file removed while it was read.
// Files are never rewritten under their name: those st holds already are
// not read again.
func (l *Library) loadOutcomes(st *outcomeState) (vanished bool, err error) {
	dir := filepath.Join(l.dir, outcomesDir)
	entries, err := l.fs.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("outcomes: %w", err)
	}
	var names []string
	for _, e := range entries {
		if _, ok := outcomeFileSeq(e.Name()); ok {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // zero-padded sequences: name order is sequence order
	listing := strings.Join(names, ",")
	if st.read && listing == st.loaded {
		return false, nil
	}
	known := map[string]*outcomeRun{}
	for _, r := range st.runs {
		if r.src != nil {
			known[r.name] = r
		}
	}
	// The newest full file and those after it hold the state.
	runs := make([]*outcomeRun, len(names))
	errs := make([]error, len(names))
	start := 0
	for i := len(names) - 1; i >= 0; i-- {
		r := known[names[i]]
		if r == nil {
			r, errs[i] = l.readOutcomeRun(dir, names[i])
			if errors.Is(errs[i], fs.ErrNotExist) {
				return true, nil
			}
		}
		runs[i] = r
		if r != nil && r.full {
			start = i
			break
		}
	}
	st.ids, st.refs, st.shared, st.runs, st.seq, st.rewrite, st.legacy = nil, nil, false, nil, 0, false, false
	st.read = true
	st.links = nil
	st.loaded = listing
	for i, n := range names[start:] {
		// The next write is numbered after every file, damaged or not.
		if seq, ok := outcomeFileSeq(n); ok {
			st.seq = max(st.seq, seq)
		}
		r, err := runs[start+i], errs[start+i]
		if err != nil {
			// A damaged or unknown file may have held stale marks: trust
			// none of the outcomes (they are recomputed on demand), and
			// write the state whole next time.
			slog.Warn("outcome file unreadable; every stored check outcome counts as stale", "file", n, "err", err)
			st.own()
			for i := range st.refs {
				st.refs[i].stale = max(st.refs[i].stale, st.refs[i].computed)
			}
			st.runs = append(st.runs, &outcomeRun{name: n})
			st.rewrite = true
			continue
		}
		st.seq = max(st.seq, r.seq)
		if r.src == nil || r.v2 {
			st.rewrite, st.legacy = true, true
		}
		st.runs = append(st.runs, r)
		st.applyRun(r)
	}
	return false, nil
}

// applyRun lays r's entries over the state's: the first run's slices
// are taken as they are; a run whose ids the state holds already is
// applied in place, another merged into new slices.
func (st *outcomeState) applyRun(r *outcomeRun) {
	if len(st.ids) == 0 {
		st.ids, st.refs, st.shared = r.ids, r.refs, true
		return
	}
	at := make([]int, len(r.ids))
	inPlace := true
	for k, id := range r.ids {
		i, ok := slices.BinarySearch(st.ids, id)
		if !ok {
			inPlace = false
			break
		}
		at[k] = i
	}
	if inPlace {
		st.own()
		for k, i := range at {
			st.refs[i].apply(r.refs[k])
		}
		return
	}
	ids := make([]string, 0, len(st.ids)+len(r.ids))
	refs := make([]outcomeRef, 0, len(st.ids)+len(r.ids))
	i, j := 0, 0
	for i < len(st.ids) && j < len(r.ids) {
		switch c := strings.Compare(st.ids[i], r.ids[j]); {
		case c < 0:
			ids, refs = append(ids, st.ids[i]), append(refs, st.refs[i])
			i++
		case c > 0:
			ids, refs = append(ids, r.ids[j]), append(refs, r.refs[j])
			j++
		default:
			cur := st.refs[i]
			cur.apply(r.refs[j])
			ids, refs = append(ids, st.ids[i]), append(refs, cur)
			i, j = i+1, j+1
		}
	}
	ids, refs = append(ids, st.ids[i:]...), append(refs, st.refs[i:]...)
	ids, refs = append(ids, r.ids[j:]...), append(refs, r.refs[j:]...)
	st.ids, st.refs, st.shared = ids, refs, false
}

// own copies refs shared with a run before they change in place.
func (st *outcomeState) own() {
	if st.shared {
		st.refs, st.shared = slices.Clone(st.refs), false
	}
}

// get is id's entry.
func (st *outcomeState) get(id string) (outcomeRef, bool) {
	i, ok := slices.BinarySearch(st.ids, id)
	if !ok {
		return outcomeRef{}, false
	}
	return st.refs[i], true
}

// each calls fn with the entry of every id of ids that has one (i its
// index in ids): sorted ids are walked side by side with the state's.
func (st *outcomeState) each(ids []string, fn func(i int, r outcomeRef) error) error {
	if !slices.IsSorted(ids) {
		for i, id := range ids {
			if r, ok := st.get(id); ok {
				if err := fn(i, r); err != nil {
					return err
				}
			}
		}
		return nil
	}
	j := 0
	for i, id := range ids {
		for j < len(st.ids) && st.ids[j] < id {
			j++
		}
		if j == len(st.ids) {
			break
		}
		if st.ids[j] == id {
			if err := fn(i, st.refs[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOutcomeRun reads and indexes one file.
func (l *Library) readOutcomeRun(dir, name string) (*outcomeRun, error) {
	b, err := vfs.ReadFile(l.fs, filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	if isOutcomeBinary(b) {
		r, err := indexOutcomeFile(b)
		if err != nil {
			return nil, err
		}
		r.name = name
		return r, nil
	}
	f, err := decodeOutcomeFileJSON(b)
	if err != nil {
		return nil, err
	}
	if f.Version != outcomeJSONVersion {
		return nil, fmt.Errorf("unknown version %d", f.Version)
	}
	r := &outcomeRun{name: name, seq: f.Seq, full: f.Full, size: len(b)}
	for id := range f.Entries {
		r.ids = append(r.ids, id)
	}
	sort.Strings(r.ids)
	for _, id := range r.ids {
		e := f.Entries[id]
		r.refs = append(r.refs, outcomeRef{decoded: e.Outcome, computed: e.Computed, stale: e.Stale})
	}
	return r, nil
}

// outcomeDecoders decodes the outcomes of a state's refs, one decoder per
// file; figures leaves out the sources and sentence hashes of those read
// from binary files.
type outcomeDecoders struct {
	by      map[*outcomeSource]*outcomeDecoder
	figures bool
}

func (ds *outcomeDecoders) decode(r outcomeRef) (*kit.Outcome, error) {
	if r.src == nil {
		return r.decoded, nil
	}
	d := ds.by[r.src]
	if d == nil {
		if ds.by == nil {
			ds.by = map[*outcomeSource]*outcomeDecoder{}
		}
		d = r.src.decoder()
		d.figures = ds.figures
		ds.by[r.src] = d
	}
	return d.decodeAt(r.src, r.off)
}

// Outcomes returns the fresh stored outcome of each asset (nil where none).
func (l *Library) Outcomes(ids []string) ([]*kit.Outcome, error) {
	return l.readOutcomes(ids, false)
}

// OutcomeFigures is Outcomes without the outcomes' sources and sentence
// hashes (kit.OutcomeJudgements).
func (l *Library) OutcomeFigures(ids []string) ([]*kit.Outcome, error) {
	return l.readOutcomes(ids, true)
}

func (l *Library) readOutcomes(ids []string, figures bool) ([]*kit.Outcome, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return nil, err
	}
	out := make([]*kit.Outcome, len(ids))
	ds := outcomeDecoders{figures: figures}
	err = st.each(ids, func(i int, e outcomeRef) error {
		if !e.fresh() {
			return nil
		}
		var err error
		if out[i], err = ds.decode(e); err != nil {
			return fmt.Errorf("outcomes: %s: %w", ids[i], err)
		}
		return nil
	})
	if err != nil {
		st.mu.Unlock()
		return nil, err
	}
	legacy := st.legacy
	st.mu.Unlock()
	if legacy {
		l.upgradeOutcomes()
	}
	return out, nil
}

// upgradeOutcomes writes outcomes read from JSON or version 2 files as
// one binary full file of the current version (a reader may: outcome
// writes have their own lock). It changes no outcome; a read-only file
// system leaves the old files.
func (l *Library) upgradeOutcomes() {
	err := l.writeOutcomes(func(*outcomeState, uint64) map[string]*outcomeEntry { return nil })
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		slog.Debug("outcomes: not rewritten in binary: the library is read-only", "err", err)
	default:
		slog.Warn("outcomes: not rewritten in the current form; they are read from the old files until the next write", "err", err)
	}
}

// StoredOutcomes returns every stored outcome, fresh or stale.
func (l *Library) StoredOutcomes() (map[string]kit.StoredOutcome, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return nil, err
	}
	defer st.mu.Unlock()
	out := make(map[string]kit.StoredOutcome, len(st.ids))
	ds := outcomeDecoders{}
	for k, id := range st.ids {
		e := st.refs[k]
		if e.has() {
			o, err := ds.decode(e)
			if err != nil {
				return nil, fmt.Errorf("outcomes: %s: %w", id, err)
			}
			out[id] = kit.StoredOutcome{Outcome: o, Stale: !e.fresh()}
		}
	}
	return out, nil
}

// ScanOutcomes calls fn with every stored outcome's published time and
// sources, fresh or stale, decoding nothing else (kit.OutcomeScanner).
func (l *Library) ScanOutcomes(fn func(id string, published time.Time, sources []string, stale bool)) error {
	st, err := l.outcomeLocked()
	if err != nil {
		return err
	}
	defer st.mu.Unlock()
	var sources []string
	ds := map[*outcomeSource]*outcomeDecoder{}
	for k, id := range st.ids {
		e := st.refs[k]
		switch {
		case e.decoded != nil:
			fn(id, e.decoded.Published, e.decoded.Sources, !e.fresh())
		case e.src != nil:
			d := ds[e.src]
			if d == nil {
				d = e.src.decoder()
				ds[e.src] = d
			}
			d.b, d.err = e.src.body[e.off:], nil
			var p time.Time
			p, sources = d.summary(sources[:0])
			if d.err != nil {
				return fmt.Errorf("outcomes: %s: %w", id, d.err)
			}
			fn(id, p, sources, !e.fresh())
		}
	}
	return nil
}

// OutcomeSeq returns the outcome store's sequence.
func (l *Library) OutcomeSeq() (uint64, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return 0, err
	}
	defer st.mu.Unlock()
	return st.seq, nil
}

// PutOutcomes stores outcomes computed from the library as it stood after
// sequence since; assets marked stale after since stay stale.
func (l *Library) PutOutcomes(since uint64, outs map[string]*kit.Outcome) error {
	return l.writeOutcomes(func(st *outcomeState, seq uint64) map[string]*outcomeEntry {
		changed := map[string]*outcomeEntry{}
		for id, o := range outs {
			if e, ok := st.get(id); ok && e.stale > since {
				continue
			}
			changed[id] = &outcomeEntry{Outcome: o, Computed: seq}
		}
		return changed
	})
}

// MarkStale marks the assets' outcomes stale.
func (l *Library) MarkStale(ids []string) error {
	return l.writeOutcomes(func(st *outcomeState, seq uint64) map[string]*outcomeEntry {
		changed := map[string]*outcomeEntry{}
		for _, id := range ids {
			if _, ok := st.get(id); !ok {
				continue // nothing stored: already counts as stale
			}
			changed[id] = &outcomeEntry{Stale: seq}
		}
		return changed
	})
}

// writeOutcomes writes one change (what change returns, read from the
// state, which it must not modify) as the next file, then merges the
// newest files while the stack asks for it; a state holding JSON or
// damaged files is written whole instead. Outcome files have their own
// lock (outcomes/lock, held for one write), not the library's writer
// lock: a reader that computed stale outcomes (elib stats) stores them
// too, and an import's writes wait for it.
func (l *Library) writeOutcomes(change func(st *outcomeState, seq uint64) map[string]*outcomeEntry) error {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return errors.New("outcomes: library closed")
	}
	dir := filepath.Join(l.dir, outcomesDir)
	if err := l.fs.MkdirAll(dir); err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	lk, err := l.lockOutcomes(10 * time.Second)
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	defer lk.Unlock()
	st, err := l.outcomeLocked() // what other processes wrote first
	if err != nil {
		return err
	}
	defer st.mu.Unlock()
	seq := st.seq + 1
	changed := change(st, seq)
	if len(changed) == 0 && !st.rewrite {
		return nil
	}
	if st.rewrite {
		// The change and the state go into one full file.
		ids := make([]string, 0, len(changed))
		for id := range changed {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		r := &outcomeRun{ids: ids}
		for _, id := range ids {
			e := changed[id]
			r.refs = append(r.refs, outcomeRef{decoded: e.Outcome, computed: e.Computed, stale: e.Stale})
		}
		st.applyRun(r)
		st.links = nil
		if err := l.mergeOutcomes(st, dir, 0, seq); err != nil {
			st.read = false // reread from the folder next time
			return err
		}
		return nil
	}
	b, err := encodeOutcomeFile(&outcomeFile{Version: outcomeBinaryVersion, Seq: seq, Entries: changed})
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	r, err := l.writeOutcomeRun(dir, seq, b)
	if err != nil {
		return err
	}
	st.seq = seq
	st.runs = append(st.runs, r)
	st.applyRun(r)
	st.addRun(r)
	st.loaded = runNames(st.runs)
	for n := len(st.runs); n >= 2; n = len(st.runs) {
		if 2*st.runs[n-1].size < st.runs[n-2].size && n <= outcomeMaxFiles {
			break
		}
		if err := l.mergeOutcomes(st, dir, n-2, st.seq+1); err != nil {
			return err
		}
	}
	return nil
}

// writeOutcomeRun writes the file of sequence seq and indexes it.
func (l *Library) writeOutcomeRun(dir string, seq uint64, b []byte) (*outcomeRun, error) {
	name := outcomeFileName(seq)
	if err := vfs.WriteFile(l.fs, filepath.Join(dir, name), b); err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	r, err := indexOutcomeFile(b)
	if err != nil {
		return nil, fmt.Errorf("outcomes: %s: %w", name, err)
	}
	r.name = name
	return r, nil
}

func runNames(runs []*outcomeRun) string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.name
	}
	return strings.Join(names, ",")
}

// mergeOutcomes writes the runs from index from on as the file of
// sequence seq and removes theirs. From 0, the file is full: it holds the state (damaged
// files' stale marks included), without removed assets' outcomes.
// Outcomes are copied, not decoded.
func (l *Library) mergeOutcomes(st *outcomeState, dir string, from int, seq uint64) error {
	merged := map[string]outcomeRef{}
	full := from == 0
	if full {
		ids, err := l.AssetIDs()
		if err != nil {
			return fmt.Errorf("outcomes: %w", err)
		}
		_ = st.each(ids, func(i int, e outcomeRef) error {
			merged[ids[i]] = e
			return nil
		})
	} else {
		for _, r := range st.runs[from:] {
			for i, id := range r.ids {
				cur, ok := merged[id]
				if !ok {
					merged[id] = r.refs[i]
					continue
				}
				cur.apply(r.refs[i])
				merged[id] = cur
			}
		}
	}
	ids := make([]string, 0, len(merged))
	for id := range merged {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	e := newOutcomeEncoder(len(ids))
	for _, id := range ids {
		ref := merged[id]
		e.entry(id, ref.computed, ref.stale, ref.has())
		var err error
		switch {
		case ref.src != nil:
			err = e.copyOutcome(ref.src, ref.off)
		case ref.decoded != nil:
			err = e.outcome(ref.decoded)
		}
		if err != nil {
			return fmt.Errorf("outcomes: outcome of %s: %w", id, err)
		}
	}
	b := e.finish(seq, full)
	r, err := l.writeOutcomeRun(dir, seq, b)
	if err != nil {
		return err
	}
	old := st.runs[from:]
	st.seq = seq
	st.runs = append(st.runs[:from:from], r)
	if full {
		st.ids, st.refs, st.shared = nil, nil, false
		st.applyRun(r)
		st.rewrite, st.legacy = false, false
	} else {
		// The state reads the same; refs into the merged files move to
		// the new one, so that their bytes can go.
		st.own()
		for k, id := range r.ids {
			i, ok := slices.BinarySearch(st.ids, id)
			if !ok {
				continue
			}
			cur := &st.refs[i]
			if cur.has() && r.refs[k].has() && cur.computed == r.refs[k].computed {
				cur.src, cur.off, cur.decoded = r.refs[k].src, r.refs[k].off, r.refs[k].decoded
			}
		}
	}
	st.loaded = runNames(st.runs)
	for _, o := range old {
		if err := l.fs.Remove(filepath.Join(dir, o.name)); err != nil {
			slog.Warn("remove old outcome file", "file", o.name, "err", err)
		}
	}
	if full {
		// Files before the state's full one (a crash between a full
		// write and the removals) go too.
		l.removeOutcomesBefore(dir, seq)
	}
	return nil
}

// removeOutcomesBefore removes the outcome files older than seq.
func (l *Library) removeOutcomesBefore(dir string, seq uint64) {
	entries, err := l.fs.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if s, ok := outcomeFileSeq(e.Name()); ok && s < seq {
			if err := l.fs.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				slog.Warn("remove old outcome file", "file", e.Name(), "err", err)
			}
		}
	}
}

// outcomeLockFile is the lock of outcome writes, in outcomes/.
const outcomeLockFile = "lock"

// lockOutcomes takes the outcome lock, waiting up to wait for another
// process's write to end.
func (l *Library) lockOutcomes(wait time.Duration) (*vfs.Lock, error) {
	deadline := time.Now().Add(wait)
	for {
		lk, err := l.fs.Lock(filepath.Join(l.dir, outcomesDir, outcomeLockFile))
		var le *vfs.LockedError
		if err == nil || !errors.As(err, &le) || time.Now().After(deadline) {
			return lk, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cleanupOutcomes removes temporary outcome files a crash left (a writer
// opening; skipped while another process writes outcomes).
func (l *Library) cleanupOutcomes() {
	dir := filepath.Join(l.dir, outcomesDir)
	entries, err := l.fs.ReadDir(dir)
	if err != nil {
		return
	}
	lk, err := l.lockOutcomes(0)
	if err != nil {
		return
	}
	defer lk.Unlock()
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), vfs.TempSuffix) {
			if err := l.fs.Remove(filepath.Join(dir, e.Name())); err != nil {
				slog.Warn("remove outcome leftover", "file", e.Name(), "err", err)
			}
		}
	}
}
