// Package library opens a library by location through a registry of
// schemes (scheme.go): a directory (the file library of package index, the
// default), memory: (the same code in memory) or a postgres:// URL
// (package library/postgres). schemes.go is the registry's wiring, the one
// place outside cmd/elib that knows the backends; everything else works
// against kit.Library, the contract every backend implements and the
// conformance tests in this package prove. Batcher pipelines imports and
// Migrate copies a library into another.
package library

import (
	"elib/check"
	"elib/fingerprint"
	"elib/index"
	"elib/library/kit"
	"elib/library/postgres"
)

// Every backend implements the whole contract.
var (
	_ kit.Library         = (*index.Library)(nil)
	_ kit.Library         = (*postgres.Library)(nil)
	_ check.Source        = kit.Library(nil)
	_ check.FootageSource = kit.Library(nil)
	_ kit.Notifier        = (*postgres.Library)(nil)
	_ kit.IndexLoader     = (*index.Library)(nil)
	_ kit.Lagger          = (*postgres.Library)(nil)
)

// Options configure Open. The file-only fields are ignored by PostgreSQL.
type Options struct {
	// ReadOnly refuses writes.
	ReadOnly bool
	// Engine fingerprints imported material; nil for commands that do not.
	Engine *fingerprint.Engine
	// Workers is the number of fingerprinting goroutines.
	Workers int
	// Progress is called as elements are fingerprinted.
	Progress func(done, total int)
	// File holds the options only the file library has (Salvage,
	// SkipVerify, NoFulltext…); its Dir, ReadOnly, Engine, Workers and
	// Progress are set from the fields above.
	File index.Options
}
