package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/boilerplate"
	"elib/fulltext"
	"elib/index/manifest"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// script, sampleAssets and the runs are the shared library test fixture.
var (
	script       = elibtest.Script
	sampleAssets = elibtest.SampleAssets
)

const (
	hookRun  = elibtest.HookRun
	convRun  = elibtest.ConvRun
	testiRun = elibtest.TestiRun
	hookCook = elibtest.HookCook
	storyCar = elibtest.StoryCar
)

func newLib(t testing.TB, noFulltext bool) (*Library, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, Init(dir))
	l, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: noFulltext})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l, dir
}

func candidates(t *testing.T, l *Library, text string) map[string]bool {
	t.Helper()
	e := elibtest.Engine(t)
	fp := e.Fingerprint(text)
	out := map[string]bool{}
	l.Candidates(e.BandKeys(nil, fp.Signature), func(ref uint32) {
		se, err := l.Element(ref)
		require.NoError(t, err)
		out[se.ID] = true
	})
	return out
}

func TestInitAndExists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	assert.False(t, Exists(dir))
	_, err := Open(Options{Dir: dir, ReadOnly: true})
	assert.ErrorIs(t, err, kit.ErrNoLibrary)
	require.NoError(t, Init(dir))
	assert.True(t, Exists(dir))
	assert.ErrorIs(t, Init(dir), kit.ErrExists)
	l, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer l.Close()
	st, err := l.Stats()
	require.NoError(t, err)
	assert.Equal(t, 0, st.Assets)
	assert.Equal(t, 0, st.Elements)
}

func TestImportAndRead(t *testing.T) {
	l, dir := newLib(t, true)
	ctx := context.Background()
	res, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	assert.Equal(t, kit.ImportResult{Assets: 3, Elements: 7}, res)

	check := func(t *testing.T, l *Library) {
		assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
		refs := elibtest.Must(l.AssetElements("run/a.txt"))
		require.Len(t, refs, 3)
		e, err := l.Element(refs[2])
		require.NoError(t, err)
		assert.Equal(t, "run/a.txt#3", e.ID)
		assert.Equal(t, element.Conversion, e.Type)
		assert.Equal(t, convRun, e.Text)
		assert.Equal(t, "跑鞋", e.Title)
		assert.Len(t, e.Signature, 128)
		assert.NotEmpty(t, e.Shingles)
		byID, err := l.ElementByID("run/a.txt#3")
		require.NoError(t, err)
		assert.Equal(t, e.Ref, byID.Ref)
		_, err = l.ElementByID("run/a.txt#4")
		assert.ErrorIs(t, err, kit.ErrNotFound)
		_, err = l.ElementByID("nope#1")
		assert.ErrorIs(t, err, kit.ErrNotFound)

		a, err := l.Asset("car/c.txt")
		require.NoError(t, err)
		assert.Equal(t, "车载充气泵", a.Title)
		assert.Equal(t, "抖音", a.Meta["platform"])
		require.Len(t, a.Elements, 2)
		assert.Equal(t, storyCar, a.Elements[0].Text)
		assert.Equal(t, "推近", a.Elements[0].Attributes["camera"])
		require.NoError(t, a.Validate())
		_, err = l.Asset("missing")
		assert.ErrorIs(t, err, kit.ErrNotFound)

		// A lightly edited copy of the hook finds it through LSH.
		got := candidates(t, l, hookRun+"！")
		assert.True(t, got["run/a.txt#1"], "candidates %v", got)

		st, err := l.Stats()
		require.NoError(t, err)
		assert.Equal(t, 3, st.Assets)
		assert.Equal(t, 7, st.Elements)
		assert.Equal(t, map[element.Type]int{element.Hook: 2, element.Testimonial: 1, element.Conversion: 3, element.Story: 1}, st.ByType)
		assert.Greater(t, st.DiskBytes, int64(0))
	}
	t.Run("writer", func(t *testing.T) { check(t, l) })
	require.NoError(t, l.Close())
	t.Run("reopened read-only", func(t *testing.T) {
		r, err := Open(Options{Dir: dir, ReadOnly: true})
		require.NoError(t, err)
		defer r.Close()
		check(t, r)
	})
}

