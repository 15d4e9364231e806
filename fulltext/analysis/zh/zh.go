package zh

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"

	"elib/fingerprint/wordseg"
	"elib/fulltext/analysis/internal/shared"
	"elib/fulltext/analysis/jieba"
	"elib/fulltext/analysis/termnorm"
)

// Name is the name the analyzer is registered under in the bleve registry.
const Name = "elib_zh"

// Constructor builds the analyzer for the bleve registry.
func Constructor(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
	tok, err := cache.TokenizerNamed(jieba.Name)
	if err != nil {
		return nil, fmt.Errorf("%s analyzer: %w", Name, err)
	}
	norm, err := cache.TokenFilterNamed(termnorm.Name)
	if err != nil {
		return nil, fmt.Errorf("%s analyzer: %w", Name, err)
	}
	lower, err := cache.TokenFilterNamed(lowercase.Name)
	if err != nil {
		return nil, fmt.Errorf("%s analyzer: %w", Name, err)
	}
	return &analysis.DefaultAnalyzer{
		Tokenizer:    tok,
		TokenFilters: []analysis.TokenFilter{norm, lower},
	}, nil
}

func init() {
	if err := registry.RegisterAnalyzer(Name, Constructor); err != nil {
		panic(err)
	}
}

// Warm loads the shared segmenter and the normaliser's dictionaries now
// rather than on first use, so callers can pay the one-off cost (about a
// second) before they take a lock. It is cheap after the first call.
func Warm() error {
	if _, err := wordseg.Default(); err != nil {
		return fmt.Errorf("%s analyzer: load segmenter: %w", Name, err)
	}
	if _, err := shared.Normalizer().Warm(); err != nil {
		return fmt.Errorf("%s analyzer: load normaliser: %w", Name, err)
	}
	return nil
}
