package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/elibtest"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

// TestMaxReplicaLag: a server on a PostgreSQL streaming replica reports
// the replica's lag on /healthz, and with a bound answers checks and
// searches 503 (and /healthz "lagging") while the replica trails its
// primary by more — here while its replay is paused after an import on
// the primary — and serves again once it has caught up.
func TestMaxReplicaLag(t *testing.T) {
	srv, err := pgtest.Start(pgtest.Skip(t))
	require.NoError(t, err)
	defer srv.Close()
	ctx := context.Background()
	url, err := srv.NewDatabase(ctx, "lag")
	require.NoError(t, err)
	require.NoError(t, postgres.Init(ctx, url))
	engine := elibtest.Engine(t)
	primary, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2})
	require.NoError(t, err)
	defer primary.Close()
	_, err = primary.Import(ctx, elibtest.SampleAssets())
	require.NoError(t, err)
	lag, err := primary.ReplicaLag(ctx)
	require.NoError(t, err)
	assert.Zero(t, lag, "a primary never lags")

	rep, err := srv.StartReplica()
	require.NoError(t, err)
	defer rep.Close()
	u, err := neturl.Parse(url)
	require.NoError(t, err)
	repURL := rep.URL(strings.TrimPrefix(u.Path, "/"))
	replica, err := postgres.Open(ctx, postgres.Options{URL: repURL, Engine: engine, Workers: 2})
	require.NoError(t, err)
	defer replica.Close()
	const bound = 300 * time.Millisecond
	s, err := New(Options{Library: replica, Engine: engine, LibraryDesc: "replica", MaxReplicaLag: bound,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	base := runServer(t, s)
	check := func() (int, http.Header, string) {
		return do(t, "POST", base+"/v1/check", "application/json", `{"text":"【钩子】你是不是还在为跑步膝盖疼发愁","format":"txt"}`)
	}
	health := func() (int, map[string]any) {
		status, _, body := do(t, "GET", base+"/healthz", "", "")
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &out), body)
		return status, out
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !ok() {
			require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor("the replica to catch up", func() bool { return elibtest.Must(replica.AssetCount()) == 3 })
	status, out := health()
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", out["status"])
	assert.Contains(t, out, "replica_lag_seconds")
	status, _, body := check()
	require.Equal(t, http.StatusOK, status, body)

	conn, err := pgx.Connect(ctx, repURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `SELECT pg_wal_replay_pause()`)
	require.NoError(t, err)
	more := elibtest.SampleAssets()
	for i := range more {
		more[i].ID = "later/" + more[i].ID
	}
	_, err = primary.Import(ctx, more)
	require.NoError(t, err)
	waitFor("the lag to pass the bound", func() bool {
		lag, err := replica.ReplicaLag(ctx)
		return err == nil && lag > bound+lagSampleInterval
	})
	time.Sleep(lagSampleInterval) // past the server's last reading
	status, hdr, body := check()
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	assert.NotEmpty(t, hdr.Get("Retry-After"))
	assert.Contains(t, body, "replica")
	assert.Contains(t, body, "behind its primary")
	status, _, body = do(t, "GET", base+"/v1/search?q="+neturl.QueryEscape("跑步"), "", "")
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
	status, out = health()
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "lagging", out["status"])
	assert.Greater(t, out["replica_lag_seconds"], bound.Seconds())

	_, err = conn.Exec(ctx, `SELECT pg_wal_replay_resume()`)
	require.NoError(t, err)
	waitFor("the replica to replay the import", func() bool { return elibtest.Must(replica.AssetCount()) == 6 })
	time.Sleep(lagSampleInterval)
	status, _, body = check()
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "later/", "the check sees the import it waited for")
	status, out = health()
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", out["status"])
}
