package index

import (
	"context"
	"elib/internal/elibtest"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
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
	dir, ids, f := sampleOutcomeFixture(t)
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
	assertFixtureOutcomes(t, f, ids, outs)
	names := outcomeFileNames(t, od)
	assert.Equal(t, []string{"out-0000000000000043.bin"}, names, "rewritten as one binary full file")

	stored, err := newReader(t, dir).StoredOutcomes()
	require.NoError(t, err)
	assert.Len(t, stored, 3, "the outcomes of live assets, stale ones included")
	assert.True(t, stored[ids[1]].Stale)
	assert.Equal(t, f.Entries[ids[2]].Outcome.Uses, stored[ids[2]].Outcome.Uses)
}

// encodeOutcomeFileV2 writes f as version 2 files were written: each
// entry followed by its outcome, no entry table.
func encodeOutcomeFileV2(t *testing.T, f *outcomeFile) []byte {
	ids := make([]string, 0, len(f.Entries))
	for id := range f.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	e := newOutcomeEncoder(0)
	for _, id := range ids {
		en := f.Entries[id]
		e.uvarint(e.strIndex(id))
		e.uvarint(en.Computed)
		e.uvarint(en.Stale)
		if en.Outcome == nil {
			e.body = append(e.body, 0)
			continue
		}
		e.body = append(e.body, 1)
		require.NoError(t, e.outcome(en.Outcome))
	}
	b := []byte(outcomeMagicV2)
	b = binary.AppendUvarint(b, f.Seq)
	if f.Full {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(e.strs)))
	for _, s := range e.strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(ids)))
	b = append(b, e.body...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// A version 2 file (before the entry table) reads as the same file
// written now does, and a file's entry table is checked.
func TestOutcomeFileV2Reads(t *testing.T) {
	f := outcomeFixture()
	f.Full = true
	v2 := encodeOutcomeFileV2(t, f)
	v3, err := encodeOutcomeFile(f)
	require.NoError(t, err)
	got, err := decodeOutcomeFile(v2)
	require.NoError(t, err)
	want, err := decodeOutcomeFile(v3)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	r, err := indexOutcomeFile(v2)
	require.NoError(t, err)
	assert.True(t, r.v2)
	assert.True(t, r.full)
	r, err = indexOutcomeFile(v3)
	require.NoError(t, err)
	assert.False(t, r.v2)

	for _, cut := range []int{len(outcomeMagic) + 1, len(v3) / 3, len(v3) - 5} {
		_, err := decodeOutcomeFile(v3[:cut])
		assert.Error(t, err, "cut at %d", cut)
	}
	// An offset past the outcomes is refused, checksum or not.
	e := newOutcomeEncoder(1)
	e.entry("a.md", 1, 0, true)
	e.body = append(e.body, 0) // one byte of outcomes; the entry says at 0
	e.table[len(e.table)-1] = 9
	_, err = indexOutcomeFile(e.finish(1, false))
	assert.ErrorContains(t, err, "outcome of a.md")
}

// A library whose outcomes are version 2 files reads them, and its first
// reader rewrites them as one full file of the current version.
func TestOutcomesV2Upgrade(t *testing.T) {
	dir, ids, f := sampleOutcomeFixture(t)
	f.Seq = 7
	od := filepath.Join(dir, outcomesDir)
	require.NoError(t, os.MkdirAll(od, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(od, outcomeFileName(7)), encodeOutcomeFileV2(t, f), 0o644))

	outs, err := newReader(t, dir).Outcomes(ids)
	require.NoError(t, err)
	assertFixtureOutcomes(t, f, ids, outs)
	names := outcomeFileNames(t, od)
	require.Equal(t, []string{outcomeFileName(8)}, names, "rewritten as one full file")
	b, err := os.ReadFile(filepath.Join(od, names[0]))
	require.NoError(t, err)
	assert.Equal(t, outcomeMagic, string(b[:len(outcomeMagic)]))

	again, err := newReader(t, dir).Outcomes(ids)
	require.NoError(t, err)
	for i := range again {
		if again[i] != nil {
			again[i].Published = outs[i].Published
		}
	}
	assert.Equal(t, outs, again)
	stored, err := newReader(t, dir).StoredOutcomes()
	require.NoError(t, err)
	assert.Len(t, stored, 3, "stale ones included")
	assert.True(t, stored[ids[1]].Stale)
}

// assertFixtureOutcomes: outs, read for ids of outcomeFixture f, are its
// fresh entries' outcomes (entry i was computed at 10+i and marked stale
// at 20 when i is odd), published times equal as instants.
func assertFixtureOutcomes(t *testing.T, f *outcomeFile, ids []string, outs []*kit.Outcome) {
	t.Helper()
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
}

// outcomeFileNames lists the outcome files in od.
func outcomeFileNames(t *testing.T, od string) []string {
	t.Helper()
	es, err := os.ReadDir(od)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), outcomeFilePrefix) {
			names = append(names, e.Name())
		}
	}
	return names
}

// sampleOutcomeFixture imports the sample into a new file library and
// returns its directory, its three asset ids and an outcomeFixture of them.
func sampleOutcomeFixture(t *testing.T) (string, []string, *outcomeFile) {
	t.Helper()
	w, dir := newLib(t, true)
	_, err := w.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	ids := elibtest.Must(w.AssetIDs())
	require.Len(t, ids, 3)
	return dir, ids, outcomeFixture(ids...)
}
