package server

import (
	"context"
	"testing"
	"time"

	"elib/internal/pace"
)

// yieldToChecks returns at once while the checks leave a slot free, waits
// while a request waits for a slot, and gives up after maxYield when the
// slots stay taken.
func TestYieldToChecks(t *testing.T) {
	s := &Server{checkSlots: make(chan struct{}, 2), heavySlots: make(chan struct{}, 1)}
	ctx := context.Background()
	returned := func(f func()) chan struct{} {
		done := make(chan struct{})
		go func() { f(); close(done) }()
		return done
	}
	const generous = 10 * time.Second

	// One slot taken, nobody waiting: idle.
	s.checkSlots <- struct{}{}
	select {
	case <-returned(func() { s.yieldToChecks(ctx) }):
	case <-time.After(generous):
		t.Fatal("yieldToChecks waited with a slot free and no request waiting")
	}

	// A request waiting: the yield waits until it got its slot.
	s.waiting.Add(1)
	done := returned(func() { s.yieldToChecks(ctx) })
	time.Sleep(maxYield / 5)
	select {
	case <-done:
		t.Fatal("yieldToChecks returned while a request waited for a slot")
	default:
	}
	s.waiting.Add(-1)
	select {
	case <-done:
	case <-time.After(generous):
		t.Fatal("yieldToChecks still waiting once no request waited")
	}

	// Both slots taken for good: the yield gives up after maxYield.
	s.checkSlots <- struct{}{}
	start := time.Now()
	select {
	case <-returned(func() { s.yieldToChecks(ctx) }):
		if d := time.Since(start); d < maxYield {
			t.Fatalf("yieldToChecks returned after %v with both slots taken, want at least %v", d, maxYield)
		}
	case <-time.After(generous):
		t.Fatal("yieldToChecks waited past maxYield")
	}

	// A cancelled context ends the wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := pace.Wait(pace.With(cctx, s.yieldToChecks)); err == nil {
		t.Fatal("pace.Wait under a cancelled context: nil error")
	}
}

// A request queued in acquire counts as waiting while it waits.
func TestAcquireCountsWaiting(t *testing.T) {
	s := &Server{checkSlots: make(chan struct{}, 1), heavySlots: make(chan struct{}, 1), opts: Options{QueueTimeout: time.Minute}}
	ctx := context.Background()
	if err := s.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- s.acquire(ctx, false) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.waiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("a request queued for a slot is not counted as waiting")
		}
		time.Sleep(time.Millisecond)
	}
	s.release(false)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if n := s.waiting.Load(); n != 0 {
		t.Fatalf("%d waiting after the queued request got its slot", n)
	}
	s.release(false)
}
