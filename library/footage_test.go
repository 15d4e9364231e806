package library_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/internal/elibtest"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres/pgtest"
	"elib/media/pdq"
)

// footageOf is a video's footage fingerprint of random frame hashes,
// seconds long; its probes are its stored hashes and their mirror-like
// variants (random, so they match nothing).
func footageOf(seed uint64, seconds int) *footage.Fingerprint {
	r := rand.New(rand.NewPCG(seed, seed))
	f := &footage.Fingerprint{IntervalMs: 1000, Sampled: seconds}
	for i := 0; i < seconds; i++ {
		h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		f.Frames = append(f.Frames, footage.Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h},
			Probes: []pdq.Hash{h, {r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}}})
	}
	return f
}

// clipOf flips bits of every hash of f (a re-encode), keeping Stored as
// probes.
func reencoded(f *footage.Fingerprint, bits int) *footage.Fingerprint {
	g := &footage.Fingerprint{IntervalMs: f.IntervalMs, Sampled: f.Sampled}
	for _, fr := range f.Frames {
		h := fr.Stored[0]
		for b := 0; b < bits; b++ {
			h[b%4] ^= 1 << uint(b*7%64)
		}
		g.Frames = append(g.Frames, footage.Frame{Ms: fr.Ms, Stored: []pdq.Hash{h}, Probes: []pdq.Hash{h}})
	}
	return g
}

// videoAsset is a video asset with copy text and footage.
func videoAsset(id, text string, f *footage.Fingerprint) element.Asset {
	a := element.Asset{ID: id, Title: id, Elements: []element.Element{{Type: element.Hook, Text: text}}}
	a.Reoffset()
	if f != nil {
		a.Footage = f.EncodeWithProbes()
	}
	return a
}

// TestFootageStoredAndFound: every backend keeps a video asset's footage
// (the stored form, no probes), finds it by lookup, forgets it when the
// asset is replaced or removed, and keeps it through a reindex.
func TestFootageStoredAndFound(t *testing.T) {
	each(t, func(t *testing.T, l kit.Library) {
		ctx := context.Background()
		v1, v2 := footageOf(1, 60), footageOf(2, 30)
		_, err := l.Import(ctx, append(sampleAssets(),
			videoAsset("clips/a.mp4", "第一个视频的字幕讲的是跑鞋的缓震", v1),
			videoAsset("clips/b.mp4", "第二个视频的字幕讲的是露营的帐篷", v2)))
		require.NoError(t, err)
		assert.Equal(t, 2, elibtest.Must(l.FootageVideos()))

		a, err := l.Asset("clips/a.mp4")
		require.NoError(t, err)
		assert.Equal(t, v1.Encode(), a.Footage, "the stored form, without probes")
		assert.LessOrEqual(t, len(a.Footage), 4096, "at most 4 KB a minute")
		text, err := l.Asset("run/a.txt")
		require.NoError(t, err)
		assert.Nil(t, text.Footage)

		res := elibtest.Must(l.FootageLookup(reencoded(v1, 12), footage.LookupOptions{}))
		require.Len(t, res.Matches, 1)
		assert.Equal(t, "clips/a.mp4", res.Matches[0].ID)
		assert.Equal(t, 1.0, res.Duplication)
		assert.Equal(t, []footage.Range{{StartMs: 0, EndMs: 60000, LibraryStartMs: 0, LibraryEndMs: 60000}}, res.Matches[0].Ranges)
		assert.Empty(t, elibtest.Must(l.FootageLookup(footageOf(3, 20), footage.LookupOptions{})).Matches, "unrelated footage")

		// Reindex keeps the footage without the media.
		require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
		assert.Equal(t, 2, elibtest.Must(l.FootageVideos()))
		res = elibtest.Must(l.FootageLookup(v2, footage.LookupOptions{}))
		require.Len(t, res.Matches, 1)
		assert.Equal(t, "clips/b.mp4", res.Matches[0].ID)
		a, err = l.Asset("clips/b.mp4")
		require.NoError(t, err)
		assert.Equal(t, v2.Encode(), a.Footage)

		// Replaced by a version with other footage, then removed.
		_, err = l.Import(ctx, []element.Asset{videoAsset("clips/a.mp4", "第一个视频换了画面", v2)})
		require.NoError(t, err)
		res = elibtest.Must(l.FootageLookup(v1, footage.LookupOptions{}))
		assert.Empty(t, res.Matches, "the replaced footage is gone")
		res = elibtest.Must(l.FootageLookup(v2, footage.LookupOptions{}))
		assert.Len(t, res.Matches, 2)
		_, err = l.Remove(ctx, "clips/a.mp4", "clips/b.mp4")
		require.NoError(t, err)
		assert.Zero(t, elibtest.Must(l.FootageVideos()))
		assert.Empty(t, elibtest.Must(l.FootageLookup(v2, footage.LookupOptions{})).Matches)

		// Corrupt footage is refused at import.
		bad := videoAsset("clips/bad.mp4", "坏的指纹", nil)
		bad.Footage = []byte{1, 2, 3}
		_, err = l.Import(ctx, []element.Asset{bad})
		assert.ErrorIs(t, err, footage.ErrCorrupt)
	})
}

