// Package insight turns the library into figures a content team steers by
// (issue 13): per period, the reuse rate and homogeneity ratio of the
// assets published in it, the most reused library elements and the
// fatigued ones (reused by many assets within a few days), and the
// fatigue warnings a check adds.
//
// Data enters as the library's assets with their published times and the
// check package's Checker (each period asset is checked against the
// library without itself: one definition of reuse and level, shared with
// `elib check`); it leaves as a Stats value that `elib stats`, GET
// /v1/stats and the web page's dashboard render.
//
// The per-asset judgements are stored with the library (outcome.go,
// kit.OutcomeStore): AfterImport computes an imported asset's outcome
// once (AfterImportPrepared with the fingerprints the import computed),
// BeforeImport and BeforeRemove mark stale the outcomes a change
// could alter, and Compute and CurrentFatigue read the stored outcomes,
// checking only missing or stale ones. Whatever computes outcomes stores
// them in chunks as they come (saver.go), so a stopped run keeps them.
package insight
