package postgres_test

import (
	"context"
	"elib/internal/elibtest"
	"fmt"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/wordseg"
	"elib/fulltext"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

var (
	engineOnce sync.Once
	testEngine *fingerprint.Engine
	engineErr  error
)

func engine(t testing.TB) *fingerprint.Engine {
	t.Helper()
	engineOnce.Do(func() {
		seg, err := wordseg.Default()
		if err != nil {
			engineErr = err
			return
		}
		testEngine, engineErr = fingerprint.New(fingerprint.Options{}, seg)
	})
	require.NoError(t, engineErr)
	return testEngine
}

func open(t *testing.T, url string) *postgres.Library {
	t.Helper()
	l, err := postgres.Open(context.Background(), postgres.Options{URL: url, Engine: engine(t), Workers: 2})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l
}

func newLibrary(t *testing.T) (*postgres.Library, string) {
	t.Helper()
	url := pgtest.Database(t)
	require.NoError(t, postgres.Init(context.Background(), url))
	return open(t, url), url
}

// assets returns n distinct assets with ids prefix-i.
func assets(prefix string, n int) []element.Asset {
	out := make([]element.Asset, n)
	for i := range out {
		a := element.Asset{ID: fmt.Sprintf("%s-%03d", prefix, i), Title: "标题" + prefix}
		a.Elements = []element.Element{
			{Type: "hook", Text: fmt.Sprintf("第%d个钩子：你是不是还在为%s发愁，每天都睡不好觉", i, prefix)},
			{Type: "conversion", Text: fmt.Sprintf("点击链接下单%s，今天立减%d元，限时三天", prefix, i)},
		}
		a.Reoffset()
		out[i] = a
	}
	return out
}

// TestConcurrentImporters: several importers (each its own connection
// pool, as separate processes would be) lose nothing.
func TestConcurrentImporters(t *testing.T) {
	_, url := newLibrary(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := open(t, url)
			for b := 0; b < 3; b++ {
				batch := assets(fmt.Sprintf("w%d-b%d", w, b), 10)
				// Every importer also replaces one shared asset.
				batch = append(batch, assets("shared", 1)...)
				if _, err := l.Import(context.Background(), batch); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	l := open(t, url)
	assert.Equal(t, 4*3*10+1, elibtest.Must(l.AssetCount()))
	assert.Equal(t, 2*(4*3*10+1), elibtest.Must(l.ElementCount()))
	assert.Len(t, elibtest.Must(l.AssetIDs()), 4*3*10+1)
	assert.Len(t, elibtest.Must(l.AssetElements("shared-000")), 2)
	st, err := l.Stats()
	require.NoError(t, err)
	assert.Equal(t, 2*(4*3*10+1), st.ByType["hook"]+st.ByType["conversion"])
}

// TestImportIsOneTransaction: an import cancelled midway leaves nothing.
func TestImportIsOneTransaction(t *testing.T) {
	l, _ := newLibrary(t)
	_, err := l.Import(context.Background(), assets("keep", 5))
	require.NoError(t, err)
	for _, after := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 80 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), after)
		_, err := l.Import(ctx, assets(fmt.Sprintf("big%d", after), 400))
		cancel()
		n := elibtest.Must(l.AssetCount())
		if err != nil {
			assert.Equal(t, 5, n, "a failed import leaves nothing (after %v)", after)
		} else {
			assert.Equal(t, 405, n)
			_, err := l.Remove(context.Background(), elibtest.Must(l.AssetIDs())[5:]...)
			require.NoError(t, err)
		}
		assert.Equal(t, 2*elibtest.Must(l.AssetCount()), elibtest.Must(l.ElementCount()))
	}
}

// TestImportInChunks: an import larger than one fingerprinting chunk
// stores every asset whole; cancelled while a later chunk is being
// fingerprinted (earlier chunks already sent to the database), it leaves
// nothing.
func TestImportInChunks(t *testing.T) {
	url := pgtest.Database(t)
	require.NoError(t, postgres.Init(context.Background(), url))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := postgres.Open(context.Background(), postgres.Options{URL: url, Engine: engine(t), Workers: 2,
		Progress: func(done, total int) {
			if done > 1500 { // the second chunk: the first is being stored
				cancel()
			}
		}})
	require.NoError(t, err)
	defer l.Close()
	big := assets("chunked", 1500) // 3,000 elements
	_, err = l.Import(ctx, big)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, elibtest.Must(l.AssetCount()))
	assert.Zero(t, elibtest.Must(l.ElementCount()))
	assert.Empty(t, elibtest.Must(l.AssetIDs()))

	whole := open(t, url)
	res, err := whole.Import(context.Background(), big)
	require.NoError(t, err)
	assert.Equal(t, 1500, res.Assets)
	assert.Equal(t, 3000, res.Elements)
	assert.Equal(t, 3000, elibtest.Must(whole.ElementCount()))
	for _, id := range []string{"chunked-000", "chunked-499", "chunked-500", "chunked-1499"} {
		refs := elibtest.Must(whole.AssetElements(id))
		require.Len(t, refs, 2, id)
		a, err := whole.Asset(id)
		require.NoError(t, err)
		e, err := whole.Element(refs[1])
		require.NoError(t, err)
		assert.Equal(t, a.Elements[1].Text, e.Text, id)
	}
}

