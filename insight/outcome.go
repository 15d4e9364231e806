package insight

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/internal/pace"
	"elib/library/kit"
)

// Stored outcomes (issue 25). Each asset's check against the library as of
// its publication — level, reused elements with their earliest holders,
// the assets it matched — is computed once, when the asset is imported
// (AfterImport, in the import's pipeline), and kept by the library
// (kit.OutcomeStore). Compute and CurrentFatigue read the stored outcomes
// and check only the assets whose outcome is missing or stale, storing
// what they computed when the library is writable.
//
// An outcome goes stale (BeforeImport, BeforeRemove) when material it
// could have seen changes: an asset published at or before it is imported
// (out of order) and shares candidates with it, or an asset it matched is
// replaced or removed. Assets of libraries written before outcomes have
// none, which counts as stale. An outcome computed under another basis
// (allowlist, tuning, engine options) is stale too.
//
// What is not tracked: the library-wide counts a check reads besides its
// candidates — the sentence frequencies of the boilerplate rule, the
// number of assets and of anchor holders that tell stock phrases — move
// with every import, and an outcome keeps those of the moment it was
// computed. Options.Recompute (`elib stats --recompute`) checks again.

// OutcomeCounts says where a stats answer's per-asset outcomes came from.
type OutcomeCounts struct {
	// Stored counts the period assets read from stored outcomes.
	Stored int `json:"stored"`
	// Stale counts those whose outcome was stale or missing and that were
	// checked now; Saved how many of those were stored again (0 on a
	// read-only library).
	Stale int `json:"stale"`
	Saved int `json:"saved"`
}

// outcomeTally collects the counts of one Compute and stores the
// outcomes it computes as they come.
type outcomeTally struct {
	saver    outcomeSaver
	mu       sync.Mutex
	computed map[string]*kit.Outcome // the outcomes checked now, by id (nil: not kept)
}

// newOutcomeTally is the tally of a compute storing its outcomes in store;
// keep keeps them in memory too (for a later compute over the same view).
func newOutcomeTally(store kit.OutcomeStore, seq uint64, keep bool) *outcomeTally {
	t := &outcomeTally{saver: outcomeSaver{store: store, seq: seq}}
	if keep {
		t.computed = map[string]*kit.Outcome{}
	}
	return t
}

// add takes one outcome computed now.
func (t *outcomeTally) add(id string, o *kit.Outcome) {
	if t.computed != nil {
		t.mu.Lock()
		t.computed[id] = o
		t.mu.Unlock()
	}
	t.saver.add(id, o)
}

// flush stores what is pending; a failed write is logged (the outcomes
// are computed again next time), a read-only library's refusal is not.
func (t *outcomeTally) flush() {
	if err := t.saver.flush(); err != nil {
		slog.Warn("stats: check outcomes not stored; they are computed again next time", "err", err)
	}
}

// count is the counts of the period's outcomes.
func (t *outcomeTally) count(period []periodAsset) *OutcomeCounts {
	c := &OutcomeCounts{}
	for _, pa := range period {
		switch {
		case pa.computed:
			c.Stale++
		case pa.outcome != nil || pa.result != nil:
			c.Stored++
		}
	}
	saved, readOnly := t.saver.stored()
	if readOnly {
		slog.Debug("stats: check outcomes not stored: the library is read-only")
	}
	c.Saved = min(saved, c.Stale)
	return c
}