func TestReimportReplacesAndRemove(t *testing.T) {
	l, dir := newLib(t, true)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	oldRefs := elibtest.Must(l.AssetElements("run/a.txt"))

	// Re-importing the same id replaces it; the batch's last copy wins.
	changed := script("run/a.txt", "跑鞋 v2", "hook", hookCook)
	res, err := l.Import(ctx, []element.Asset{sampleAssets()[0], changed})
	require.NoError(t, err)
	assert.Equal(t, kit.ImportResult{Assets: 1, Elements: 1, Replaced: 1}, res)
	assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
	assert.Equal(t, 5, elibtest.Must(l.ElementCount()))
	for _, r := range oldRefs {
		_, err := l.Element(r)
		assert.ErrorIs(t, err, kit.ErrNotFound, "old element %d must be dead", r)
	}
	got := candidates(t, l, hookRun)
	assert.False(t, got["run/a.txt#1"] && len(got) == 1, "replaced hook must not be found: %v", got)
	assert.True(t, candidates(t, l, hookCook)["run/a.txt#1"])

	n, err := l.Remove(ctx, "cook/b.txt", "car/c.txt#2", "ghost.txt")
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, err, kit.ErrNotFound)
	assert.Contains(t, err.Error(), "ghost.txt")
	assert.Equal(t, 2, elibtest.Must(l.AssetCount()))
	assert.Equal(t, 2, elibtest.Must(l.ElementCount()))
	assert.Equal(t, []uint32{elibtest.Must(l.AssetElements("car/c.txt"))[0]}, elibtest.Must(l.AssetElements("car/c.txt")))
	_, err = l.ElementByID("car/c.txt#2")
	assert.ErrorIs(t, err, kit.ErrNotFound)
	require.NoError(t, l.Close())

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, 2, elibtest.Must(r.AssetCount()))
	assert.Equal(t, 2, elibtest.Must(r.ElementCount()))
	_, err = r.Asset("cook/b.txt")
	assert.ErrorIs(t, err, kit.ErrNotFound)
	a, err := r.Asset("run/a.txt")
	require.NoError(t, err)
	assert.Equal(t, "跑鞋 v2", a.Title)
	assert.True(t, candidates(t, r, hookCook)["run/a.txt#1"])
	_, err = r.Import(context.Background(), sampleAssets())
	assert.ErrorIs(t, err, kit.ErrReadOnly)
}

func TestWriterLock(t *testing.T) {
	l, dir := newLib(t, true)
	_, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("is locked by another writer (pid %d)", os.Getpid()))
	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err, "readers never block")
	require.NoError(t, r.Close())
	require.NoError(t, l.Close())
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	require.NoError(t, w.Close())
}

func TestAllowlistAndSentenceDF(t *testing.T) {
	l, dir := newLib(t, true)
	require.NoError(t, l.AllowlistAdd("理性消费，谨慎下单", " ", "品质生活从这里开始", "理性消费，谨慎下单"))
	require.NoError(t, l.AllowlistRemove("品质生活从这里开始"))
	assert.Equal(t, []string{"理性消费，谨慎下单"}, elibtest.Must(l.Allowlist()))

	slogan := "运动改变生活，专业跑鞋选我们"
	var assets []element.Asset
	for i := 0; i < 4; i++ {
		assets = append(assets, script(fmt.Sprintf("s/%d.txt", i), "", "hook", fmt.Sprintf("第%d个开头完全不一样的内容编号%d", i, i*7), "conversion", "下单立减。"+slogan))
	}
	_, err := l.Import(context.Background(), assets)
	require.NoError(t, err)
	e := elibtest.Engine(t)
	norm := e.Normalizer().Normalize(slogan)
	sents := boilerplate.Sentences(slogan, norm, e.Options().MinRun)
	require.NotEmpty(t, sents)
	assert.Equal(t, 4, l.SentenceDF(sents[0].Hash))
	_, err = l.Remove(context.Background(), "s/0.txt")
	require.NoError(t, err)
	assert.Equal(t, 3, l.SentenceDF(sents[0].Hash))
	require.NoError(t, l.Close())

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, []string{"理性消费，谨慎下单"}, elibtest.Must(r.Allowlist()))
	assert.Equal(t, 3, r.SentenceDF(sents[0].Hash))
}

// twoSegments writes the sample assets into a new file library in two
// imports and closes it: its directory and manifest, two segments.
func twoSegments(t *testing.T) (string, *manifest.Manifest) {
	t.Helper()
	l, dir := newLib(t, true)
	assets := sampleAssets()
	_, err := l.Import(context.Background(), assets[:1])
	require.NoError(t, err)
	_, err = l.Import(context.Background(), assets[1:])
	require.NoError(t, err)
	require.NoError(t, l.Close())
	m, err := manifest.Read(dir)
	require.NoError(t, err)
	require.Len(t, m.Segments, 2)
	return dir, m
}

