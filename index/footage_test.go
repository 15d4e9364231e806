package index

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/index/manifest"
	"elib/internal/elibtest"
	"elib/library/kit"
	"elib/media/pdq"
)

func randomFootage(seed uint64, seconds int) *footage.Fingerprint {
	r := rand.New(rand.NewPCG(seed, 7))
	f := &footage.Fingerprint{IntervalMs: 1000, Sampled: seconds}
	for i := 0; i < seconds; i++ {
		h := pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		f.Frames = append(f.Frames, footage.Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h}, Probes: []pdq.Hash{h}})
	}
	return f
}

func video(id string, f *footage.Fingerprint) element.Asset {
	a := element.Asset{ID: id, Elements: []element.Element{{Type: element.Hook, Text: "视频" + id + "的字幕"}}}
	a.Reoffset()
	a.Footage = f.EncodeWithProbes()
	return a
}

func found(l *Library, f *footage.Fingerprint) []string {
	var ids []string
	for _, m := range elibtest.Must(l.FootageLookup(f, footage.LookupOptions{})).Matches {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestFootageSnapshot: the footage snapshot is written atomically with
// its generation, a reader finds footage from it and from the segments
// after it, follows a writer's imports and removals by Refresh, and
// rebuilds from the records when the snapshot is damaged.
func TestFootageSnapshot(t *testing.T) {
	defer func(n int) { footageSnapshotEvery = n }(footageSnapshotEvery)
	footageSnapshotEvery = 2
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, Init(dir))
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	defer w.Close()
	a, b, c := randomFootage(1, 30), randomFootage(2, 40), randomFootage(3, 20)
	_, err = w.Import(ctx, []element.Asset{video("a.mp4", a)})
	require.NoError(t, err)
	m, err := manifest.Read(dir)
	require.NoError(t, err)
	assert.Nil(t, m.Footage, "one video: below footageSnapshotEvery, read from its segment")
	_, err = w.Import(ctx, []element.Asset{video("b.mp4", b)})
	require.NoError(t, err)
	m, err = manifest.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, m.Footage)
	assert.FileExists(t, filepath.Join(dir, m.Footage.File))

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, []string{"a.mp4"}, found(r, a))
	assert.Equal(t, []string{"b.mp4"}, found(r, b))

	_, err = w.Import(ctx, []element.Asset{video("c.mp4", c)})
	require.NoError(t, err)
	_, err = w.Remove(ctx, "a.mp4")
	require.NoError(t, err)
	changed, err := r.Refresh()
	require.NoError(t, err)
	require.True(t, changed)
	assert.Equal(t, 1, r.appended, "the append-only path")
	assert.Empty(t, found(r, a), "removed")
	assert.Equal(t, []string{"c.mp4"}, found(r, c))
	assert.Equal(t, 2, elibtest.Must(r.FootageVideos()))

	// A damaged snapshot: rebuilt from the records, named as damage.
	m, err = manifest.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, m.Footage)
	path := filepath.Join(dir, m.Footage.File)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)-1] ^= 0xff
	require.NoError(t, os.WriteFile(path, data, 0o644))
	r2, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r2.Close()
	assert.Contains(t, strings.Join(r2.Damage(), "\n"), "footage snapshot unusable")
	assert.Equal(t, []string{"b.mp4"}, found(r2, b))
	assert.Equal(t, []string{"c.mp4"}, found(r2, c))
	assert.Empty(t, found(r2, a))

	// A reindex writes the snapshot of its new generation: an Open reads
	// one file, not every record.
	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	m, err = manifest.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, m.Footage)
	assert.Equal(t, m.LastSeq(), m.Footage.Seq)
	r3, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r3.Close()
	assert.Empty(t, r3.Damage())
	assert.Equal(t, []string{"b.mp4"}, found(r3, b))
	assert.Equal(t, []string{"c.mp4"}, found(r3, c))
	assert.Equal(t, 2, elibtest.Must(r3.FootageVideos()))
}

func TestFootageSnapshotEncoding(t *testing.T) {
	entries := []footageEntry{{id: "a.mp4", seq: 3, fp: randomFootage(1, 5).Encode()}, {id: "视频/b.mp4", seq: 9, fp: []byte{1}}}
	var buf bytes.Buffer
	require.NoError(t, encodeFootageSnapshot(&buf, entries))
	got, err := decodeFootageSnapshot(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, entries, got)
	for n := 0; n < buf.Len(); n++ {
		_, err := decodeFootageSnapshot(buf.Bytes()[:n])
		assert.ErrorIs(t, err, errFootageSnapshot, "truncated at %d", n)
	}
}

func FuzzFootageSnapshot(f *testing.F) {
	var buf bytes.Buffer
	_ = encodeFootageSnapshot(&buf, []footageEntry{{id: "a.mp4", seq: 3, fp: randomFootage(1, 3).Encode()}})
	f.Add(buf.Bytes())
	f.Add([]byte(footageMagic + "\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := decodeFootageSnapshot(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := encodeFootageSnapshot(&out, entries); err != nil {
			t.Fatal(err)
		}
		again, err := decodeFootageSnapshot(out.Bytes())
		if err != nil {
			t.Fatalf("a re-encoded snapshot does not decode: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatal("entries changed")
		}
		for i := range again {
			if again[i].id != entries[i].id || again[i].seq != entries[i].seq || !bytes.Equal(again[i].fp, entries[i].fp) {
				t.Fatalf("entry %d changed", i)
			}
		}
	})
}
