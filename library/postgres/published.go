package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"elib/library/kit"
)

// Published times (kit.PublishedIndex) are elib_assets.published, written
// with the record at import (a kit.PublishedEntry) and filled for the
// assets of an older library by migration 7 (fillPublished).

var _ kit.PublishedIndex = (*Library)(nil)

// PublishedTimes returns each asset's published time (zero when it has
// none) and whether it is live, reading the record only of an asset whose
// column cannot hold its time.
func (l *Library) PublishedTimes(ids []string) ([]time.Time, []bool, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT id, published FROM elib_assets WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, wrap(l.desc, "published times", err)
	}
	entries := make(map[string]*int64, len(ids))
	for rows.Next() {
		var id string
		var n *int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, nil, wrap(l.desc, "published times", err)
		}
		entries[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, wrap(l.desc, "published times", err)
	}
	times := make([]time.Time, len(ids))
	live := make([]bool, len(ids))
	for i, id := range ids {
		n, ok := entries[id]
		if !ok {
			continue
		}
		live[i] = true
		known := false
		if n != nil {
			times[i], known = kit.PublishedTime(*n)
		}
		if !known {
			a, err := l.Asset(id)
			if err != nil {
				return nil, nil, fmt.Errorf("published times: %w", err)
			}
			times[i], _ = a.Published()
		}
	}
	return times, live, nil
}

// fillPublished sets the published time of every asset of a library
// written before the column (migration 7).
func fillPublished(ctx context.Context, tx pgx.Tx, progress func(step string, done, total int)) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM elib_assets`).Scan(&n); err != nil || n == 0 {
		return err
	}
	progress("published times", 0, n)
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE elib_fill_published (id text, published bigint) ON COMMIT DROP;
		DECLARE elib_fill_published_assets NO SCROLL CURSOR FOR SELECT id, record FROM elib_assets`); err != nil {
		return err
	}
	done := 0
	for {
		rows, err := tx.Query(ctx, `FETCH 2000 FROM elib_fill_published_assets`)
		if err != nil {
			return err
		}
		var fill [][]any
		for rows.Next() {
			var id string
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				rows.Close()
				return err
			}
			var rec kit.AssetRecord
			if err := json.Unmarshal(b, &rec); err != nil {
				rows.Close()
				return fmt.Errorf("stored asset %s: %w", id, err)
			}
			fill = append(fill, []any{id, kit.PublishedEntry(rec.Asset.Published())})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(fill) == 0 {
			break
		}
		done += len(fill)
		progress("published times", done, n)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"elib_fill_published"}, []string{"id", "published"}, pgx.CopyFromRows(fill)); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE elib_assets a SET published = f.published FROM elib_fill_published f WHERE a.id = f.id`)
	return err
}
