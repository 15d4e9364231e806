package check

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/normalize"
	"elib/fingerprint/verify"
	"elib/internal/gencache"
	"elib/internal/i18n/msg"
)

// Source is a library the check looks candidates up in: every backend's
// kit.Library is one. Every method that reads returns the backend's
// error (the check wraps it with what it read and ErrRead); an element
// that is gone is element.ErrNotFound from Element and Asset, and simply
// absent from the others.
type Source interface {
	// CandidateCounts gets the band keys of one or more signatures back to
	// back (keys[i] belongs to band i % Bands) and reports each live
	// candidate once, with the number of bands it shares, summed over the
	// signatures.
	CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error
	Element(ref uint32) (*element.Stored, error)
	// Prefetch announces elements the check reads next with Element: a
	// source where every read is a round trip (PostgreSQL) fetches those
	// it does not hold in one; the file library holds them and ignores it.
	Prefetch(refs []uint32) error
	AssetElements(assetID string) ([]uint32, error)
	Asset(id string) (*element.Asset, error)
	Allowlist() ([]string, error)
	// SentenceDFs returns in how many assets each normalised sentence hash
	// occurs.
	SentenceDFs(hashes []uint64) ([]int, error)
	AssetCount() (int, error)
	// AnchorHolders reports up to limit live elements holding each winnow
	// anchor of the checked text and returns how many hold each (see
	// index.Library.AnchorHolders).
	AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error)
	// AssetsOf returns the asset each live element belongs to ("" for an
	// element that is gone).
	AssetsOf(refs []uint32) ([]string, error)
}

// Checker checks assets against one or more sources. It is safe for
// concurrent use once built.
type Checker struct {
	engine  *fingerprint.Engine
	sources []Source
	phrases []*boilerplate.Phrases // per source
	opts    Options
	norms   *gencache.Cache[string, normalize.Text] // normalised library texts (normalized)
	edits   *sync.Pool                              // *editScratch
}

// normCacheTexts is how many library texts a Checker keeps normalised:
// the candidates of recent checks, fetched again by the next ones.
const normCacheTexts = 1 << 14

// New builds a Checker. Sources are consulted in order; a batch checked
// with --cross adds itself as a second source.
func New(engine *fingerprint.Engine, opts Options, sources ...Source) (*Checker, error) {
	if engine == nil {
		return nil, fmt.Errorf("check: nil engine")
	}
	opts.EnsureDefaults(engine.Options().MinRun)
	c := &Checker{engine: engine, sources: sources, opts: opts, norms: gencache.New[string, normalize.Text](normCacheTexts), edits: &sync.Pool{}}
	for _, s := range sources {
		allow, err := s.Allowlist()
		if err != nil {
			return nil, msg.Errorf("allowlist: %w: %w", ErrRead, err)
		}
		c.phrases = append(c.phrases, boilerplate.NewPhrases(engine.Normalizer(), allow))
	}
	return c, nil
}

// normalized returns library text t normalised, from the cache when a
// recent check normalised it.
func (c *Checker) normalized(t string) normalize.Text {
	if n, ok := c.norms.Get(t); ok {
		return n
	}
	n := c.engine.Normalizer().Normalize(t)
	c.norms.Put(t, n)
	return n
}

// Options returns the checker's effective options.
func (c *Checker) Options() Options { return c.opts }

// Check checks one asset and judges it at Options.Threshold (a Session
// judges at its own threshold, 0 meaning 0, and applies a pack's rule and
// warnings). file names it in the result.
//
// Candidates come from three lookups — LSH (whole copies and edits),
// paraphrase evidence from anchors, and clause search (every anchor of the
// text, so every shared run of ClauseRun characters is found whatever its
// source) — and are verified exactly, element by element.
func (c *Checker) Check(ctx context.Context, file string, a *element.Asset) (*Result, error) {
	res, err := c.measure(ctx, file, a)
	if err != nil {
		return nil, err
	}
	res.Judge(c.opts.Threshold)
	return res, nil
}

