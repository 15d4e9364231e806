package postgres

import (
	"cmp"
	"context"
	"elib/internal/i18n/msg"
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"elib/element"
	"elib/library/kit"
)

// writable reports why the library cannot be written, if it cannot.
func (l *Library) writable(op string) error {
	if l.opts.ReadOnly {
		return msg.Errorf("%s: library %s: %w", op, l.desc, kit.ErrReadOnly)
	}
	return nil
}

// write runs fn in one transaction holding the writers' advisory lock, and
// bumps the generation; it notifies listeners on commit.
func (l *Library) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	// A cancelled ctx is the cause of whatever failed after it (pgx may
	// report the connection it closed to stop a COPY instead).
	fail := func(err error) error {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return msg.Errorf("%s library %s: %w (%v)", op, l.desc, cerr, err)
		}
		return wrap(l.desc, op, err)
	}
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.Background())
	var standby bool
	if err := tx.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return fail(err)
	}
	if standby {
		return msg.Errorf("%s library %s: %w: the database is a read-only replica (write to the primary)", op, l.desc, kit.ErrReadOnly)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writerLock); err != nil {
		return fail(err)
	}
	if err := fn(tx); err != nil {
		return fail(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE elib_meta SET value = (value::bigint + 1)::text WHERE key = 'generation'`); err != nil {
		return fail(err)
	}
	if _, err := tx.Exec(ctx, `NOTIFY elib_changes`); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	if op != "packs" {
		l.resyncFootage(ctx)
	}
	return nil
}

// addCount adds delta to a counter of elib_meta.
func addCount(ctx context.Context, tx pgx.Tx, key string, delta int) error {
	if delta == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE elib_meta SET value = (value::bigint + $2)::text WHERE key = $1`, key, delta)
	return err
}

// Import stores assets in one transaction, replacing assets with the same
// id. Elements are fingerprinted in parallel, a chunk ahead of the
// transaction storing them (see prepareAhead).
func (l *Library) Import(ctx context.Context, assets []element.Asset) (kit.ImportResult, error) {
	if err := l.importable(); err != nil {
		return kit.ImportResult{}, err
	}
	batch, err := kit.ImportBatch(assets)
	if err != nil {
		return kit.ImportResult{}, msg.Errorf("import: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return l.store(ctx, assetIDs(batch), l.prepareAhead(ctx, batch, l.opts.Workers, l.opts.Progress))
}

// PrepareImport validates, fingerprints and analyses assets for
// ImportPrepared without touching the database, so it may run while
// another batch is being stored.
func (l *Library) PrepareImport(ctx context.Context, assets []element.Asset) (kit.PreparedImport, error) {
	if err := l.importable(); err != nil {
		return kit.PreparedImport{}, err
	}
	batch, err := kit.ImportBatch(assets)
	if err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	prep, err := kit.Prepare(ctx, l.opts.Engine, batch, kit.PrepareOptions{Workers: l.opts.Workers, Progress: l.opts.Progress, Now: l.opts.Now()})
	if err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	lex, err := l.searchRows(prep)
	if err != nil {
		return kit.PreparedImport{}, msg.Errorf("import: %w", err)
	}
	return kit.PreparedImport{Assets: prep, Extra: lex}, nil
}

// ImportPrepared stores a batch PrepareImport prepared in one transaction,
// as Import does.
func (l *Library) ImportPrepared(ctx context.Context, p kit.PreparedImport) (kit.ImportResult, error) {
	if err := l.importable(); err != nil {
		return kit.ImportResult{}, err
	}
	lex, ok := p.Extra.([][]searchRow)
	if !ok || len(lex) != len(p.Assets) {
		var err error
		if lex, err = l.searchRows(p.Assets); err != nil { // prepared by another library
			return kit.ImportResult{}, msg.Errorf("import: %w", err)
		}
	}
	ids := make([]string, len(p.Assets))
	for i := range p.Assets {
		ids[i] = p.Assets[i].Record.Asset.ID
	}
	chunks := make(chan preparedChunk, 1)
	chunks <- preparedChunk{prep: p.Assets, lex: lex}
	close(chunks)
	return l.store(ctx, ids, chunks)
}

// importable reports why the library cannot import, if it cannot.
func (l *Library) importable() error {
	if err := l.writable("import"); err != nil {
		return err
	}
	if l.opts.Engine == nil {
		return msg.New("import: library opened without a fingerprint engine")
	}
	if err := l.Compatible(l.opts.Engine); err != nil {
		return msg.Errorf("import: %w", err)
	}
	return nil
}

// assetIDs are the ids of assets, in order.
func assetIDs(assets []element.Asset) []string {
	ids := make([]string, len(assets))
	for i := range assets {
		ids[i] = assets[i].ID
	}
	return ids
}

// store writes the chunks of an import of the assets ids (replacing assets
// with those ids) in one transaction.
func (l *Library) store(ctx context.Context, ids []string, chunks <-chan preparedChunk) (kit.ImportResult, error) {
	var res kit.ImportResult
	fp := fingerprintOf(l.opts.Engine)
	err := l.write(ctx, "import", func(tx pgx.Tx) error {
		res = kit.ImportResult{}
		var cur string
		if err := tx.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = 'fingerprint' FOR UPDATE`).Scan(&cur); err != nil {
			return err
		}
		if cur != "" && cur != fp {
			var n string
			if err := tx.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = 'elements'`).Scan(&n); err != nil {
				return err
			}
			if n != "0" {
				return kit.ErrIncompatible
			}
		}
		if cur != fp {
			if _, err := tx.Exec(ctx, `UPDATE elib_meta SET value = $1 WHERE key = 'fingerprint'`, fp); err != nil {
				return err
			}
		}
		replaced, err := l.removeAssets(ctx, tx, ids)
		if err != nil {
			return err
		}
		res.Replaced = replaced
		return l.insertAll(ctx, tx, len(ids), chunks, &res)
	})
	if err != nil {
		return kit.ImportResult{}, err
	}
	l.mu.Lock()
	l.fp, l.params = fp, l.opts.Engine.Bands()
	l.mu.Unlock()
	return res, nil
}