// TestChangesAnnounceCommits: another process's commits reach Changes
// (LISTEN/NOTIFY), also after a database restart; cancelling closes it.
func TestChangesAnnounceCommits(t *testing.T) {
	srv, err := pgtest.Start(pgtest.Skip(t))
	require.NoError(t, err)
	defer srv.Close()
	url, err := srv.NewDatabase(context.Background(), "changes")
	require.NoError(t, err)
	require.NoError(t, postgres.Init(context.Background(), url))
	follower, writer := open(t, url), open(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	changes := follower.Changes(ctx)
	// A commit before the listener is up is not announced, so commit until
	// one is (the first writes after a restart fail on broken connections).
	announced := func(write func() error) bool {
		for try := 0; try < 20; try++ {
			if err := write(); err != nil {
				time.Sleep(250 * time.Millisecond)
				continue
			}
			select {
			case <-changes:
				return true
			case <-time.After(250 * time.Millisecond):
			}
		}
		return false
	}
	assert.True(t, announced(func() error { return writer.AllowlistAdd("限时两小时") }))
	_, err = writer.Import(context.Background(), assets("n", 1))
	require.NoError(t, err)
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("an import was not announced")
	}

	require.NoError(t, srv.Restart())
	assert.True(t, announced(func() error { return writer.AllowlistAdd("第二盏半价") }), "announced after a restart")

	cancel()
	for range changes { // drains and ends: the channel closes
	}
}

// TestRestartRecovers: with the database down, calls fail with a clear
// error (the reads a check makes too, each naming the library); once it
// is back, the same Library works again.
func TestRestartRecovers(t *testing.T) {
	bin := pgtest.Skip(t)
	srv, err := pgtest.Start(bin)
	require.NoError(t, err)
	defer srv.Close()
	url, err := srv.NewDatabase(context.Background(), "restart")
	require.NoError(t, err)
	require.NoError(t, postgres.Init(context.Background(), url))
	l := open(t, url)
	_, err = l.Import(context.Background(), assets("a", 3))
	require.NoError(t, err)

	srv.Stop()
	_, err = l.Import(context.Background(), assets("b", 3))
	require.Error(t, err)
	assert.Regexp(t, `library postgres://.*(unreachable|unavailable)`, err.Error())
	_, err = l.AssetCount()
	assert.ErrorContains(t, err, "postgres://", "a failed read returns its error")
	err = l.CandidateCounts([]uint64{1, 2}, func(uint32, int) {})
	assert.Regexp(t, `read candidates library postgres://.*(unreachable|unavailable)`, err)
	_, err = l.AnchorHolders([]uint64{1}, 4, func(int, uint32) {})
	assert.ErrorContains(t, err, "postgres://")

	require.NoError(t, srv.Restart())
	assert.Equal(t, 3, elibtest.Must(l.AssetCount()))
	_, err = l.Import(context.Background(), assets("b", 3))
	require.NoError(t, err)
	assert.Equal(t, 6, elibtest.Must(l.AssetCount()))
}

// TestNewerSchemaRefused: a database migrated by a newer elib is refused
// with a message that says so.
func TestNewerSchemaRefused(t *testing.T) {
	_, url := newLibrary(t)
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	_, err = conn.Exec(context.Background(), `UPDATE elib_meta SET value = '999' WHERE key = 'schema_version'`)
	require.NoError(t, err)
	conn.Close(context.Background())
	_, err = postgres.Open(context.Background(), postgres.Options{URL: url})
	require.ErrorIs(t, err, postgres.ErrNewerSchema)
	assert.Contains(t, err.Error(), "upgrade elib")
	assert.ErrorIs(t, postgres.Init(context.Background(), url), postgres.ErrNewerSchema)
}

// TestNoSchema: a database without the schema asks for elib init.
func TestNoSchema(t *testing.T) {
	url := pgtest.Database(t)
	_, err := postgres.Open(context.Background(), postgres.Options{URL: url})
	require.ErrorIs(t, err, kit.ErrNoLibrary)
	assert.Contains(t, err.Error(), "elib init")
}

