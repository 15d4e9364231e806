package gencache

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCacheKeepsRecentEntries(t *testing.T) {
	c := New[int, string](3)
	for i := range 3 {
		c.Put(i, "v")
	}
	c.Put(3, "w") // the first generation is full: it becomes the older one
	for i := range 4 {
		v, ok := c.Get(i)
		assert.True(t, ok, "%d", i)
		assert.NotEmpty(t, v)
	}
	// 0..2 moved to the newer generation on their hits, with 3: six puts
	// later, entries neither put nor hit since the last turn are gone.
	for i := 10; i < 16; i++ {
		c.Put(i, "x")
	}
	_, ok := c.Get(0)
	assert.False(t, ok)
	v, ok := c.Get(15)
	assert.True(t, ok)
	assert.Equal(t, "x", v)
}

// TestCacheBounded: however many puts, at most 2×size entries are held.
func TestCacheBounded(t *testing.T) {
	c := New[int, int](10)
	for i := range 1000 {
		c.Put(i, i)
		assert.LessOrEqual(t, len(c.cur)+len(c.prev), 20)
	}
	for i := 990; i < 1000; i++ {
		v, ok := c.Get(i)
		assert.True(t, ok)
		assert.Equal(t, i, v)
	}
}

func TestNilCache(t *testing.T) {
	var c *Cache[string, int] = New[string, int](0)
	c.Put("a", 1)
	_, ok := c.Get("a")
	assert.False(t, ok)
}
