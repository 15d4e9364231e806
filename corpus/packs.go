package corpus

import (
	"encoding/json"
	"fmt"

	"elib/element"
)

// PackRecipe is an example creator pack of the sample library: which
// asset it is made from and which element types are its slots (package
// pack makes the pack itself).
type PackRecipe struct {
	ID    string   `json:"id"`
	From  string   `json:"from"`
	Slots []string `json:"slots"`
	Title string   `json:"title"`
	Note  string   `json:"note"`
}

// Packs returns the sample library's example packs (packs.json).
func Packs() ([]PackRecipe, error) {
	data, err := files.ReadFile("packs.json")
	if err != nil {
		return nil, fmt.Errorf("corpus packs: %w", err)
	}
	var out []PackRecipe
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("corpus packs.json: %w", err)
	}
	return out, nil
}

// CreatorVariants returns the creator variants of the example packs
// (creators/*.jsonl): scripts that keep a pack's fixed elements and replace
// its hook, published in November 2026. They are not part of the sample
// library's scripts (which never copy each other); `elib` adds them to the
// embedded sample library so its stats show reuse and fatigue.
func CreatorVariants() ([]element.Asset, error) {
	return Load(mustSub("creators"), element.ParseOptions{})
}