func TestCorruptSegmentAndRepair(t *testing.T) {
	dir, m := twoSegments(t)
	ctx := context.Background()
	bad := filepath.Join(dir, m.Segments[1].File)
	data, err := os.ReadFile(bad)
	require.NoError(t, err)
	data[len(data)/3] ^= 0x01
	require.NoError(t, os.WriteFile(bad, data, 0o644))

	_, err = Open(Options{Dir: dir, ReadOnly: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad, "the error names the damaged file")
	assert.Contains(t, err.Error(), "corrupt")

	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), Salvage: true, NoFulltext: true})
	require.NoError(t, err)
	assert.NotEmpty(t, w.Damage())
	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	dmg := strings.Join(w.Damage(), "\n")
	assert.Contains(t, dmg, bad)
	require.NoError(t, w.Close())

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err, "the repaired library opens cleanly")
	defer r.Close()
	_, err = r.Asset("run/a.txt")
	assert.NoError(t, err, "assets of healthy segments survive")
	// Assets in the damaged segment survive unless the flipped byte hit
	// their asset block; lost ones are named in the damage report.
	for _, id := range []string{"cook/b.txt", "car/c.txt"} {
		if _, err := r.Asset(id); err != nil {
			assert.Contains(t, dmg, "lost asset "+id)
		}
	}
	_, err = os.Stat(bad)
	assert.True(t, os.IsNotExist(err), "the damaged segment is gone after the reindex")
}

func TestSalvageSkipsUnreadableSegment(t *testing.T) {
	dir, m := twoSegments(t)
	ctx := context.Background()
	bad := filepath.Join(dir, m.Segments[1].File)
	require.NoError(t, os.WriteFile(bad, []byte("garbage"), 0o644))

	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), Salvage: true, NoFulltext: true})
	require.NoError(t, err)
	defer w.Close()
	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	assert.Contains(t, strings.Join(w.Damage(), "\n"), "2 assets, 4 elements lost")
	assert.Equal(t, 1, elibtest.Must(w.AssetCount()))
}

func TestReindexCompactsAndKeepsAnswers(t *testing.T) {
	l, dir := newLib(t, false)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	_, err = l.Import(ctx, []element.Asset{script("cook/b.txt", "牛排锅", "hook", hookCook)})
	require.NoError(t, err)
	_, err = l.Remove(ctx, "car/c.txt#1")
	require.NoError(t, err)

	res, err := l.Search(ctx, fulltext.Query{Text: "膝盖"})
	require.NoError(t, err)
	assert.NotZero(t, res.Total)

	var progress int
	require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{Workers: 2, Progress: func(done, total int) { progress = done }}))
	assert.Equal(t, 5, progress)
	assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
	assert.Equal(t, 5, elibtest.Must(l.ElementCount()))
	st, err := l.Stats()
	require.NoError(t, err)
	assert.Equal(t, 1, st.Segments)
	// The element removed from car/c.txt is gone; the asset's remaining
	// element is renumbered #1.
	e, err := l.ElementByID("car/c.txt#1")
	require.NoError(t, err)
	assert.Equal(t, element.Conversion, e.Type)
	assert.True(t, candidates(t, l, hookRun)["run/a.txt#1"])

	res, err = l.Search(ctx, fulltext.Query{Text: "膝盖"})
	require.NoError(t, err)
	require.NotZero(t, res.Total)
	assert.Equal(t, "run/a.txt", res.Hits[0].AssetID)
	require.NoError(t, l.Close())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.NotContains(t, names, "fulltext", "the old generation's search index is removed")

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, 5, elibtest.Must(r.ElementCount()))
	res, err = r.Search(ctx, fulltext.Query{Text: "牛排"})
	require.NoError(t, err)
	assert.NotZero(t, res.Total)
}

// closedSampleLibrary imports the sample into a new library without a
// search index, closes it and returns its folder and manifest.
func closedSampleLibrary(t *testing.T) (string, *manifest.Manifest) {
	t.Helper()
	l, dir := newLib(t, true)
	_, err := l.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	require.NoError(t, l.Close())
	m, err := manifest.Read(dir)
	require.NoError(t, err)
	return dir, m
}

func TestMissingLSHSnapshotIsRebuilt(t *testing.T) {
	dir, m := closedSampleLibrary(t)
	require.NotNil(t, m.LSH)
	require.NoError(t, os.Remove(filepath.Join(dir, m.LSH.File)))
	require.NoError(t, os.Remove(filepath.Join(dir, m.Sketch.File)))

	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	defer w.Close()
	assert.NotEmpty(t, w.Damage())
	assert.True(t, candidates(t, w, storyCar)["car/c.txt#1"])
}