// importChunk is about how many elements prepareAhead fingerprints at a
// time: large enough for COPY to pay off, small enough that the database
// is soon busy.
const importChunk = 1000

// preparedChunk is one chunk of an import, fingerprinted and analysed.
type preparedChunk struct {
	prep []kit.Prepared
	lex  [][]searchRow
	err  error
}

// prepareAhead fingerprints and analyses assets in chunks of about
// importChunk elements on its own goroutine, one chunk ahead of the
// writer, so the database stores one chunk while the next is
// fingerprinted: the two share the machine's cores instead of taking
// turns. The channel closes after the last chunk, after a chunk carrying
// an error, or when ctx is done.
func (l *Library) prepareAhead(ctx context.Context, assets []element.Asset, workers int, progress func(done, total int)) <-chan preparedChunk {
	out := make(chan preparedChunk, 1)
	total := 0
	for i := range assets {
		total += len(assets[i].Elements)
	}
	now := l.opts.Now()
	go func() {
		defer close(out)
		done := 0
		for start := 0; start < len(assets); {
			end, n := start, 0
			for end < len(assets) && (n == 0 || n+len(assets[end].Elements) <= importChunk) {
				n += len(assets[end].Elements)
				end++
			}
			opts := kit.PrepareOptions{Workers: workers, Now: now}
			if progress != nil {
				base := done
				opts.Progress = func(d, _ int) { progress(base+d, total) }
			}
			var c preparedChunk
			c.prep, c.err = kit.Prepare(ctx, l.opts.Engine, assets[start:end], opts)
			if c.err == nil {
				c.lex, c.err = l.searchRows(c.prep)
			}
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
			if c.err != nil {
				return
			}
			done += n
			start = end
		}
	}()
	return out
}

// insertAll inserts the chunks of an import as they arrive, then all
// their postings, and fails unless all want assets arrived.
func (l *Library) insertAll(ctx context.Context, tx pgx.Tx, want int, chunks <-chan preparedChunk, res *kit.ImportResult) error {
	var post postings
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		if err := l.insert(ctx, tx, c.prep, c.lex, &post, res); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if res.Assets != want {
		return msg.Errorf("stored %d of %d assets", res.Assets, want)
	}
	return post.copy(ctx, tx)
}

