package fingerprint

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"elib/fingerprint/lsh"
	"elib/fingerprint/minhash"
	"elib/fingerprint/normalize"
	"elib/fingerprint/shingle"
	"elib/fingerprint/wordseg"
)

// Options tune an Engine. Zero values take the defaults of EnsureDefaults.
type Options struct {
	// Lanes is the MinHash signature length (multiple of 8). Default 128.
	Lanes int
	// ShingleSize is the number of tokens per shingle. Default 2: on the
	// development set (fingerprint/shingle's measurement) word 2-grams keep
	// lightly edited copies at a median Jaccard of 0.56 with their sources,
	// which 32×4 LSH banding finds with P ≈ 0.96 per element (and a found
	// element pulls in its whole asset), while unrelated elements stay at
	// ≤ 0.02 — so a million-element library yields few false candidates.
	// Single words lift edited copies to 0.69 but unrelated pairs to a
	// median 0.07 (max 0.13): hundreds of false candidates per lookup at
	// that scale. Exact verification decides verdicts either way.
	ShingleSize int
	// MinRun is the shortest run of countable characters that counts as
	// copied during exact verification. Default 5.
	MinRun int
	// Seed fixes the MinHash permutations; signatures are only comparable
	// between engines with the same Seed and Lanes.
	Seed uint64
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.Lanes == 0 {
		o.Lanes = 128
	}
	if o.ShingleSize == 0 {
		o.ShingleSize = 2
	}
	if o.MinRun == 0 {
		o.MinRun = 5
	}
}

// Engine fingerprints text. It is safe for concurrent use.
type Engine struct {
	opts   Options
	norm   *normalize.Normalizer
	seg    *wordseg.Segmenter
	hasher *minhash.Hasher
	bands  lsh.Params
}

// New builds an Engine on a loaded segmenter (see wordseg.Default).
func New(opts Options, seg *wordseg.Segmenter) (*Engine, error) {
	opts.EnsureDefaults()
	if seg == nil {
		return nil, fmt.Errorf("fingerprint: nil segmenter")
	}
	if opts.ShingleSize < 1 || opts.MinRun < 1 {
		return nil, fmt.Errorf("fingerprint: shingle size %d and min run %d must be positive", opts.ShingleSize, opts.MinRun)
	}
	h, err := minhash.New(minhash.Options{Lanes: opts.Lanes, Seed: opts.Seed})
	if err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	return &Engine{
		opts:   opts,
		norm:   normalize.Shared(),
		seg:    seg,
		hasher: h,
		bands:  lsh.ParamsFor(opts.Lanes),
	}, nil
}

// Fingerprint is the comparable form of one text.
type Fingerprint struct {
	// Norm is the normalised text with offsets into the original.
	Norm normalize.Text
	// Tokens are the gojieba words of the normalised text, in order.
	Tokens []string
	// TokenStarts are the rune offsets in Norm.Runes where each token starts.
	TokenStarts []int
	// Shingles are the sorted, deduplicated token-shingle hashes.
	Shingles []uint64
	// Signature is the MinHash of Shingles (Lanes long).
	Signature []uint32

	// positions caches shingle.Positions of Tokens (set by Concat) so
	// Windows hashes no shingle twice.
	positions []uint64
}

// Options returns the engine's effective options.
func (e *Engine) Options() Options { return e.opts }

// Normalizer returns the engine's normaliser.
func (e *Engine) Normalizer() *normalize.Normalizer { return e.norm }

// Segmenter returns the engine's segmenter.
func (e *Engine) Segmenter() *wordseg.Segmenter { return e.seg }

// Bands returns the LSH banding used for candidate search.
func (e *Engine) Bands() lsh.Params { return e.bands }

// Fingerprint normalises, segments, shingles and signs text.
func (e *Engine) Fingerprint(text string) *Fingerprint {
	return e.FingerprintNormalized(e.norm.Normalize(text))
}

// FingerprintNormalized fingerprints text that is already normalised.
func (e *Engine) FingerprintNormalized(norm normalize.Text) *Fingerprint {
	return e.fingerprintAll([]normalize.Text{norm})[0]
}

// FingerprintAll fingerprints several texts (an asset's elements). Short
// texts share a call into the segmenter (each call crosses cgo and sets up
// gojieba, which costs as much as segmenting a short element); see
// segmentCallRunes. The result equals calling Fingerprint on each text.
func (e *Engine) FingerprintAll(texts []string) []*Fingerprint {
	norms := make([]normalize.Text, len(texts))
	for i, t := range texts {
		norms[i] = e.norm.Normalize(t)
	}
	return e.fingerprintAll(norms)
}

// segmentCallRunes bounds how many runes of consecutive texts are joined
// into one segmenter call (a longer text still goes alone, whole): long
// cgo calls cost more than their length under load, when the scheduler
// hands a thread stuck in C to another, and very short ones pay the
// per-call overhead. Measured in benchmarks/segment BenchmarkCallLength
// (benchmarks/RESULTS.md, ## Serve).
const segmentCallRunes = 64

// fingerprintAll segments the normalised texts — consecutive short ones
// joined by newlines, which gojieba never joins into a word (normalised
// text has no whitespace) — and gives each text its own tokens.
func (e *Engine) fingerprintAll(norms []normalize.Text) []*Fingerprint {
	fps := make([]*Fingerprint, len(norms))
	for i := 0; i < len(norms); {
		j, runes := i+1, len(norms[i].Runes)
		for j < len(norms) && runes+len(norms[j].Runes) <= segmentCallRunes {
			runes += len(norms[j].Runes)
			j++
		}
		e.segmentJoined(norms[i:j], fps[i:j])
		i = j
	}
	return fps
}

