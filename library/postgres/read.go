package postgres

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"

	"elib/element"
	"elib/library/kit"
)

// CandidateCounts reports every live element sharing an LSH band key with
// keys (band i % Bands for keys[i]), with the number of keys it shares, in
// ref order: one query for all of a check's keys.
func (l *Library) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if len(keys) == 0 {
		return nil
	}
	l.mu.RLock()
	nb := max(1, l.params.Bands)
	l.mu.RUnlock()
	bkeys := make([]int64, len(keys))
	for i, k := range keys {
		bkeys[i] = hkey(i%nb, k)
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT p.ref, count(*) FROM unnest($1::bigint[]) k(bkey)
		JOIN elib_lsh p ON p.bkey = k.bkey GROUP BY p.ref ORDER BY p.ref`, bkeys)
	if err != nil {
		return wrap(l.desc, "read candidates", err)
	}
	type hit struct {
		ref int64
		n   int64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.ref, &h.n); err != nil {
			rows.Close()
			return wrap(l.desc, "read candidates", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap(l.desc, "read candidates", err)
	}
	for _, h := range hits {
		fn(uint32(h.ref), int(h.n))
	}
	return nil
}

// AnchorHolders calls fn(i, ref) for up to limit live elements (lowest refs
// first) holding anchor hashes[i], and returns how many hold each.
func (l *Library) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	counts := make([]int, len(hashes))
	if len(hashes) == 0 {
		return counts, nil
	}
	hk := make([]int64, len(hashes))
	for i, h := range hashes {
		hk[i] = hkey(0, h)
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	// Per anchor: its exact holder count (an index-only count) and its
	// lowest refs (a top-N of the same entries), not a sort of them all.
	rows, err := l.pool.Query(ctx, `SELECT k.i, c.n, h.refs FROM unnest($1::bigint[]) WITH ORDINALITY k(hkey, i)
		CROSS JOIN LATERAL (SELECT count(*) AS n FROM elib_anchors p WHERE p.hkey = k.hkey) c
		CROSS JOIN LATERAL (SELECT coalesce(array_agg(ref ORDER BY ref), '{}') AS refs FROM
			(SELECT ref FROM elib_anchors p WHERE p.hkey = k.hkey ORDER BY ref LIMIT $2) x) h
		WHERE c.n > 0 ORDER BY k.i`, hk, max(limit, 0))
	if err != nil {
		return nil, wrap(l.desc, "read anchors", err)
	}
	type hit struct {
		i, n int64
		refs []int64
	}
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.i, &h.n, &h.refs); err != nil {
			rows.Close()
			return nil, wrap(l.desc, "read anchors", err)
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(l.desc, "read anchors", err)
	}
	for _, h := range hits {
		i := int(h.i - 1)
		counts[i] = int(h.n)
		for _, ref := range h.refs {
			fn(i, uint32(ref))
		}
	}
	return counts, nil
}

// elementColumns are the columns scanElement reads, in order.
const elementColumns = `ref, asset_id, idx, type, text, title, signature, shingles`

// scanElement reads one row of elementColumns.
func scanElement(row pgx.Row) (*element.Stored, error) {
	e := &element.Stored{}
	var ref int64
	var typ int16
	var sig, sh []byte
	if err := row.Scan(&ref, &e.AssetID, &e.Index, &typ, &e.Text, &e.Title, &sig, &sh); err != nil {
		return nil, err
	}
	e.Ref = uint32(ref)
	e.Type, _ = kit.TypeOf(byte(typ))
	e.ID = element.ElementID(e.AssetID, e.Index)
	e.Signature, e.Shingles = decodeU32(sig), decodeU64(sh)
	return e, nil
}

// Element returns the live element ref. Element rows never change (a ref is
// never reused), so they are cached; Remove in this process drops them.
func (l *Library) Element(ref uint32) (*element.Stored, error) {
	if e := l.elems.get(ref); e != nil {
		return e, nil
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	e, err := scanElement(l.pool.QueryRow(ctx, `SELECT `+elementColumns+` FROM elib_elements WHERE ref = $1 AND live`, int64(ref)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("element ref %d: %w", ref, kit.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(l.desc, "read element", err)
	}
	l.elems.put(e)
	return e, nil
}

// Prefetch reads the live elements of refs not in the cache into it, in
// one query: a check announces the candidates it verifies next.
func (l *Library) Prefetch(refs []uint32) error {
	var missing []int64
	for _, ref := range refs {
		if l.elems.get(ref) == nil {
			missing = append(missing, int64(ref))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT `+elementColumns+` FROM elib_elements WHERE ref = ANY($1) AND live`, missing)
	if err != nil {
		return wrap(l.desc, "prefetch elements", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanElement(rows)
		if err != nil {
			return wrap(l.desc, "prefetch elements", err)
		}
		l.elems.put(e)
	}
	if err := rows.Err(); err != nil {
		return wrap(l.desc, "prefetch elements", err)
	}
	return nil
}