// TestFootageReopenAndMigrate: footage stored by one process is found by
// the next Open of the file and PostgreSQL libraries, and migrate copies it
// both ways.
func TestFootageReopenAndMigrate(t *testing.T) {
	ctx := context.Background()
	v1 := footageOf(4, 45)
	dir := filepath.Join(t.TempDir(), "lib")
	pg := pgtest.Database(t)
	for _, loc := range []string{dir, pg} {
		require.NoError(t, library.Init(ctx, loc))
	}
	open := func(loc string) kit.Library {
		l, err := library.Open(ctx, loc, library.Options{Engine: elibtest.Engine(t), Workers: 2})
		require.NoError(t, err)
		return l
	}
	src := open(dir)
	_, err := src.Import(ctx, append(sampleAssets(), videoAsset("v/one.mp4", "视频字幕一句话讲完", v1)))
	require.NoError(t, err)
	require.NoError(t, src.Close())

	src = open(dir)
	res := elibtest.Must(src.FootageLookup(v1, footage.LookupOptions{}))
	require.Len(t, res.Matches, 1, "found after reopening")
	assert.Equal(t, "v/one.mp4", res.Matches[0].ID)

	dst := open(pg)
	mr, err := library.Migrate(ctx, src, dst, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, mr.Assets)
	require.NoError(t, src.Close())
	res = elibtest.Must(dst.FootageLookup(v1, footage.LookupOptions{}))
	require.Len(t, res.Matches, 1, "migrate copies footage to PostgreSQL")
	require.NoError(t, dst.Close())

	dst = open(pg)
	defer dst.Close()
	res = elibtest.Must(dst.FootageLookup(reencoded(v1, 20), footage.LookupOptions{}))
	require.Len(t, res.Matches, 1, "found after reopening PostgreSQL")
	backDir := filepath.Join(t.TempDir(), "back")
	require.NoError(t, library.Init(ctx, backDir))
	back := open(backDir)
	defer back.Close()
	_, err = library.Migrate(ctx, dst, back, nil)
	require.NoError(t, err)
	res = elibtest.Must(back.FootageLookup(v1, footage.LookupOptions{}))
	require.Len(t, res.Matches, 1, "migrate copies footage from PostgreSQL")
	a, err := back.Asset("v/one.mp4")
	require.NoError(t, err)
	assert.Equal(t, v1.Encode(), a.Footage)
}

// TestFootageFollowsWriters: a read-only library that already looked
// footage up finds a writer's new video after Refresh, and loses a removed
// one, on the file and PostgreSQL backends.
func TestFootageFollowsWriters(t *testing.T) {
	ctx := context.Background()
	for name, loc := range map[string]string{"file": filepath.Join(t.TempDir(), "lib"), "postgres": pgtest.Database(t)} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, library.Init(ctx, loc))
			w, err := library.Open(ctx, loc, library.Options{Engine: elibtest.Engine(t), Workers: 2})
			require.NoError(t, err)
			defer w.Close()
			v1, v2 := footageOf(7, 20), footageOf(8, 25)
			_, err = w.Import(ctx, []element.Asset{videoAsset("v/1.mp4", "第一条视频的字幕", v1)})
			require.NoError(t, err)
			r, err := library.Open(ctx, loc, library.Options{ReadOnly: true})
			require.NoError(t, err)
			defer r.Close()
			require.Len(t, elibtest.Must(r.FootageLookup(v1, footage.LookupOptions{})).Matches, 1)
			assert.Empty(t, elibtest.Must(r.FootageLookup(v2, footage.LookupOptions{})).Matches)

			_, err = w.Import(ctx, []element.Asset{videoAsset("v/2.mp4", "第二条视频的字幕", v2)})
			require.NoError(t, err)
			_, err = w.Remove(ctx, "v/1.mp4")
			require.NoError(t, err)
			changed, err := r.Refresh()
			require.NoError(t, err)
			require.True(t, changed)
			res := elibtest.Must(r.FootageLookup(v2, footage.LookupOptions{}))
			require.Len(t, res.Matches, 1, "the writer's new video")
			assert.Equal(t, "v/2.mp4", res.Matches[0].ID)
			assert.Empty(t, elibtest.Must(r.FootageLookup(v1, footage.LookupOptions{})).Matches, "the removed one is gone")
			assert.Equal(t, 1, elibtest.Must(r.FootageVideos()))
		})
	}
}
