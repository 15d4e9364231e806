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
// written atomically
// (vfs.Write: temporary file, fsync, rename, directory fsync) and ending in
// a CRC-32C of its content, so a process killed mid-write leaves either
// the whole file or none, and a damaged file is noticed. A file holds the
// entries one write changed; every outcomeCompactFiles writes, the whole
// state goes into one full file and the older files are removed (a crash
// between the two leaves both; the full one, newer, wins). Libraries
// written before outcomes have no folder: every asset's outcome is then
// missing, which readers treat as stale. Outcomes are not part of the
// manifest: losing them costs a recomputation, never an asset. Libraries
// written before the binary form hold out-<seq>.json files: they are
// read, and the first reader writes the whole state as one binary full
// file (so that the next reads are quick).

const (
	outcomesDir = "outcomes"
	// outcomeJSONVersion and outcomeBinaryVersion are the versions of
	// an outcome file (JSON files were written before binary ones); files
	// of other versions are ignored (their outcomes count as missing).
	outcomeJSONVersion   = 1
	outcomeBinaryVersion = 2
	outcomeCompactFiles  = 32
	outcomeFilePrefix    = "out-"
	outcomeFileExtension = ".bin"
	outcomeJSONExtension = ".json"
)

// outcomeEntry is one asset's stored outcome: the outcome computed at
// sequence Computed, and the sequence of the last stale mark.
type outcomeEntry struct {
	Outcome  *kit.Outcome `json:"o,omitempty"`
	Computed uint64       `json:"c,omitempty"`
	Stale    uint64       `json:"s,omitempty"`
}

func (e *outcomeEntry) fresh() bool { return e.Outcome != nil && e.Computed > e.Stale }

// outcomeFile is the content of one outcome file.
type outcomeFile struct {
	Version int    `json:"version"`
	Seq     uint64 `json:"seq"`
	// Full marks a file holding the whole state (older files are void).
	Full    bool                     `json:"full,omitempty"`
	Entries map[string]*outcomeEntry `json:"entries"`
}

// outcomeState is the outcomes as read from the folder.
type outcomeState struct {
	mu      sync.Mutex
	loaded  string // the folder listing the state was read from
	seq     uint64
	files   int // files since the last full one
	entries map[string]*outcomeEntry
	// legacy marks a state read from JSON files: the next write (or the
	// first reader, upgradeOutcomes) writes it whole in binary.
	legacy bool
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
		st.entries = nil // a writer compacted meanwhile: list again
	}
}

// loadOutcomes reads the folder into st (under st.mu) unless its listing
// is the one st holds; vanished reports a file removed while it was read.
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
	if st.entries != nil && listing == st.loaded {
		return false, nil
	}
	st.entries, st.seq, st.files, st.legacy = map[string]*outcomeEntry{}, 0, 0, false
	st.loaded = listing
	// The newest full file and those after it hold the state; each file
	// is read and decoded once.
	type read struct {
		f   *outcomeFile
		err error
	}
	files := make([]read, len(names))
	start := 0
	for i := len(names) - 1; i >= 0; i-- {
		b, err := vfs.ReadFile(l.fs, filepath.Join(dir, names[i]))
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil
		}
		if err == nil {
			files[i].f, err = decodeOutcomeFile(b)
		}
		files[i].err = err
		if err == nil && files[i].f.Full {
			start = i
			break
		}
	}
	for i, n := range names[start:] {
		// The next write is numbered after every file, damaged or not.
		if seq, ok := outcomeFileSeq(n); ok {
			st.seq = max(st.seq, seq)
		}
		f, err := files[start+i].f, files[start+i].err
		if err == nil && f.Version != outcomeJSONVersion && f.Version != outcomeBinaryVersion {
			err = fmt.Errorf("unknown version %d", f.Version)
		}
		if err != nil {
			// A damaged or unknown file may have held stale marks: trust
			// none of the outcomes (they are recomputed on demand).
			slog.Warn("outcome file unreadable; every stored check outcome counts as stale", "file", n, "err", err)
			for _, e := range st.entries {
				e.Stale = max(e.Stale, e.Computed)
			}
			continue
		}
		st.seq = max(st.seq, f.Seq)
		if !f.Full {
			st.files++
		}
		st.legacy = st.legacy || f.Version == outcomeJSONVersion
		if len(st.entries) == 0 {
			st.entries = f.Entries // the full file, most often: taken as it is
			continue
		}
		for id, e := range f.Entries {
			cur := st.entries[id]
			if cur == nil {
				cur = &outcomeEntry{}
				st.entries[id] = cur
			}
			if e.Outcome != nil && e.Computed >= cur.Computed {
				cur.Outcome, cur.Computed = e.Outcome, e.Computed
			}
			cur.Stale = max(cur.Stale, e.Stale)
		}
	}
	return false, nil
}

