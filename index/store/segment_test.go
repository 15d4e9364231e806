package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"elib/library/kit"
	"elib/vfs"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
)

func newDecoder(t testing.TB) *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return d
}

// testElements builds n elements spread over assets of 4 elements each.
func testElements(n int, firstRef uint32, rng *rand.Rand) ([]kit.ElementRecord, []kit.AssetRecord) {
	var els []kit.ElementRecord
	var assets []kit.AssetRecord
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			assets = append(assets, kit.AssetRecord{Asset: element.Asset{ID: fmt.Sprintf("a/%d.txt", i/4), Title: "标题",
				Meta: map[string]any{"platform": "抖音"}}, FirstRef: firstRef + uint32(i), Sentences: []uint64{rng.Uint64()}})
		}
		a := &assets[len(assets)-1]
		text := strings.Repeat("你是不是还在为选跑鞋发愁", 1+rng.IntN(5))
		a.Asset.Elements = append(a.Asset.Elements, element.Element{Type: element.Types[i%len(element.Types)], Text: text, Line: i + 1,
			Attributes: map[string]any{"camera": "推近"}})
		sig := make([]uint32, 128)
		for j := range sig {
			sig[j] = rng.Uint32()
		}
		sh := make([]uint64, rng.IntN(40))
		for j := range sh {
			sh[j] = rng.Uint64()
		}
		els = append(els, kit.ElementRecord{Ref: firstRef + uint32(i), AssetID: a.Asset.ID, Index: len(a.Asset.Elements),
			Type: element.Types[i%len(element.Types)], Text: text, Title: "标题", Signature: sig, Shingles: sh})
	}
	for i := range assets {
		assets[i].Asset.Reoffset()
	}
	return els, assets
}

func writeSegment(t testing.TB, path string, els []kit.ElementRecord, assets []kit.AssetRecord, tombs []Tombstone) Info {
	return writeSegmentVersion(t, path, Version, els, assets, tombs)
}

// writeSegmentVersion writes a segment in format version.
func writeSegmentVersion(t testing.TB, path string, version uint32, els []kit.ElementRecord, assets []kit.AssetRecord, tombs []Tombstone) Info {
	first := uint32(0)
	if len(els) > 0 {
		first = els[0].Ref
	}
	w, err := create(vfs.OS, path, first, version)
	require.NoError(t, err)
	for i := range els {
		require.NoError(t, w.AddElement(&els[i]))
	}
	for i := range assets {
		require.NoError(t, w.AddAsset(&assets[i]))
	}
	for _, tb := range tombs {
		w.AddTombstone(tb)
	}
	info, err := w.Commit()
	require.NoError(t, err)
	return info
}

