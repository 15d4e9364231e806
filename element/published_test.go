package element

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-03-05", want},
		{"2026/03/05", want},
		{"2026.03.05", want},
		{"2026年3月5日", want},
		{"2026-03-05 18:30", want.Add(18*time.Hour + 30*time.Minute)},
		{"2026-03-05T18:30:00+08:00", want.Add(10*time.Hour + 30*time.Minute)},
		{"1772668800", want},
		{"1772668800000", want},
	} {
		got, err := ParseTime(tc.in)
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%s: %v", tc.in, got)
	}
	for _, bad := range []string{"", "yesterday", "2026-13-40", "-5", "12"} {
		_, err := ParseTime(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]float64{"12000": 12000, "12,000": 12000, "1.2万": 12000, "3w": 30000, "1.5k": 1500, "2亿": 2e8} {
		got, err := ParseCount(in)
		require.NoError(t, err, in)
		assert.InDelta(t, want, got, 1e-6, in)
	}
	for _, bad := range []string{"", "many", "-3", "NaN"} {
		_, err := ParseCount(bad)
		assert.Error(t, err, bad)
	}
}

func TestAssetPublishedAndPlays(t *testing.T) {
	a := Asset{Meta: map[string]any{"created": "2026-01-02", MetaImported: "2026-11-30T00:00:00Z", "播放量": "3.5万"}}
	p, ok := a.Published()
	require.True(t, ok)
	assert.Equal(t, "2026-01-02", p.Format(time.DateOnly), "meta created wins over the import time")
	a.Meta["published"] = "2026-02-01"
	p, _ = a.Published()
	assert.Equal(t, "2026-02-01", p.Format(time.DateOnly), "published wins over created")
	delete(a.Meta, "published")
	delete(a.Meta, "created")
	p, _ = a.Published()
	assert.Equal(t, "2026-11-30", p.Format(time.DateOnly), "import time last")
	n, ok := a.Plays()
	assert.True(t, ok)
	assert.Equal(t, 35000.0, n)
	_, ok = (&Asset{}).Published()
	assert.False(t, ok)
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-05", "2026-03-05 18:30", "2026年3月5日", "1772668800", "2026-03-05T18:30:00+08:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseTime(s)
		if err == nil && tm.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"12000", "1.2万", "3w", "1,000", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseCount(s); err == nil && (n < 0 || n != n) {
			t.Fatalf("%q: %v", s, n)
		}
	})
}
