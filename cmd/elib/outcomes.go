package main

import (
	"context"
	"log/slog"

	"elib/element"
	"elib/fingerprint"
	"elib/insight"
	"elib/library"
	"elib/library/kit"
)

// storeOutcomes makes b keep the library's stored check outcomes (the
// stats' per-asset judgements, see insight.AfterImport): outcomes a batch
// changes are marked stale before it is stored, its own are computed once
// it has committed (unless now is false: they are then missing until the
// next stats computes them). A failure to compute them only leaves them
// stale; the import itself stands.
func storeOutcomes(b *library.Batcher, engine *fingerprint.Engine, lib kit.Library, now bool) {
	if _, ok := lib.(kit.OutcomeStore); !ok {
		return
	}
	b.BeforeStore = func(ctx context.Context, assets []element.Asset) error {
		_, err := insight.BeforeImport(ctx, engine, lib, assets, insight.Options{})
		return err
	}
	if !now {
		return
	}
	b.AfterStore = func(ctx context.Context, batch []kit.Prepared) error {
		if err := insight.AfterImportPrepared(ctx, engine, lib, batch, insight.Options{}); err != nil {
			if ctx.Err() != nil {
				return nil // the import stops anyway; the outcomes stay stale
			}
			slog.Warn("check outcomes not stored; the next stats computes them", "err", err)
		}
		return nil
	}
}
