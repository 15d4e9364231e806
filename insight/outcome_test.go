package insight

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

// newOutcomeLibrary is an empty memory library with the allowlist.
func newOutcomeLibrary(t *testing.T, allow []string) *index.Library {
	t.Helper()
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	if len(allow) > 0 {
		require.NoError(t, lib.AllowlistAdd(allow...))
	}
	return lib
}

// importWithOutcomes imports assets as `elib import` does: batches through
// a Batcher whose hooks keep the outcomes, checked with the import's
// fingerprints.
func importWithOutcomes(t *testing.T, engine *fingerprint.Engine, lib kit.Library, assets []element.Asset, batch int) {
	t.Helper()
	importWith(t, engine, lib, assets, batch, func(ctx context.Context, as []kit.Prepared) error {
		return AfterImportPrepared(ctx, engine, lib, as, Options{})
	})
}

// importWith imports assets through a Batcher whose hooks keep the
// outcomes, after computing them with after.
func importWith(t *testing.T, engine *fingerprint.Engine, lib kit.Library, assets []element.Asset, batch int, after func(context.Context, []kit.Prepared) error) {
	t.Helper()
	ctx := context.Background()
	b := library.NewBatcher(lib, batch, nil)
	b.BeforeStore = func(ctx context.Context, as []element.Asset) error {
		_, err := BeforeImport(ctx, engine, lib, as, Options{})
		return err
	}
	b.AfterStore = after
	for i := range assets {
		require.NoError(t, b.Add(ctx, assets[i].ID, assets[i:i+1]))
	}
	require.NoError(t, b.Flush(ctx))
}

// comparable drops what differs between two computations of equal
// figures: the time taken and where the outcomes came from.
func comparable(st *Stats) Stats {
	c := *st
	c.TookMs, c.Outcomes = 0, nil
	return c
}

// assertSameStats compares the stored-outcome path with the recompute path
// over several periods and groupings; wantStale (unless negative) is how
// many of the stored path's outcomes must be stale or missing at first.
func assertSameStats(t *testing.T, engine *fingerprint.Engine, lib kit.Library, now time.Time, wantStale int) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"all", Options{}},
		{"since 30d", Options{Since: now.AddDate(0, 0, -30)}},
		{"by platform", Options{By: ByPlatform}},
		{"by campaign, fatigue 2/7", Options{By: ByCampaign, FatigueUses: 2, FatigueDays: 7}},
		{"newest 50", Options{MaxAssets: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Now = now
			stored, err := Compute(ctx, engine, lib, o)
			require.NoError(t, err)
			require.NotNil(t, stored.Outcomes)
			if wantStale >= 0 {
				assert.Equal(t, wantStale, stored.Outcomes.Stale, "stale outcomes")
			}
			assert.Positive(t, stored.Outcomes.Stored, "outcomes read from the store")
			t.Logf("%s: %d checks, outcomes %+v", tc.name, stored.Checks, *stored.Outcomes)
			o.Recompute = true
			again, err := Compute(ctx, engine, lib, o)
			require.NoError(t, err)
			require.Nil(t, again.Outcomes)
			require.Positive(t, again.Checks)
			assert.Equal(t, comparable(again), comparable(stored))

			// Overview reads the stored outcomes once for the library's
			// reuse and the period, and loads no engine when none is stale.
			wantReuse, err := LibraryReuse(ctx, engine, lib, o)
			require.NoError(t, err)
			o.Recompute = false
			loaded := false
			o.LoadEngine = func() (*fingerprint.Engine, error) { loaded = true; return engine, nil }
			reuse, period, err := Overview(ctx, nil, lib, o, true)
			require.NoError(t, err)
			assert.Equal(t, wantReuse, reuse)
			assert.Equal(t, comparable(again), comparable(period))
			assert.False(t, loaded, "every outcome was fresh: no engine loaded")
		})
	}
}

