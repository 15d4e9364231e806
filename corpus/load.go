package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"elib/element"
)

// Load parses every supported file of fsys into assets, with ids relative to
// the root of fsys. Files that fail to parse are reported together in the
// returned error; the assets of the others are still returned.
func Load(fsys fs.FS, opts element.ParseOptions) ([]element.Asset, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != "." && len(name) > 0 && name[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && element.IsSupported(name) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("corpus: walk: %w", err)
	}
	sort.Strings(files)
	var assets []element.Asset
	var errs []error
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("corpus: %s: %w", f, err))
			continue
		}
		o := opts
		o.ID = path.Clean(f) // explicit ids inside the file still win
		o.Root = ""
		got, err := element.Parse(o.ID, data, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		assets = append(assets, got...)
	}
	return assets, errors.Join(errs...)
}

// SampleAssets parses the embedded sample library.
func SampleAssets() ([]element.Asset, error) {
	assets, err := Load(Library(), element.ParseOptions{})
	if err != nil {
		return nil, err
	}
	return withPublished(assets)
}
