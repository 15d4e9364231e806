package postgres

import (
	"context"
	"elib/internal/elibtest"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/footage"
	"elib/fingerprint/wordseg"
	"elib/library/postgres/pgtest"
	"elib/media/pdq"
)

// randomFootage is a video of seconds random frame hashes.
func randomFootage(seed uint64, seconds int) *footage.Fingerprint {
	r := rand.New(rand.NewPCG(seed, 1))
	f := &footage.Fingerprint{IntervalMs: 1000, Sampled: seconds}
	for i := range seconds {
		h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		f.Frames = append(f.Frames, footage.Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h}})
	}
	return f
}

func videoOf(id string, f *footage.Fingerprint) element.Asset {
	a := element.Asset{ID: id, Title: id, Elements: []element.Element{{Type: element.Hook, Text: "视频字幕：" + id + "讲的是今天的好物"}}}
	a.Reoffset()
	a.Footage = f.Encode()
	return a
}

// TestFootageSyncAddsOnlyNewRows: on real PostgreSQL, once the footage
// index is loaded, the syncs after the library's own imports and after
// another process's imports, replacements and removals (Refresh) add and
// drop just those videos — the index is packed once, at the first load —
// and every lookup then answers as a library opened afresh does.
func TestFootageSyncAddsOnlyNewRows(t *testing.T) {
	ctx := context.Background()
	seg, err := wordseg.Default()
	require.NoError(t, err)
	eng, err := fingerprint.New(fingerprint.Options{}, seg)
	require.NoError(t, err)
	url := pgtest.Database(t)
	require.NoError(t, Init(ctx, url))
	open := func() *Library {
		l, err := Open(ctx, Options{URL: url, Engine: eng, Workers: 2})
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		return l
	}
	l, other := open(), open()

	feet := map[string]*footage.Fingerprint{}
	var first []element.Asset
	for i := range 40 {
		id := fmt.Sprintf("v/%02d.mp4", i)
		feet[id] = randomFootage(uint64(i+1), 20+i%15)
		first = append(first, videoOf(id, feet[id]))
	}
	_, err = l.Import(ctx, first)
	require.NoError(t, err)
	require.Len(t, elibtest.Must(l.FootageLookup(feet["v/03.mp4"], footage.LookupOptions{})).Matches, 1)
	packs := l.foot.idx.Packs()
	require.Equal(t, 1, packs, "the first load packs once")

	// The library's own import: one new video.
	feet["v/new-own.mp4"] = randomFootage(100, 30)
	_, err = l.Import(ctx, []element.Asset{videoOf("v/new-own.mp4", feet["v/new-own.mp4"])})
	require.NoError(t, err)
	// Another process: a new video, a replaced one, a removed one.
	feet["v/new-other.mp4"] = randomFootage(101, 25)
	old05 := feet["v/05.mp4"]
	feet["v/05.mp4"] = randomFootage(102, 18)
	_, err = other.Import(ctx, []element.Asset{videoOf("v/new-other.mp4", feet["v/new-other.mp4"]), videoOf("v/05.mp4", feet["v/05.mp4"])})
	require.NoError(t, err)
	_, err = other.Remove(ctx, "v/07.mp4")
	require.NoError(t, err)
	old07 := feet["v/07.mp4"]
	delete(feet, "v/07.mp4")
	changed, err := l.Refresh()
	require.NoError(t, err)
	require.True(t, changed)

	fresh := open()
	entries := 0
	for _, f := range feet {
		entries += len(f.Frames)
	}
	for _, probe := range []*footage.Fingerprint{feet["v/new-own.mp4"], feet["v/new-other.mp4"], feet["v/05.mp4"], old05, old07, feet["v/03.mp4"], randomFootage(999, 20)} {
		got := elibtest.Must(l.FootageLookup(probe, footage.LookupOptions{}))
		want := elibtest.Must(fresh.FootageLookup(probe, footage.LookupOptions{}))
		assert.Equal(t, want, got)
	}
	assert.Equal(t, "v/new-other.mp4", elibtest.Must(l.FootageLookup(feet["v/new-other.mp4"], footage.LookupOptions{})).Matches[0].ID)
	assert.Equal(t, "v/05.mp4", elibtest.Must(l.FootageLookup(feet["v/05.mp4"], footage.LookupOptions{})).Matches[0].ID, "the replacement")
	assert.Empty(t, elibtest.Must(l.FootageLookup(old05, footage.LookupOptions{})).Matches, "the replaced footage is gone")
	assert.Empty(t, elibtest.Must(l.FootageLookup(old07, footage.LookupOptions{})).Matches, "the removed video is gone")
	assert.Equal(t, packs, l.foot.idx.Packs(), "the syncs added rows without rebuilding the index")
	assert.Equal(t, len(feet), l.foot.idx.Len())
	assert.Equal(t, entries, l.foot.idx.Entries())
}
