package kit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPublishedEntry: an entry gives back the same instant, or says it
// cannot (the asset is then read).
func TestPublishedEntry(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct {
		t     time.Time
		ok    bool
		known bool
	}{
		{time.Date(2026, 12, 1, 1, 0, 0, 0, shanghai), true, true},
		{time.Date(2026, 12, 1, 1, 0, 0, 123456789, time.UTC), true, true},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), true, true},
		{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
		{time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), true, false},
		{time.Time{}, false, true},
		{time.Time{}, true, true}, // a zero time counts as none
	} {
		n := PublishedEntry(tc.t, tc.ok)
		got, known := PublishedTime(n)
		assert.Equal(t, tc.known, known, "%v", tc.t)
		if known {
			assert.True(t, got.Equal(tc.t), "%v came back as %v", tc.t, got)
		}
	}
	assert.Equal(t, PublishedNone, PublishedEntry(time.Time{}, false))
}
