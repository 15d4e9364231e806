package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// outcomeModel is what the outcome store must answer: each asset's last
// outcome, the sequence it was stored at and that of its last stale mark.
type outcomeModel map[string]*modelEntry

type modelEntry struct {
	o               *kit.Outcome
	computed, stale uint64
}

// testOutcome is an outcome of n uses, distinct by tag.
func testOutcome(tag string, n int) *kit.Outcome {
	o := &kit.Outcome{Version: kit.OutcomeVersion, Basis: "b" + tag[:1], Published: time.Date(2026, 11, 1+len(tag)%20, 9, 0, 0, 0, time.UTC),
		Groups: map[string]string{"platform": "抖音", "campaign": "(none)", "account": "a" + tag[:1]}, Elements: n + 1, Reused: n, Level: "L2",
		Sources: []string{"src/" + tag}, Assets: 7, Common: kit.Hashes{uint64(len(tag))}}
	for i := range n {
		o.Uses = append(o.Uses, kit.OutcomeUse{Element: fmt.Sprintf("%s#%d", tag, i), OriginElement: "o#1", OriginAsset: "o",
			OriginType: element.Type("hook"), OriginText: strings.Repeat("熬夜"+tag, 1+i%3)})
	}
	return o
}

// checkOutcomes compares every view of the store with the model: l's,
// and a fresh reader's. Ids not live in the library may have been dropped
// by a full merge: the model follows.
func checkOutcomes(t *testing.T, l *Library, dir string, live map[string]bool, ids []string, m outcomeModel, step string) {
	t.Helper()
	for _, lib := range []*Library{l, newReader(t, dir)} {
		stored, err := lib.StoredOutcomes()
		require.NoError(t, err, step)
		outs, err := lib.Outcomes(ids)
		require.NoError(t, err, step)
		// The figures are the outcomes without sources and sentence hashes.
		figures, err := lib.OutcomeFigures(ids)
		require.NoError(t, err, step)
		require.Len(t, figures, len(outs), step)
		for i, o := range outs {
			if o == nil {
				assert.Nil(t, figures[i], "%s: %s figures", step, ids[i])
				continue
			}
			want := *o
			want.Sources, want.Common, want.Plain = nil, nil, nil
			require.NotNil(t, figures[i], "%s: %s figures", step, ids[i])
			assert.Equal(t, want, *figures[i], "%s: %s figures", step, ids[i])
		}
		scanned := map[string]kit.StoredOutcome{}
		require.NoError(t, lib.ScanOutcomes(func(id string, published time.Time, sources []string, stale bool) {
			scanned[id] = kit.StoredOutcome{Outcome: &kit.Outcome{Published: published, Sources: slices.Clone(sources)}, Stale: stale}
		}), step)
		require.Len(t, scanned, len(stored), step)
		for id, so := range stored {
			assert.Equal(t, so.Stale, scanned[id].Stale, "%s: %s scanned", step, id)
			assert.Equal(t, so.Outcome.Sources, scanned[id].Outcome.Sources, "%s: %s scanned", step, id)
			assert.True(t, so.Outcome.Published.Equal(scanned[id].Outcome.Published), "%s: %s scanned", step, id)
		}
		checkOutcomeIndex(t, lib, stored, ids, step)
		for i, id := range ids {
			e := m[id]
			so, ok := stored[id]
			if e != nil && e.o != nil && !ok && !live[id] {
				delete(m, id) // dropped with its removed asset
				e = nil
			}
			if e == nil || e.o == nil {
				assert.False(t, ok, "%s: %s stored", step, id)
				assert.Nil(t, outs[i], "%s: %s", step, id)
				continue
			}
			fresh := e.computed > e.stale
			require.True(t, ok, "%s: %s not stored", step, id)
			assert.Equal(t, !fresh, so.Stale, "%s: %s stale", step, id)
			assert.Equal(t, e.o, so.Outcome, "%s: %s", step, id)
			if fresh {
				assert.Equal(t, e.o, outs[i], "%s: %s", step, id)
			} else {
				assert.Nil(t, outs[i], "%s: %s is stale", step, id)
			}
		}
		assert.Len(t, stored, func() int {
			n := 0
			for _, e := range m {
				if e.o != nil {
					n++
				}
			}
			return n
		}(), step)
	}
}

