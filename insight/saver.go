package insight

import (
	"errors"
	"io/fs"
	"sync"
	"syscall"
	"time"

	"elib/library/kit"
)

// Outcomes computed by a long run (the first stats after a tuning change
// checks every asset again) are stored as they come, a chunk at a time,
// each chunk one PutOutcomes (durable and crash-safe as the store is): a
// run stopped part-way — cancelled, killed — keeps the chunks it wrote,
// and the next run checks only the rest.
var (
	// saveChunk is how many outcomes a chunk holds at most.
	saveChunk = 500
	// saveInterval is how long an outcome waits at most for its chunk
	// to fill.
	saveInterval = 5 * time.Second
)

// outcomeSaver stores outcomes by chunks as they are computed. Safe for
// concurrent use; a chunk is written by the worker that filled it.
type outcomeSaver struct {
	store kit.OutcomeStore
	seq   uint64 // the store's sequence before the library was read

	mu      sync.Mutex
	pending map[string]*kit.Outcome
	oldest  time.Time // when the first pending outcome came

	write    sync.Mutex // one chunk written at a time
	saved    int
	readOnly bool  // the library is read-only: nothing more is tried
	err      error // the first failed write: nothing more is tried
}

// add takes one outcome, writing the chunk it fills.
func (s *outcomeSaver) add(id string, o *kit.Outcome) {
	s.mu.Lock()
	if s.pending == nil {
		s.pending, s.oldest = map[string]*kit.Outcome{}, time.Now()
	}
	s.pending[id] = o
	var chunk map[string]*kit.Outcome
	if len(s.pending) >= saveChunk || time.Since(s.oldest) >= saveInterval {
		chunk, s.pending = s.pending, nil
	}
	s.mu.Unlock()
	s.put(chunk)
}

// flush writes what is pending and returns the first write's error (nil
// when the library is read-only).
func (s *outcomeSaver) flush() error {
	s.mu.Lock()
	chunk := s.pending
	s.pending = nil
	s.mu.Unlock()
	s.put(chunk)
	s.write.Lock()
	defer s.write.Unlock()
	return s.err
}

// stored reports how many outcomes were written and whether the library
// refused them as read-only.
func (s *outcomeSaver) stored() (saved int, readOnly bool) {
	s.write.Lock()
	defer s.write.Unlock()
	return s.saved, s.readOnly
}

func (s *outcomeSaver) put(chunk map[string]*kit.Outcome) {
	if len(chunk) == 0 {
		return
	}
	s.write.Lock()
	defer s.write.Unlock()
	if s.readOnly || s.err != nil {
		return
	}
	err := s.store.PutOutcomes(s.seq, chunk)
	switch {
	case err == nil:
		s.saved += len(chunk)
	case errors.Is(err, kit.ErrReadOnly), errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		s.readOnly = true
	default:
		s.err = err
	}
}