// insert writes prepared assets with fresh refs, adds them to res and
// their postings to post.
func (l *Library) insert(ctx context.Context, tx pgx.Tx, prep []kit.Prepared, lex [][]searchRow, post *postings, res *kit.ImportResult) error {
	assets, elements := 0, 0
	n := 0
	for i := range prep {
		n += len(prep[i].Elements)
	}
	refs := make([]int64, 0, n)
	if n > 0 {
		rows, err := tx.Query(ctx, `SELECT nextval('elib_ref') FROM generate_series(1, $1)`, n)
		if err != nil {
			return err
		}
		refs, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
	}
	params := l.opts.Engine.Bands()
	var elemRows [][]any
	var assetRows [][]any
	var sentences []int64
	k := 0
	var keys []uint64
	for i := range prep {
		rec := prep[i].Record
		rec.FirstRef = 0
		if len(prep[i].Elements) > 0 {
			rec.FirstRef = uint32(refs[k])
		}
		rec.File = rec.Asset.File
		rec.Footage = nil // in elib_footage
		b, err := json.Marshal(&rec)
		if err != nil {
			return msg.Errorf("asset %s: %w", rec.Asset.ID, err)
		}
		sents := make([]int64, len(rec.Sentences))
		for j, h := range rec.Sentences {
			sents[j] = int64(h)
		}
		sentences = append(sentences, sents...)
		assetRows = append(assetRows, []any{rec.Asset.ID, b, sents, kit.PublishedEntry(rec.Asset.Published())})
		for j := range prep[i].Elements {
			e := &prep[i].Elements[j]
			ref := refs[k]
			k++
			anchors := make([]int64, len(prep[i].Anchors[j]))
			for a, h := range prep[i].Anchors[j] {
				anchors[a] = int64(h)
				post.anchors = append(post.anchors, posting{hkey(0, h), ref})
			}
			elemRows = append(elemRows, append([]any{ref, rec.Asset.ID, e.Index, int16(kit.TypeCode(e.Type)), e.Text, e.Title,
				encodeU32(e.Signature), encodeU64(e.Shingles), anchors}, lex[i][j].values()...))
			keys = params.BandKeys(keys[:0], e.Signature)
			for b, key := range keys {
				post.lsh = append(post.lsh, posting{hkey(b, key), ref})
			}
		}
		assets++
		elements += len(prep[i].Elements)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"elib_assets"}, []string{"id", "record", "sentences", "published"}, pgx.CopyFromRows(assetRows)); err != nil {
		return err
	}
	if err := insertFootage(ctx, tx, prep); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"elib_elements"},
		append([]string{"ref", "asset_id", "idx", "type", "text", "title", "signature", "shingles", "anchors"}, searchColumns...), pgx.CopyFromRows(elemRows)); err != nil {
		return err
	}
	if err := addSentences(ctx, tx, sentences, 1); err != nil {
		return err
	}
	res.Assets += assets
	res.Elements += elements
	if err := addCount(ctx, tx, "assets", assets); err != nil {
		return err
	}
	return addCount(ctx, tx, "elements", elements)
}

// addSentences adds sign to the asset count of every sentence hash (each
// hash once per asset; hashes may repeat across assets).
func addSentences(ctx context.Context, tx pgx.Tx, hashes []int64, sign int) error {
	if len(hashes) == 0 {
		return nil
	}
	// Sorted upserts: concurrent writers are serialised anyway, but a
	// stable order keeps lock acquisition deadlock-free regardless.
	if sign > 0 {
		_, err := tx.Exec(ctx, `INSERT INTO elib_sentence_df (hash, n)
			SELECT h, count(*) FROM unnest($1::bigint[]) h GROUP BY h ORDER BY h
			ON CONFLICT (hash) DO UPDATE SET n = elib_sentence_df.n + EXCLUDED.n`, hashes)
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE elib_sentence_df d SET n = d.n - c.n
		FROM (SELECT h, count(*) AS n FROM unnest($1::bigint[]) h GROUP BY h) c WHERE d.hash = c.h`, hashes); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM elib_sentence_df WHERE hash = ANY($1) AND n <= 0`, hashes)
	return err
}

// posting is one row of a posting table: a key and an element ref.
type posting struct{ key, ref int64 }

// postings are the LSH and anchor postings of one import, stored last.
type postings struct{ lsh, anchors []posting }

// copy stores the postings, each table's in key order: the btree on the
// key then takes its inserts leaf after leaf instead of at random, and the
// more of them one import sorts together, the closer they land
// (benchmarks/RESULTS.md has the difference).
func (p *postings) copy(ctx context.Context, tx pgx.Tx) error {
	for _, t := range []struct {
		table, key string
		rows       []posting
	}{{"elib_lsh", "bkey", p.lsh}, {"elib_anchors", "hkey", p.anchors}} {
		rows := t.rows
		slices.SortFunc(rows, func(a, b posting) int { return cmp.Compare(a.key, b.key) })
		src := pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) { return []any{rows[i].key, rows[i].ref}, nil })
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, []string{t.key, "ref"}, src); err != nil {
			return err
		}
	}
	return nil
}

