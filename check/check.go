package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/normalize"
	"elib/fingerprint/verify"
	"elib/fingerprint/winnow"
	"elib/index"
)

// Source is a library the check looks candidates up in. *index.Library
// satisfies it.
type Source interface {
	// CandidateCounts gets the band keys of one or more signatures back to
	// back (keys[i] belongs to band i % Bands) and reports each candidate
	// with the number of bands it shares, summed over the signatures.
	CandidateCounts(keys []uint64, fn func(ref uint32, bands int))
	Element(ref uint32) (*index.StoredElement, error)
	AssetElements(assetID string) []uint32
	Asset(id string) (*element.Asset, error)
	Allowlist() []string
	SentenceDF(h uint64) int
	AssetCount() int
	// AnchorHits reports, for winnow anchors of the checked text, the
	// elements holding each (see index.Library.AnchorHits).
	AnchorHits(hashes []uint64, maxPostings int, fn func(i int, ref uint32))
	// AssetOf returns the asset a live element belongs to.
	AssetOf(ref uint32) (string, bool)
}

// Options tune a Checker. Zero values take the defaults of EnsureDefaults.
type Options struct {
	// Threshold: an asset is rejected when its duplication is strictly
	// greater. Default 0.62.
	Threshold float64
	// MaxMatches caps the matches reported per element. Default 5.
	MaxMatches int
	// MaxCandidates caps the LSH candidates verified per asset, strongest
	// (most shared bands) first; the assets of verified candidates are
	// always verified in full. Default 64: a copied element shares ~5 of
	// 32 bands per lookup and ranks first, while a script of stock phrases
	// collides with thousands of elements at one band each in a 1M-element
	// library (benchmarks/library: p99 3,200 candidates), and fetching each
	// costs a block read.
	MaxCandidates int
	// ExpandRun is how many characters a candidate must share with the
	// checked text before the rest of its asset is verified too: a stock
	// phrase (今天到手价) shared with thousands of assets must not pull all
	// of them in. Default 2 × the engine's MinRun.
	ExpandRun int
	// Anchors: library elements that hold parts of the checked text —
	// a sentence of a long element, the surviving pieces of a paraphrase —
	// share too few shingles for LSH, but share winnow anchors (every
	// common run of 10 characters gives one). The elements of a library
	// asset that together share at least AnchorMinShared distinct anchors,
	// lying at least AnchorSpan characters apart in the checked text (two
	// separate pieces of evidence, not one stock phrase), none of them held
	// by more than AnchorMaxPostings elements, become candidates — copying
	// is from a script, so evidence adds up over its elements; at most
	// MaxAnchorCandidates of them, best-supported assets first, after the
	// LSH candidates. Defaults 2,
	// ExpandRun + the engine's MinRun, Boilerplate.MinAssets - 1 (the
	// boilerplate rule's "eight copies is a house phrase": an anchor that
	// common is a stock phrase, no evidence) and 32. AnchorMinShared < 0
	// turns anchors off.
	AnchorMinShared, AnchorSpan, AnchorMaxPostings, MaxAnchorCandidates int
	// WindowTokens and WindowStride shape the sliding windows over the
	// whole copy text. Defaults 24 and 12 tokens.
	WindowTokens, WindowStride int
	// ReuseContainment is the containment at which an element counts as
	// reused. Default 0.8.
	ReuseContainment float64
	// Boilerplate is the rule for sentences common across the library.
	Boilerplate boilerplate.Rule
}

// EnsureDefaults fills zero fields.
func (o *Options) EnsureDefaults() {
	if o.Threshold == 0 {
		o.Threshold = 0.62
	}
	if o.MaxMatches == 0 {
		o.MaxMatches = 5
	}
	if o.MaxCandidates == 0 {
		o.MaxCandidates = 64
	}

	if o.AnchorMinShared == 0 {
		o.AnchorMinShared = 2
	}
	if o.MaxAnchorCandidates == 0 {
		o.MaxAnchorCandidates = 32
	}
	if o.WindowTokens == 0 {
		o.WindowTokens = 24
	}
	if o.WindowStride == 0 {
		o.WindowStride = 12
	}
	if o.ReuseContainment == 0 {
		o.ReuseContainment = 0.8
	}
	if o.Boilerplate == (boilerplate.Rule{}) {
		o.Boilerplate = boilerplate.DefaultRule()
	}
	if o.AnchorMaxPostings == 0 {
		o.AnchorMaxPostings = max(1, o.Boilerplate.MinAssets-1)
	}
}

