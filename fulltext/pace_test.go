package fulltext_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/fulltext"
	"elib/internal/pace"
)

func pacedDocs(n int) []fulltext.Doc {
	docs := make([]fulltext.Doc, n)
	for i := range docs {
		docs[i] = fulltext.Doc{ID: fmt.Sprintf("p%d#1", i), Type: "hook", Text: fmt.Sprintf("第%d条：这款防晒霜真的好用", i)}
	}
	return docs
}

// Under a pace, Apply waits before each batch — batches of
// Options.BatchSize, not cut smaller (every batch is a segment bleve
// merges later) — and stops when the context ends during a wait.
func TestApplyPaced(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{})
	docs := pacedDocs(250)
	var mu sync.Mutex
	waits := 0
	var ctx context.Context
	ctx = pace.With(context.Background(), func(c context.Context) {
		if c == ctx { // (not bleve's merger, which waits with its own)
			mu.Lock()
			waits++
			mu.Unlock()
		}
	})
	require.NoError(t, x.ApplyContext(ctx, docs, nil))
	mu.Lock()
	require.Equal(t, 1, waits, "250 operations: one batch, a wait before it")
	mu.Unlock()
	n, err := x.DocCount()
	require.NoError(t, err)
	require.EqualValues(t, len(docs), n)

	cctx, cancel := context.WithCancel(context.Background())
	cctx = pace.With(cctx, func(context.Context) { cancel() })
	require.ErrorIs(t, x.ApplyContext(cctx, docs[:1], nil), context.Canceled, "a wait ended by the context stops Apply")
}

// bleve's merger, while a paced Apply holds the index, waits for the same
// pace before each round of merges.
func TestApplyPacedMerger(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{BatchSize: 1})
	merger := make(chan struct{})
	var once sync.Once
	applyWaits := 0
	var ctx context.Context
	ctx = pace.With(context.Background(), func(c context.Context) {
		if c != ctx {
			once.Do(func() { close(merger) })
			return
		}
		if applyWaits++; applyWaits == 3 {
			select { // two batches are in: the merger has a round to plan
			case <-merger:
			case <-time.After(10 * time.Second):
			}
		}
	})
	require.NoError(t, x.ApplyContext(ctx, pacedDocs(4), nil))
	select {
	case <-merger:
	default:
		t.Fatal("bleve's merger did not wait for the pace of the Apply")
	}
	n, err := x.DocCount()
	require.NoError(t, err)
	require.EqualValues(t, 4, n)
}
