package kit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
)

// TestStampImported: an undated asset is stamped in UTC to the millisecond
// and reads back as that instant; batches stamped a millisecond apart are
// apart; an asset's own stamp is kept.
func TestStampImported(t *testing.T) {
	now := time.Date(2026, 12, 8, 11, 48, 23, 123456789, time.FixedZone("CST", 8*3600))
	meta := stampImported(map[string]any{"platform": "抖音"}, now)
	assert.Equal(t, "2026-12-08T03:48:23.123Z", meta[element.MetaImported])
	a := element.Asset{Meta: meta}
	got, ok := a.Published()
	require.True(t, ok)
	assert.True(t, got.Equal(now.Truncate(time.Millisecond)), "%v", got)

	next := element.Asset{Meta: stampImported(nil, now.Add(time.Millisecond))}
	later, ok := next.Published()
	require.True(t, ok)
	assert.True(t, later.After(got), "a batch stamped a millisecond later is published later")

	own := map[string]any{element.MetaImported: "2026-01-01T00:00:00Z"}
	assert.Equal(t, "2026-01-01T00:00:00Z", stampImported(own, now)[element.MetaImported])
}
