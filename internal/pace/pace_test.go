package pace

import (
	"context"
	"errors"
	"testing"
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
