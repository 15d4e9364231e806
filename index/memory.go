package index

import (
	"context"
	"errors"
	"fmt"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/boilerplate"
	"elib/fingerprint/lsh"
	"elib/index/manifest"
)

// Memory builds an in-memory library (nothing on disk) from assets; elib
// uses it for the embedded sample library. It supports every method; writes
// are simply not durable.
func Memory(ctx context.Context, engine *fingerprint.Engine, assets []element.Asset) (*Library, error) {
	if engine == nil {
		return nil, errors.New("memory library: nil fingerprint engine")
	}
	opts := Options{Engine: engine}
	opts.ensureDefaults()
	l := &Library{opts: opts, engine: engine, cache: newBlockCache(1), man: manifest.New(),
		params: engine.Bands(), assets: map[string]assetLoc{}, sketch: boilerplate.NewSketch()}
	l.lsh = lsh.NewIndex(l.params)
	l.anchors = newAnchorIndex()
	if len(assets) > 0 {
		if _, err := l.Import(ctx, assets); err != nil {
			return nil, fmt.Errorf("memory library: %w", err)
		}
		l.lsh.Compact()
		l.anchors.Compact()
	}
	return l, nil
}
