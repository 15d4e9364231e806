package index

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"elib/history"
)

// historyFile is the library's check history: one JSON entry a line,
// appended with O_APPEND and fsync by any process (a check never takes
// the writer's lock), never rewritten by import, reindex or cleanup.
const historyFile = "history.jsonl"

var _ history.Store = (*Library)(nil)

// AppendHistory records entries at the end of the history. It returns
// once they are written (a killed process keeps them); they reach the
// disk within syncDelay, or at Close. A library on a memory file system
// keeps them in memory. It works on a read-only library too: recording a
// check is not a change of the library.
func (l *Library) AppendHistory(ctx context.Context, entries []history.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if !l.fs.Durable() {
		l.histMu.Lock()
		l.memHistory = append(l.memHistory, entries...)
		l.histMu.Unlock()
		return nil
	}
	return l.histCommit.append(buf.Bytes(), func(data []byte) error {
		return l.histLog.append(filepath.Join(l.dir, historyFile), data)
	})
}

// appendLog is the history file, kept open between appends (opening it
// for every batch cost a fifth of recording a check). An append returns
// once its data is written — a killed process keeps it — and one sync
// follows within syncDelay for all the appends made meanwhile, so a check
// does not wait for the disk.
type appendLog struct {
	mu      sync.Mutex
	f       *os.File
	pending bool  // written since the last sync
	syncErr error // a background sync's failure, reported by the next append
	timer   *time.Timer
	// syncing is held while a sync runs, without mu: appends go on
	// meanwhile; close waits for it.
	syncing sync.Mutex
}

// syncDelay bounds how long written history waits for its sync.
const syncDelay = 200 * time.Millisecond

// append appends data in one write: O_APPEND places it whole at the end
// even when another process appends at the same time. After an error the
// file is reopened on the next append.
func (a *appendLog) append(path string, data []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.syncErr; err != nil {
		a.syncErr = nil
		a.closeLocked()
		return fmt.Errorf("history: sync: %w", err)
	}
	if a.f == nil {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		a.f = f
	}
	if _, err := a.f.Write(data); err != nil {
		a.closeLocked()
		return fmt.Errorf("history: %w", err)
	}
	if !a.pending {
		a.pending = true
		a.timer = time.AfterFunc(syncDelay, a.syncBackground)
	}
	return nil
}

// syncBackground syncs what was written since the last sync, letting
// appends go on while the disk works.
func (a *appendLog) syncBackground() {
	a.syncing.Lock()
	defer a.syncing.Unlock()
	a.mu.Lock()
	f := a.f
	if !a.pending || f == nil {
		a.pending = false
		a.mu.Unlock()
		return
	}
	a.pending = false
	a.mu.Unlock()
	err := f.Sync() // safe beside a Close: the file waits for it
	if err != nil {
		a.mu.Lock()
		a.syncErr = err
		a.mu.Unlock()
	}
}

// close syncs what is pending and closes the file.
func (a *appendLog) close() error {
	a.syncing.Lock()
	defer a.syncing.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timer != nil {
		a.timer.Stop()
	}
	var err error
	if a.pending && a.f != nil {
		err = a.f.Sync()
	}
	return errors.Join(err, a.closeLocked())
}

// closeLocked closes the file if it is open.
func (a *appendLog) closeLocked() error {
	a.pending = false
	if a.f == nil {
		return nil
	}
	err := a.f.Close()
	a.f = nil
	return err
}

// groupCommit makes concurrent appends share one write: the first caller
// writes what has gathered while the others wait for the batch holding
// their data (a server recording every check makes one system call per
// batch, not per check). The zero value is ready.
type groupCommit struct {
	mu       sync.Mutex
	cond     *sync.Cond
	pending  []byte
	batch    uint64 // the batch pending data joins
	done     uint64 // the last batch written
	flushing bool
	err      error // the last batch's error
}

// append adds data to the pending batch and returns once a write holding
// it has been synced (its error, if any).
func (g *groupCommit) append(data []byte, write func([]byte) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	g.pending = append(g.pending, data...)
	mine := g.batch
	for g.done < mine+1 {
		if g.flushing {
			g.cond.Wait()
			continue
		}
		g.flushing = true
		take, id := g.pending, g.batch
		g.pending, g.batch = nil, g.batch+1
		g.mu.Unlock()
		err := write(take)
		g.mu.Lock()
		g.done, g.err, g.flushing = id+1, err, false
		g.cond.Broadcast()
	}
	return g.err
}

// idle runs fn once no batch is being written (fn runs under the lock:
// no batch starts meanwhile).
func (g *groupCommit) idle(fn func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.flushing {
		g.cond.Wait()
	}
	fn()
}

// History returns the recorded checks the filter selects, oldest first. A
// line that does not parse (a write cut short by a crash) is skipped.
func (l *Library) History(ctx context.Context, f history.Filter) ([]history.Entry, error) {
	if !l.fs.Durable() {
		l.histMu.Lock()
		all := append([]history.Entry(nil), l.memHistory...)
		l.histMu.Unlock()
		return history.Apply(all, f), nil
	}
	return readHistory(filepath.Join(l.dir, historyFile), f)
}

func readHistory(path string, f history.Filter) ([]history.Entry, error) {
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []history.Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer file.Close()
	var out []history.Entry
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e history.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			slog.Warn("history: skipping a damaged line", "file", path, "line", line, "err", err)
			continue
		}
		if f.Match(e) {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	f.Since, f.Until, f.Verdict = time.Time{}, time.Time{}, ""
	return history.Apply(out, f), nil
}