// measure checks one asset without judging it.
func (c *Checker) measure(ctx context.Context, file string, a *element.Asset) (*Result, error) {
	fps, whole := c.fingerprintOf(ctx, a)
	masks, err := c.boilerplateMasks(a, fps)
	if err != nil {
		return nil, err
	}
	anchors, err := c.lookupAnchors(whole, masks)
	if err != nil {
		return nil, err
	}
	order, err := c.candidates(fps, whole)
	if err != nil {
		return nil, err
	}
	more, err := c.anchorCandidates(anchors, order)
	if err != nil {
		return nil, err
	}
	order = append(order, more...)
	if more, err = c.editCandidates(whole, masks, anchors, order); err != nil {
		return nil, err
	}
	order = append(order, more...)
	self, err := c.findSelf(ctx, a, fps)
	if err != nil {
		return nil, err
	}
	v := c.newVerifier(file, a, fps, whole, self)
	defer v.screen.Release()
	if err := v.run(ctx, order); err != nil {
		return nil, err
	}
	if err := c.clauseSources(ctx, v, whole, anchors); err != nil {
		return nil, err
	}
	res := &Result{File: file, AssetID: a.ID, Title: a.Title, Elements: make([]ElementResult, 0, len(a.Elements)),
		AlreadyInLibrary: self.identical, OwnVersion: self.own}
	reused := 0
	held := anchorHeldAt(anchors, len(whole.Norm.Runes))
	off := 0
	for i := range a.Elements {
		n := len(fps[i].Norm.Runes)
		er := c.checkElement(i, &a.Elements[i], fps[i], masks[i], v.cands, held[off:off+n])
		off += n
		if er.bestContainment() >= c.opts.Tuning.ReuseContainment {
			reused++
		}
		res.Countable += er.Countable
		res.Copied += er.Copied
		res.Licensed += er.Licensed
		res.Elements = append(res.Elements, er)
	}
	res.Duplication = ratio(res.Copied, res.Countable)
	res.LicensedDuplication = ratio(res.Licensed, res.Countable)
	res.Level = LevelOf(res.Duplication)
	if len(a.Elements) > 0 {
		res.ReuseRate = round4(float64(reused) / float64(len(a.Elements)))
	}
	if err := c.checkFootage(a, res); err != nil {
		return nil, err
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

// checkElement verifies element i against the candidates exactly: matched
// runs trimmed to whole words, boilerplate left out of both sides, the
// best matches first. Candidates that cannot match it (candidate.reach)
// are skipped. held is anchorHeldAt over the element's runes: edited
// stretches of stock phrasing (stockStretch) do not count.
func (c *Checker) checkElement(i int, e *element.Element, fp *fingerprint.Fingerprint, mask []bool, cands []*candidate, held []int) ElementResult {
	n := len(fp.Norm.Runes)
	covered := make([]bool, n)
	licensed := make([]bool, n) // covered by a licensed match: never copied
	var matchPos [][]int        // per match, the positions it covers
	opts := verify.Options{MinRun: c.engine.Options().MinRun, WordStarts: wordStarts(fp)}
	er := ElementResult{Type: e.Type, Start: e.Start, End: e.End, Text: e.Text, Line: e.Line}
	matches := []Match{}
	var m verify.Matcher
	var al verify.Aligner
	var screen *verify.Screen // for elements sharing PartScreen's last bit
	bit := verify.PartBit(i)
	for _, cd := range cands {
		exact, align := cd.reach.Exact&bit != 0, cd.reach.Align&bit != 0
		if align && i >= verify.MaxParts-1 {
			if screen == nil {
				screen = verify.NewScreen(fp.Norm, verify.Options{MinRun: c.engine.Options().MinRun})
			}
			align = screen.SharedBigrams(cd.norm) >= minAlignBigrams
		}
		if !exact && !align {
			continue
		}
		r := verify.Result{Covered: make([]bool, n)}
		if exact {
			r = m.Compare(fp.Norm, cd.norm, opts)
		}
		var edited []verify.Stretch
		if align {
			edited = dropStock(al.Align(fp.Norm, cd.norm, c.opts.Tuning.Align), held, c.opts.Tuning.StockHolders)
		}
		if r.CoveredCount == 0 && len(edited) == 0 {
			continue
		}
		mt := Match{
			ElementID:   cd.elem.ID,
			AssetID:     cd.elem.AssetID,
			Type:        cd.elem.Type,
			Similarity:  round4(verify.Jaccard(fp.Shingles, cd.elem.Shingles)),
			Containment: round4(r.Containment),
			Text:        cd.elem.Text,
			Title:       cd.elem.Title,
			OwnVersion:  cd.own,
		}
		mt.Spans, r.Covered = mergeEdited(fp.Norm, cd.norm, r, edited)
		mt.license(c.opts.License)
		var pos []int
		for k, cv := range r.Covered {
			if cv && !mask[k] {
				covered[k] = true
				licensed[k] = licensed[k] || mt.Licensed
				mt.covered++
				pos = append(pos, k)
			}
		}
		if mt.covered == 0 {
			continue // only boilerplate matched
		}
		matches = append(matches, mt)
		matchPos = append(matchPos, pos)
	}
	relicense(matches, matchPos, licensed)
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
			if licensed[k] {
				er.Licensed++
			}
		}
	}
	er.Boilerplate = maskRanges(fp.Norm, mask)
	er.Duplication = ratio(er.Copied, er.Countable)
	return er
}

// boilerplateMasks marks, per element, the normalised runes that are
// boilerplate: allowlisted phrases of any source, and sentences common in
// a source (one lookup per source for all the asset's sentences).
func (c *Checker) boilerplateMasks(a *element.Asset, fps []*fingerprint.Fingerprint) ([][]bool, error) {
	masks := make([][]bool, len(a.Elements))
	type sentence struct {
		elem       int
		start, end int
	}
	var sents []sentence
	var hashes []uint64
	for i := range a.Elements {
		norm := fps[i].Norm
		masks[i] = make([]bool, len(norm.Runes))
		for _, p := range c.phrases {
			p.Mark(norm.Runes, masks[i])
		}
		for _, st := range boilerplate.Sentences(a.Elements[i].Text, norm, c.engine.Options().MinRun) {
			sents = append(sents, sentence{i, st.Start, st.End})
			hashes = append(hashes, st.Hash)
		}
	}
	if len(hashes) == 0 {
		return masks, nil
	}
	for _, s := range c.sources {
		assets, err := s.AssetCount()
		if err != nil {
			return nil, msg.Errorf("asset count: %w: %w", ErrRead, err)
		}
		dfs, err := s.SentenceDFs(hashes)
		if err != nil {
			return nil, msg.Errorf("sentence frequencies: %w: %w", ErrRead, err)
		}
		for j, df := range dfs {
			if c.opts.Tuning.Boilerplate.Common(df, assets) {
				st := sents[j]
				for k := st.start; k < st.end; k++ {
					masks[st.elem][k] = true
				}
			}
		}
	}
	return masks, nil
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

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return round4(float64(a) / float64(b))
}

func round4(x float64) float64 {
	return float64(int64(x*10000+0.5)) / 10000
}