// Verdicts.
const (
	Pass   = "pass"
	Reject = "reject"
)

// Span is a matched run: code points of the checked element's text and of
// the library element's text.
type Span struct {
	Start        int `json:"start"`
	End          int `json:"end"`
	LibraryStart int `json:"library_start"`
	LibraryEnd   int `json:"library_end"`
}

// Match is one library element an element matches.
type Match struct {
	ElementID   string       `json:"element_id"`
	AssetID     string       `json:"asset_id"`
	Type        element.Type `json:"type"`
	Similarity  float64      `json:"similarity"`
	Containment float64      `json:"containment"`
	Spans       []Span       `json:"spans"`
	// Text is the library element's text (for side-by-side views).
	Text string `json:"-"`
	// covered counts this match's countable characters, for ranking.
	covered int
}

// ElementResult is the check of one element.
type ElementResult struct {
	Type        element.Type `json:"type"`
	Start       int          `json:"start"`
	End         int          `json:"end"`
	Duplication float64      `json:"duplication"`
	Matches     []Match      `json:"matches"`
	// Text and Line locate the element for renderers.
	Text string `json:"-"`
	Line int    `json:"-"`
	// Countable and Copied are the element's countable characters outside
	// boilerplate and those inside matched runs.
	Countable int `json:"-"`
	Copied    int `json:"-"`
	// Boilerplate holds the element-text code-point ranges left out as
	// boilerplate.
	Boilerplate [][2]int `json:"-"`
}

// bestContainment is the highest containment among the element's matches
// (0 without matches).
func (e *ElementResult) bestContainment() float64 {
	best := 0.0
	for _, m := range e.Matches {
		best = max(best, m.Containment)
	}
	return best
}

// Result is the check of one asset.
type Result struct {
	File        string          `json:"file"`
	AssetID     string          `json:"asset_id"`
	Title       string          `json:"-"`
	Duplication float64         `json:"duplication"`
	Verdict     string          `json:"verdict"`
	ReuseRate   float64         `json:"reuse_rate"`
	Elements    []ElementResult `json:"elements"`
	// Countable and Copied are the asset's totals behind Duplication.
	Countable int `json:"-"`
	Copied    int `json:"-"`
	Assessment
}

