package postgres

import (
	"context"
	"encoding/json"

	"elib/internal/i18n/msg"
	"elib/library/kit"
)

// Stored check outcomes (kit.OutcomeStore) live in elib_outcomes, one row
// per asset (schema version 6). They are derived data: writing them takes
// no writers' lock and changes no generation; insight marks an import's
// stale outcomes before the import's transaction and stores the batch's
// own after it commits, so a process killed in between leaves outcomes
// stale (computed on demand), never wrong.

// outcomeCtx bounds one outcome statement (the interface has no context).
func (l *Library) outcomeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 6*l.opts.Timeout)
}

// Outcomes returns the fresh stored outcome of each asset (nil where none).
func (l *Library) Outcomes(ids []string) ([]*kit.Outcome, error) {
	ctx, cancel := l.outcomeCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT asset_id, outcome FROM elib_outcomes
		WHERE asset_id = ANY($1) AND outcome IS NOT NULL AND computed > stale`, ids)
	if err != nil {
		return nil, wrap(l.desc, "outcomes", err)
	}
	defer rows.Close()
	byID := map[string]*kit.Outcome{}
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, wrap(l.desc, "outcomes", err)
		}
		var o kit.Outcome
		if err := json.Unmarshal(raw, &o); err != nil {
			continue // unreadable: stale
		}
		byID[id] = &o
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(l.desc, "outcomes", err)
	}
	out := make([]*kit.Outcome, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// StoredOutcomes returns every stored outcome, fresh or stale.
func (l *Library) StoredOutcomes() (map[string]kit.StoredOutcome, error) {
	ctx, cancel := l.outcomeCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT asset_id, outcome, computed <= stale FROM elib_outcomes WHERE outcome IS NOT NULL`)
	if err != nil {
		return nil, wrap(l.desc, "outcomes", err)
	}
	defer rows.Close()
	out := map[string]kit.StoredOutcome{}
	for rows.Next() {
		var id string
		var raw []byte
		var stale bool
		if err := rows.Scan(&id, &raw, &stale); err != nil {
			return nil, wrap(l.desc, "outcomes", err)
		}
		var o kit.Outcome
		if json.Unmarshal(raw, &o) == nil {
			out[id] = kit.StoredOutcome{Outcome: &o, Stale: stale}
		}
	}
	return out, wrap(l.desc, "outcomes", rows.Err())
}

// OutcomeSeq returns the last value of elib_outcome_seq (0 before any).
func (l *Library) OutcomeSeq() (uint64, error) {
	ctx, cancel := l.outcomeCtx()
	defer cancel()
	var seq int64
	err := l.pool.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM elib_outcome_seq`).Scan(&seq)
	if err != nil {
		return 0, wrap(l.desc, "outcomes", err)
	}
	return uint64(seq), nil
}

// PutOutcomes stores outcomes computed from the library as it stood after
// sequence since; assets marked stale after since stay stale.
func (l *Library) PutOutcomes(since uint64, outs map[string]*kit.Outcome) error {
	if err := l.writable("outcomes"); err != nil {
		return err
	}
	if len(outs) == 0 {
		return nil
	}
	ids := make([]string, 0, len(outs))
	bodies := make([]string, 0, len(outs))
	for id, o := range outs {
		b, err := json.Marshal(o)
		if err != nil {
			return msg.Errorf("outcomes: %w", err)
		}
		ids, bodies = append(ids, id), append(bodies, string(b))
	}
	ctx, cancel := l.outcomeCtx()
	defer cancel()
	_, err := l.pool.Exec(ctx, `WITH s AS (SELECT nextval('elib_outcome_seq') AS v)
		INSERT INTO elib_outcomes (asset_id, computed, outcome)
		SELECT u.id, s.v, u.body::jsonb FROM unnest($1::text[], $2::text[]) AS u(id, body), s
		ON CONFLICT (asset_id) DO UPDATE SET computed = EXCLUDED.computed, outcome = EXCLUDED.outcome
		WHERE elib_outcomes.stale <= $3`, ids, bodies, int64(since))
	return wrap(l.desc, "outcomes", err)
}

// MarkStale marks the assets' outcomes stale.
func (l *Library) MarkStale(ids []string) error {
	if err := l.writable("outcomes"); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := l.outcomeCtx()
	defer cancel()
	_, err := l.pool.Exec(ctx, `WITH s AS (SELECT nextval('elib_outcome_seq') AS v)
		UPDATE elib_outcomes SET stale = s.v FROM s WHERE asset_id = ANY($1)`, ids)
	return wrap(l.desc, "outcomes", err)
}
