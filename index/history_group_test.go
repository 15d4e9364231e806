package index

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGroupCommit: concurrent appends all land, each exactly once, in
// fewer writes than appends, and every caller returns after its data was
// written.
func TestGroupCommit(t *testing.T) {
	var g groupCommit
	var mu sync.Mutex
	var written []byte
	writes := 0
	write := func(b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		written = append(written, b...)
		writes++
		return nil
	}
	var wg sync.WaitGroup
	const n = 200
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, g.append([]byte{'x'}, write))
			mu.Lock()
			defer mu.Unlock()
			assert.NotEmpty(t, written, "returned before a write")
		}()
	}
	wg.Wait()
	assert.Len(t, written, n)
	assert.LessOrEqual(t, writes, n)
	t.Logf("%d appends in %d writes", n, writes)
}
