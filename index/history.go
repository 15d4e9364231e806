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
	"time"

	"elib/history"
)

// historyFile is the library's check history: one JSON entry a line,
// appended with O_APPEND and fsync by any process (a check never takes
// the writer's lock), never rewritten by import, reindex or cleanup.
const historyFile = "history.jsonl"

var _ history.Store = (*Library)(nil)

// AppendHistory records entries at the end of the history. A library on
// a memory file system keeps them in memory. It works on a read-only
// library too: recording a check is not a change of the library.
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
	l.histMu.Lock()
	defer l.histMu.Unlock()
	f, err := os.OpenFile(filepath.Join(l.dir, historyFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	// One write: O_APPEND places it whole at the end even when another
	// process appends at the same time.
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("history: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("history: %w", err)
	}
	return f.Close()
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