func TestStoredOutcomesEqualRecomputeOnSample(t *testing.T) {
	engine := elibtest.Engine(t)
	assets, err := corpus.SampleAssets()
	require.NoError(t, err)
	variants, err := corpus.CreatorVariants()
	require.NoError(t, err)
	assets = append(assets, variants...)
	lib := newOutcomeLibrary(t, corpus.Allowlist())
	importWithOutcomes(t, engine, lib, assets, 2000)
	stored, err := lib.StoredOutcomes()
	require.NoError(t, err)
	assert.Len(t, stored, len(assets), "every asset has its outcome after the import")
	assertSameStats(t, engine, lib, time.Now(), 0)
}

// generated is a library of about n elements recombined from the poetry
// sample, published over 90 days in import order, on three platforms and
// four campaigns; a share of the assets reuse an earlier asset's element.
func generated(t *testing.T, n int, seed uint64) []element.Asset {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "benchmarks", "testdata", "poetry-sample.txt"))
	require.NoError(t, err)
	var pool []string
	for _, s := range strings.FieldsFunc(string(b), func(r rune) bool { return strings.ContainsRune("，。！？；：\n\r「」『』、", r) }) {
		if s = strings.TrimSpace(s); len([]rune(s)) >= 4 && len([]rune(s)) <= 30 {
			pool = append(pool, s)
		}
	}
	require.Greater(t, len(pool), 1000)
	rng := rand.New(rand.NewPCG(seed, 7))
	marketing := []string{"点击下方链接", "今天下单立减五十", "限时三天", "我用了一个月", "亲测有效", "你是不是还在"}
	text := func(runes int) string {
		var sb strings.Builder
		for len([]rune(sb.String())) < runes {
			if rng.IntN(4) == 0 {
				sb.WriteString(marketing[rng.IntN(len(marketing))])
			} else {
				sb.WriteString(pool[rng.IntN(len(pool))])
			}
			sb.WriteString([]string{"，", "。", "！"}[rng.IntN(3)])
		}
		return sb.String()
	}
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion, element.Story}
	lengths := []int{25, 50, 80, 60, 150}
	platforms := []string{"抖音", "小红书", "视频号"}
	base := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	var out []element.Asset
	for elements := 0; elements < n; {
		i := len(out)
		k := 4 + rng.IntN(2)
		a := element.Asset{ID: fmt.Sprintf("gen/%05d.txt", i), Meta: map[string]any{
			"published": base.Add(time.Duration(i) * (90 * 24 * time.Hour / time.Duration(n/4))).Format(time.RFC3339),
			"platform":  platforms[rng.IntN(len(platforms))],
			"campaign":  fmt.Sprintf("c%d", rng.IntN(4)),
		}}
		for j := 0; j < k; j++ {
			a.Elements = append(a.Elements, element.Element{Type: types[j], Text: text(lengths[j]/2 + rng.IntN(lengths[j]))})
		}
		if i > 10 && rng.IntN(3) == 0 { // reuse an earlier asset's element
			src := out[rng.IntN(i)]
			j := rng.IntN(len(src.Elements))
			a.Elements[min(j, k-1)].Text = src.Elements[j].Text
		}
		a.Reoffset()
		out = append(out, a)
		elements += k
	}
	return out
}

func TestStoredOutcomesEqualRecomputeOnGenerated10k(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and checks a 10k-element library twice")
	}
	engine := elibtest.Engine(t)
	assets := generated(t, 10_000, 1)
	lib := newOutcomeLibrary(t, nil)
	importWithOutcomes(t, engine, lib, assets, 2000)
	last, _ := assets[len(assets)-1].Published()
	// The sentence frequencies of the boilerplate rule grow with the
	// library: outcomes whose decisions they changed are stale (checked
	// again by the first stats, which stores them).
	assertSameStats(t, engine, lib, last.Add(24*time.Hour), -1)
}

