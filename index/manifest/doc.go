// Package manifest is the versioned root record of an elib library
// directory: which segment files make up the element store (with their
// sizes and checksums), which LSH and boilerplate-sketch snapshots and which
// full-text index directory belong to the current generation, the
// fingerprint options the store was built with, and the allowlist.
//
// Data enters through Write, which replaces manifest.json atomically and
// durably (so readers always see one complete generation), and leaves
// through Read, which checks the format version and the manifest's own
// checksum.
package manifest
