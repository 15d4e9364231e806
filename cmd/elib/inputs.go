package main

import (
	"bytes"
	"context"
	"elib/internal/i18n"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"elib/element"
)

// parsedInput is one input file and what it parsed into.
type parsedInput struct {
	File   string
	Assets []element.Asset
	Err    error
}

// inputOptions say how to read check inputs.
type inputOptions struct {
	// StdinFormat names the format of "-" (default txt).
	StdinFormat string
	// LibRoot makes asset ids of the files inside it relative to it: the
	// library's root folder (libraryRoot), so a checked file that was
	// imported has the id it was imported under.
	LibRoot string
	// Root makes asset ids of other files relative to it (a git
	// repository root).
	Root  string
	stdin io.Reader
	// warn is told about entries directory walks skip.
	warn func(path string, reason error)
}

// readInputs expands paths (directories recursively) and parses each file.
// Parse failures are kept per file, never fatal for the others; entries a
// directory walk skips (named pipes, symlinked directories) are reported on
// opts.warn. Stdin is read through the input limit and gives up when ctx
// is cancelled (Ctrl-C), even while nothing arrives.
func readInputs(ctx context.Context, paths []string, opts inputOptions) ([]parsedInput, error) {
	var out []parsedInput
	err := element.WalkReport(paths, func(p string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "-" {
			data, err := readStdin(ctx, opts.stdin, element.DefaultMaxBytes)
			if err != nil {
				out = append(out, parsedInput{File: "-", Err: err})
				return nil
			}
			format := opts.StdinFormat
			if format == "" {
				format = "txt"
			}
			assets, err := element.Parse("stdin."+format, data, element.ParseOptions{Format: format, ID: "stdin"})
			out = append(out, parsedInput{File: "-", Assets: assets, Err: err})
			return nil
		}
		assets, err := element.ParseFile(p, element.ParseOptions{Root: assetRoot(p, opts.LibRoot, opts.Root), Context: ctx})
		out = append(out, parsedInput{File: p, Assets: assets, Err: err})
		return nil
	}, opts.warn)
	return out, err
}

// readStdin reads at most maxBytes of r. More is an error saying so (the
// rest is never read, so /dev/zero or a multi-gigabyte pipe costs nothing);
// a cancelled ctx ends the wait for input at once.
func readStdin(ctx context.Context, r io.Reader, maxBytes int64) ([]byte, error) {
	if r == nil {
		return nil, i18n.Errorf("stdin: not available")
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
		done <- result{data, err}
	}()
	select {
	case <-ctx.Done():
		return nil, i18n.Errorf("stdin: %w", ctx.Err())
	case res := <-done:
		if res.err != nil {
			return nil, i18n.Errorf("stdin: %w", res.err)
		}
		if int64(len(res.data)) > maxBytes {
			return nil, &element.ParseError{File: "-", Err: i18n.Errorf("%w: over %d bytes on stdin (limit %d; a script is kilobytes)", element.ErrTooLarge, maxBytes, maxBytes)}
		}
		return res.data, nil
	}
}

// warnSkipped returns a WalkReport callback printing what a walk skipped.
func warnSkipped(w io.Writer, tr *i18n.Printer) func(path string, reason error) {
	return func(path string, reason error) {
		tr.F(w, "elib: %s\n", path+": "+tr.Message(reason))
	}
}

// assetRoot picks the directory asset ids are relative to: the library's
// root folder when the file is inside it, else the repository root when
// the file is inside that, else the current directory.
func assetRoot(file, libRoot, repoRoot string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	if within(libRoot, abs) {
		return libRoot
	}
	if repoRoot != "" {
		if rel, err := filepath.Rel(repoRoot, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return repoRoot
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return wd
		}
	}
	return filepath.Dir(abs)
}

// gitRoot returns the top of the git work tree containing dir, or "".
func gitRoot(dir string) string {
	cmd := exec.Command("git", "rev-parse", "--show-toplevel")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// isRevision reports whether rev names a commit in repo.
func isRevision(repo, rev string) bool {
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	cmd.Dir = repo
	return cmd.Run() == nil
}

// changedFiles lists the script files a git change added or modified: the
// working tree against the merge base of rev and HEAD (so a branch is
// compared with where it forked, not with commits added to rev since), plus
// untracked files when rev is HEAD. Non-empty limit restricts the listing to
// those files or directories (git pathspecs relative to the repository).
func changedFiles(repo, rev string, limit []string) ([]string, error) {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
	base := rev
	if rev != "HEAD" {
		mb, err := run("merge-base", rev, "HEAD")
		if err != nil {
			return nil, err
		}
		base = strings.TrimSpace(string(mb))
	}
	diff, err := run(append([]string{"diff", "--name-only", "-z", "--diff-filter=AM", base, "--"}, limit...)...)
	if err != nil {
		return nil, err
	}
	names := splitNUL(diff)
	if rev == "HEAD" {
		untracked, err := run(append([]string{"ls-files", "-z", "--others", "--exclude-standard", "--"}, limit...)...)
		if err != nil {
			return nil, err
		}
		names = append(names, splitNUL(untracked)...)
	}
	seen := map[string]bool{}
	var files []string
	for _, n := range names {
		p := filepath.Join(repo, filepath.FromSlash(n))
		if seen[p] || !element.IsSupported(p) {
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue
		}
		seen[p] = true
		files = append(files, p)
	}
	return files, nil
}

func splitNUL(b []byte) []string {
	var out []string
	for _, f := range bytes.Split(b, []byte{0}) {
		if len(f) > 0 {
			out = append(out, string(f))
		}
	}
	return out
}