// TestOutOfOrderImportMarksLaterSharers: an asset published before
// existing ones marks stale exactly the later assets sharing its
// candidates, and the answer after recomputing them equals a full
// recompute.
func TestOutOfOrderImportMarksLaterSharers(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib := newOutcomeLibrary(t, nil)
	importWithOutcomes(t, engine, lib, []element.Asset{
		scripted("early", "2026-01-05", "抖音", fresh[0], fresh[1]),
		scripted("u1", "2026-03-01T12:00:00Z", "抖音", hitHook, fresh[3]),
		scripted("u2", "2026-03-08T12:00:00Z", "小红书", hitHook, fresh[4]),
		scripted("other", "2026-04-02", "视频号", fresh[6], fresh[7]),
		scripted("before", "2026-01-20", "抖音", fresh[2], fresh[5]),
	}, 1)
	staleIDs := func() []string {
		st, err := lib.StoredOutcomes()
		require.NoError(t, err)
		var ids []string
		for id, so := range st {
			if so.Stale {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		return ids
	}
	require.Empty(t, staleIDs())
	now := day("2026-05-01")
	before, err := Compute(ctx, engine, lib, Options{Now: now})
	require.NoError(t, err)
	require.Equal(t, 0, before.Outcomes.Stale)
	require.Equal(t, 1, before.Reused, "u2 reuses u1's hook before the hit is imported")

	// The hit, published in January, arrives last: u1 and u2 reuse its
	// hook; "other" and "before" share nothing with it, "early" is older.
	hit := []element.Asset{scripted("hit", "2026-01-10", "抖音", hitHook, fresh[0]+"不一样的结尾。")}
	n, err := BeforeImport(ctx, engine, lib, hit, Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"u1", "u2"}, staleIDs())
	_, err = lib.Import(ctx, hit)
	require.NoError(t, err)
	require.NoError(t, AfterImport(ctx, engine, lib, []string{"hit"}, Options{}))
	assert.Equal(t, []string{"u1", "u2"}, staleIDs(), "the hit's own outcome is fresh; the later sharers stay stale")

	after, err := Compute(ctx, engine, lib, Options{Now: now})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: 4, Stale: 2, Saved: 2}, *after.Outcomes)
	assert.Equal(t, 3, after.Reused, "u1 and u2 reuse the hit's hook, the hit early's conflict")
	assert.Empty(t, staleIDs(), "the recomputed outcomes are stored")
	full, err := Compute(ctx, engine, lib, Options{Now: now, Recompute: true})
	require.NoError(t, err)
	assert.Equal(t, comparable(full), comparable(after))

	// Replacing the hit with other's text marks stale the hit, the assets
	// that matched its old version (u1, u2) and the later one sharing its
	// new text (other).
	n, err = BeforeImport(ctx, engine, lib, []element.Asset{scripted("hit", "2026-01-10", "抖音", fresh[6])}, Options{})
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, []string{"hit", "other", "u1", "u2"}, staleIDs())

	// Removing u1 marks stale what matched it: u2.
	require.NoError(t, lib.PutOutcomes(0, nil))
	full, err = Compute(ctx, engine, lib, Options{Now: now})
	require.NoError(t, err)
	require.Empty(t, staleIDs())
	require.NoError(t, BeforeRemove(ctx, engine, lib, []string{"u1"}))
	assert.Equal(t, []string{"u2"}, staleIDs())
}

// TestOutcomesOfAnOldLibrary: a library with no outcomes (written before
// them) answers by checking every asset, stores the outcomes, and the next
// answer reads them.
func TestOutcomesOfAnOldLibrary(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib := reuseLibrary(t, "2026-03-15T12:00:00Z")
	first, err := Compute(ctx, engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stale: 5, Saved: 5}, *first.Outcomes)
	second, err := Compute(ctx, engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: 5}, *second.Outcomes)
	assert.Equal(t, comparable(first), comparable(second))
	// A new allowlist is another basis: every outcome is stale.
	require.NoError(t, lib.AllowlistAdd("你是不是每天早上"))
	third, err := Compute(ctx, engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, 5, third.Outcomes.Stale)
}

