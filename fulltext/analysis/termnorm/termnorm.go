package termnorm

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	fnorm "elib/fingerprint/normalize"
	"elib/fulltext/analysis/internal/shared"
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
