package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/cespare/xxhash/v2"

	"elib/vfs"
)

// The boilerplate check of stored outcomes (insight) asks the sentence
// frequencies of every fresh outcome's sentences: at 1M elements a fifth
// of a stats run. Its answer — the outcomes the frequencies no longer
// give — depends only on the outcome files and the library's content, so
// a reader remembers it in outcomes/judgement.json under OutcomesKey: the
// outcome files' listing (a file is never rewritten under its name) and
// the manifest (segments, deletions and generation: the frequencies).
// The file is written atomically by whoever judged; a missing, unreadable
// or unwritable one costs a judgement, nothing else.

// judgementFileName is the remembered judgement's name in the outcome folder.
const judgementFileName = "judgement.json"

// judgement is the file's content.
type judgement struct {
	Key string   `json:"key"`
	IDs []string `json:"ids"`
}

// OutcomesKey names the outcome files and the library's content as they
// are now (kit.OutcomeJudgements).
func (l *Library) OutcomesKey() (string, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return "", err
	}
	listing := st.loaded
	st.mu.Unlock()
	l.mu.RLock()
	man, err := json.Marshal(l.man)
	l.mu.RUnlock()
	if err != nil {
		return "", fmt.Errorf("outcomes: %w", err)
	}
	return fmt.Sprintf("%x-%x", xxhash.Sum64String(listing), xxhash.Sum64(man)), nil
}

// RecallJudgement returns the ids remembered under key.
func (l *Library) RecallJudgement(key string) ([]string, bool) {
	b, err := vfs.ReadFile(l.fs, filepath.Join(l.dir, outcomesDir, judgementFileName))
	var j judgement
	if err == nil {
		err = json.Unmarshal(b, &j)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			slog.Debug("outcome judgement unreadable: the outcomes are judged again", "err", err)
		}
		return nil, false
	}
	return j.IDs, j.Key == key
}

// RememberJudgement writes ids under key.
func (l *Library) RememberJudgement(key string, ids []string) {
	if ids == nil {
		ids = []string{}
	}
	b, err := json.Marshal(judgement{Key: key, IDs: ids})
	if err == nil {
		err = vfs.WriteFile(l.fs, filepath.Join(l.dir, outcomesDir, judgementFileName), b)
	}
	if err != nil {
		slog.Debug("outcome judgement not written", "err", err)
	}
}
