package kit

import (
	"math"
	"time"
)

// Published entries: an asset's published time (element.Asset.Published)
// as a backend keeps it beside the asset record for PublishedIndex — Unix
// nanoseconds, or one of the markers below. Their values are on-disk
// formats (the file library's published files, PostgreSQL's
// elib_assets.published).
const (
	// PublishedNone marks an asset without a published time.
	PublishedNone int64 = math.MinInt64
	// PublishedUnknown marks an asset whose time an entry cannot hold
	// exactly (outside the Unix nanosecond range): a reader reads the
	// asset.
	PublishedUnknown int64 = math.MinInt64 + 1
)

// PublishedEntry is the entry of an asset whose Published returned t, ok.
func PublishedEntry(t time.Time, ok bool) int64 {
	if !ok || t.IsZero() {
		return PublishedNone
	}
	n := t.UnixNano()
	if n == PublishedNone || n == PublishedUnknown || !time.Unix(0, n).Equal(t) {
		return PublishedUnknown
	}
	return n
}

// PublishedTime is the time an entry holds (zero for PublishedNone, in
// UTC otherwise); known is false for PublishedUnknown.
func PublishedTime(n int64) (t time.Time, known bool) {
	switch n {
	case PublishedNone:
		return time.Time{}, true
	case PublishedUnknown:
		return time.Time{}, false
	}
	return time.Unix(0, n).UTC(), true
}