// Sources returns the asset ids the result matched, by copied characters.
func (r *Result) Sources() []SourceShare {
	m := map[string]int{}
	for _, e := range r.Elements {
		for _, mt := range e.Matches {
			m[mt.AssetID] += mt.covered
		}
	}
	out := make([]SourceShare, 0, len(m))
	for id, n := range m {
		out = append(out, SourceShare{AssetID: id, Chars: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Chars != out[j].Chars {
			return out[i].Chars > out[j].Chars
		}
		return out[i].AssetID < out[j].AssetID
	})
	return out
}

// SourceShare is how many characters one library asset contributed.
type SourceShare struct {
	AssetID string
	Chars   int
}

// Checker checks assets against one or more sources. It is safe for
// concurrent use once built.
type Checker struct {
	engine  *fingerprint.Engine
	sources []Source
	phrases []*boilerplate.Phrases // per source
	opts    Options
}

// New builds a Checker. Sources are consulted in order; a batch checked
// with --cross adds itself as a second source.
func New(engine *fingerprint.Engine, opts Options, sources ...Source) (*Checker, error) {
	opts.EnsureDefaults()
	if engine == nil {
		return nil, fmt.Errorf("check: nil engine")
	}
	if opts.ExpandRun == 0 {
		opts.ExpandRun = 2 * engine.Options().MinRun
	}
	if opts.AnchorSpan == 0 {
		opts.AnchorSpan = opts.ExpandRun + engine.Options().MinRun
	}
	c := &Checker{engine: engine, sources: sources, opts: opts}
	for _, s := range sources {
		c.phrases = append(c.phrases, boilerplate.NewPhrases(engine.Normalizer(), s.Allowlist()))
	}
	return c, nil
}

// Options returns the checker's effective options.
func (c *Checker) Options() Options { return c.opts }

// candidate is a library element under verification.
type candidate struct {
	src  int
	ref  uint32
	elem *index.StoredElement
	norm normalize.Text
}

type candKey struct {
	src int
	ref uint32
}

// Check checks one asset. file names it in the result.
func (c *Checker) Check(ctx context.Context, file string, a *element.Asset) (*Result, error) {
	fps, whole := c.fingerprint(a)
	masks := make([][]bool, len(a.Elements))
	for i := range a.Elements {
		masks[i] = c.boilerplateMask(a.Elements[i].Text, fps[i].Norm)
	}
	order := c.candidates(fps, whole, masks)
	cands, err := c.verifyCandidates(ctx, file, a, whole, order)
	if err != nil {
		return nil, err
	}
	res := &Result{File: file, AssetID: a.ID, Title: a.Title, Elements: make([]ElementResult, 0, len(a.Elements))}
	reused := 0
	for i := range a.Elements {
		er := c.checkElement(&a.Elements[i], fps[i], masks[i], cands)
		if er.bestContainment() >= c.opts.ReuseContainment {
			reused++
		}
		res.Countable += er.Countable
		res.Copied += er.Copied
		res.Elements = append(res.Elements, er)
	}
	res.Duplication = ratio(res.Copied, res.Countable)
	res.Level = LevelOf(res.Duplication)
	if len(a.Elements) > 0 {
		res.ReuseRate = round4(float64(reused) / float64(len(a.Elements)))
	}
	res.Verdict = Pass
	if res.Countable > 0 && float64(res.Copied)/float64(res.Countable) > c.opts.Threshold {
		res.Verdict = Reject
	}
	return res, nil
}

// fingerprint fingerprints every element (one segmenter call for all), and
// assembles the whole copy text's fingerprint from them.
func (c *Checker) fingerprint(a *element.Asset) ([]*fingerprint.Fingerprint, *fingerprint.Fingerprint) {
	texts := make([]string, len(a.Elements))
	starts := make([]int, len(a.Elements))
	for i, e := range a.Elements {
		texts[i] = e.Text
		starts[i] = e.Start
	}
	fps := c.engine.FingerprintAll(texts)
	return fps, c.engine.Concat(fps, starts)
}

// candidates looks up the element signatures, the whole text's and its
// windows' in every source, and returns the candidates strongest first
// (most LSH bands shared over all lookups: copies share many, chance
// collisions on stock phrases one), at most MaxCandidates.
func (c *Checker) candidates(fps []*fingerprint.Fingerprint, whole *fingerprint.Fingerprint, masks [][]bool) []candKey {
	// All signatures' band keys go back to back into one lookup per source.
	bands := c.engine.Bands().Bands
	windows := c.engine.Windows(whole, c.opts.WindowTokens, c.opts.WindowStride)
	keys := make([]uint64, 0, (len(fps)+1+len(windows))*bands)
	add := func(sig []uint32) {
		if isEmpty(sig) {
			return
		}
		n := len(keys)
		if keys = c.engine.BandKeys(keys, sig); len(keys)-n != bands {
			keys = keys[:n] // a short signature would shift later keys' bands
		}
	}
	for _, fp := range fps {
		add(fp.Signature)
	}
	add(whole.Signature)
	for _, w := range windows {
		add(w.Signature)
	}
	score := map[candKey]int{}
	if len(keys) > 0 {
		for si, s := range c.sources {
			s.CandidateCounts(keys, func(ref uint32, bands int) {
				score[candKey{si, ref}] += bands
			})
		}
	}
	order := make([]candKey, 0, len(score))
	for k := range score {
		order = append(order, k)
	}
	sort.Slice(order, func(i, j int) bool {
		if score[order[i]] != score[order[j]] {
			return score[order[i]] > score[order[j]]
		}
		if order[i].src != order[j].src {
			return order[i].src < order[j].src
		}
		return order[i].ref < order[j].ref
	})
	if len(order) > c.opts.MaxCandidates {
		order = order[:c.opts.MaxCandidates]
	}
	return append(order, c.anchorCandidates(whole, masks, score)...)
}

// anchorCandidates returns the library elements, not among the LSH
// candidates in score, that hold several separate parts of the checked
// text (see Options.AnchorMinShared), most shared anchors first. Anchors
// in boilerplate (masks: per element, the whole text is their
// concatenation) are no evidence and are not looked up.
func (c *Checker) anchorCandidates(whole *fingerprint.Fingerprint, masks [][]bool, score map[candKey]int) []candKey {
	if c.opts.AnchorMinShared < 0 {
		return nil
	}
	var boiler []bool
	for _, m := range masks {
		boiler = append(boiler, m...)
	}
	inBoilerplate := func(pos int) bool {
		for i := pos; i < pos+winnow.K && i < len(boiler); i++ {
			if boiler[i] {
				return true
			}
		}
		return false
	}
	// Distinct anchors of the checked text, at their first position.
	var buf [128]winnow.Anchor
	var hashes []uint64
	var pos []int
	seen := map[uint64]bool{}
	for _, a := range winnow.Anchors(buf[:0], whole.Norm.Runes) {
		if !seen[a.Hash] && !inBoilerplate(a.Pos) {
			seen[a.Hash] = true
			hashes = append(hashes, a.Hash)
			pos = append(pos, a.Pos)
		}
	}
	type evidence struct{ n, lo, hi int }
	hits := map[candKey]*evidence{}
	for si, s := range c.sources {
		s.AnchorHits(hashes, c.opts.AnchorMaxPostings, func(i int, ref uint32) {
			k := candKey{si, ref}
			if _, ok := score[k]; ok {
				return
			}
			e := hits[k]
			if e == nil {
				e = &evidence{lo: pos[i], hi: pos[i]}
				hits[k] = e
			}
			e.n++
			e.lo, e.hi = min(e.lo, pos[i]), max(e.hi, pos[i])
		})
	}
	// Evidence adds up over the elements of one asset.
	type assetKey struct {
		src int
		id  string
	}
	byAsset := map[assetKey]*evidence{}
	owner := make(map[candKey]*evidence, len(hits))
	for k, e := range hits {
		id, ok := c.sources[k.src].AssetOf(k.ref)
		if !ok {
			owner[k] = e // gone since the lookup: judged alone
			continue
		}
		a := byAsset[assetKey{k.src, id}]
		if a == nil {
			a = &evidence{lo: e.lo, hi: e.hi}
			byAsset[assetKey{k.src, id}] = a
		}
		a.n += e.n
		a.lo, a.hi = min(a.lo, e.lo), max(a.hi, e.hi)
		owner[k] = a
	}
	var out []candKey
	for k, e := range owner {
		if e.n >= c.opts.AnchorMinShared && e.hi-e.lo >= c.opts.AnchorSpan {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := owner[out[i]].n, owner[out[j]].n; a != b {
			return a > b
		}
		if out[i].src != out[j].src {
			return out[i].src < out[j].src
		}
		return out[i].ref < out[j].ref
	})
	if len(out) > c.opts.MaxAnchorCandidates {
		out = out[:c.opts.MaxAnchorCandidates]
	}
	return out
}

// verifyCandidates loads the candidates and keeps those sharing at least
// one MinRun-gram with the whole text, never the checked asset itself. A
// candidate sharing a real run (ExpandRun characters) pulls in the rest of
// its asset: an edited copy may have elements too changed for LSH to
// propose.
func (c *Checker) verifyCandidates(ctx context.Context, file string, a *element.Asset, whole *fingerprint.Fingerprint, order []candKey) ([]*candidate, error) {
	minRun := c.engine.Options().MinRun
	seen := make(map[candKey]bool, len(order))
	for _, k := range order {
		seen[k] = true
	}
	expanded := map[string]bool{} // source+asset: its elements are queued
	selfMemo := map[string]bool{} // source+asset: is the checked file itself
	selfFile := ""
	if a.File != "" {
		if abs, err := filepath.Abs(a.File); err == nil {
			selfFile = abs
		}
	}
	screen := verify.NewScreen(whole.Norm, verify.Options{MinRun: minRun})
	var cands []*candidate
	for i := 0; i < len(order); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := order[i]
		el, err := c.sources[k.src].Element(k.ref)
		if errors.Is(err, index.ErrNotFound) {
			continue // removed or replaced by a writer since the lookup
		}
		if err != nil {
			return nil, fmt.Errorf("check %s: library element %d: %w", file, k.ref, err)
		}
		if el.AssetID == a.ID {
			continue // never match an asset against itself
		}
		cd := &candidate{src: k.src, ref: k.ref, elem: el, norm: c.engine.Normalizer().Normalize(el.Text)}
		shared := screen.Shared(cd.norm)
		if shared == 0 {
			continue
		}
		key := fmt.Sprintf("%d\x00%s", cd.src, el.AssetID)
		self, known := selfMemo[key]
		if !known {
			self = c.isSelf(k.src, el.AssetID, selfFile)
			selfMemo[key] = self
		}
		if self {
			continue
		}
		cands = append(cands, cd)
		if !expanded[key] && shared >= c.opts.ExpandRun-minRun+1 {
			expanded[key] = true
			for _, ref := range c.sources[k.src].AssetElements(el.AssetID) {
				nk := candKey{k.src, ref}
				if !seen[nk] {
					seen[nk] = true
					order = append(order, nk)
				}
			}
		}
	}
	return cands, nil
}

