package postgres

import (
	"context"
	"elib/internal/i18n/msg"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"elib/library/kit"
)

// Packs returns the library's creator packs, oldest first.
func (l *Library) Packs() ([]kit.Pack, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT body FROM elib_packs ORDER BY seq`)
	if err != nil {
		return nil, wrap(l.desc, "read packs", err)
	}
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrap(l.desc, "read packs", err)
	}
	out := make([]kit.Pack, 0, len(bodies))
	for _, b := range bodies {
		var p kit.Pack
		if json.Unmarshal(b, &p) == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Pack returns the pack id (kit.ErrNotFound when there is none).
func (l *Library) Pack(id string) (kit.Pack, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	var b []byte
	err := l.pool.QueryRow(ctx, `SELECT body FROM elib_packs WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return kit.Pack{}, msg.Errorf("pack %q: %w", id, kit.ErrNotFound)
	}
	if err != nil {
		return kit.Pack{}, wrap(l.desc, "read pack", err)
	}
	var p kit.Pack
	if err := json.Unmarshal(b, &p); err != nil {
		return kit.Pack{}, msg.Errorf("pack %q: stored pack: %w", id, err)
	}
	return p, nil
}

// PackAdd stores p in one transaction. An empty p.ID gets the next free
// "pack-N"; the id is returned (kit.ErrPackExists for an id in use).
func (l *Library) PackAdd(p kit.Pack) (string, error) {
	if err := l.writable("packs"); err != nil {
		return "", err
	}
	ctx := context.Background()
	var id string
	err := l.write(ctx, "packs", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM elib_packs`)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		next := 1
		for _, q := range ids {
			if p.ID != "" && q == p.ID {
				return msg.Errorf("pack %q: %w", p.ID, kit.ErrPackExists)
			}
			if n, err := strconv.Atoi(strings.TrimPrefix(q, "pack-")); err == nil && strings.HasPrefix(q, "pack-") {
				next = max(next, n+1)
			}
		}
		q := p
		if q.ID == "" {
			q.ID = "pack-" + strconv.Itoa(next)
		}
		b, err := json.Marshal(q)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO elib_packs (id, body) VALUES ($1, $2)`, q.ID, b); err != nil {
			return err
		}
		id = q.ID
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// PackRemove removes the pack id (kit.ErrNotFound when there is none).
func (l *Library) PackRemove(id string) error {
	if err := l.writable("packs"); err != nil {
		return err
	}
	ctx := context.Background()
	return l.write(ctx, "packs", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM elib_packs WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return msg.Errorf("pack %q: %w", id, kit.ErrNotFound)
		}
		return nil
	})
}