func TestSegmentRoundTrip(t *testing.T) {
	cases := []struct {
		name     string
		n        int
		firstRef uint32
		tombs    []Tombstone
	}{
		{"empty", 0, 0, nil},
		{"tombstones only", 0, 7, []Tombstone{{AssetID: "x.txt", FirstRef: 1, Count: 3}}},
		{"one block", 10, 100, nil},
		{"many blocks", 2000, 5, []Tombstone{{AssetID: "old", FirstRef: 0, Count: 5}}},
	}
	dec := newDecoder(t)
	for _, tc := range cases {
		for _, version := range []uint32{1, Version} { // version 1 compressed element blocks
			t.Run(fmt.Sprintf("%s v%d", tc.name, version), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
				els, assets := testElements(tc.n, tc.firstRef, rng)
				path := filepath.Join(t.TempDir(), "seg")
				info := writeSegmentVersion(t, path, version, els, assets, tc.tombs)
				assert.Equal(t, tc.n, info.Elements)
				assert.Equal(t, len(assets), info.Assets)

				r, err := Open(vfs.OS, path, dec)
				require.NoError(t, err)
				defer r.Close()
				require.NoError(t, r.Verify(info.Size, info.Sum))
				assert.Equal(t, tc.n, r.NumElements())
				assert.Equal(t, tc.tombs, r.Tombstones())
				if tc.n > 0 {
					assert.Equal(t, tc.firstRef, r.FirstRef())
				}
				if tc.n > 1000 {
					assert.Greater(t, len(r.ElementBlocks()), 1, "large segment should have several blocks")
				}
				var got []kit.ElementRecord
				for i := range r.ElementBlocks() {
					b, err := r.ElementBlock(i)
					require.NoError(t, err)
					got = append(got, b...)
				}
				require.Len(t, got, len(els))
				for i := range els {
					assert.Equal(t, els[i], got[i])
					bi := r.BlockFor(els[i].Ref)
					require.GreaterOrEqual(t, bi, 0)
					blk := r.ElementBlocks()[bi]
					assert.True(t, els[i].Ref >= blk.FirstRef && els[i].Ref < blk.FirstRef+blk.Count)
					code := r.Types()[els[i].Ref-r.FirstRef()]
					typ, ok := kit.TypeOf(code)
					require.True(t, ok)
					assert.Equal(t, els[i].Type, typ)
				}
				assert.Equal(t, -1, r.BlockFor(tc.firstRef+uint32(tc.n)))
				require.Len(t, r.Assets(), len(assets))
				for i, a := range r.Assets() {
					recs, err := r.AssetBlock(int(a.Block))
					require.NoError(t, err)
					var found *kit.AssetRecord
					for j := range recs {
						if recs[j].Asset.ID == a.ID {
							found = &recs[j]
						}
					}
					require.NotNil(t, found)
					assert.Equal(t, assets[i].Asset.Elements[0].Text, found.Asset.Elements[0].Text)
					assert.Equal(t, assets[i].Asset.Elements[0].Line, found.Asset.Elements[0].Line)
					assert.Equal(t, assets[i].Sentences, found.Sentences)
					assert.Equal(t, assets[i].FirstRef, a.FirstRef)
					assert.Equal(t, uint32(len(assets[i].Asset.Elements)), a.Count)
					require.NoError(t, found.Asset.Validate())
				}
				for i := range r.ElementBlocks() {
					recs, err := r.ElementRecords(i)
					require.NoError(t, err)
					blk := r.ElementBlocks()[i]
					for j := range recs.Len() {
						e, err := recs.Element(j)
						require.NoError(t, err)
						assert.Equal(t, els[blk.FirstRef+uint32(j)-tc.firstRef], e)
					}
				}
			})
		}
	}
}

func TestSegmentRefsMustBeConsecutive(t *testing.T) {
	w, err := Create(vfs.OS, filepath.Join(t.TempDir(), "seg"), 10)
	require.NoError(t, err)
	defer w.Abort()
	assert.Error(t, w.AddElement(&kit.ElementRecord{Ref: 11, Type: element.Hook}))
}

func TestSegmentCorruptionDetected(t *testing.T) {
	dec := newDecoder(t)
	rng := rand.New(rand.NewPCG(2, 3))
	els, assets := testElements(300, 0, rng)
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean")
	info := writeSegment(t, clean, els, assets, nil)
	data, err := os.ReadFile(clean)
	require.NoError(t, err)
	for _, pos := range []int{0, 20, len(data) / 2, len(data) - 40, len(data) - 1} {
		t.Run(fmt.Sprint(pos), func(t *testing.T) {
			bad := append([]byte(nil), data...)
			bad[pos] ^= 0x40
			path := filepath.Join(dir, fmt.Sprintf("bad-%d", pos))
			require.NoError(t, os.WriteFile(path, bad, 0o644))
			r, err := Open(vfs.OS, path, dec)
			if err != nil {
				assert.Contains(t, err.Error(), path, "error must name the file")
				return
			}
			defer r.Close()
			err = r.Verify(info.Size, info.Sum)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.Contains(t, err.Error(), path)
			// Block-level checksums catch the flip too when the whole-file
			// check is skipped.
			var blockErr error
			for i := range r.ElementBlocks() {
				if _, e := r.ElementBlock(i); e != nil {
					blockErr = e
				}
			}
			for i := 0; i < r.NumAssetBlocks(); i++ {
				if _, e := r.AssetBlock(i); e != nil {
					blockErr = e
				}
			}
			assert.ErrorIs(t, blockErr, ErrCorrupt)
		})
	}
}