// checkElement verifies one element against the candidates exactly: matched
// runs trimmed to whole words, boilerplate left out of both sides, the
// best matches first.
func (c *Checker) checkElement(e *element.Element, fp *fingerprint.Fingerprint, mask []bool, cands []*candidate) ElementResult {
	n := len(fp.Norm.Runes)
	covered := make([]bool, n)
	opts := verify.Options{MinRun: c.engine.Options().MinRun, WordStarts: wordStarts(fp)}
	er := ElementResult{Type: e.Type, Start: e.Start, End: e.End, Text: e.Text, Line: e.Line}
	matches := []Match{}
	for _, cd := range cands {
		r := verify.Compare(fp.Norm, cd.norm, opts)
		if r.CoveredCount == 0 {
			continue
		}
		m := Match{
			ElementID:   cd.elem.ID,
			AssetID:     cd.elem.AssetID,
			Type:        cd.elem.Type,
			Similarity:  round4(verify.Jaccard(fp.Shingles, cd.elem.Shingles)),
			Containment: round4(r.Containment),
			Text:        cd.elem.Text,
		}
		for _, sp := range r.Spans {
			m.Spans = append(m.Spans, Span{Start: sp.Start, End: sp.End, LibraryStart: sp.LibStart, LibraryEnd: sp.LibEnd})
		}
		for k, cv := range r.Covered {
			if cv && !mask[k] {
				covered[k] = true
				m.covered++
			}
		}
		if m.covered == 0 {
			continue // only boilerplate matched
		}
		matches = append(matches, m)
	}
	sort.SliceStable(matches, func(x, y int) bool {
		if matches[x].covered != matches[y].covered {
			return matches[x].covered > matches[y].covered
		}
		return matches[x].Containment > matches[y].Containment
	})
	if len(matches) > c.opts.MaxMatches {
		matches = matches[:c.opts.MaxMatches]
	}
	er.Matches = matches
	for k := 0; k < n; k++ {
		if mask[k] {
			continue
		}
		er.Countable++
		if covered[k] {
			er.Copied++
		}
	}
	er.Boilerplate = maskRanges(fp.Norm, mask)
	er.Duplication = ratio(er.Copied, er.Countable)
	return er
}

