package server

import (
	"context"
	"testing"
	"time"

	"elib/internal/pace"
)

// yieldToChecks returns at once while no check runs or waits, waits while
// one does, and gives up after maxYield when a slot stays taken.
func TestYieldToChecks(t *testing.T) {
	s := &Server{checkSlots: make(chan struct{}, 2), heavySlots: make(chan struct{}, 1)}
	ctx := context.Background()
	returned := func() chan struct{} {
		done := make(chan struct{})
		go func() { s.yieldToChecks(ctx); close(done) }()
		return done
	}
	const generous = 10 * time.Second
	mustReturn := func(done chan struct{}, why string) {
		t.Helper()
		select {
		case <-done:
		case <-time.After(generous):
			t.Fatal(why)
		}
	}
	// mustWait: the yield started at start has not returned, or only
	// after maxYield (a stalled test goroutine on a loaded machine).
	mustWait := func(done chan struct{}, start time.Time, why string) {
		t.Helper()
		time.Sleep(maxYield / 5)
		select {
		case <-done:
			if time.Since(start) < maxYield {
				t.Fatal(why)
			}
		default:
		}
	}

	mustReturn(returned(), "yieldToChecks waited with no check running or waiting")

	// A check running: the yield waits until it is done.
	s.checkSlots <- struct{}{}
	start := time.Now()
	done := returned()
	mustWait(done, start, "yieldToChecks returned while a check ran")
	<-s.checkSlots
	mustReturn(done, "yieldToChecks still waiting once the check was done")

	// A request waiting for a slot: the same.
	s.waiting.Add(1)
	start = time.Now()
	done = returned()
	mustWait(done, start, "yieldToChecks returned while a request waited for a slot")
	s.waiting.Add(-1)
	mustReturn(done, "yieldToChecks still waiting once no request waited")

	// A slot taken for good: the yield gives up after maxYield.
	s.checkSlots <- struct{}{}
	start = time.Now()
	mustReturn(returned(), "yieldToChecks waited past maxYield")
	if d := time.Since(start); d < maxYield {
		t.Fatalf("yieldToChecks returned after %v with a slot taken, want at least %v", d, maxYield)
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