// TestOutcomesKeptByTheFileLibrary: outcomes written by an import are read
// by a read-only opener (elib stats), which stores what it had to check
// again; a crash's leftovers and a damaged outcome file never stop the
// library from opening, and the answer stays the recomputed one.
func TestOutcomesKeptByTheFileLibrary(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	dir, assets, open := outcomeLibrary(t, engine, 2)
	r := open()
	first, err := Compute(ctx, engine, r, Options{})
	require.NoError(t, err)
	assert.Equal(t, len(assets), first.Outcomes.Stored+first.Outcomes.Stale)
	assert.Equal(t, first.Outcomes.Stale, first.Outcomes.Saved, "a read-only opener stores what it checked")
	again, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(assets)}, *again.Outcomes)
	full, err := Compute(ctx, engine, r, Options{Recompute: true})
	require.NoError(t, err)
	assert.Equal(t, comparable(full), comparable(again))

	// A write killed before its rename leaves a temporary file; a damaged
	// file (it cannot be written so by elib) voids every outcome.
	od := filepath.Join(dir, "outcomes")
	require.NoError(t, os.WriteFile(filepath.Join(od, "out-9999999999999999.json.tmp"), []byte(`{"version":1,"seq":`), 0o644))
	w, err := index.Open(index.Options{Dir: dir, Engine: engine})
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(od, "out-9999999999999999.json.tmp"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a writer removes the leftover")
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(filepath.Join(od, "out-9999999999999998.json"), []byte("{\"version\":1}\n00000000\n"), 0o644))
	damaged, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	assert.Equal(t, len(assets), damaged.Outcomes.Stale, "every outcome is stale after a damaged file")
	assert.Equal(t, len(assets), damaged.Outcomes.Saved)
	assert.Equal(t, comparable(full), comparable(damaged))
	repaired, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(assets)}, *repaired.Outcomes, "the outcomes stored after the damaged file count")
}

// TestMigrateAndReindexKeepOutcomes: migrate copies the outcomes; a
// reindex computes them again.
func TestMigrateAndReindexKeepOutcomes(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	src := newOutcomeLibrary(t, []string{"点击下方链接"})
	assets := generated(t, 400, 3)
	importWithOutcomes(t, engine, src, assets, 100)
	dst := newOutcomeLibrary(t, nil)
	res, err := library.Migrate(ctx, src, dst, nil)
	require.NoError(t, err)
	from, err := src.StoredOutcomes()
	require.NoError(t, err)
	assert.Equal(t, len(from), res.Outcomes)
	to, err := dst.StoredOutcomes()
	require.NoError(t, err)
	assert.Equal(t, from, to)

	require.NoError(t, src.Reindex(ctx, kit.ReindexOptions{}))
	n, err := Recompute(ctx, engine, src, true, Options{})
	require.NoError(t, err)
	assert.Equal(t, len(assets), n)
	st, err := Compute(ctx, engine, src, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(assets)}, *st.Outcomes)
	full, err := Compute(ctx, engine, src, Options{Recompute: true})
	require.NoError(t, err)
	assert.Equal(t, comparable(full), comparable(st))
}

// TestStoredOutcomesOnPostgres: the same outcomes, kept in PostgreSQL
// (elib_outcomes): stored and recomputed answers agree, an out-of-order
// import marks the later sharer stale, a read-only opener is refused.
func TestStoredOutcomesOnPostgres(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	url := pgtest.Database(t)
	require.NoError(t, postgres.Init(ctx, url))
	lib, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2})
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	assets := generated(t, 800, 4)
	importWithOutcomes(t, engine, lib, assets, 300)
	stored, err := lib.StoredOutcomes()
	require.NoError(t, err)
	require.Len(t, stored, len(assets))
	last, _ := assets[len(assets)-1].Published()
	assertSameStats(t, engine, lib, last.Add(24*time.Hour), -1)

	// An asset published before the last one, reusing its hook.
	lastAsset := assets[len(assets)-1]
	early := element.Asset{ID: "early", Meta: map[string]any{"published": "2026-09-01T00:00:00Z"},
		Elements: []element.Element{{Type: element.Hook, Text: lastAsset.Elements[0].Text}}}
	early.Reoffset()
	n, err := BeforeImport(ctx, engine, lib, []element.Asset{early}, Options{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 1)
	outs, err := lib.Outcomes([]string{lastAsset.ID})
	require.NoError(t, err)
	assert.Nil(t, outs[0], "the later asset sharing the hook is stale")

	ro, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, ReadOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { ro.Close() })
	assert.ErrorIs(t, ro.PutOutcomes(0, map[string]*kit.Outcome{"x": {}}), kit.ErrReadOnly)
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// decodingOnly is a library whose published times are read from its
// assets (as before kit.PublishedIndex): it keeps the outcomes but hides
// the published index.
type decodingOnly struct {
	kit.Library
	kit.OutcomeStore
}