// hkey is the posting key of band b: the band and the top 32 bits of key,
// what lsh.Index compares.
func hkey(b int, key uint64) int64 { return int64(uint64(b)<<32 | key>>32) }

// killElements removes the postings of elements (their refs and the
// signatures and anchors they were posted under) and marks them dead.
func (l *Library) killElements(ctx context.Context, tx pgx.Tx, where string, args ...any) (int, error) {
	rows, err := tx.Query(ctx, `UPDATE elib_elements SET live = false WHERE live AND `+where+` RETURNING ref, signature, anchors`, args...)
	if err != nil {
		return 0, err
	}
	var lshKeys, lshRefs, anKeys, anRefs []int64
	var killed []uint32
	var keys []uint64
	l.mu.RLock()
	params := l.params
	l.mu.RUnlock()
	for rows.Next() {
		var ref int64
		var sig []byte
		var anchors []int64
		if err := rows.Scan(&ref, &sig, &anchors); err != nil {
			rows.Close()
			return 0, err
		}
		killed = append(killed, uint32(ref))
		keys = params.BandKeys(keys[:0], decodeU32(sig))
		for b, k := range keys {
			lshKeys, lshRefs = append(lshKeys, hkey(b, k)), append(lshRefs, ref)
		}
		for _, h := range anchors {
			anKeys, anRefs = append(anKeys, hkey(0, uint64(h))), append(anRefs, ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(lshKeys) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM elib_lsh p USING unnest($1::bigint[], $2::bigint[]) d(k, r) WHERE p.bkey = d.k AND p.ref = d.r`, lshKeys, lshRefs); err != nil {
			return 0, err
		}
	}
	if len(anKeys) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM elib_anchors p USING unnest($1::bigint[], $2::bigint[]) d(k, r) WHERE p.hkey = d.k AND p.ref = d.r`, anKeys, anRefs); err != nil {
			return 0, err
		}
	}
	for _, r := range killed {
		l.elems.drop(r)
	}
	return len(killed), addCount(ctx, tx, "elements", -len(killed))
}

// removeAssets removes the assets with these ids that exist and returns
// how many there were.
func (l *Library) removeAssets(ctx context.Context, tx pgx.Tx, ids []string) (int, error) {
	rows, err := tx.Query(ctx, `DELETE FROM elib_assets WHERE id = ANY($1) RETURNING id, sentences`, ids)
	if err != nil {
		return 0, err
	}
	var gone []string
	var sentences []int64
	for rows.Next() {
		var id string
		var s []int64
		if err := rows.Scan(&id, &s); err != nil {
			rows.Close()
			return 0, err
		}
		gone = append(gone, id)
		sentences = append(sentences, s...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(gone) == 0 {
		return 0, nil
	}
	if _, err := l.killElements(ctx, tx, `asset_id = ANY($1)`, gone); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM elib_elements WHERE asset_id = ANY($1)`, gone); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM elib_footage WHERE asset_id = ANY($1)`, gone); err != nil {
		return 0, err
	}
	if err := addSentences(ctx, tx, sentences, -1); err != nil {
		return 0, err
	}
	return len(gone), addCount(ctx, tx, "assets", -len(gone))
}

// Remove deletes assets (by asset id) or single elements (by element id
// "<asset id>#<n>") in one transaction and returns how many it removed.
// Unknown ids are reported in an error matching kit.ErrNotFound after
// the known ones are removed.
func (l *Library) Remove(ctx context.Context, assetOrElementIDs ...string) (int, error) {
	if err := l.writable("remove"); err != nil {
		return 0, err
	}
	var missing []string
	removed := 0
	err := l.write(ctx, "remove", func(tx pgx.Tx) error {
		missing, removed = nil, 0
		seen := map[string]bool{}
		for _, id := range assetOrElementIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			n, err := l.removeAssets(ctx, tx, []string{id})
			if err != nil {
				return err
			}
			if n > 0 {
				removed += n
				continue
			}
			if aid, idx, ok := element.SplitElementID(id); ok && !seen[aid] {
				k, err := l.killElements(ctx, tx, `asset_id = $1 AND idx = $2`, aid, idx)
				if err != nil {
					return err
				}
				if k > 0 {
					removed += k
					continue
				}
			}
			missing = append(missing, id)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if len(missing) > 0 {
		return removed, msg.Errorf("remove %s: %w", strings.Join(missing, ", "), kit.ErrNotFound)
	}
	return removed, nil
}

// AllowlistAdd adds boilerplate phrases (trimmed; empty and duplicate
// phrases are ignored).
func (l *Library) AllowlistAdd(phrases ...string) error {
	return l.editAllowlist(`INSERT INTO elib_allowlist (phrase) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, phrases)
}

// AllowlistRemove removes boilerplate phrases.
func (l *Library) AllowlistRemove(phrases ...string) error {
	return l.editAllowlist(`DELETE FROM elib_allowlist WHERE phrase = ANY($1)`, phrases)
}

func (l *Library) editAllowlist(sql string, phrases []string) error {
	if err := l.writable("allowlist"); err != nil {
		return err
	}
	var clean []string
	for _, p := range phrases {
		if p = strings.TrimSpace(p); p != "" {
			clean = append(clean, p)
		}
	}
	return l.write(context.Background(), "allowlist", func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, clean)
		return err
	})
}

// Reindex rebuilds every fingerprint, posting and statistic with the
// current engine, in one transaction (readers keep the old state until it
// commits): from the stored assets, or, with ReindexOptions.From, from the
// files under that directory, read as the file library reads them
// (kit.ReadDir). Files that do not parse are skipped and listed by Damage.
func (l *Library) Reindex(ctx context.Context, opts kit.ReindexOptions) error {
	if err := l.writable("reindex"); err != nil {
		return err
	}
	if l.opts.Engine == nil {
		return msg.New("reindex: library opened without a fingerprint engine")
	}
	var assets []element.Asset
	if opts.From != "" {
		var problems []string
		err := kit.ReadDir(ctx, opts.From, l.opts.Engine.Segmenter(),
			func(a element.Asset) error { assets = append(assets, a); return nil },
			func(p string) { problems = append(problems, p) })
		if err != nil {
			return msg.Errorf("reindex --from %s: %w", opts.From, err)
		}
		l.mu.Lock()
		l.damage = problems
		l.mu.Unlock()
	} else {
		recs, err := l.liveRecords(ctx)
		if err != nil {
			return err
		}
		assets = recs
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := l.prepareAhead(ctx, assets, max(opts.Workers, l.opts.Workers), opts.Progress)
	fp := fingerprintOf(l.opts.Engine)
	err := l.write(ctx, "reindex", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE elib_assets, elib_elements, elib_lsh, elib_anchors, elib_sentence_df, elib_footage`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE elib_meta SET value = CASE key WHEN 'fingerprint' THEN $1 ELSE '0' END
			WHERE key IN ('fingerprint', 'assets', 'elements')`, fp); err != nil {
			return err
		}
		var res kit.ImportResult
		return l.insertAll(ctx, tx, len(assets), chunks, &res)
	})
	if err != nil {
		return err
	}
	l.elems.reset()
	l.mu.Lock()
	l.fp, l.params = fp, l.opts.Engine.Bands()
	l.mu.Unlock()
	return nil
}

// liveRecords returns every live asset with only its live elements.
func (l *Library) liveRecords(ctx context.Context) ([]element.Asset, error) {
	rows, err := l.pool.Query(ctx, `SELECT a.record, coalesce(array_agg(e.idx ORDER BY e.idx) FILTER (WHERE e.live), '{}'),
		(SELECT f.fingerprint FROM elib_footage f WHERE f.asset_id = a.id)
		FROM elib_assets a LEFT JOIN elib_elements e ON e.asset_id = a.id GROUP BY a.id, a.record ORDER BY a.id`)
	if err != nil {
		return nil, wrap(l.desc, "reindex", err)
	}
	defer rows.Close()
	var out []element.Asset
	for rows.Next() {
		var b, fp []byte
		var live []int32
		if err := rows.Scan(&b, &live, &fp); err != nil {
			return nil, wrap(l.desc, "reindex", err)
		}
		var rec kit.AssetRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, msg.Errorf("reindex: stored asset: %w", err)
		}
		a := rec.Asset
		a.File = rec.File
		a.Footage = fp
		a.Elements = nil
		for _, i := range live {
			if int(i) <= len(rec.Asset.Elements) {
				a.Elements = append(a.Elements, rec.Asset.Elements[i-1])
			}
		}
		if len(a.Elements) == 0 {
			continue
		}
		a.Reoffset()
		out = append(out, a)
	}
	return out, wrap(l.desc, "reindex", rows.Err())
}

func encodeU32(v []uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

func decodeU32(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

func encodeU64(v []uint64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return b
}

func decodeU64(b []byte) []uint64 {
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}
