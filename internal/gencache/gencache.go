// Package gencache is a bounded cache of recently used values: two
// generations of at most Size entries each. A hit in the older generation
// moves the entry to the newer one; when the newer one is full it becomes
// the older one and the oldest entries go. Gets and puts are O(1), with no
// per-entry bookkeeping (unlike an LRU list) and one lock.
package gencache

import "sync"

// Cache maps keys to values; it is safe for concurrent use. Values are
// shared between callers: store only values nobody modifies.
type Cache[K comparable, V any] struct {
	mu        sync.Mutex
	size      int
	cur, prev map[K]V
}

// New returns a cache of at most 2×size entries, or nil when size <= 0 (a
// nil Cache misses every Get and drops every Put). The first generation
// grows as it fills, so a cache made for a short task (a checker per
// stored outcome) costs nothing up front.
func New[K comparable, V any](size int) *Cache[K, V] {
	if size <= 0 {
		return nil
	}
	return &Cache[K, V]{size: size, cur: map[K]V{}}
}

// Get returns the value of k and whether it was there.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	if c == nil {
		var zero V
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	v, ok := c.prev[k]
	if ok {
		c.putLocked(k, v)
	}
	return v, ok
}

// Put stores v under k.
func (c *Cache[K, V]) Put(k K, v V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(k, v)
}

func (c *Cache[K, V]) putLocked(k K, v V) {
	if len(c.cur) >= c.size {
		c.prev, c.cur = c.cur, make(map[K]V, c.size)
	}
	c.cur[k] = v
}
