package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library/postgres/pgtest"
)

// TestPostgresMode runs the -postgres mode at a tiny scale, as a user runs
// it (a real PostgreSQL primary and streaming replica, three `elib serve`
// processes of the real binary): a library built once in a kept directory
// and reused, 0 errors in the three loads, the import during the two-server
// load found by checks on server 2 and on the replica server, and the
// replica server's refusal of a write.
func TestPostgresMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the elib binary and starts PostgreSQL and three servers")
	}
	pgtest.Skip(t)
	ctx := context.Background()
	// Not t.TempDir: its parent is closed to the postgres user the server
	// runs as under root.
	keep, err := os.MkdirTemp("", "elib-pgload-test-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(keep) })
	o := options{postgres: true, elements: 1000, clients: 6, requests: 60, scriptChars: 300, importAssets: 3, seed: 1, searchEvery: 4,
		pgFast: true, keep: keep, jsonOut: true}

	// Build once…
	built := o
	built.buildOnly = true
	rep, err := runPostgres(ctx, built, &bytes.Buffer{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, rep.BuiltElements, o.elements)
	assert.GreaterOrEqual(t, rep.Elements, o.elements)

	// …and reuse.
	var out bytes.Buffer
	rep, err = runPostgres(ctx, o, &out)
	require.NoError(t, err, out.String())
	assert.Zero(t, rep.BuiltElements, "the kept library is reused, not built again")
	assert.GreaterOrEqual(t, rep.Elements, o.elements)

	for name, l := range map[string]loadFigures{"one primary": rep.OnePrimary, "two primaries": rep.TwoPrimaries, "replica": rep.Replica} {
		assert.Zero(t, l.Errors, "%s: %s", name, l.FirstError)
		assert.Equal(t, o.requests, l.Requests, name)
		assert.Positive(t, l.Check.Requests, name)
		assert.Positive(t, l.Throughput, name)
		assert.LessOrEqual(t, l.Check.P50Ms, l.Check.P99Ms, name)
	}
	assert.Len(t, rep.TwoPrimaries.Servers, 2)
	require.NotNil(t, rep.Replica.Search, "the replica load searches too")
	assert.Positive(t, rep.Replica.Search.Requests)
	assert.Nil(t, rep.OnePrimary.Search)

	im := rep.Import
	assert.Empty(t, im.Error)
	assert.Equal(t, o.importAssets, im.Assets)
	for name, v := range map[string]visibility{"server 2": im.Server2, "replica": im.Replica} {
		assert.True(t, v.Before, "%s: the probe asset is absent before the import", name)
		assert.True(t, v.Found, "%s: a check finds the import: %s", name, v.Last)
		assert.Positive(t, v.Checks, name)
	}
	assert.GreaterOrEqual(t, im.ReplayMs, 0.0, "the replica replays the import")
	assert.Positive(t, im.WALBytes, "the import wrote WAL")
	assert.GreaterOrEqual(t, im.FPIBytes, int64(0), "pg_waldump read the import's WAL")
	assert.LessOrEqual(t, im.FPIBytes, im.WALBytes)
	assert.Equal(t, o.importAssets, im.Removed, "the run removes what it imported")

	assert.Equal(t, 403, rep.ReplicaWrite.Status)
	assert.Contains(t, rep.ReplicaWrite.Message, "read-only")
	assert.True(t, rep.ReplicaWrite.Refused)

	// -json prints the report.
	var js map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &js), out.String())
	for _, k := range []string{"one_primary", "two_primaries", "replica", "import", "replica_write", "load_average_before"} {
		assert.Contains(t, js, k)
	}
}
