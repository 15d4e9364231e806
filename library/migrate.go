package library

import (
	"context"
	"elib/internal/i18n/msg"
	"fmt"

	"elib/element"
	"elib/history"
	"elib/library/kit"
)

// MigrateResult counts what Migrate copied.
type MigrateResult struct {
	Assets    int `json:"assets"`
	Elements  int `json:"elements"`
	Allowlist int `json:"allowlist"`
	Packs     int `json:"packs"`
	// History is the number of recorded checks copied.
	History int `json:"history"`
	// Outcomes is the number of stored check outcomes copied.
	Outcomes int `json:"outcomes"`
}

// migrateBatch is the number of elements per import into the destination.
const migrateBatch = 2000

// Migrate copies every live asset (only its live elements, with its
// metadata, so its import and published times too), the allowlist and the
// creator packs (by id; a pack dst already has is kept) from src into dst, in imports of about 2,000 elements; dst fingerprints them
// with its own engine. Assets already in dst with the same id are
// replaced, so a migration interrupted midway can simply be run again.
func Migrate(ctx context.Context, src, dst kit.Library, progress func(assets int)) (MigrateResult, error) {
	var res MigrateResult
	var batch []element.Asset
	n := 0
	trimmed := map[string]bool{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		r, err := dst.Import(ctx, batch)
		if err != nil {
			return msg.Errorf("migrate: %w", err)
		}
		res.Assets += r.Assets
		res.Elements += r.Elements
		if progress != nil {
			progress(res.Assets)
		}
		batch, n = batch[:0], 0
		return nil
	}
	ids, err := src.AssetIDs()
	if err != nil {
		return res, msg.Errorf("migrate: %w", err)
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		a, err := src.Asset(id)
		if err != nil {
			return res, msg.Errorf("migrate: %w", err)
		}
		live := map[int]bool{}
		refs, err := src.AssetElements(id)
		if err != nil {
			return res, msg.Errorf("migrate: %w", err)
		}
		for _, ref := range refs {
			e, err := src.Element(ref)
			if err != nil {
				return res, msg.Errorf("migrate: %w", err)
			}
			live[e.Index] = true
		}
		var kept []element.Element
		for i, e := range a.Elements {
			if live[i+1] {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			continue
		}
		if len(kept) != len(a.Elements) {
			a.Elements = kept
			a.Reoffset()
			trimmed[id] = true
		}
		batch = append(batch, *a)
		n += len(kept)
		if n >= migrateBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	phrases, err := src.Allowlist()
	if err != nil {
		return res, msg.Errorf("migrate: allowlist: %w", err)
	}
	if len(phrases) > 0 {
		if err := dst.AllowlistAdd(phrases...); err != nil {
			return res, msg.Errorf("migrate: allowlist: %w", err)
		}
	}
	res.Allowlist = len(phrases)
	packs, err := src.Packs()
	if err != nil {
		return res, msg.Errorf("migrate: %w", err)
	}
	for _, p := range packs {
		if _, err := dst.Pack(p.ID); err == nil {
			continue
		}
		if _, err := dst.PackAdd(p); err != nil {
			return res, msg.Errorf("migrate: pack %s: %w", p.ID, err)
		}
		res.Packs++
	}
	n, err = migrateHistory(ctx, src, dst)
	res.History = n
	if err != nil {
		return res, err
	}
	res.Outcomes, err = migrateOutcomes(src, dst, trimmed)
	return res, err
}

// migrateOutcomes copies src's fresh stored check outcomes (kit.Outcome)
// to dst, but for the assets whose removed elements were left behind
// (trimmed: their outcome described the whole asset).
func migrateOutcomes(src, dst kit.Library, trimmed map[string]bool) (int, error) {
	from, ok := src.(kit.OutcomeStore)
	to, ok2 := dst.(kit.OutcomeStore)
	if !ok || !ok2 {
		return 0, nil
	}
	seq, err := to.OutcomeSeq()
	if err != nil {
		return 0, msg.Errorf("migrate: outcomes: %w", err)
	}
	stored, err := from.StoredOutcomes()
	if err != nil {
		return 0, msg.Errorf("migrate: outcomes: %w", err)
	}
	outs := map[string]*kit.Outcome{}
	for id, so := range stored {
		if !so.Stale && !trimmed[id] {
			outs[id] = so.Outcome
		}
	}
	if len(outs) == 0 {
		return 0, nil
	}
	if err := to.PutOutcomes(seq, outs); err != nil {
		return 0, msg.Errorf("migrate: outcomes: %w", err)
	}
	return len(outs), nil
}

// migrateHistory appends src's check history to dst's, skipping entries
// dst already holds (a migration run again copies nothing twice).
func migrateHistory(ctx context.Context, src, dst kit.Library) (int, error) {
	from, to := src, dst
	entries, err := from.History(ctx, history.Filter{})
	if err != nil {
		return 0, msg.Errorf("migrate: history: %w", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	have, err := to.History(ctx, history.Filter{})
	if err != nil {
		return 0, msg.Errorf("migrate: history: %w", err)
	}
	key := func(e history.Entry) string {
		return fmt.Sprintf("%d\x00%s\x00%s\x00%s\x00%s", e.Time.UnixNano(), e.Who, e.Via, e.File, e.AssetID)
	}
	seen := make(map[string]bool, len(have))
	for _, e := range have {
		seen[key(e)] = true
	}
	var add []history.Entry
	for _, e := range entries {
		if !seen[key(e)] {
			add = append(add, e)
		}
	}
	if err := to.AppendHistory(ctx, add); err != nil {
		return 0, msg.Errorf("migrate: history: %w", err)
	}
	return len(add), nil
}