// ElementByID returns the live element "<asset id>#<n>".
func (l *Library) ElementByID(id string) (*element.Stored, error) {
	aid, n, ok := element.SplitElementID(id)
	if !ok {
		return nil, fmt.Errorf("element %q: %w", id, kit.ErrNotFound)
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	var ref int64
	err := l.pool.QueryRow(ctx, `SELECT ref FROM elib_elements WHERE asset_id = $1 AND idx = $2 AND live`, aid, n).Scan(&ref)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("element %q: %w", id, kit.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(l.desc, "read element", err)
	}
	return l.Element(uint32(ref))
}

// AssetElements returns the refs of the asset's live elements in order.
func (l *Library) AssetElements(assetID string) ([]uint32, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT ref FROM elib_elements WHERE asset_id = $1 AND live ORDER BY idx`, assetID)
	if err != nil {
		return nil, wrap(l.desc, "read asset elements", err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap(l.desc, "read asset elements", err)
	}
	out := make([]uint32, len(refs))
	for i, r := range refs {
		out[i] = uint32(r)
	}
	return out, nil
}

// AssetsOf returns the asset of each live element ("" for one that is
// gone), in one query for the elements not in the cache.
func (l *Library) AssetsOf(refs []uint32) ([]string, error) {
	out := make([]string, len(refs))
	var missing []int64
	for i, ref := range refs {
		if e := l.elems.get(ref); e != nil {
			out[i] = e.AssetID
		} else {
			missing = append(missing, int64(ref))
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT ref, asset_id FROM elib_elements WHERE ref = ANY($1) AND live`, missing)
	if err != nil {
		return nil, wrap(l.desc, "read assets of elements", err)
	}
	defer rows.Close()
	found := make(map[uint32]string, len(missing))
	for rows.Next() {
		var ref int64
		var id string
		if err := rows.Scan(&ref, &id); err != nil {
			return nil, wrap(l.desc, "read assets of elements", err)
		}
		found[uint32(ref)] = id
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(l.desc, "read assets of elements", err)
	}
	for i, ref := range refs {
		if out[i] == "" {
			out[i] = found[ref]
		}
	}
	return out, nil
}

// Asset returns the stored asset id.
func (l *Library) Asset(id string) (*element.Asset, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	var b, fp []byte
	err := l.pool.QueryRow(ctx, `SELECT a.record, f.fingerprint FROM elib_assets a LEFT JOIN elib_footage f ON f.asset_id = a.id
		WHERE a.id = $1`, id).Scan(&b, &fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("asset %q: %w", id, kit.ErrNotFound)
	}
	if err != nil {
		return nil, wrap(l.desc, "read asset", err)
	}
	var rec kit.AssetRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("asset %q: stored record: %w", id, err)
	}
	a := rec.Asset
	a.File = rec.File
	a.Footage = fp
	return &a, nil
}