// isSelf reports whether a library asset is the checked file itself,
// imported earlier under an id of its own (ids are relative to the import
// root, which need not be the check's root).
func (c *Checker) isSelf(src int, assetID, absFile string) bool {
	if absFile == "" {
		return false
	}
	la, err := c.sources[src].Asset(assetID)
	return err == nil && la.File == absFile
}

// boilerplateMask marks the normalised runes of text that are boilerplate:
// allowlisted phrases of any source, and sentences common in a source.
func (c *Checker) boilerplateMask(text string, norm normalize.Text) []bool {
	mask := make([]bool, len(norm.Runes))
	for _, p := range c.phrases {
		p.Mark(norm.Runes, mask)
	}
	sents := boilerplate.Sentences(text, norm, c.engine.Options().MinRun)
	for _, s := range c.sources {
		assets := s.AssetCount()
		for _, st := range sents {
			if c.opts.Boilerplate.Common(s.SentenceDF(st.Hash), assets) {
				for k := st.Start; k < st.End; k++ {
					mask[k] = true
				}
			}
		}
	}
	return mask
}

// maskRanges converts a rune mask into code-point ranges of the original.
func maskRanges(norm normalize.Text, mask []bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(mask); {
		if !mask[i] {
			i++
			continue
		}
		j := i
		for j < len(mask) && mask[j] {
			j++
		}
		out = append(out, [2]int{norm.Offsets[i], norm.Offsets[j-1] + 1})
		i = j
	}
	return out
}

// wordStarts marks the normalised positions where a token starts.
func wordStarts(fp *fingerprint.Fingerprint) []bool {
	ws := make([]bool, len(fp.Norm.Runes)+1)
	for _, s := range fp.TokenStarts {
		ws[s] = true
	}
	ws[len(fp.Norm.Runes)] = true
	return ws
}

func isEmpty(sig []uint32) bool {
	for _, v := range sig {
		if v != 0xFFFFFFFF {
			return false
		}
	}
	return true
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round4(float64(a) / float64(b))
}

func round4(x float64) float64 {
	return float64(int64(x*10000+0.5)) / 10000
}