// TestPublishedTimesSelectTheSamePeriods: the timeline and the periods
// stats select from the library's published times (kit.PublishedIndex,
// no asset decoded) equal those of decoding every asset, on the sample
// library and a generated one, in memory and on PostgreSQL; the answers,
// with part of the outcomes missing, equal those of decoding and of a full
// recompute.
func TestPublishedTimesSelectTheSamePeriods(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	sample, err := corpus.SampleAssets()
	require.NoError(t, err)
	n := 10_000
	if testing.Short() {
		n = 1000
	}
	type library interface {
		kit.Library
		kit.OutcomeStore
	}
	memory := func(t *testing.T) library { return newOutcomeLibrary(t, nil) }
	for _, tc := range []struct {
		name   string
		assets []element.Asset
		open   func(t *testing.T) library
	}{
		{"sample", sample, memory},
		{"generated", generated(t, n, 5), memory},
		{"postgres", generated(t, 800, 6), func(t *testing.T) library {
			url := pgtest.Database(t)
			require.NoError(t, postgres.Init(ctx, url))
			lib, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2})
			require.NoError(t, err)
			t.Cleanup(func() { lib.Close() })
			return lib
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := tc.open(t)
			// The older half with outcomes, the newer without (a library
			// whose outcomes were being computed).
			half := len(tc.assets) / 2
			importWithOutcomes(t, engine, lib, tc.assets[:half], 2000)
			_, err := lib.Import(ctx, tc.assets[half:])
			require.NoError(t, err)

			ids := elibtest.Must(lib.AssetIDs())
			outs, err := lib.Outcomes(ids)
			require.NoError(t, err)
			fast, read, err := timelineOf(ctx, lib, ids, outs)
			require.NoError(t, err)
			assert.Empty(t, read, "no asset decoded")
			slow, read, err := timelineOf(ctx, decodingOnly{lib, lib}, ids, outs)
			require.NoError(t, err)
			assert.NotEmpty(t, read)
			require.Equal(t, len(slow.times()), len(fast.times()))
			for id, want := range slow.times() {
				assert.True(t, want.Equal(fast.times()[id]), "%s: %v, want %v", id, fast.times()[id], want)
			}
			assert.Equal(t, slow.total, fast.total)
			slow.sortTimes()
			fast.sortTimes()
			require.NotEmpty(t, fast.sorted)
			assert.Equal(t, slow.sorted, fast.sorted)

			last, _ := tc.assets[len(tc.assets)-1].Published()
			now := last.Add(time.Hour)
			for _, o := range []Options{
				{MaxAssets: 20},
				{Since: now.AddDate(0, 0, -30), MaxAssets: 20, By: ByPlatform},
				{Since: now.AddDate(0, 0, -60), Until: now.AddDate(0, 0, -20), MaxAssets: 20},
				{Until: now.AddDate(0, 0, -45), MaxAssets: 20, By: ByCampaign},
				{Since: now.AddDate(0, 0, -3)},
			} {
				o.Now = now
				got, err := Compute(ctx, engine, lib, o)
				require.NoError(t, err)
				want, err := Compute(ctx, engine, decodingOnly{lib, lib}, o)
				require.NoError(t, err)
				assert.Equal(t, comparable(want), comparable(got), "%+v", o)
				o.Recompute = true
				full, err := Compute(ctx, engine, lib, o)
				require.NoError(t, err)
				assert.Equal(t, comparable(full), comparable(got), "%+v", o)
				t.Logf("since %v until %v: %d period assets, %d checked", o.Since, o.Until, got.Checks+got.Skipped, got.Checks)
			}
		})
	}
}

