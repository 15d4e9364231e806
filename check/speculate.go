package check

import (
	"context"
	"runtime"
	"sync/atomic"

	"elib/fingerprint/verify"
)

// speculation loads, on a lent core, the keys the caller will probably
// load next, in order, while the caller works on the current one. The
// caller takes a key's load when it gets there (waiting if the helper is
// at it) or loads it itself if the helper has not started it; keys it
// never asks for cost only the lent core's time.
type speculation struct {
	index map[candKey]int
	slots []speculated
	stop  atomic.Bool
	done  chan struct{}
}

// speculated is one key's slot.
type speculated struct {
	state atomic.Int32
	l     loaded
}

// A slot's states.
const (
	slotFree int32 = iota
	slotLoading
	slotLoaded
	slotCaller // the caller loads it itself
)

// speculate starts loading keys on a lent core; nil when no core is idle.
func (v *verifier) speculate(ctx context.Context, keys []candKey) *speculation {
	if len(keys) == 0 || !v.c.opts.Assist.lend() {
		return nil
	}
	s := &speculation{index: make(map[candKey]int, len(keys)), slots: make([]speculated, len(keys)), done: make(chan struct{})}
	for i, k := range keys {
		s.index[k] = i
	}
	go func() {
		defer close(s.done)
		defer v.c.opts.Assist.leave()
		var al verify.Aligner
		for i, k := range keys {
			sl := &s.slots[i]
			if s.stop.Load() {
				return
			}
			if !sl.state.CompareAndSwap(slotFree, slotLoading) {
				continue
			}
			sl.l.cd, sl.l.shared, sl.l.err = v.load(ctx, k, &al)
			sl.state.Store(slotLoaded)
		}
	}()
	return s
}

// take returns k's load when the helper made it; false tells the caller
// to load k itself. Nil-safe.
func (s *speculation) take(k candKey) (loaded, bool) {
	if s == nil {
		return loaded{}, false
	}
	i, ok := s.index[k]
	if !ok {
		return loaded{}, false
	}
	sl := &s.slots[i]
	if sl.state.CompareAndSwap(slotFree, slotCaller) {
		return loaded{}, false
	}
	for sl.state.Load() == slotLoading {
		runtime.Gosched() // the helper is at it on another core
	}
	if sl.state.Load() != slotLoaded {
		return loaded{}, false
	}
	return sl.l, true
}

// finish stops the helper and waits for it to give its core back.
// Nil-safe.
func (s *speculation) finish() {
	if s == nil {
		return
	}
	s.stop.Store(true)
	<-s.done
}