// basisOf names the library-wide inputs of an outcome besides its
// candidates: the outcome version, the engine's and the check's options
// that decide levels and reuse, and the allowlist.
func basisOf(eo fingerprint.Options, lib kit.Library, opts check.Options) (string, error) {
	opts.EnsureDefaults(eo.MinRun)
	allow, err := lib.Allowlist()
	if err != nil {
		return "", err
	}
	allow = slices.Clone(allow)
	sort.Strings(allow)
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%+v\x00%d\x00%+v\x00%q", kit.OutcomeVersion, eo, opts.MaxMatches, opts.Tuning, allow)
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// keepFresh keeps the outcomes of the current basis and version.
func keepFresh(outs []*kit.Outcome, basis string) {
	for i, o := range outs {
		if o != nil && (o.Version != kit.OutcomeVersion || o.Basis != basis) {
			outs[i] = nil
		}
	}
}

// ruleOf is the boilerplate rule a check with opts applies.
func ruleOf(eo fingerprint.Options, opts check.Options) boilerplate.Rule {
	opts.EnsureDefaults(eo.MinRun)
	return opts.Tuning.Boilerplate
}

// usable keeps the outcomes of the current basis and version whose
// boilerplate decisions the library's sentence frequencies still give
// (looked up a chunk of outcomes at a time).
func usable(lib kit.Library, outs []*kit.Outcome, basis string, rule boilerplate.Rule) error {
	keepFresh(outs, basis)
	// The frequencies are asked for a chunk of whole outcomes at a time,
	// each outcome's Common then its Plain, in one reused buffer.
	const chunk = 1 << 16
	buf := make([]uint64, 0, chunk)
	first := 0 // the first outcome whose hashes are in buf
	judge := func(end int) error {
		if len(buf) == 0 {
			first = end
			return nil
		}
		dfs, err := lib.SentenceDFs(buf)
		if err != nil {
			return err
		}
		k := 0
		for i := first; i < end; i++ {
			o := outs[i]
			if o == nil {
				continue
			}
			ok := true
			for range o.Common {
				ok = ok && rule.Common(dfs[k], o.Assets)
				k++
			}
			for range o.Plain {
				ok = ok && !rule.Common(dfs[k], o.Assets)
				k++
			}
			if !ok {
				outs[i] = nil
			}
		}
		buf, first = buf[:0], end
		return nil
	}
	for i, o := range outs {
		if o == nil {
			continue
		}
		if len(buf) > 0 && len(buf)+len(o.Common)+len(o.Plain) > chunk {
			if err := judge(i); err != nil {
				return err
			}
		}
		buf = append(buf, o.Common...)
		buf = append(buf, o.Plain...)
	}
	return judge(len(outs))
}

// outcomesKey names the store's outcomes and the library's content now
// (kit.OutcomeJudgements; "" when the store does not remember judgements
// or cannot name them).
func outcomesKey(store kit.OutcomeStore) string {
	j, ok := store.(kit.OutcomeJudgements)
	if !ok {
		return ""
	}
	key, err := j.OutcomesKey()
	if err != nil {
		return ""
	}
	return key
}

// readUsable reads the fresh stored outcomes of the live assets ids that
// are usable (keepFresh, usable; nil where none). The ids whose fresh
// outcome the sentence frequencies no longer give are remembered by a
// store that can (kit.OutcomeJudgements) under its key, basis and rule,
// and recalled instead of judged again while the store and the library
// stay as they are; the outcomes are then read without the judgement's
// inputs.
func readUsable(lib kit.Library, store kit.OutcomeStore, ids []string, basis string, rule boilerplate.Rule) ([]*kit.Outcome, error) {
	j, ok := store.(kit.OutcomeJudgements)
	key := outcomesKey(store)
	if !ok || key == "" {
		outs, err := store.Outcomes(ids)
		if err != nil {
			return nil, err
		}
		return outs, usable(lib, outs, basis, rule)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%+v", key, basis, rule))
	full := hex.EncodeToString(h[:12])
	// The key is read before the outcomes and again after: equal, the
	// outcomes read are those it names.
	if bad, ok := j.RecallJudgement(full); ok {
		outs, err := j.OutcomeFigures(ids)
		if err != nil {
			return nil, err
		}
		if outcomesKey(store) == key {
			keepFresh(outs, basis)
			for _, id := range bad {
				if i, found := slices.BinarySearch(ids, id); found {
					outs[i] = nil
				}
			}
			return outs, nil
		}
		// Changed meanwhile: judged below, under the new key.
		key = outcomesKey(store)
		h = sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%+v", key, basis, rule))
		full = hex.EncodeToString(h[:12])
	}
	outs, err := store.Outcomes(ids)
	if err != nil {
		return nil, err
	}
	keepFresh(outs, basis)
	had := make([]bool, len(outs))
	for i, o := range outs {
		had[i] = o != nil
	}
	if err := usable(lib, outs, basis, rule); err != nil {
		return nil, err
	}
	bad := []string{}
	for i, o := range outs {
		if had[i] && o == nil {
			bad = append(bad, ids[i])
		}
	}
	if key != "" && outcomesKey(store) == key {
		j.RememberJudgement(full, bad)
	}
	return outs, nil
}

// timelineOf reads every live asset's published time, from its outcome
// (outs[i] is ids[i]'s, nil where none), else from the library's
// published times (kit.PublishedIndex), else from the asset, and returns
// the assets it read.
func timelineOf(ctx context.Context, lib kit.Library, ids []string, outs []*kit.Outcome) (*timeline, map[string]*element.Asset, error) {
	// The times of the assets without an outcome are read now; the map
	// of all is built when an as-of view first needs it.
	others := map[string]time.Time{}
	withOutcome := 0
	lazy := func() *timeline {
		tl := &timeline{others: others, total: withOutcome + len(others), refs: newRefTimes()}
		tl.fill = func() map[string]time.Time {
			at := make(map[string]time.Time, tl.total)
			for i, id := range ids {
				if outs[i] != nil {
					at[id] = outs[i].Published
				}
			}
			for id, t := range others {
				at[id] = t
			}
			return at
		}
		return tl
	}
	read := map[string]*element.Asset{}
	if pi, ok := lib.(kit.PublishedIndex); ok {
		var rest []string
		for i, id := range ids {
			if outs[i] != nil {
				withOutcome++
			} else {
				rest = append(rest, id)
			}
		}
		times, live, err := pi.PublishedTimes(rest)
		if err != nil {
			return nil, nil, err
		}
		for i, id := range rest {
			if live[i] {
				others[id] = times[i]
			}
		}
		return lazy(), read, nil
	}
	for i, id := range ids {
		if outs[i] != nil {
			withOutcome++
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		a, err := lib.Asset(id)
		if errors.Is(err, kit.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, nil, err
		}
		others[id], _ = a.Published()
		read[id] = a
	}
	return lazy(), read, nil
}

// computeStored is Compute over stored outcomes.
func computeStored(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, store kit.OutcomeStore, opts Options, start time.Time) (*Stats, error) {
	v, err := readStored(ctx, engine, lib, store, opts)
	if err != nil {
		return nil, err
	}
	return v.compute(ctx, engine, lib, opts, start, false)
}

// storedView is one reading of the stored outcomes: every live asset's
// fresh outcome (nil where missing or stale) and published time.
type storedView struct {
	store kit.OutcomeStore
	seq   uint64 // the store's sequence before anything was read
	basis string
	ids   []string       // the live assets, sorted
	outs  []*kit.Outcome // ids[i]'s fresh outcome
	tl    *timeline
	read  map[string]*element.Asset // the assets read for want of an outcome
	order []timedIndex              // the live assets by published time, then id (sortByTime)
}

// readStored reads the stored outcomes and the published times.
func readStored(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, store kit.OutcomeStore, opts Options) (*storedView, error) {
	seq, err := store.OutcomeSeq()
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	v := &storedView{store: store, seq: seq}
	if v.basis, err = basisOf(engineOptions(engine, opts), lib, opts.Check); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	if v.ids, err = lib.AssetIDs(); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	if v.outs, err = readUsable(lib, store, v.ids, v.basis, ruleOf(engineOptions(engine, opts), opts.Check)); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	if v.tl, v.read, err = timelineOf(ctx, lib, v.ids, v.outs); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	return v, nil
}

// compute is Compute over the view: the period's assets read from their
// outcomes, the others checked now (and, with keep, kept in the view for
// the next compute over it; a last compute keeps them only stored, so
// that its memory does not grow with every outcome). The period is chosen
// by the timeline's times; only the assets to check are read.
func (v *storedView) compute(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, opts Options, start time.Time, keep bool) (*Stats, error) {
	opts.basis = v.basis
	v.sortByTime()
	// The period is a range of the order: from the first published at or
	// after Since to the last published at or before Until.
	lo, hi := 0, len(v.order)
	if !opts.Since.IsZero() {
		lo = sort.Search(len(v.order), func(k int) bool { return !v.order[k].before(opts.Since) })
	}
	if !opts.Until.IsZero() {
		hi = sort.Search(len(v.order), func(k int) bool { return v.order[k].after(opts.Until) })
	}
	// A capped compute (the library's reuse, the fatigue) whose newest
	// MaxAssets all have an outcome takes only those: nothing is checked,
	// so none can leave the period for an older one to come in.
	dropped := 0
	if opts.MaxAssets > 0 && hi-lo > opts.MaxAssets {
		stored := true
		for _, ti := range v.order[hi-opts.MaxAssets : hi] {
			if v.outs[ti.i] == nil {
				stored = false
				break
			}
		}
		if stored {
			dropped, lo = hi-opts.MaxAssets-lo, hi-opts.MaxAssets
		}
	}
	period := make([]periodAsset, 0, max(0, hi-lo))
	for _, ti := range v.order[lo:max(lo, hi)] {
		i := ti.i
		pa := periodAsset{assetID: v.ids[i], outcome: v.outs[i]}
		if pa.outcome != nil {
			pa.published = pa.outcome.Published
		} else if pa.published = v.tl.others[pa.assetID]; v.read[pa.assetID] != nil {
			a := v.read[pa.assetID]
			// The assets read for their published time are checked as
			// they are; the others are read when checked.
			pa.asset = a
			pa.published, _ = a.Published()
		}
		period = append(period, pa)
	}
	tally := newOutcomeTally(v.store, v.seq, keep)
	opts.outcomes = tally
	st, err := compute(ctx, engine, lib, opts, v.tl, period, start)
	if st != nil {
		st.Skipped += dropped
	}
	for id, o := range tally.computed {
		if i, ok := slices.BinarySearch(v.ids, id); ok {
			v.outs[i] = o
		}
	}
	return st, err
}

// timedIndex is a live asset of the view (ids[i]) and its published
// instant.
type timedIndex struct {
	sec  int64
	nsec int32
	i    int32
}

func (t timedIndex) before(u time.Time) bool {
	s := u.Unix()
	return t.sec < s || t.sec == s && t.nsec < int32(u.Nanosecond())
}

func (t timedIndex) after(u time.Time) bool {
	s := u.Unix()
	return t.sec > s || t.sec == s && t.nsec > int32(u.Nanosecond())
}

// sortByTime orders the view's live assets with a known published time
// by that time, then by id (the period's order), once per view: the
// published times of a view do not change (an outcome computed by a
// compute has its asset's time).
func (v *storedView) sortByTime() {
	if v.order != nil {
		return
	}
	v.order = make([]timedIndex, 0, len(v.ids))
	for i, id := range v.ids {
		var p time.Time
		if o := v.outs[i]; o != nil {
			p = o.Published
		} else if t, ok := v.tl.others[id]; ok {
			p = t
		}
		if p.IsZero() {
			continue // removed meanwhile, or no time: in no period
		}
		v.order = append(v.order, timedIndex{sec: p.Unix(), nsec: int32(p.Nanosecond()), i: int32(i)})
	}
	// ids are sorted, so the index breaks ties by id.
	slices.SortFunc(v.order, func(a, b timedIndex) int {
		if a.sec != b.sec {
			return cmp.Compare(a.sec, b.sec)
		}
		if a.nsec != b.nsec {
			return cmp.Compare(a.nsec, b.nsec)
		}
		return cmp.Compare(a.i, b.i)
	})
}

// BeforeImport marks stale the stored outcomes an import of assets will
// change: the assets' own, those of assets whose outcome matched one of
// them (a replaced version), and those of assets published at or after
// one of them that share its candidates (an import out of order). It runs
// before the import commits, so a process killed after the commit leaves
// nothing stale unmarked. It returns how many outcomes it marked.
func BeforeImport(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, assets []element.Asset, opts Options) (int, error) {
	store, ok := lib.(kit.OutcomeStore)
	if !ok || len(assets) == 0 {
		return 0, nil
	}
	batch := map[string]bool{}
	earliestNew := time.Time{}
	// An asset without a published time is stamped with the import time
	// (whole seconds): the newest but for assets of the same second or
	// published in the future.
	stamp := time.Now().UTC().Truncate(time.Second).Add(-time.Second)
	publishedOf := func(a *element.Asset) time.Time {
		if p, ok := a.Published(); ok {
			return p
		}
		return stamp
	}
	for i := range assets {
		batch[assets[i].ID] = true
		if p := publishedOf(&assets[i]); earliestNew.IsZero() || p.Before(earliestNew) {
			earliestNew = p
		}
	}
	stale, later, err := importChanges(store, batch, earliestNew)
	if err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	if len(later) > 0 {
		opts.ensureDefaults()
		find, err := newCandidateFinder(engine, lib, opts)
		if err != nil {
			return 0, fmt.Errorf("outcomes: %w", err)
		}
		if err := find.among(later); err != nil {
			return 0, fmt.Errorf("outcomes: %w", err)
		}
		for i := range assets {
			p := publishedOf(&assets[i])
			cands, err := find.of(ctx, &assets[i])
			if err != nil {
				return 0, fmt.Errorf("outcomes: %w", err)
			}
			for _, id := range cands {
				if t, ok := later[id]; ok && !t.Before(p) && id != assets[i].ID {
					stale[id] = true
				}
			}
		}
	}
	if len(stale) == 0 {
		return 0, nil
	}
	ids := make([]string, 0, len(stale))
	for id := range stale {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err := store.MarkStale(ids); err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	return len(ids), nil
}

// importChanges returns the fresh outcomes an import of the assets batch
// changes for sure (their own, and those naming one of them as a source),
// and, by published time, the other fresh outcomes published at or after
// earliest (zero: none), which it may change. A store that indexes its
// outcomes (kit.OutcomeIndex) answers from its index; the others are
// scanned.
func importChanges(store kit.OutcomeStore, batch map[string]bool, earliest time.Time) (stale map[string]bool, later map[string]time.Time, err error) {
	stale = map[string]bool{}
	later = map[string]time.Time{}
	if ix, ok := store.(kit.OutcomeIndex); ok {
		ids := make([]string, 0, len(batch))
		for id := range batch {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		changed, err := ix.FreshOutcomesNaming(ids)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range changed {
			stale[id] = true
		}
		if earliest.IsZero() {
			return stale, later, nil
		}
		err = ix.FreshOutcomesFrom(earliest, func(id string, published time.Time) {
			if !stale[id] {
				later[id] = published
			}
		})
		return stale, later, err
	}
	err = scanStored(store, func(id string, published time.Time, sources []string, isStale bool) {
		if isStale {
			return
		}
		if batch[id] {
			stale[id] = true
			return
		}
		for _, s := range sources {
			if batch[s] {
				stale[id] = true
				break
			}
		}
		if !stale[id] && !earliest.IsZero() && !published.Before(earliest) {
			later[id] = published
		}
	})
	return stale, later, err
}

// BeforeRemove marks stale the outcomes a removal of ids (assets or
// elements) changes: those that matched one of their assets, and those of
// assets published at or after one of them that share its candidates (the
// counts they were judged with included it).
func BeforeRemove(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, ids []string) error {
	store, ok := lib.(kit.OutcomeStore)
	if !ok {
		return nil
	}
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
		if a, _, ok := element.SplitElementID(id); ok {
			gone[a] = true
		}
	}
	stale := map[string]bool{}
	fresh := map[string]time.Time{} // the fresh outcomes' published times
	err := scanStored(store, func(id string, published time.Time, sources []string, isStale bool) {
		if isStale {
			return
		}
		fresh[id] = published
		for _, s := range sources {
			if gone[s] {
				stale[id] = true
				break
			}
		}
	})
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	opts := Options{}
	opts.ensureDefaults()
	var find *candidateFinder
	for id := range gone {
		a, err := lib.Asset(id)
		if err != nil {
			continue // an element id, or nothing to remove
		}
		p, _ := a.Published()
		if find == nil {
			if find, err = newCandidateFinder(engine, lib, opts); err != nil {
				return fmt.Errorf("outcomes: %w", err)
			}
		}
		cands, err := find.of(ctx, a)
		if err != nil {
			return fmt.Errorf("outcomes: %w", err)
		}
		for _, sid := range cands {
			if t, ok := fresh[sid]; ok && sid != id && !t.Before(p) {
				stale[sid] = true
			}
		}
	}
	if len(stale) == 0 {
		return nil
	}
	list := make([]string, 0, len(stale))
	for id := range stale {
		list = append(list, id)
	}
	sort.Strings(list)
	return store.MarkStale(list)
}

// scanStored calls fn with every stored outcome's published time and
// sources, through the store's scan when it has one (kit.OutcomeScanner:
// nothing else decoded).
func scanStored(store kit.OutcomeStore, fn func(id string, published time.Time, sources []string, stale bool)) error {
	if sc, ok := store.(kit.OutcomeScanner); ok {
		return sc.ScanOutcomes(fn)
	}
	stored, err := store.StoredOutcomes()
	if err != nil {
		return err
	}
	for id, so := range stored {
		fn(id, so.Outcome.Published, so.Outcome.Sources, so.Stale)
	}
	return nil
}

// AfterImport computes and stores the outcomes of the imported assets
// (ids), each against the library as of its publication. A library that
// keeps no outcomes is left alone.
func AfterImport(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, ids []string, opts Options) error {
	return afterImport(ctx, engine, lib, ids, nil, opts)
}

// AfterImportPrepared is AfterImport of a batch the import prepared
// (library.Batcher.AfterStore): each asset's check takes the fingerprints
// the import computed (check.Session.CheckFingerprinted) instead of
// fingerprinting its elements again. The outcomes are AfterImport's.
func AfterImportPrepared(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, batch []kit.Prepared, opts Options) error {
	ids := make([]string, len(batch))
	pre := make([]*kit.Prepared, len(batch))
	for i := range batch {
		ids[i], pre[i] = batch[i].Record.Asset.ID, &batch[i]
	}
	return afterImport(ctx, engine, lib, ids, pre, opts)
}

// afterImport is AfterImport, with the import's prepared assets when pre
// is set (pre[i] is ids[i]'s).
func afterImport(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, ids []string, pre []*kit.Prepared, opts Options) error {
	store, ok := lib.(kit.OutcomeStore)
	if !ok || len(ids) == 0 {
		return nil
	}
	opts.ensureDefaults()
	seq, err := store.OutcomeSeq()
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	if opts.basis, err = basisOf(engineOptions(engine, opts), lib, opts.Check); err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	return computeAndStore(ctx, engine, lib, store, seq, ids, pre, opts)
}

// fingerprintsOf are p's fingerprints for a check of a, the asset as the
// library read it back: none (a check fingerprints a itself) unless its
// elements are the ones p fingerprinted.
func fingerprintsOf(p *kit.Prepared, a *element.Asset) check.Fingerprinted {
	if p == nil || len(p.Fingerprints) != len(a.Elements) || len(p.Record.Asset.Elements) != len(a.Elements) {
		return check.Fingerprinted{}
	}
	for j := range a.Elements {
		if p.Record.Asset.Elements[j].Text != a.Elements[j].Text {
			return check.Fingerprinted{}
		}
	}
	return check.Fingerprinted{Engine: p.Engine, Elements: p.Fingerprints}
}

// Recompute computes and stores the outcome of every asset whose outcome
// is missing or stale (all: every asset). It returns how many it stored.
func Recompute(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, all bool, opts Options) (int, error) {
	store, ok := lib.(kit.OutcomeStore)
	if !ok {
		return 0, nil
	}
	opts.ensureDefaults()
	seq, err := store.OutcomeSeq()
	if err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	if opts.basis, err = basisOf(engineOptions(engine, opts), lib, opts.Check); err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	ids, err := lib.AssetIDs()
	if err != nil {
		return 0, fmt.Errorf("outcomes: %w", err)
	}
	if !all {
		outs, err := store.Outcomes(ids)
		if err != nil {
			return 0, fmt.Errorf("outcomes: %w", err)
		}
		if err := usable(lib, outs, opts.basis, ruleOf(engineOptions(engine, opts), opts.Check)); err != nil {
			return 0, fmt.Errorf("outcomes: %w", err)
		}
		var todo []string
		for i, o := range outs {
			if o == nil {
				todo = append(todo, ids[i])
			}
		}
		ids = todo
	}
	return len(ids), computeAndStore(ctx, engine, lib, store, seq, ids, nil, opts)
}

// computeAndStore checks the assets ids as of their publication and stores
// the outcomes as they come (outcomeSaver): a run stopped part-way keeps
// what it finished. pre, when not nil, are the assets as an import
// prepared them, one per id.
func computeAndStore(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, store kit.OutcomeStore, seq uint64, ids []string, pre []*kit.Prepared, opts Options) error {
	tl, err := checkTimeline(ctx, lib, store)
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	if len(ids) > 0 {
		var err error
		if engine, err = engineFor(engine, opts); err != nil {
			return fmt.Errorf("outcomes: %w", err)
		}
		if err := loadIndex(lib); err != nil {
			return fmt.Errorf("outcomes: %w", err)
		}
	}
	// The first failure stops the others; what was finished is stored.
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var failed error
	fail := func(err error) {
		mu.Lock()
		if failed == nil {
			failed = err
		}
		mu.Unlock()
		cancel()
	}
	checkers := newAsOfCheckers(engine, lib, tl, opts)
	saver := &outcomeSaver{store: store, seq: seq}
	forEach(ctx, opts.Workers, len(ids), func(i int) {
		if pace.Wait(ctx) != nil {
			return // ctx is done: reported below
		}
		a, err := lib.Asset(ids[i])
		if errors.Is(err, kit.ErrNotFound) {
			return
		}
		if err != nil {
			fail(err)
			return
		}
		p, _ := a.Published()
		pa := periodAsset{asset: a, published: p}
		if pre != nil {
			pa.fps = fingerprintsOf(pre[i], a)
		}
		o, err := checkers.outcome(ctx, pa)
		if err != nil {
			if ctx.Err() == nil {
				fail(err)
			}
			return
		}
		saver.add(ids[i], o)
	})
	saved := saver.flush()
	if failed != nil {
		return fmt.Errorf("outcomes: %w", failed)
	}
	if err := parent.Err(); err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	if saved != nil {
		return fmt.Errorf("outcomes: %w", saved)
	}
	if _, readOnly := saver.stored(); readOnly {
		return fmt.Errorf("outcomes: %w", kit.ErrReadOnly)
	}
	return nil
}

// checkTimeline is the timeline the checks of computeAndStore judge
// against: the library's own order of times when it keeps one (no scan
// of every asset), else every asset's time read now.
func checkTimeline(ctx context.Context, lib kit.Library, store kit.OutcomeStore) (*timeline, error) {
	if tl, ok, err := orderedTimeline(lib); ok || err != nil {
		return tl, err
	}
	all, err := lib.AssetIDs()
	if err != nil {
		return nil, err
	}
	// Published times only change with the asset, whose outcome then
	// goes stale: any stored outcome's time is the asset's. A library
	// that keeps the times apart gives them all, without decoding the
	// stored outcomes.
	outs := make([]*kit.Outcome, len(all))
	if _, ok := lib.(kit.PublishedIndex); !ok {
		if outs, err = store.Outcomes(all); err != nil {
			return nil, err
		}
	}
	tl, _, err := timelineOf(ctx, lib, all, outs)
	return tl, err
}

// candidateFinder names the library assets a check of an asset would
// consider: every asset holding one of its LSH, anchor or clause
// candidates (anchor holders counted beyond the check's own limit, so
// that an asset the check would cut off is still named). One checker
// over a recorder serves every asset of a call; it is used by one
// goroutine at a time.
type candidateFinder struct {
	lib kit.Library
	rec *recorder
	c   *check.Checker
	// only, when set, are the live element refs of the only assets the
	// caller asks about, with their asset ids (among).
	only map[uint32]string
}

// amongMax is how many assets among lists by their elements at most (a
// variable for tests).
var amongMax = 20_000

// among makes of name only the assets of ids that are candidates, when
// they are few: their elements are listed once, and a check's refs are
// looked up among them instead of asking the library which asset holds
// each.
func (f *candidateFinder) among(ids map[string]time.Time) error {
	if len(ids) > amongMax {
		return nil
	}
	f.only = map[uint32]string{}
	for id := range ids {
		refs, err := f.lib.AssetElements(id)
		if err != nil {
			return fmt.Errorf("candidates: %w", err)
		}
		for _, r := range refs {
			f.only[r] = id
		}
	}
	return nil
}

func newCandidateFinder(engine *fingerprint.Engine, lib kit.Library, opts Options) (*candidateFinder, error) {
	rec := &recorder{Library: lib}
	c, err := check.New(engine, opts.Check, rec)
	if err != nil {
		return nil, err
	}
	return &candidateFinder{lib: lib, rec: rec, c: c}, nil
}

// of returns the candidate assets of a (among those among named, when
// it was called). A failed read is its error.
func (f *candidateFinder) of(ctx context.Context, a *element.Asset) ([]string, error) {
	f.rec.mu.Lock()
	f.rec.refs = map[uint32]bool{}
	f.rec.mu.Unlock()
	cp := *a
	cp.File = ""
	if _, err := f.c.Check(ctx, "", &cp); err != nil {
		return nil, fmt.Errorf("candidates of %s: %w", a.ID, err)
	}
	seen := map[string]bool{}
	var out []string
	if f.only != nil {
		for r := range f.rec.refs {
			if id, ok := f.only[r]; ok && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return out, nil
	}
	refs := make([]uint32, 0, len(f.rec.refs))
	for r := range f.rec.refs {
		refs = append(refs, r)
	}
	ids, err := f.lib.AssetsOf(refs)
	if err != nil {
		return nil, fmt.Errorf("candidates of %s: %w", a.ID, err)
	}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// recorderHolders is how many holders of one anchor candidateFinder
// names.
const recorderHolders = 256

// recorder is a library that notes every element a check looks at.
type recorder struct {
	kit.Library
	mu   sync.Mutex
	refs map[uint32]bool
}

func (r *recorder) note(ref uint32) {
	r.mu.Lock()
	r.refs[ref] = true
	r.mu.Unlock()
}

// MaxAssetElements is the library's largest asset, when it tells it.
func (r *recorder) MaxAssetElements() int { return maxAssetElements(r.Library) }

func (r *recorder) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	return r.Library.CandidateCounts(keys, func(ref uint32, bands int) {
		r.note(ref)
		fn(ref, bands)
	})
}

func (r *recorder) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	given := make([]int, len(hashes))
	return r.Library.AnchorHolders(hashes, max(limit, recorderHolders), func(i int, ref uint32) {
		r.note(ref)
		if given[i] < limit {
			given[i]++
			fn(i, ref)
		}
	})
}

func (r *recorder) Element(ref uint32) (*element.Stored, error) {
	r.note(ref)
	return r.Library.Element(ref)
}