// Outcomes returns the fresh stored outcome of each asset (nil where none).
func (l *Library) Outcomes(ids []string) ([]*kit.Outcome, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return nil, err
	}
	out := make([]*kit.Outcome, len(ids))
	for i, id := range ids {
		if e := st.entries[id]; e != nil && e.fresh() {
			out[i] = e.Outcome
		}
	}
	legacy := st.legacy
	st.mu.Unlock()
	if legacy {
		l.upgradeOutcomes()
	}
	return out, nil
}

// upgradeOutcomes writes outcomes read from JSON files as one binary full
// file (a reader may: outcome writes have their own lock). It changes no
// outcome; a read-only file system leaves the JSON files.
func (l *Library) upgradeOutcomes() {
	err := l.writeOutcomes(func(*outcomeState, uint64) map[string]*outcomeEntry { return nil })
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		slog.Debug("outcomes: not rewritten in binary: the library is read-only", "err", err)
	default:
		slog.Warn("outcomes: not rewritten in binary; they are read from JSON until the next write", "err", err)
	}
}

// StoredOutcomes returns every stored outcome, fresh or stale.
func (l *Library) StoredOutcomes() (map[string]kit.StoredOutcome, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return nil, err
	}
	defer st.mu.Unlock()
	out := make(map[string]kit.StoredOutcome, len(st.entries))
	for id, e := range st.entries {
		if e.Outcome != nil {
			out[id] = kit.StoredOutcome{Outcome: e.Outcome, Stale: !e.fresh()}
		}
	}
	return out, nil
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
			e := st.entries[id]
			if e != nil && e.Stale > since {
				continue
			}
			if e == nil {
				e = &outcomeEntry{}
				st.entries[id] = e
			}
			e.Outcome, e.Computed = o, seq
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
			e := st.entries[id]
			if e == nil {
				continue // nothing stored: already counts as stale
			}
			e.Stale = seq
			changed[id] = &outcomeEntry{Stale: seq}
		}
		return changed
	})
}

// writeOutcomes applies one change and writes it as the next file (or,
// every outcomeCompactFiles files, the whole state). Outcome files have
// their own lock (outcomes/lock, held for one write), not the library's
// writer lock: a reader that computed stale outcomes (elib stats) stores
// them too, and an import's writes wait for it.
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
	if len(changed) == 0 && !st.legacy {
		return nil
	}
	f := &outcomeFile{Version: outcomeBinaryVersion, Seq: seq, Entries: changed}
	full := st.files+1 >= outcomeCompactFiles || st.legacy
	if full {
		f.Full, f.Entries = true, map[string]*outcomeEntry{}
		live := map[string]bool{}
		ids, err := l.AssetIDs()
		if err != nil {
			return fmt.Errorf("outcomes: %w", err)
		}
		for _, id := range ids {
			live[id] = true
		}
		for id, e := range st.entries {
			if live[id] {
				f.Entries[id] = e
			} else {
				delete(st.entries, id) // removed assets' outcomes go
			}
		}
	}
	b, err := encodeOutcomeFile(f)
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	name := outcomeFileName(seq)
	if err := vfs.WriteFile(l.fs, filepath.Join(dir, name), b); err != nil {
		st.entries = nil // reread from the folder next time
		return fmt.Errorf("outcomes: %w", err)
	}
	st.seq = seq
	st.files++
	if full {
		st.files, st.legacy = 0, false
		old := strings.Split(st.loaded, ",")
		for _, n := range old {
			if n != "" {
				if err := l.fs.Remove(filepath.Join(dir, n)); err != nil {
					slog.Warn("remove old outcome file", "file", n, "err", err)
				}
			}
		}
		st.loaded = name
	} else if st.loaded == "" {
		st.loaded = name
	} else {
		st.loaded += "," + name
	}
	return nil
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