// segmentJoined fingerprints norms with one segmenter call into fps.
func (e *Engine) segmentJoined(norms []normalize.Text, fps []*Fingerprint) {
	var b strings.Builder
	ends := make([]int, len(norms)) // byte end of each text in the joined string
	for i, n := range norms {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, r := range n.Runes {
			b.WriteRune(r)
		}
		ends[i] = b.Len()
	}
	s := b.String()
	toks := e.seg.Tokenize(s)
	k := 0
	textStart := 0
	for i, n := range norms {
		fp := &Fingerprint{Norm: n}
		m := k
		for m < len(toks) && toks[m].End <= ends[i] {
			m++
		}
		fp.Tokens, fp.TokenStarts = make([]string, 0, m-k), make([]int, 0, m-k)
		bytePos, runePos := textStart, 0
		for ; k < m; k++ {
			t := toks[k]
			runePos += utf8.RuneCountInString(s[bytePos:t.Start])
			bytePos = t.Start
			fp.Tokens = append(fp.Tokens, t.Text)
			fp.TokenStarts = append(fp.TokenStarts, runePos)
		}
		for k < len(toks) && toks[k].Start < ends[i]+1 {
			k++ // a token spanning the separator cannot happen; skip defensively
		}
		fp.Shingles = shingle.Hashes(nil, fp.Tokens, e.shingleOptions())
		fp.Signature = e.hasher.Sign(nil, fp.Shingles)
		fps[i] = fp
		textStart = ends[i] + 1
	}
}

func (e *Engine) shingleOptions() shingle.Options {
	return shingle.Options{Size: e.opts.ShingleSize}
}

// BandKeys appends the LSH band keys of a signature to dst.
func (e *Engine) BandKeys(dst []uint64, sig []uint32) []uint64 {
	return e.bands.BandKeys(dst, sig)
}

// Window is a slice of a fingerprinted text with its own signature, used to
// find copied material that an unusual element split would otherwise hide.
type Window struct {
	// Start and End are rune offsets into the fingerprint's Norm.Runes.
	Start, End int
	// Signature is the MinHash of the window's token shingles.
	Signature []uint32
}

// Windows cuts fp into overlapping windows of size tokens moving by stride
// tokens and signs each. A text with no more than size tokens gives none:
// its whole-text signature already covers it.
func (e *Engine) Windows(fp *Fingerprint, size, stride int) []Window {
	n := len(fp.Tokens)
	if size < 1 || stride < 1 || n <= size {
		return nil
	}
	opts := e.shingleOptions().EnsureDefaults()
	pos := fp.positions
	if len(pos) != n-opts.Size+1 {
		pos = e.positions(fp.Tokens)
	}
	var out []Window
	var buf []uint64
	for start := 0; start < n; start += stride {
		end := start + size
		if end > n {
			end = n
			start = max(0, end-size)
		}
		if pos != nil && end-start-opts.Size+1 >= opts.MinShingles {
			buf = shingle.Set(buf[:0], pos[start:end-opts.Size+1])
		} else {
			buf = shingle.Hashes(buf[:0], fp.Tokens[start:end], opts)
		}
		w := Window{Start: fp.TokenStarts[start], Signature: e.hasher.Sign(nil, buf)}
		if end < n {
			w.End = fp.TokenStarts[end]
		} else {
			w.End = len(fp.Norm.Runes)
		}
		out = append(out, w)
		if end == n {
			break
		}
	}
	return out
}

// Concat joins the fingerprints of consecutive pieces of one text into the
// fingerprint of the whole, without segmenting again. starts[i] is the
// code-point offset of part i in the whole text (offsets of each part's Norm
// are relative to the part). Tokens never span two parts, which is what
// element boundaries mean.
func (e *Engine) Concat(parts []*Fingerprint, starts []int) *Fingerprint {
	nr, nt := 0, 0
	for _, p := range parts {
		nr += len(p.Norm.Runes)
		nt += len(p.Tokens)
	}
	fp := &Fingerprint{
		Norm:        normalize.Text{Runes: make([]rune, 0, nr), Offsets: make([]int, 0, nr)},
		Tokens:      make([]string, 0, nt),
		TokenStarts: make([]int, 0, nt),
	}
	for i, p := range parts {
		base := len(fp.Norm.Runes)
		fp.Norm.Runes = append(fp.Norm.Runes, p.Norm.Runes...)
		for _, o := range p.Norm.Offsets {
			fp.Norm.Offsets = append(fp.Norm.Offsets, o+starts[i])
		}
		fp.Norm.OrigLen = starts[i] + p.Norm.OrigLen
		fp.Tokens = append(fp.Tokens, p.Tokens...)
		for _, s := range p.TokenStarts {
			fp.TokenStarts = append(fp.TokenStarts, s+base)
		}
	}
	opts := e.shingleOptions().EnsureDefaults()
	fp.positions = e.positions(fp.Tokens)
	if len(fp.positions) >= opts.MinShingles {
		fp.Shingles = shingle.Set(nil, fp.positions)
	} else {
		fp.Shingles = shingle.Hashes(nil, fp.Tokens, opts)
	}
	fp.Signature = e.hasher.Sign(nil, fp.Shingles)
	return fp
}

// positions returns shingle.Positions of tokens, or nil when a token is
// empty (Positions needs none; the segmenter never produces one).
func (e *Engine) positions(tokens []string) []uint64 {
	for _, t := range tokens {
		if t == "" {
			return nil
		}
	}
	return shingle.Positions(nil, tokens, e.shingleOptions().EnsureDefaults().Size)
}
