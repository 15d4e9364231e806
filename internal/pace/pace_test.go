package pace

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	ctx := context.Background()
	if err := Wait(ctx); err != nil || Paced(ctx) {
		t.Fatalf("Wait without a wait: %v, paced %v", err, Paced(ctx))
	}
	calls := 0
	paced := With(ctx, func(context.Context) { calls++ })
	if err := Wait(paced); err != nil || calls != 1 || !Paced(paced) {
		t.Fatalf("Wait: err %v, %d calls, paced %v; want nil, 1, true", err, calls, Paced(paced))
	}
	cctx, cancel := context.WithCancel(paced)
	cancel()
	if err := Wait(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context: %v", err)
	}
}

// Within's wait ends at its deadline, and after it no longer waits.
func TestWithin(t *testing.T) {
	if ctx := context.Background(); Within(ctx, time.Second) != ctx {
		t.Fatal("Within without a wait changed the context")
	}
	calls := 0
	block := With(context.Background(), func(ctx context.Context) { calls++; <-ctx.Done() })
	ctx := Within(block, 50*time.Millisecond)
	start := time.Now()
	if err := Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 5*time.Second {
		t.Fatalf("the first wait took %v; want about 50 ms", d)
	}
	if err := Wait(ctx); err != nil || calls != 1 {
		t.Fatalf("after the deadline: err %v, %d calls; want nil, 1", err, calls)
	}
}