// AssetIDs returns the ids of all live assets, sorted.
func (l *Library) AssetIDs() ([]string, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT id FROM elib_assets ORDER BY id COLLATE "C"`)
	if err != nil {
		return nil, wrap(l.desc, "read asset ids", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(l.desc, "read asset ids", err)
	}
	return ids, nil
}

// metaInt reads the count key of elib_meta.
func (l *Library) metaInt(key string) (int, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	var v string
	if err := l.pool.QueryRow(ctx, `SELECT value FROM elib_meta WHERE key = $1`, key).Scan(&v); err != nil {
		return 0, wrap(l.desc, "read "+key, err)
	}
	n, _ := strconv.Atoi(v)
	return n, nil
}

// AssetCount returns the number of live assets.
func (l *Library) AssetCount() (int, error) { return l.metaInt("assets") }

// ElementCount returns the number of live elements.
func (l *Library) ElementCount() (int, error) { return l.metaInt("elements") }

// Allowlist returns the library's boilerplate phrases, sorted.
func (l *Library) Allowlist() ([]string, error) {
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT phrase FROM elib_allowlist ORDER BY phrase COLLATE "C"`)
	if err != nil {
		return nil, wrap(l.desc, "read allowlist", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(l.desc, "read allowlist", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// SentenceDFs returns in how many live assets each normalised sentence
// hash occurs (exact), in one query.
func (l *Library) SentenceDFs(hashes []uint64) ([]int, error) {
	out := make([]int, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	hs := make([]int64, len(hashes))
	for i, h := range hashes {
		hs[i] = int64(h)
	}
	ctx, cancel := l.readCtx()
	defer cancel()
	rows, err := l.pool.Query(ctx, `SELECT k.i, d.n FROM unnest($1::bigint[]) WITH ORDINALITY k(hash, i)
		JOIN elib_sentence_df d ON d.hash = k.hash`, hs)
	if err != nil {
		return nil, wrap(l.desc, "read sentence frequencies", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var n int
		if err := rows.Scan(&i, &n); err != nil {
			return nil, wrap(l.desc, "read sentence frequencies", err)
		}
		out[i-1] = n
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(l.desc, "read sentence frequencies", err)
	}
	return out, nil
}

// Stats returns counts, the database size of the library's tables and the
// estimated reuse rate (the file library's sample and rule).
func (l *Library) Stats() (kit.Stats, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*l.opts.Timeout)
	defer cancel()
	assets, err := l.AssetCount()
	if err != nil {
		return kit.Stats{}, err
	}
	elements, err := l.ElementCount()
	if err != nil {
		return kit.Stats{}, err
	}
	gen, err := l.Generation()
	if err != nil {
		return kit.Stats{}, err
	}
	st := kit.Stats{ByType: map[element.Type]int{}, Assets: assets, Elements: elements, Generation: gen}
	rows, err := l.pool.Query(ctx, `SELECT type, count(*) FROM elib_elements WHERE live GROUP BY type`)
	if err != nil {
		return st, wrap(l.desc, "stats", err)
	}
	for rows.Next() {
		var t int16
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return st, wrap(l.desc, "stats", err)
		}
		if typ, ok := kit.TypeOf(byte(t)); ok {
			st.ByType[typ] = n
		}
	}
	rows.Close()
	if err := l.pool.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		WHERE c.relname IN ('elib_meta', 'elib_assets', 'elib_elements', 'elib_lsh', 'elib_anchors', 'elib_sentence_df', 'elib_allowlist')`).Scan(&st.DiskBytes); err != nil {
		return st, wrap(l.desc, "stats", err)
	}
	return st, nil
}

// elementCache keeps recently read elements (rows never change).
type elementCache struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[uint32]*list.Element
}

func newElementCache(capacity int) *elementCache {
	return &elementCache{cap: capacity, ll: list.New(), items: map[uint32]*list.Element{}}
}

func (c *elementCache) get(ref uint32) *element.Stored {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[ref]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*element.Stored)
	}
	return nil
}

func (c *elementCache) put(e *element.Stored) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[e.Ref]; ok {
		return
	}
	c.items[e.Ref] = c.ll.PushFront(e)
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*element.Stored).Ref)
	}
}

func (c *elementCache) drop(ref uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[ref]; ok {
		c.ll.Remove(e)
		delete(c.items, ref)
	}
}

func (c *elementCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.items = map[uint32]*list.Element{}
}
