package index

import (
	"context"
	"elib/internal/elibtest"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/kit"
)

// outcomeFixture is an outcome file with the shapes outcomes take:
// uses sharing an origin, no uses, an entry only marked stale, times in
// UTC and in another zone.
func outcomeFixture(ids ...string) *outcomeFile {
	shanghai := time.FixedZone("", 8*3600)
	f := &outcomeFile{Version: outcomeBinaryVersion, Seq: 42, Entries: map[string]*outcomeEntry{}}
	for i := range 5 {
		id := fmt.Sprintf("gen/%07d.txt", i)
		if i < len(ids) {
			id = ids[i]
		}
		o := &kit.Outcome{Version: kit.OutcomeVersion, Basis: "0123abcd", Published: time.Date(2026, 11, i+1, 9, 30, 0, 123, shanghai),
			Groups: map[string]string{"platform": "抖音", "campaign": "(none)", "account": "达人" + id}, Elements: 4, Reused: 2, Level: "L3",
			Uses: []kit.OutcomeUse{
				{Element: id + "#1", OriginElement: "gen/0000000.txt#1", OriginAsset: "gen/0000000.txt", OriginType: "hook", OriginText: "你是不是还在为熬夜烦恼？"},
				{Element: id + "#3", OriginElement: "gen/0000000.txt#1", OriginAsset: "gen/0000000.txt", OriginType: "hook", OriginText: "你是不是还在为熬夜烦恼？"},
			},
			Sources: []string{"gen/0000000.txt", "old.md"}, Assets: 1000 + i, Common: kit.Hashes{1, 1 << 63}, Plain: kit.Hashes{7}}
		if i == 3 {
			o.Uses, o.Sources, o.Common, o.Groups, o.Reused = nil, nil, nil, nil, 0
			o.Published = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		}
		f.Entries[id] = &outcomeEntry{Outcome: o, Computed: uint64(10 + i), Stale: uint64(20 * (i % 2))}
	}
	f.Entries["gone.md"] = &outcomeEntry{Stale: 41}
	return f
}

// The binary form reads back what the JSON form did.
func TestOutcomeFileRoundTrip(t *testing.T) {
	f := outcomeFixture()
	b, err := encodeOutcomeFile(f)
	require.NoError(t, err)
	got, err := decodeOutcomeFile(b)
	require.NoError(t, err)

	j, err := json.Marshal(f)
	require.NoError(t, err)
	j = fmt.Appendf(j, "\n%08x\n", crc32.Checksum(j, crcTable))
	want, err := decodeOutcomeFile(j)
	require.NoError(t, err)
	want.Version = outcomeBinaryVersion
	assert.Equal(t, want, got)
	assert.Less(t, len(b), len(j)/2, "strings are stored once")

	for _, cut := range []int{0, 5, len(outcomeMagic), len(b) / 2, len(b) - 1} {
		_, err := decodeOutcomeFile(b[:cut])
		assert.Error(t, err, "cut at %d", cut)
	}
	bad := append([]byte(nil), b...)
	bad[len(b)/2] ^= 1
	_, err = decodeOutcomeFile(bad)
	assert.ErrorContains(t, err, "checksum")
}

// A library whose outcomes are JSON files (written before the binary
// form) reads them, and its first reader rewrites them as one binary full
// file.
func TestOutcomesJSONUpgrade(t *testing.T) {
	w, dir := newLib(t, true)
	_, err := w.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	ids := elibtest.Must(w.AssetIDs())
	require.Len(t, ids, 3)
	f := outcomeFixture(ids...)
	f.Version = outcomeJSONVersion
	j, err := json.Marshal(f)
	require.NoError(t, err)
	j = fmt.Appendf(j, "\n%08x\n", crc32.Checksum(j, crcTable))
	od := filepath.Join(dir, outcomesDir)
	require.NoError(t, os.MkdirAll(od, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(od, "out-0000000000000042.json"), j, 0o644))

	r := newReader(t, dir)
	outs, err := r.Outcomes(ids)
	require.NoError(t, err)
	// Entry i was computed at 10+i and marked stale at 20 when i is odd.
	want := []*kit.Outcome{f.Entries[ids[0]].Outcome, nil, f.Entries[ids[2]].Outcome}
	require.Len(t, outs, len(want))
	for i := range want {
		if want[i] == nil {
			assert.Nil(t, outs[i], ids[i])
			continue
		}
		require.NotNil(t, outs[i], ids[i])
		assert.True(t, want[i].Published.Equal(outs[i].Published), ids[i])
		outs[i].Published = want[i].Published
		assert.Equal(t, want[i], outs[i], ids[i])
	}
	es, err := os.ReadDir(od)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), outcomeFilePrefix) {
			names = append(names, e.Name())
		}
	}
	assert.Equal(t, []string{"out-0000000000000043.bin"}, names, "rewritten as one binary full file")

	stored, err := newReader(t, dir).StoredOutcomes()
	require.NoError(t, err)
	assert.Len(t, stored, 3, "the outcomes of live assets, stale ones included")
	assert.True(t, stored[ids[1]].Stale)
	assert.Equal(t, f.Entries[ids[2]].Outcome.Uses, stored[ids[2]].Outcome.Uses)
}
