package kit

import (
	"context"
	"fmt"

	"elib/element"
)

// ReadDir parses the supported files under dir into assets, as `elib
// reindex --from DIR` rebuilds a library from a corpus (asset ids relative
// to dir), and passes each to fn in walk order. A file that does not parse,
// or an asset id met a second time, is passed to problem (a message naming
// the file) and skipped; the other inputs are still read. Every backend's
// Reindex with ReindexOptions.From reads its directory through ReadDir.
func ReadDir(ctx context.Context, dir string, verbs element.VerbTagger, fn func(element.Asset) error, problem func(string)) error {
	seen := map[string]bool{}
	return element.Walk([]string{dir}, func(path string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		assets, err := element.ParseFile(path, element.ParseOptions{Root: dir, Verbs: verbs, Context: ctx})
		if err != nil {
			problem(err.Error())
			return nil
		}
		for _, a := range assets {
			if seen[a.ID] {
				problem(fmt.Sprintf("%s: duplicate asset id %s skipped", path, a.ID))
				continue
			}
			seen[a.ID] = true
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
}
