package corpus

import (
	"encoding/json"
	"fmt"
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