// Random writes — outcomes put (some from a sequence read before a stale
// mark), stale marks, merges of every size, files a crash left behind —
// read back as a map model says, by the writer and by a fresh reader,
// and after reopening.
func TestOutcomeStoreEqualsModel(t *testing.T) {
	defer func(n, m int) { outcomeMaxFiles, outcomeTailMax = n, m }(outcomeMaxFiles, outcomeTailMax)
	outcomeMaxFiles, outcomeTailMax = 5, 3
	w, dir := newLib(t, true)
	var assets []element.Asset
	for i := range 24 {
		assets = append(assets, elibtest.Script(fmt.Sprintf("gen/%02d.md", i), "t", fmt.Sprintf("第%d个脚本的开头写在这里，然后是正文内容。", i)))
	}
	_, err := w.Import(context.Background(), assets)
	require.NoError(t, err)
	live := map[string]bool{}
	ids := elibtest.Must(w.AssetIDs())
	for _, id := range ids {
		live[id] = true
	}
	ids = append(ids, "gone/1.md", "gone/2.md", "gone/3.md") // never imported: dropped by full merges
	slices.Sort(ids)
	od := filepath.Join(dir, outcomesDir)

	rng := rand.New(rand.NewPCG(25, 1))
	m := outcomeModel{}
	var oldSeqs []uint64
	for step := range 160 {
		before := map[string][]byte{}
		if es, err := os.ReadDir(od); err == nil {
			for _, e := range es {
				before[e.Name()] = elibtest.Must(os.ReadFile(filepath.Join(od, e.Name())))
			}
		}
		seq := elibtest.Must(w.OutcomeSeq())
		oldSeqs = append(oldSeqs, seq)
		pick := func(n int) []string {
			out := map[string]bool{}
			for range n {
				out[ids[rng.IntN(len(ids))]] = true
			}
			return slices.Sorted(func(yield func(string) bool) {
				for id := range out {
					if !yield(id) {
						return
					}
				}
			})
		}
		var what string
		switch op := rng.IntN(10); {
		case op < 6:
			since := seq
			if rng.IntN(3) == 0 {
				since = oldSeqs[rng.IntN(len(oldSeqs))] // computed from an older reading
			}
			sizes := []int{1, 2, 4, 12, 30}
			chosen := pick(sizes[rng.IntN(len(sizes))])
			outs := map[string]*kit.Outcome{}
			for _, id := range chosen {
				outs[id] = testOutcome(fmt.Sprintf("%s@%d", id, step), rng.IntN(6))
			}
			require.NoError(t, w.PutOutcomes(since, outs))
			for id, o := range outs {
				e := m[id]
				if e != nil && e.stale > since {
					continue
				}
				if e == nil {
					e = &modelEntry{}
					m[id] = e
				}
				e.o, e.computed = o, seq+1
			}
			what = fmt.Sprintf("put %d since %d", len(outs), since)
		default:
			chosen := pick(1 + rng.IntN(6))
			require.NoError(t, w.MarkStale(chosen))
			for _, id := range chosen {
				if e := m[id]; e != nil {
					e.stale = seq + 1
				}
			}
			what = fmt.Sprintf("stale %d", len(chosen))
		}
		label := fmt.Sprintf("step %d (%s)", step, what)
		if rng.IntN(4) == 0 {
			// A crash after a merge's write, before its removals: the
			// merged files come back, and read the same.
			for name, b := range before {
				if _, err := os.Stat(filepath.Join(od, name)); os.IsNotExist(err) && strings.HasPrefix(name, outcomeFilePrefix) {
					require.NoError(t, os.WriteFile(filepath.Join(od, name), b, 0o644))
				}
			}
		}
		if rng.IntN(5) == 0 {
			// A crash mid-write leaves a temporary file, never read.
			next := outcomeFileName(elibtest.Must(w.OutcomeSeq()) + 1)
			require.NoError(t, os.WriteFile(filepath.Join(od, next+".tmp"), []byte(outcomeMagic+"half"), 0o644))
		}
		checkOutcomes(t, w, dir, live, ids, m, label)
		if t.Failed() {
			return
		}
		if step%40 == 39 {
			require.NoError(t, w.Close())
			w, err = Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
			require.NoError(t, err)
			t.Cleanup(func() { w.Close() })
			checkOutcomes(t, w, dir, live, ids, m, label+" reopened")
		}
	}
	es, err := os.ReadDir(od)
	require.NoError(t, err)
	n := 0
	for _, e := range es {
		if _, ok := outcomeFileSeq(e.Name()); ok {
			n++
		}
	}
	assert.LessOrEqual(t, n, 2*outcomeMaxFiles, "files a crash left behind go with the next merges")
}

