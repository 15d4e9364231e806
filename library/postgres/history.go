package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"elib/history"
)

var _ history.Store = (*Library)(nil)

// AppendHistory records entries in elib_history in one statement. It is
// not a change of the library: the generation stays, no one is notified.
func (l *Library) AppendHistory(ctx context.Context, entries []history.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	ats := make([]time.Time, 0, len(entries))
	verdicts := make([]string, 0, len(entries))
	bodies := make([]string, 0, len(entries))
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		ats = append(ats, e.Time)
		verdicts = append(verdicts, e.Verdict)
		bodies = append(bodies, string(b))
	}
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	_, err := l.pool.Exec(ctx, `INSERT INTO elib_history (at, verdict, entry)
		SELECT a, v, e::jsonb FROM unnest($1::timestamptz[], $2::text[], $3::text[]) WITH ORDINALITY AS t(a, v, e, n) ORDER BY n`,
		ats, verdicts, bodies)
	return wrap(l.desc, "record check", err)
}

// History returns the recorded checks the filter selects, oldest first.
func (l *Library) History(ctx context.Context, f history.Filter) ([]history.Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	q := `SELECT entry FROM (SELECT seq, at, entry FROM elib_history
		WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at <= $2) AND ($3 = '' OR verdict = $3)
		ORDER BY at DESC, seq DESC LIMIT $4) h ORDER BY at, seq`
	var since, until any
	if !f.Since.IsZero() {
		since = f.Since
	}
	if !f.Until.IsZero() {
		until = f.Until
	}
	var limit any
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := l.pool.Query(ctx, q, since, until, f.Verdict, limit)
	if err != nil {
		return nil, wrap(l.desc, "history", err)
	}
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrap(l.desc, "history", err)
	}
	out := make([]history.Entry, 0, len(bodies))
	for _, b := range bodies {
		var e history.Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("history: stored entry: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}
