package index

import (
	"container/list"
	"sync"
)

// cacheKey names one decoded block.
type cacheKey struct {
	seg   *segment
	block int
	asset bool
}

// blockCache is a small LRU of decoded blocks shared by all readers.
type blockCache struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[cacheKey]*list.Element
}

type cacheEntry struct {
	key cacheKey
	val any
}

func newBlockCache(capacity int) *blockCache {
	return &blockCache{cap: capacity, ll: list.New(), items: make(map[cacheKey]*list.Element)}
}

// get returns the cached value for k or loads it. Two goroutines missing the
// same block at once may both load it; the result is the same.
func (c *blockCache) get(k cacheKey, load func() (any, error)) (any, error) {
	c.mu.Lock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		v := e.Value.(*cacheEntry).val
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		return e.Value.(*cacheEntry).val, nil
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, val: v})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
	return v, nil
}

func (c *blockCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.items = make(map[cacheKey]*list.Element)
}

// drop removes the blocks of segment s.
func (c *blockCache) drop(s *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.items {
		if k.seg == s {
			c.ll.Remove(e)
			delete(c.items, k)
		}
	}
}
