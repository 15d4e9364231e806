// Package report renders check results for people and machines: coloured
// text for terminals, the JSON of SPEC §3, JUnit XML for GitLab/Jenkins test
// reports, SARIF 2.1.0 for GitHub code scanning, and GitHub workflow
// annotations. Results enter as a Report; bytes leave through an io.Writer.
package report