// TestAsOfByRefEqualsByID: the as-of view that remembers published times
// by element ref (refTimes) hides exactly what looking each holder's asset
// up by id hides: the outcomes are equal, with the memory empty and full.
func TestAsOfByRefEqualsByID(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib, ids, tl := outOfOrderLibrary(t, 8)
	require.NotNil(t, tl.refs)
	byID := newTimeline(tl.times(), tl.total)
	byID.refs = nil
	opts := Options{}
	opts.ensureDefaults()
	outcomes := func(tl *timeline) []*kit.Outcome {
		var out []*kit.Outcome
		for i := 0; i < len(ids); i += 3 {
			a, err := lib.Asset(ids[i])
			require.NoError(t, err)
			p, _ := a.Published()
			o, err := outcomeAsOf(ctx, engine, lib, tl, periodAsset{asset: a, published: p}, opts)
			require.NoError(t, err)
			out = append(out, o)
		}
		return out
	}
	want := outcomes(byID)
	reused := 0
	for _, o := range want {
		reused += o.Reused
	}
	require.Positive(t, reused, "the library reuses material")
	assert.Equal(t, want, outcomes(tl), "remembering as it goes")
	assert.Equal(t, want, outcomes(tl), "all remembered")
}

// An import's batch is the library's newest: the as-of view of its
// assets hides nothing and passes the library's reads on unfiltered. Its
// outcomes equal those of the filtering path, which a timeline knowing
// one more asset, published later but not in the library, takes (that
// asset hides nothing either: it has no elements to list). Assets
// removed before leave dead refs in the indexes, which neither path
// reports.
func TestWholeViewEqualsFiltered(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib := newOutcomeLibrary(t, nil)
	assets := generated(t, 3000, 11)
	newest := "2027-01-01T00:00:00Z"
	var batch []string
	for i := len(assets) - 60; i < len(assets); i++ {
		assets[i].Meta["published"] = newest
		batch = append(batch, assets[i].ID)
	}
	_, err := lib.Import(ctx, assets)
	require.NoError(t, err)
	removed, err := lib.Remove(ctx, assets[5].ID, assets[200].ID, assets[len(assets)-70].ID)
	require.NoError(t, err)
	require.Positive(t, removed)
	ids := elibtest.Must(lib.AssetIDs())
	tl, _, err := timelineOf(ctx, lib, ids, make([]*kit.Outcome, len(ids)))
	require.NoError(t, err)
	at := maps.Clone(tl.times())
	at["later/phantom.txt"] = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	filtering := newTimeline(at, tl.total+1)
	cutoff := elibtest.Must(time.Parse(time.RFC3339, newest))
	require.True(t, tl.hidesNothing(cutoff))
	require.False(t, filtering.hidesNothing(cutoff))
	require.Equal(t, tl.upTo(cutoff), filtering.upTo(cutoff))
	opts := Options{}
	opts.ensureDefaults()
	outcomes := func(tl *timeline) []*kit.Outcome {
		checkers := newAsOfCheckers(engine, lib, tl, opts)
		var out []*kit.Outcome
		for _, id := range batch {
			a := elibtest.Must(lib.Asset(id))
			o, err := checkers.outcome(ctx, periodAsset{asset: a, published: cutoff})
			require.NoError(t, err)
			out = append(out, o)
		}
		return out
	}
	want := outcomes(filtering)
	reused := 0
	for _, o := range want {
		reused += o.Reused
	}
	require.Positive(t, reused, "the batch reuses material")
	assert.Equal(t, want, outcomes(tl))
}

// outcomeAsOf checks one period asset against the library as of its
// publication with a checker of its own (asOfCheckers reuses them): the
// reference the reused checkers are compared with.
func outcomeAsOf(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, published *timeline, pa periodAsset, opts Options) (*kit.Outcome, error) {
	return newAsOfCheckers(engine, lib, published, opts).outcome(ctx, pa)
}

