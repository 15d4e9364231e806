package manifest

import (
	"maps"

	"elib/library/kit"
)

// clonePacks deep-copies packs (attribute maps shallowly).
func clonePacks(ps []kit.Pack) []kit.Pack {
	if ps == nil {
		return nil
	}
	out := make([]kit.Pack, len(ps))
	for i, p := range ps {
		out[i] = p
		out[i].Elements = make([]kit.PackElement, len(p.Elements))
		for j, e := range p.Elements {
			e.Attributes = maps.Clone(e.Attributes)
			out[i].Elements[j] = e
		}
	}
	return out
}