// A damaged file (truncated under its name) makes every outcome before
// it count as stale, as before; the next write writes the state whole,
// stale marks included, and the damaged file goes.
func TestOutcomeStoreDamagedFile(t *testing.T) {
	w, dir := newLib(t, true)
	_, err := w.Import(context.Background(), elibtest.SampleAssets())
	require.NoError(t, err)
	ids := elibtest.Must(w.AssetIDs())
	require.NoError(t, w.PutOutcomes(0, map[string]*kit.Outcome{ids[0]: testOutcome("a", 2), ids[1]: testOutcome("b", 1)}))
	require.NoError(t, w.PutOutcomes(1, map[string]*kit.Outcome{ids[2]: testOutcome("c", 3)}))
	od := filepath.Join(dir, outcomesDir)
	b, err := encodeOutcomeFile(&outcomeFile{Version: outcomeBinaryVersion, Seq: 9, Entries: map[string]*outcomeEntry{ids[0]: {Stale: 9}}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(od, outcomeFileName(9)), b[:len(b)-3], 0o644))

	r := newReader(t, dir)
	outs, err := r.Outcomes(ids)
	require.NoError(t, err)
	assert.Equal(t, []*kit.Outcome{nil, nil, nil}, outs, "every outcome counts as stale")
	assert.Equal(t, uint64(9), elibtest.Must(r.OutcomeSeq()), "the next write comes after the damaged file")

	require.NoError(t, w.PutOutcomes(9, map[string]*kit.Outcome{ids[1]: testOutcome("d", 0)}))
	outs, err = newReader(t, dir).Outcomes(ids)
	require.NoError(t, err)
	assert.Equal(t, []*kit.Outcome{nil, testOutcome("d", 0), nil}, outs)
	stored, err := newReader(t, dir).StoredOutcomes()
	require.NoError(t, err)
	assert.Len(t, stored, 3)
	es, err := os.ReadDir(od)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		if _, ok := outcomeFileSeq(e.Name()); ok {
			names = append(names, e.Name())
		}
	}
	assert.Equal(t, []string{outcomeFileName(10)}, names, "one full file")
}

// Skipping an outcome reads exactly what decoding it does, and copying it
// to another file decodes to the same outcome.
func TestOutcomeWalkMatchesDecode(t *testing.T) {
	f := outcomeFixture()
	b, err := encodeOutcomeFile(f)
	require.NoError(t, err)
	r, err := indexOutcomeFile(b)
	require.NoError(t, err)
	require.Len(t, r.ids, len(f.Entries))
	e := newOutcomeEncoder(len(r.ids))
	for i, id := range r.ids {
		ref := r.refs[i]
		assert.Equal(t, f.Entries[id].Computed, ref.computed, id)
		assert.Equal(t, f.Entries[id].Stale, ref.stale, id)
		assert.Equal(t, f.Entries[id].Outcome != nil, ref.has(), id)
		e.entry(id, ref.computed, ref.stale, ref.has())
		if ref.has() {
			require.NoError(t, e.copyOutcome(ref.src, ref.off))
		}
	}
	copied, err := decodeOutcomeFile(e.finish(f.Seq, f.Full))
	require.NoError(t, err)
	want, err := decodeOutcomeFile(b)
	require.NoError(t, err)
	assert.Equal(t, want, copied)
}

