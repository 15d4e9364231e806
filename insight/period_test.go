package insight

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSinceUntil(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"30d", now.AddDate(0, 0, -30)},
		{"2w", now.AddDate(0, 0, -14)},
		{"12h", now.Add(-12 * time.Hour)},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"", time.Time{}},
	} {
		got, err := ParseSince(tc.in, now)
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: %v", tc.in, got)
	}
	u, err := ParseUntil("2026-11-30", now)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 30, 23, 59, 59, 999999999, time.UTC), u)
	u, err = ParseUntil("2026-11-30 12:00", now)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), u)
	for _, bad := range []string{"soon", "d", "-3x"} {
		_, err := ParseSince(bad, now)
		assert.Error(t, err, bad)
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"30d", "2w", "2026-11-01", "x", "999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if tm, err := ParseSince(s, now); err == nil && tm.After(now) && len(s) > 0 && s[len(s)-1] == 'd' {
			t.Fatalf("%q: a span back from now is in the future: %v", s, tm)
		}
	})
}
