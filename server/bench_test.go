package server

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// BenchmarkServeCheck is the server's check path under a parallel load:
// POST /v1/check through the whole handler (guards, slots, parsing, the
// check, the JSON reply) from GOMAXPROCS×4 goroutines, over the embedded
// sample library imported into a file library — or, with
// $ELIB_BENCH_LIBRARY, over that library (e.g. one benchmarks/library
// built at 100k elements). A regression on the check or server path shows
// here before anyone runs benchmarks/load; compare with benchstat.
func BenchmarkServeCheck(b *testing.B) {
	var lib kit.Library
	if dir := os.Getenv("ELIB_BENCH_LIBRARY"); dir != "" {
		l, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
		require.NoError(b, err)
		b.Cleanup(func() { l.Close() })
		lib = l
	} else {
		lib = sampleFileLibrary(b)
	}
	s, err := New(Options{Library: lib, Engine: elibtest.Engine(b), LibraryDesc: "bench",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "bench"})
	require.NoError(b, err)
	var bodies [][]byte
	for _, name := range corpus.ExampleScripts() {
		data, err := fs.ReadFile(corpus.Examples(), name)
		require.NoError(b, err)
		body, err := json.Marshal(map[string]string{"text": string(data), "format": "md", "id": name})
		require.NoError(b, err)
		bodies = append(bodies, body)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/check", bytes.NewReader(bodies[i%len(bodies)]))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("POST /v1/check: %d %s", rec.Code, rec.Body.String())
				return
			}
			i++
		}
	})
}

// sampleFileLibrary is the embedded sample library imported into a file
// library, open read-only as `elib serve` opens a library without a token.
func sampleFileLibrary(b *testing.B) kit.Library {
	assets, err := corpus.SampleAssets()
	require.NoError(b, err)
	dir := b.TempDir() + "/lib"
	require.NoError(b, index.Init(dir))
	w, err := index.Open(index.Options{Dir: dir, Engine: elibtest.Engine(b), NoFulltext: true})
	require.NoError(b, err)
	_, err = w.Import(b.Context(), assets)
	require.NoError(b, err)
	require.NoError(b, w.Close())
	l, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
	require.NoError(b, err)
	b.Cleanup(func() { l.Close() })
	return l
}
