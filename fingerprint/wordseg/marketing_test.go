package wordseg

import "fmt"

// MarketingDict returns the shipped marketing user dictionary
// (one "word freq tag" line per term).
func MarketingDict() []byte {
	b, err := embedded.ReadFile("dict/marketing.dict.utf8")
	if err != nil {
		panic(fmt.Sprintf("segment: embedded marketing dictionary missing: %v", err))
	}
	return b
}
