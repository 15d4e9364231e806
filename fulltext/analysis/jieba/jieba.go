package jieba

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"elib/fingerprint/normalize"
	"elib/fingerprint/wordseg"
	"elib/fulltext/analysis/internal/shared"
)

// Name is the name the tokenizer is registered under in the bleve registry.
const Name = "elib_jieba"

// Tokenizer is the elib_jieba bleve tokenizer. It is safe for concurrent use
// (bleve analyses documents of one batch in parallel).
type Tokenizer struct {
	seg  *wordseg.Segmenter
	norm *normalize.Normalizer
}

// New returns a tokenizer over seg, normalising with norm.
func New(seg *wordseg.Segmenter, norm *normalize.Normalizer) *Tokenizer {
	return &Tokenizer{seg: seg, norm: norm}
}

// Constructor builds the tokenizer for the bleve registry. It takes no
// configuration: the dictionaries are the shared segmenter's.
func Constructor(config map[string]interface{}, cache *registry.Cache) (analysis.Tokenizer, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, fmt.Errorf("%s tokenizer: load segmenter: %w", Name, err)
	}
	return New(seg, shared.Normalizer()), nil
}

func init() {
	if err := registry.RegisterTokenizer(Name, Constructor); err != nil {
		panic(err)
	}
}

// span is one token in normalised-rune coordinates of a run.
type span struct{ start, end int }

// Tokenize implements analysis.Tokenizer.
func (t *Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 0
	for i := 0; i < len(input); {
		r, w := utf8.DecodeRune(input[i:])
		if !isWordRune(r) || (r == utf8.RuneError && w <= 1) {
			i += w
			continue
		}
		j := i + w
		for j < len(input) {
			r2, w2 := utf8.DecodeRune(input[j:])
			if !isWordRune(r2) || (r2 == utf8.RuneError && w2 <= 1) {
				break
			}
			j += w2
		}
		out, pos = t.run(out, input, i, j, pos)
		i = j
	}
	return out
}

// isWordRune reports whether r belongs inside a run: letters, digits and
// combining marks. Everything else separates runs.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// run tokenises input[from:to], a run of word runes, appending to out.
// pos is the position of the last word emitted so far; the new last
// position is returned.
func (t *Tokenizer) run(out analysis.TokenStream, input []byte, from, to, pos int) (analysis.TokenStream, int) {
	raw := input[from:to]
	n := t.norm.Normalize(string(raw))
	if len(n.Runes) == 0 {
		return out, pos
	}
	// Byte offset (relative to from) of every original code point, plus
	// one past the end.
	origByte := make([]int, 0, len(raw)/2+1)
	for b := 0; b < len(raw); {
		_, w := utf8.DecodeRune(raw[b:])
		origByte = append(origByte, b)
		b += w
	}
	origByte = append(origByte, len(raw))

	normStr := string(n.Runes)
	// Rune index of every byte offset of normStr that starts a rune.
	byteToRune := make([]int, len(normStr)+1)
	ri := 0
	for b := range normStr {
		byteToRune[b] = ri
		ri++
	}
	byteToRune[len(normStr)] = ri

	toks := t.seg.TokenizeSearch(normStr)
	spans := make([]span, 0, len(toks))
	for _, tk := range toks {
		if tk.Start < 0 || tk.End > len(normStr) || tk.Start >= tk.End {
			continue
		}
		spans = append(spans, span{byteToRune[tk.Start], byteToRune[tk.End]})
	}
	sort.Slice(spans, func(a, b int) bool {
		if spans[a].start != spans[b].start {
			return spans[a].start < spans[b].start
		}
		return spans[a].end > spans[b].end
	})

	wordEnd := -1
	var prev span
	for k, sp := range spans {
		if k > 0 && sp == prev {
			continue // search mode may repeat a span
		}
		prev = sp
		if sp.start >= wordEnd {
			pos++ // a new word; anything starting inside it is a sub-word
			wordEnd = sp.end
		}
		oStart := n.Offsets[sp.start]
		oe := n.Offsets[sp.end-1] + 1
		if oe > len(origByte)-1 {
			oe = len(origByte) - 1
		}
		if oStart >= oe {
			oStart = oe - 1
		}
		term := []byte(string(n.Runes[sp.start:sp.end]))
		out = append(out, &analysis.Token{
			Term:     term,
			Start:    from + origByte[oStart],
			End:      from + origByte[oe],
			Position: pos,
			Type:     tokenType(n.Runes[sp.start:sp.end]),
		})
	}
	return out, pos
}

// tokenType classifies a term the way bleve's unicode tokenizer does.
func tokenType(rs []rune) analysis.TokenType {
	digits := true
	for _, r := range rs {
		if unicode.Is(unicode.Han, r) {
			return analysis.Ideographic
		}
		if !unicode.IsDigit(r) {
			digits = false
		}
	}
	if digits {
		return analysis.Numeric
	}
	return analysis.AlphaNumeric
}
