package index

import (
	"maps"
	"time"

	"elib/element"
)

// stampImported returns meta with element.MetaImported set to now when the
// asset carries no import time yet (a copy: the caller's map is not
// changed). The time is stored with the asset, so a reindex from the store
// keeps it, and element.Asset.Published falls back to it when the asset has
// no published or created time of its own.
func stampImported(meta map[string]any, now time.Time) map[string]any {
	if _, ok := meta[element.MetaImported]; ok {
		return meta
	}
	out := make(map[string]any, len(meta)+1)
	maps.Copy(out, meta)
	out[element.MetaImported] = now.UTC().Format(time.RFC3339)
	return out
}

// now is the library's clock: Options.Now, else time.Now.
func (l *Library) now() time.Time {
	if l.opts.Now != nil {
		return l.opts.Now()
	}
	return time.Now()
}
