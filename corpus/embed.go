package corpus

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed library allowlist.txt examples packs.json published.json creators
var files embed.FS

const (
	libraryDir    = "library"
	examplesDir   = "examples"
	allowlistFile = "allowlist.txt"
	// ExamplesReadme is the file in Examples that documents the expected
	// verdicts; it is prose, not a script to check.
	ExamplesReadme = "README.md"
)

// Library returns the sample library's scripts, rooted at the library folder.
// Paths are slash-separated and relative to that root, so they double as the
// asset ids of files without an explicit id. The FS is read-only.
func Library() fs.FS {
	return mustSub(libraryDir)
}

// Examples returns the example submissions (and their README.md), rooted at
// the examples folder. The FS is read-only.
func Examples() fs.FS {
	return mustSub(examplesDir)
}

// ExampleScripts returns the sorted names of the example submissions in
// Examples, leaving out the README that documents them.
func ExampleScripts() []string {
	entries, err := fs.ReadDir(files, examplesDir)
	if err != nil {
		// The directory is embedded at build time; failing here is a build defect.
		panic("corpus: embedded examples missing: " + err.Error())
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() || e.Name() == ExamplesReadme {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Allowlist returns the sample library's boilerplate phrases (legal
// disclaimers and brand slogans), one per non-empty line of allowlist.txt,
// trimmed. Each call returns a fresh slice the caller may modify.
func Allowlist() []string {
	data, err := files.ReadFile(allowlistFile)
	if err != nil {
		panic("corpus: embedded allowlist missing: " + err.Error())
	}
	return parseLines(string(data))
}

// parseLines splits text into trimmed, non-empty lines.
func parseLines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// mustSub returns the embedded sub-tree dir; the directories are fixed at
// build time, so an error is a programming mistake.
func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, path.Clean(dir))
	if err != nil {
		panic("corpus: embedded " + dir + " missing: " + err.Error())
	}
	return sub
}