func TestUncommittedSegmentInvisible(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg")
	w, err := Create(vfs.OS, path, 0)
	require.NoError(t, err)
	require.NoError(t, w.AddElement(&kit.ElementRecord{Ref: 0, Type: element.Hook, Text: "x"}))
	_, err = os.Stat(path)
	assert.True(t, os.IsNotExist(err))
	w.Abort()
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func FuzzDecodeElements(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 9))
	els, _ := testElements(3, 0, rng)
	var seed []byte
	seed = append(seed, 3)
	for i := range els {
		seed = appendElement(seed, &els[i])
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeElements(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to the same bytes.
		out := []byte{}
		out = append(out, b[:uvarintLen(b)]...)
		for i := range got {
			out = appendElement(out, &got[i])
		}
		if string(out) != string(b) {
			// Non-canonical varints can decode; only check the record count.
			again, err := decodeElements(out)
			require.NoError(t, err)
			require.Equal(t, len(got), len(again))
		}
	})
}

// FuzzSplitElements: decoding records one at a time agrees with decoding
// the whole block.
func FuzzSplitElements(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 9))
	els, _ := testElements(3, 0, rng)
	seed := []byte{3}
	for i := range els {
		seed = appendElement(seed, &els[i])
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0xff, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		whole, wholeErr := decodeElements(b)
		recs, err := splitElements(b)
		if wholeErr == nil {
			require.NoError(t, err)
			require.Equal(t, len(whole), recs.Len())
			for i := range whole {
				e, err := recs.Element(i)
				require.NoError(t, err)
				require.Equal(t, whole[i], e)
			}
			return
		}
		if err != nil {
			return
		}
		failed := false
		for i := range recs.Len() {
			if _, err := recs.Element(i); err != nil {
				failed = true
			}
		}
		require.True(t, failed, "the block does not decode whole, so some record must not: %v", wholeErr)
	})
}

func uvarintLen(b []byte) int {
	for i, c := range b {
		if c < 0x80 {
			return i + 1
		}
	}
	return len(b)
}

func FuzzOpenSegment(f *testing.F) {
	rng := rand.New(rand.NewPCG(4, 4))
	els, assets := testElements(20, 0, rng)
	dir := f.TempDir()
	p := filepath.Join(dir, "seed")
	writeSegment(f, p, els, assets, []Tombstone{{AssetID: "t", FirstRef: 1, Count: 2}})
	data, err := os.ReadFile(p)
	require.NoError(f, err)
	f.Add(data)
	f.Add(data[:len(data)/2])
	dec := newDecoder(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "s")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		r, err := Open(vfs.OS, path, dec)
		if err != nil {
			return
		}
		defer r.Close()
		for i := range r.ElementBlocks() {
			_, _ = r.ElementBlock(i)
		}
		for i := 0; i < r.NumAssetBlocks(); i++ {
			_, _ = r.AssetBlock(i)
		}
	})
}

// TestAssetIndexAgreesWithSearch: the directory-guided AssetIndex answers
// as a plain search over every asset does, for assets of 1 to 300
// elements, with gaps of refs no asset holds, and refs outside the segment.
func TestAssetIndexAgreesWithSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50 {
		first := uint32(rng.IntN(1000))
		r := &Reader{firstRef: first}
		ref := first
		for range rng.IntN(400) {
			ref += uint32(rng.IntN(3)) // a gap: refs of removed elements
			n := uint32(1 + rng.IntN(300))
			if rng.IntN(10) == 0 {
				n = uint32(rng.IntN(3))
			}
			r.assets = append(r.assets, AssetEntry{ID: fmt.Sprint(ref), FirstRef: ref, Count: n})
			ref += n
		}
		r.types = make([]byte, ref-first)
		r.indexAssets()
		naive := func(ref uint32) int {
			for i, a := range r.assets {
				if ref >= a.FirstRef && ref < a.FirstRef+a.Count {
					return i
				}
			}
			return -1
		}
		for q := uint32(0); q < ref+200; q++ {
			require.Equal(t, naive(q), r.AssetIndex(q), "ref %d", q)
		}
	}
}
