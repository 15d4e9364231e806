package fulltext_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/fulltext"
	"elib/internal/pace"
)

// Under a pace, Apply waits before each batch, in batches of at most 100
// operations, and stops when the context ends during a wait.
func TestApplyPaced(t *testing.T) {
	x, _ := openTemp(t, fulltext.Options{})
	docs := make([]fulltext.Doc, 250)
	for i := range docs {
		docs[i] = fulltext.Doc{ID: fmt.Sprintf("p%d#1", i), Type: "hook", Text: fmt.Sprintf("第%d条：这款防晒霜真的好用", i)}
	}
	waits := 0
	ctx := pace.With(context.Background(), func(context.Context) { waits++ })
	require.NoError(t, x.ApplyContext(ctx, docs, nil))
	require.Equal(t, 3, waits, "250 operations: three batches, a wait before each")
	n, err := x.DocCount()
	require.NoError(t, err)
	require.EqualValues(t, len(docs), n)

	ctx, cancel := context.WithCancel(context.Background())
	ctx = pace.With(ctx, func(context.Context) { cancel() })
	require.ErrorIs(t, x.ApplyContext(ctx, docs[:1], nil), context.Canceled, "a wait ended by the context stops Apply")
}