// TestMigratesOlderSchema: a database at schema 1 is refused by Open with
// "run elib init", and Init migrates it to the current version, keeping
// its data and filling the search columns of migration 3 for the elements
// already there: searches answer as before.
func TestMigratesOlderSchema(t *testing.T) {
	ctx := context.Background()
	l, url := newLibrary(t)
	batch := assets("old", 2)
	batch[0].Meta = map[string]any{"platform": "抖音", "plays": "1.2万", "published": "2026-11-03"}
	batch[0].Elements[0].Attributes = map[string]any{"camera": "推近", "bgm_bpm": 128}
	_, err := l.Import(ctx, batch)
	require.NoError(t, err)
	queries := []fulltext.Query{
		{Text: "下单", Facets: true},
		{Text: "钩子 睡不好", Where: []fulltext.Filter{{Key: "camera", Value: "推近"}}},
		{Where: []fulltext.Filter{{Key: "platform", Value: "抖音"}}, Sort: fulltext.SortPlays, Facets: true},
		{Text: "old", BPM: &fulltext.Range{Lo: 120, Hi: 130}},
	}
	search := func(l *postgres.Library) []*fulltext.Result {
		var out []*fulltext.Result
		for _, q := range queries {
			res, err := l.Search(ctx, q)
			require.NoError(t, err)
			res.Took = 0
			out = append(out, res)
		}
		return out
	}
	before := search(l)
	require.Positive(t, before[0].Total)
	require.Positive(t, before[2].Total)

	require.NoError(t, pgtest.DowngradeToSchema1(ctx, url))
	_, err = postgres.Open(ctx, postgres.Options{URL: url})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run elib init to migrate it")
	var steps []string
	done, total := map[string]int{}, map[string]int{}
	from, err := postgres.InitWith(ctx, url, postgres.InitOptions{Progress: func(step string, d, n int) {
		steps, done[step], total[step] = append(steps, step), d, n
	}})
	require.NoError(t, err)
	assert.Equal(t, 1, from, "the schema version found")
	require.NotEmpty(t, steps)
	assert.Equal(t, "search terms", steps[0])
	assert.Equal(t, 4, total["search terms"], "two assets of two elements")
	assert.Equal(t, 2, total["published times"], "two assets")
	assert.Equal(t, total, done, "the progress reaches the total")
	l2 := open(t, url)
	assert.Equal(t, 2, elibtest.Must(l2.AssetCount()))
	assert.Empty(t, elibtest.Must(l2.Packs()))
	assert.Equal(t, before, search(l2), "the migration filled the search columns")
	ids := []string{batch[0].ID, batch[1].ID, "gone"}
	times, live, err := l2.PublishedTimes(ids)
	require.NoError(t, err)
	assert.Equal(t, []bool{true, true, false}, live)
	for i, id := range ids[:2] {
		a, err := l2.Asset(id)
		require.NoError(t, err)
		want, _ := a.Published()
		assert.True(t, want.Equal(times[i]), "the migration filled %s's published time: %v, want %v", id, times[i], want)
	}
}

// TestReplicaServesReadsRefusesWrites: a streaming replica (pg_basebackup
// -R) serves reads and searches of what the primary committed and refuses
// writes with a message that says so.
func TestReplicaServesReadsRefusesWrites(t *testing.T) {
	srv, err := pgtest.Start(pgtest.Skip(t))
	require.NoError(t, err)
	defer srv.Close()
	url, err := srv.NewDatabase(context.Background(), "primary")
	require.NoError(t, err)
	require.NoError(t, postgres.Init(context.Background(), url))
	primary := open(t, url)
	_, err = primary.Import(context.Background(), assets("p", 3))
	require.NoError(t, err)

	rep, err := srv.StartReplica()
	require.NoError(t, err)
	defer rep.Close()
	u, err := neturl.Parse(url)
	require.NoError(t, err)
	replica := open(t, rep.URL(strings.TrimPrefix(u.Path, "/")))
	assert.Equal(t, 3, elibtest.Must(replica.AssetCount()))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	replicaChanges := replica.Changes(ctx) // a replica cannot LISTEN: never fires

	_, err = primary.Import(context.Background(), assets("q", 2))
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for elibtest.Must(replica.AssetCount()) != 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, 5, elibtest.Must(replica.AssetCount()), "the replica follows the primary")
	res, err := replica.Search(context.Background(), fulltext.Query{Text: "下单"})
	require.NoError(t, err)
	assert.Equal(t, uint64(5), res.Total)
	select {
	case <-replicaChanges:
		t.Fatal("a replica's Changes fired")
	default:
	}

	_, err = replica.Import(context.Background(), assets("r", 1))
	require.ErrorIs(t, err, kit.ErrReadOnly)
	assert.Contains(t, err.Error(), "read-only replica")
	assert.ErrorIs(t, replica.AllowlistAdd("x"), kit.ErrReadOnly)
}