func TestMemoryLibrary(t *testing.T) {
	ctx := context.Background()
	l, err := Memory(ctx, elibtest.Engine(t), sampleAssets())
	require.NoError(t, err)
	assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
	assert.True(t, candidates(t, l, convRun)["run/a.txt#3"])
	a, err := l.Asset("cook/b.txt")
	require.NoError(t, err)
	assert.Equal(t, hookCook, a.Elements[0].Text)
	res, err := l.Search(ctx, fulltext.Query{Text: "膝盖", Type: "hook"})
	require.NoError(t, err)
	require.Equal(t, uint64(1), res.Total)
	assert.Equal(t, "run/a.txt#1", res.Hits[0].ID)
	n, err := l.Remove(ctx, "run/a.txt")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, candidates(t, l, convRun)["run/a.txt#3"])
	// The same code path as on disk: bleve's facets and highlights, and a
	// reindex that keeps what is live.
	res, err = l.Search(ctx, fulltext.Query{Text: "下单", Facets: true})
	require.NoError(t, err)
	require.NotZero(t, res.Total)
	assert.NotEmpty(t, res.Facets["type"])
	assert.Contains(t, res.Hits[0].Fragments[0], "<mark>")
	require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
	assert.Equal(t, 2, elibtest.Must(l.AssetCount()))
	assert.True(t, candidates(t, l, storyCar)["car/c.txt#1"])
	res2, err := l.Search(ctx, fulltext.Query{Text: "下单", Facets: true})
	require.NoError(t, err)
	assert.Equal(t, res.Total, res2.Total)
	require.NoError(t, l.Close())
}

func TestConcurrentReadersDuringImport(t *testing.T) {
	l, _ := newLib(t, true)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	e := elibtest.Engine(t)
	keys := e.BandKeys(nil, e.Fingerprint(hookRun).Signature)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readErr error
	var mu sync.Mutex
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				found := false
				l.Candidates(keys, func(ref uint32) {
					if se, err := l.Element(ref); err == nil && se.ID == "run/a.txt#1" {
						found = true
					}
				})
				if !found {
					mu.Lock()
					readErr = errors.New("run/a.txt#1 vanished during an import")
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		_, err := l.Import(ctx, []element.Asset{script(fmt.Sprintf("x/%d.txt", i), "", "hook", storyCar+fmt.Sprint(i))})
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
	assert.NoError(t, readErr)
	assert.Equal(t, 8, elibtest.Must(l.AssetCount()))
}

func TestReadersOpenWhileWriterCommits(t *testing.T) {
	l, dir := newLib(t, true)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var opens, failures int
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			r, err := Open(Options{Dir: dir, ReadOnly: true})
			opens++
			if err != nil {
				failures++
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if elibtest.Must(r.AssetCount()) < 3 {
				failures++
			}
			r.Close()
		}
	}()
	for i := 0; i < 30; i++ {
		_, err := l.Import(ctx, []element.Asset{script(fmt.Sprintf("y/%d.txt", i), "", "hook", storyCar+fmt.Sprint(i))})
		require.NoError(t, err)
		if i == 15 {
			require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reader opens during 30 commits and a reindex", opens)
	assert.Zero(t, failures, "first error: %v", firstErr)
}

// TestDamagedIndexSnapshotsAreRebuilt: an LSH or anchor snapshot with a
// byte changed, missing or added fails the manifest's checksum (streamed
// through the decoder, not read whole first), is named in Damage and is
// rebuilt from the store.
func TestDamagedIndexSnapshotsAreRebuilt(t *testing.T) {
	damages := map[string]func([]byte) []byte{
		"flipped":   func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-1] },
		"extended":  func(b []byte) []byte { return append(b, 0) },
		"header":    func(b []byte) []byte { b[0] ^= 0xff; return b },
	}
	for name, damage := range damages {
		for _, which := range []string{"lsh", "anchors"} {
			t.Run(name+"/"+which, func(t *testing.T) {
				dir, m := closedSampleLibrary(t)
				s := m.LSH
				if which == "anchors" {
					s = m.Anchors
				}
				require.NotNil(t, s)
				path := filepath.Join(dir, s.File)
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path, damage(b), 0o644))

				r, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true, ReadOnly: true})
				require.NoError(t, err)
				defer r.Close()
				require.Len(t, r.Damage(), 1)
				assert.Contains(t, r.Damage()[0], s.File+": checksum mismatch")
				assert.True(t, candidates(t, r, storyCar)["car/c.txt#1"])
			})
		}
	}
}
