package insight

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Refs remembered from several goroutines, on pages added while others
// read, all come back; refs never put are not known.
func TestRefTimesConcurrent(t *testing.T) {
	r := newRefTimes()
	entry := func(ref uint32) int64 { return int64(ref)*7 + 1 }
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range 20_000 {
				ref := uint32(rng.IntN(1<<22)) &^ 1 // even refs only
				r.put(ref, entry(ref))
				if e, ok := r.get(ref); !ok || e != entry(ref) {
					t.Errorf("ref %d: got %d, %v", ref, e, ok)
					return
				}
				if e, ok := r.get(ref | 1); ok {
					t.Errorf("ref %d never put: got %d", ref|1, e)
					return
				}
			}
		}()
	}
	wg.Wait()
	_, ok := r.get(1<<31 + 2)
	assert.False(t, ok, "beyond every page")
}
