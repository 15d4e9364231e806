package corpus

import (
	"encoding/json"
	"fmt"

	"elib/element"
)

// published.json gives the sample library's scripts (which carry no
// metadata of their own) a published time, platform, account and play
// count, spread over June–November 2026, so `elib stats --since` and
// `elib search --sort plays` have something to show. An asset's own
// metadata always wins.
const publishedFile = "published.json"

// withPublished merges published.json into the assets' metadata.
func withPublished(assets []element.Asset) ([]element.Asset, error) {
	data, err := files.ReadFile(publishedFile)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", publishedFile, err)
	}
	var meta map[string]map[string]any
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("corpus %s: %w", publishedFile, err)
	}
	for i := range assets {
		m, ok := meta[assets[i].ID]
		if !ok {
			continue
		}
		if assets[i].Meta == nil {
			assets[i].Meta = map[string]any{}
		}
		for k, v := range m {
			if _, has := assets[i].Meta[k]; !has {
				assets[i].Meta[k] = v
			}
		}
	}
	return assets, nil
}
