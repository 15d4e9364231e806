package check

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Assist lends idle cores to running checks: while fewer goroutines than
// its core count are busy checking, a check verifies its candidates and
// its elements on a second goroutine as well as its own. Under a full
// load (a busy server) every core already runs a check and no check
// takes a helper, so the answers per second stay what they were; a lone
// check (elib check, a quiet server) answers sooner. The answer is the
// same either way: helpers only compute, in any order, what the check
// then uses in its own order.
//
// Checkers that run at the same time share one Assist (Options.Assist).
type Assist struct {
	cores int32
	busy  atomic.Int32 // goroutines checking: checks and their helpers
}

// NewAssist returns an Assist for the given number of cores (0: the
// process's GOMAXPROCS). NewAssist(1) never lends a core.
func NewAssist(cores int) *Assist {
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	return &Assist{cores: int32(cores)}
}

func (a *Assist) enter() { a.busy.Add(1) }
func (a *Assist) leave() { a.busy.Add(-1) }

// lend takes a helper's place when a core is idle.
func (a *Assist) lend() bool {
	for {
		b := a.busy.Load()
		if b >= a.cores {
			return false
		}
		if a.busy.CompareAndSwap(b, b+1) {
			return true
		}
	}
}

// minShared is the fewest items worth a helper: waking a goroutine on an
// idle core costs about as much as a few cheap items.
const minShared = 4

// each calls fn(lane, i) for every i in [0, n): on the calling goroutine
// (lane 0) and, when a core is idle and n is worth it, also on one
// helper (lane 1); items are taken in order by whichever lane is free.
// fn must write only what item i owns and what lane owns. A panic in
// the helper is raised again on the caller.
func (a *Assist) each(n int, fn func(lane, i int)) {
	a.eachFrom(n, minShared, fn)
}

// eachFrom is each for items worth a helper from least of them on.
func (a *Assist) eachFrom(n, least int, fn func(lane, i int)) {
	if n < least || !a.lend() {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer a.leave()
		defer func() { panicked = recover() }()
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			fn(1, i)
		}
	}()
	for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
		fn(0, i)
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// forEach is each without lanes, a fingerprint.ForEach.
func (a *Assist) forEach(n int, fn func(i int)) {
	a.eachFrom(n, 2, func(_, i int) { fn(i) })
}

// both runs f and g, g on a helper when a core is idle.
func (a *Assist) both(f, g func()) {
	a.eachFrom(2, 2, func(_, i int) {
		if i == 0 {
			f()
		} else {
			g()
		}
	})
}

// lanes is how many lanes each may use.
const lanes = 2