// checkOutcomeIndex compares the answers of the outcome index
// (kit.OutcomeIndex: kept through the writer's writes, built afresh by a
// new reader) with what the stored outcomes say: for each id and each
// source, alone, the fresh outcomes of it or naming it; for every
// published time (and just around it), the fresh outcomes at or after it.
func checkOutcomeIndex(t *testing.T, lib *Library, stored map[string]kit.StoredOutcome, ids []string, step string) {
	t.Helper()
	naming := map[string][]string{}
	var times []time.Time
	for id, so := range stored {
		for _, src := range so.Outcome.Sources {
			naming[src] = nil
		}
		times = append(times, so.Outcome.Published, so.Outcome.Published.Add(-time.Nanosecond), so.Outcome.Published.Add(time.Nanosecond))
		if so.Stale {
			continue
		}
		naming[id] = append(naming[id], id)
		for _, src := range so.Outcome.Sources {
			naming[src] = append(naming[src], id)
		}
	}
	for _, id := range ids {
		if _, ok := naming[id]; !ok {
			naming[id] = nil
		}
	}
	for name, want := range naming {
		got, err := lib.FreshOutcomesNaming([]string{name})
		require.NoError(t, err, step)
		slices.Sort(want)
		assert.Equal(t, append([]string{}, slices.Compact(want)...), append([]string{}, got...), "%s: naming %s", step, name)
	}
	for _, at := range times {
		want := map[string]time.Time{}
		for id, so := range stored {
			if !so.Stale && !so.Outcome.Published.Before(at) {
				want[id] = so.Outcome.Published
			}
		}
		got := map[string]time.Time{}
		require.NoError(t, lib.FreshOutcomesFrom(at, func(id string, p time.Time) {
			assert.NotContains(t, got, id, "%s: once each", step)
			got[id] = p
		}), step)
		assert.Equal(t, len(want), len(got), "%s: from %v", step, at)
		for id, p := range want {
			assert.True(t, p.Equal(got[id]), "%s: from %v: %s", step, at, id)
		}
	}
}

// TestOutcomeLinksKeptByWrites: the outcome index built at the first
// question is kept by the writer's own writes (outcomes naming many
// sources, stale marks, merges), not built again, and answers as a new
// reader's.
func TestOutcomeLinksKeptByWrites(t *testing.T) {
	w, dir := newLib(t, true)
	links := func() *outcomeLinks {
		w.outcomes.mu.Lock()
		defer w.outcomes.mu.Unlock()
		return w.outcomes.links
	}
	_, err := w.FreshOutcomesNaming([]string{"x"})
	require.NoError(t, err)
	first := links()
	require.NotNil(t, first)
	for step := range 40 {
		outs := map[string]*kit.Outcome{}
		for i := range 20 {
			o := testOutcome(fmt.Sprintf("%02d@%d", i, step), 2)
			o.Sources = []string{"s/1", "s/2", "s/3", "s/4", fmt.Sprintf("s/%d", 5+step)}
			outs[fmt.Sprintf("a/%02d", (step*7+i)%60)] = o
		}
		require.NoError(t, w.PutOutcomes(elibtest.Must(w.OutcomeSeq()), outs))
		if step%5 == 4 {
			require.NoError(t, w.MarkStale([]string{fmt.Sprintf("a/%02d", step%60)}))
		}
		require.Same(t, first, links(), "step %d: kept", step)
	}
	r := newReader(t, dir)
	for _, name := range []string{"s/1", "s/7", "s/44", "a/03", "a/59"} {
		want, err := r.FreshOutcomesNaming([]string{name})
		require.NoError(t, err)
		got, err := w.FreshOutcomesNaming([]string{name})
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
}
