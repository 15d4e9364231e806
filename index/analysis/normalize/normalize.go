// Package normalize is the bleve token filter "elib_normalize": it rewrites
// every token's term with fingerprint/normalize (NFKC, Traditional →
// Simplified with Taiwan/Hong Kong vocabulary, case folding, punctuation and
// symbols dropped) and removes tokens that normalise to nothing.
//
// Data enters as an analysis.TokenStream from any tokenizer and leaves as the
// same stream with normalised terms; Start, End, Position and Type are kept,
// so highlighting still points at the original text. Normalising a term that
// is already normalised (as elib_jieba emits them) is a cheap no-op for
// Simplified text, so the filter is safe to chain after any tokenizer.
package normalize

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	fnorm "elib/fingerprint/normalize"
	"elib/index/analysis/internal/shared"
)

// Name is the name the filter is registered under in the bleve registry.
const Name = "elib_normalize"

// Filter is the elib_normalize token filter; safe for concurrent use.
type Filter struct {
	norm *fnorm.Normalizer
}

// New returns a filter normalising with norm.
func New(norm *fnorm.Normalizer) *Filter { return &Filter{norm: norm} }

// Constructor builds the filter for the bleve registry; it takes no
// configuration.
func Constructor(config map[string]interface{}, cache *registry.Cache) (analysis.TokenFilter, error) {
	return New(shared.Normalizer()), nil
}

func init() {
	if err := registry.RegisterTokenFilter(Name, Constructor); err != nil {
		panic(err)
	}
}

// Filter implements analysis.TokenFilter.
func (f *Filter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		n := f.norm.Normalize(string(tok.Term))
		if len(n.Runes) == 0 {
			continue
		}
		if s := string(n.Runes); !bytes.Equal(tok.Term, []byte(s)) {
			tok.Term = []byte(s)
		}
		out = append(out, tok)
	}
	return out
}