// outOfOrderLibrary imports 3,000 generated assets (seed), some published
// before those imported ahead of them, and returns the library, its asset
// ids and its timeline.
func outOfOrderLibrary(t *testing.T, seed uint64) (kit.Library, []string, *timeline) {
	t.Helper()
	ctx := context.Background()
	lib := newOutcomeLibrary(t, nil)
	assets := generated(t, 3000, seed)
	for i := 40; i < len(assets); i += 37 {
		assets[i].Meta["published"] = "2026-09-02T00:00:00+08:00"
	}
	_, err := lib.Import(ctx, assets)
	require.NoError(t, err)
	ids := elibtest.Must(lib.AssetIDs())
	tl, _, err := timelineOf(ctx, lib, ids, make([]*kit.Outcome, len(ids)))
	require.NoError(t, err)
	return lib, ids, tl
}

// TestOutcomeJudgementRecalled: a stats read remembers which fresh
// outcomes the sentence frequencies no longer give, under a key naming the
// outcome files and the library; the next read recalls it instead of
// judging (an id listed there is checked again), a judgement under
// another key is not used, and any write changes the key.
func TestOutcomeJudgementRecalled(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	dir, assets, open := outcomeLibrary(t, engine, 3)
	file := filepath.Join(dir, "outcomes", "judgement.json")
	first, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	second, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(assets)}, *second.Outcomes)
	assert.Equal(t, comparable(first), comparable(second))
	b, err := os.ReadFile(file)
	require.NoError(t, err, "the judgement is remembered")
	var j struct {
		Key string   `json:"key"`
		IDs []string `json:"ids"`
	}
	require.NoError(t, json.Unmarshal(b, &j))
	assert.Empty(t, j.IDs, "every stored outcome is usable")

	// An id remembered as unusable is checked again: the read recalled
	// the judgement instead of judging.
	ids, err := open().AssetIDs()
	require.NoError(t, err)
	forged, err := json.Marshal(map[string]any{"key": j.Key, "ids": []string{ids[7]}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, forged, 0o644))
	r := open()
	key, err := r.OutcomesKey()
	require.NoError(t, err)
	recalled, err := Compute(ctx, engine, r, Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, recalled.Outcomes.Stale, "the recalled id is checked again")
	assert.Equal(t, comparable(first), comparable(recalled))
	after, err := r.OutcomesKey()
	require.NoError(t, err)
	assert.NotEqual(t, key, after, "storing an outcome changes the key")

	// Under another key nothing is recalled: judged again, all usable.
	forged, err = json.Marshal(map[string]any{"key": "other", "ids": []string{ids[7], ids[8]}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, forged, 0o644))
	judged, err := Compute(ctx, engine, open(), Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(assets)}, *judged.Outcomes)

	// An import changes the library, hence the key.
	before, err := open().OutcomesKey()
	require.NoError(t, err)
	w, err := index.Open(index.Options{Dir: dir, Engine: engine})
	require.NoError(t, err)
	importWithOutcomes(t, engine, w, generated(t, 60, 4)[:3], 200)
	require.NoError(t, w.Close())
	now, err := open().OutcomesKey()
	require.NoError(t, err)
	assert.NotEqual(t, before, now)
}

// outcomeLibrary imports 600 generated assets (seed) with their outcomes
// into a new file library, closes it, and returns its directory, the
// assets and a read-only opener (closed at the test's end).
func outcomeLibrary(t *testing.T, engine *fingerprint.Engine, seed uint64) (string, []element.Asset, func() *index.Library) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	w, err := index.Open(index.Options{Dir: dir, Engine: engine})
	require.NoError(t, err)
	assets := generated(t, 600, seed)
	importWithOutcomes(t, engine, w, assets, 200)
	require.NoError(t, w.Close())
	return dir, assets, func() *index.Library {
		r, err := index.Open(index.Options{Dir: dir, Engine: engine, ReadOnly: true})
		require.NoError(t, err)
		t.Cleanup(func() { r.Close() })
		return r
	}
}
