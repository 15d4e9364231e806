// Package kit is the vocabulary every library backend shares and every
// layer above the backends speaks: the Library contract (with its
// optional abilities as small named interfaces beside it), what an import
// prepares and returns (Prepare, Prepared, PreparedImport, ImportResult),
// Stats, ReindexOptions, creator packs (Pack), the sentinel errors, the
// records every backend stores (AssetRecord, ElementRecord, the one-byte
// TypeCode), and the helpers each backend uses to fill its search index
// (SearchDocs) and to rebuild from a folder (ReadDir).
//
// The file backend (package index), PostgreSQL (library/postgres), the
// registry that opens them by location (library), the server, insight and
// cmd/elib all import kit; kit imports none of them, nor check. It lives
// under library/ rather than at the module root because it is not
// dependency-free: a prepared element carries fingerprints, a search goes through the bleve-backed fulltext types, so
// a root package would have to import half the module and stop being the
// bottom of it. library/kit sits exactly one floor below the backends.
package kit
