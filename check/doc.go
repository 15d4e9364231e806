// Package check is elib's pre-publish check: it answers "is this new asset
// more than Threshold duplicated against the library, and which parts match
// what?".
//
// An asset enters Checker.Check already split into elements (package
// element). Each element and overlapping windows of the whole copy text are
// fingerprinted; their LSH band keys give candidate library elements; every
// candidate is verified exactly (runs of at least MinRun countable
// characters in common); the asset's duplication is the union of verified
// runs over its countable characters, with boilerplate (allowlisted phrases
// and sentences common across the library) left out of both sides of the
// ratio. A Result leaves the package for a renderer (package check/report).
package check
