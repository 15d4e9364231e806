package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema versions in order: migrations[i] moves a
// database from version i to i+1. Never edit a released one; append.
var migrations = []string{
	// 1: the library.
	`CREATE TABLE elib_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE elib_ref AS bigint MINVALUE 0 START WITH 0 MAXVALUE 4294967294;
CREATE TABLE elib_assets (
	id text PRIMARY KEY,
	record bytea NOT NULL,
	sentences bigint[] NOT NULL,
	imported timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE elib_elements (
	ref bigint PRIMARY KEY,
	asset_id text NOT NULL,
	idx integer NOT NULL,
	type smallint NOT NULL,
	live boolean NOT NULL DEFAULT true,
	text text NOT NULL,
	title text NOT NULL,
	signature bytea NOT NULL,
	shingles bytea NOT NULL,
	anchors bigint[] NOT NULL,
	lexemes text[] NOT NULL,
	tsv tsvector GENERATED ALWAYS AS (array_to_tsvector(lexemes)) STORED
);
CREATE INDEX elib_elements_asset ON elib_elements (asset_id, idx);
CREATE INDEX elib_elements_tsv ON elib_elements USING gin (tsv);
CREATE TABLE elib_lsh (bkey bigint NOT NULL, ref bigint NOT NULL);
CREATE INDEX elib_lsh_bkey ON elib_lsh (bkey) INCLUDE (ref);
CREATE TABLE elib_anchors (hkey bigint NOT NULL, ref bigint NOT NULL);
CREATE INDEX elib_anchors_hkey ON elib_anchors (hkey) INCLUDE (ref);
CREATE TABLE elib_sentence_df (hash bigint PRIMARY KEY, n integer NOT NULL);
CREATE TABLE elib_allowlist (phrase text PRIMARY KEY);
INSERT INTO elib_meta (key, value) VALUES ('generation', '0'), ('assets', '0'), ('elements', '0'), ('fingerprint', '');`,
	// 2: creator packs (package pack), oldest first by seq.
	`CREATE TABLE elib_packs (seq bigserial, id text PRIMARY KEY, body bytea NOT NULL);`,
	// 3: search in SQL (search.go, searchRow): each element's terms by
	// field, filter and facet terms, BPM, plays and published time; filled
	// for the elements already there by fills[3].
	`ALTER TABLE elib_elements
	ADD COLUMN text_terms text[], ADD COLUMN title_terms text[],
	ADD COLUMN filter_terms text[], ADD COLUMN facet_terms text[],
	ADD COLUMN bpm double precision, ADD COLUMN plays double precision, ADD COLUMN published bigint;
CREATE INDEX elib_elements_filter ON elib_elements USING gin (filter_terms);`,
	// 4: the check history (history.go): one row per checked asset,
	// appended by `elib serve` and `elib check --record`; reindex and
	// import never touch it.
	`CREATE TABLE elib_history (
	seq bigserial PRIMARY KEY,
	at timestamptz NOT NULL,
	verdict text NOT NULL,
	entry jsonb NOT NULL
);
CREATE INDEX elib_history_at ON elib_history (at);`,
	// 5: footage fingerprints of video assets (footage.go): one row per
	// asset, its stored form; seq changes whenever the row is written.
	`CREATE TABLE elib_footage (
	asset_id text PRIMARY KEY,
	seq bigserial NOT NULL,
	fingerprint bytea NOT NULL
);`,
	// 6: stored check outcomes (outcomes.go, kit.Outcome): one row per
	// asset; computed and stale are values of elib_outcome_seq, the row is
	// fresh while computed > stale. A library migrated to this version has
	// none: every asset's outcome is computed on demand.
	`CREATE SEQUENCE elib_outcome_seq AS bigint;
CREATE TABLE elib_outcomes (
	asset_id text PRIMARY KEY,
	computed bigint NOT NULL DEFAULT 0,
	stale bigint NOT NULL DEFAULT 0,
	outcome jsonb
);`,
	// 7: each asset's published time (kit.PublishedIndex: a
	// kit.PublishedEntry; NULL: read the record), so that stats select a
	// period without decoding records; filled by fills[7].
	`ALTER TABLE elib_assets ADD COLUMN published bigint;`,
}

// fills complete migrations with what SQL cannot compute (gojieba terms,
// the search rules of package fulltext): fills[v] runs, in Init's
// transaction, right after the migration to version v, on a database
// that held a library before it.
var fills = map[int]func(ctx context.Context, tx pgx.Tx, progress func(step string, done, total int)) error{
	3: fillSearchColumns,
	7: fillPublished,
}

// runFills runs the fills of the migrations from version from upward;
// progress (optional) follows them.
func runFills(ctx context.Context, tx pgx.Tx, from int, progress func(step string, done, total int)) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if from == 0 {
		return nil // a new library: nothing to fill
	}
	for v := from + 1; v <= SchemaVersion; v++ {
		if f := fills[v]; f != nil {
			if err := f(ctx, tx, progress); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
		}
	}
	return nil
}

// SchemaVersion is the schema version this binary writes and reads.
var SchemaVersion = len(migrations)
