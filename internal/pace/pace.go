// Package pace lets work that no request waits on yield to the requests
// of a long-running server. The server puts its wait in the context of
// such work (With); the work calls Wait between its steps (elements
// fingerprinted, a batch of the search index, a round of bleve's merges, a
// band of the LSH merge, a stored outcome). Without
// a wait in the context, Wait returns at once, so the same code runs at
// full speed in a command.
package pace

import (
	"context"
	"time"
)

type key struct{}

// With returns ctx carrying wait, which returns when the server can spare
// a core for one step of work, or ctx is done.
func With(ctx context.Context, wait func(context.Context)) context.Context {
	return context.WithValue(ctx, key{}, wait)
}

// Paced reports whether ctx carries a wait: work may then cut its steps
// smaller.
func Paced(ctx context.Context) bool {
	_, ok := ctx.Value(key{}).(func(context.Context))
	return ok
}

// Wait calls the wait of ctx, if any, and returns ctx's error.
func Wait(ctx context.Context) error {
	if wait, ok := ctx.Value(key{}).(func(context.Context)); ok {
		wait(ctx)
	}
	return ctx.Err()
}

// Within returns ctx with its wait, if any, cut short once d has passed
// since the call: work that every later request gains from (a merge that
// makes lookups cheaper) yields for d in all, then runs at full speed,
// instead of waiting at every step under a load that never pauses.
func Within(ctx context.Context, d time.Duration) context.Context {
	wait, ok := ctx.Value(key{}).(func(context.Context))
	if !ok {
		return ctx
	}
	deadline := time.Now().Add(d)
	return With(ctx, func(ctx context.Context) {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		wctx, cancel := context.WithTimeout(ctx, left)
		defer cancel()
		wait(wctx)
	})
}
