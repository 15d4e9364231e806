package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"elib/library/kit"
)

// ReadMeta returns the value of key in the library's elib_meta table ("",
// nil when it has none), for settings every command reads before it opens
// the library (the team's time zone).
func ReadMeta(ctx context.Context, url, key string) (string, error) {
	pool, err := connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	v, err := schemaVersion(ctx, pool)
	if err != nil {
		return "", wrap(Redact(url), "read", err)
	}
	if v == 0 {
		return "", nil
	}
	var value string
	err = pool.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", wrap(Redact(url), "read", err)
	}
	return value, nil
}

// WriteMeta sets key to value in the library's elib_meta table.
func WriteMeta(ctx context.Context, url, key, value string) error {
	pool, err := connect(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	desc := Redact(url)
	v, err := schemaVersion(ctx, pool)
	if err != nil {
		return wrap(desc, "write", err)
	}
	if v == 0 {
		return wrap(desc, "write", kit.ErrNoLibrary)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO elib_meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, value); err != nil {
		return wrap(desc, "write", err)
	}
	return nil
}
