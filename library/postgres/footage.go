package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"elib/fingerprint/footage"
	"elib/library/kit"
)

// The footage fingerprints of video assets live in elib_footage, one row
// per asset (its stored form, package fingerprint/footage), written and
// removed in the transaction that writes or removes the asset. The
// library indexes them in memory (footage.Index) at the first lookup and
// keeps that index in step after its own writes and at every Refresh that
// sees a change: rows whose seq it does not hold are read and added, rows
// gone (or replaced) are dropped; the index is not rebuilt.

// footageState is the in-memory footage index of a PostgreSQL library.
type footageState struct {
	mu     sync.Mutex // serialises syncs
	loaded bool
	idx    *footage.Index
	seq    map[string]int64 // asset id → elib_footage.seq indexed
}

// insertFootage writes the footage rows of prepared assets.
func insertFootage(ctx context.Context, tx pgx.Tx, prep []kit.Prepared) error {
	var rows [][]any
	for i := range prep {
		if fp := prep[i].Record.Footage; len(fp) > 0 {
			rows = append(rows, []any{prep[i].Record.Asset.ID, fp})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"elib_footage"}, []string{"asset_id", "fingerprint"}, pgx.CopyFromRows(rows))
	return err
}

// syncFootage brings the in-memory index up to date with elib_footage
// (loading it the first time).
func (l *Library) syncFootage(ctx context.Context) error {
	fs := &l.foot
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.idx == nil {
		fs.idx = footage.NewIndex()
		fs.seq = map[string]int64{}
	}
	rows, err := l.pool.Query(ctx, `SELECT asset_id, seq FROM elib_footage`)
	if err != nil {
		return wrap(l.desc, "read footage", err)
	}
	present := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			rows.Close()
			return wrap(l.desc, "read footage", err)
		}
		present[id] = seq
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(l.desc, "read footage", err)
	}
	for id, seq := range fs.seq {
		if present[id] != seq {
			fs.idx.Remove(id)
			delete(fs.seq, id)
		}
	}
	var want []string
	for id, seq := range present {
		if have, ok := fs.seq[id]; !ok || have != seq {
			want = append(want, id)
		}
	}
	if len(want) > 0 {
		// The first load adds every row in bulk and packs once; later
		// syncs add only the new and replaced rows, which the index keeps
		// in its per-word maps beside the packed buckets (it packs again
		// by itself only when those grow past its limit).
		first := fs.idx.Len() == 0
		if first {
			fs.idx.Bulk()
		}
		rows, err := l.pool.Query(ctx, `SELECT asset_id, seq, fingerprint FROM elib_footage WHERE asset_id = ANY($1)`, want)
		if err != nil {
			return wrap(l.desc, "read footage", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var seq int64
			var b []byte
			if err := rows.Scan(&id, &seq, &b); err != nil {
				return wrap(l.desc, "read footage", err)
			}
			if err := fs.idx.AddEncoded(id, b); err != nil {
				return fmt.Errorf("footage of asset %s: %w", id, err)
			}
			fs.seq[id] = seq
		}
		if err := rows.Err(); err != nil {
			return wrap(l.desc, "read footage", err)
		}
		if first {
			fs.idx.Compact()
		}
	}
	fs.loaded = true
	return nil
}

// resyncFootage follows a change when the index is loaded; after a
// failure the index is not loaded, so the next lookup syncs again (and
// returns the error if that fails too).
func (l *Library) resyncFootage(ctx context.Context) {
	l.foot.mu.Lock()
	loaded := l.foot.loaded
	if loaded {
		l.foot.loaded = false // until the sync succeeds
	}
	l.foot.mu.Unlock()
	if !loaded {
		return
	}
	_ = l.syncFootage(ctx) // on failure the next lookup syncs again
}

// FootageLookup finds the library videos whose footage the probed
// fingerprint q shows (see footage.Index.Lookup), syncing the in-memory
// index with elib_footage first when a change left it behind.
func (l *Library) FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) (footage.Result, error) {
	l.foot.mu.Lock()
	loaded := l.foot.loaded
	l.foot.mu.Unlock()
	if !loaded {
		ctx, cancel := context.WithTimeout(context.Background(), 10*l.opts.Timeout)
		err := l.syncFootage(ctx)
		cancel()
		if err != nil {
			return footage.Result{}, err
		}
	}
	l.foot.mu.Lock()
	x := l.foot.idx
	l.foot.mu.Unlock()
	return x.Lookup(q, opts), nil
}

// FootageVideos is the number of video assets with footage fingerprints.
func (l *Library) FootageVideos() (int, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	var n int
	if err := l.pool.QueryRow(ctx, `SELECT count(*) FROM elib_footage`).Scan(&n); err != nil {
		return 0, wrap(l.desc, "read footage", err)
	}
	return n, nil
}
