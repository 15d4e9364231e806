package main

import (
	"bytes"
	"elib/internal/i18n"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"elib/check"
)

// hookMarker identifies pre-commit hooks that elib wrote.
const hookMarker = "# installed by elib hook install"

// hookOptions are the flags of `elib hook install`.
type hookOptions struct {
	force     bool
	threshold float64
}

func newHookCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Manage the git pre-commit hook that checks changed scripts",
	}
	opts := hookOptions{}
	install := &cobra.Command{
		Use:   "install",
		Short: "Install a git pre-commit hook running `elib check --changed`",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHookInstall(g, opts)
		},
	}
	install.Flags().BoolVar(&opts.force, "force", false, "replace an existing pre-commit hook not written by elib")
	install.Flags().Float64Var(&opts.threshold, "threshold", check.DefaultThreshold, "threshold the hook passes to elib check")
	cmd.AddCommand(install)
	return cmd
}

// runHookInstall writes .git/hooks/pre-commit (or the configured hooks path).
func runHookInstall(g *globalOptions, opts hookOptions) error {
	out, err := exec.Command("git", "rev-parse", "--git-path", "hooks").Output()
	if err != nil {
		return withCode(exitError, i18n.Errorf("hook install: not inside a git repository: %w", err))
	}
	dir := strings.TrimSpace(string(out))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitError, i18n.Errorf("hook install: %w", err))
	}
	path := filepath.Join(dir, "pre-commit")
	if old, err := os.ReadFile(path); err == nil && !bytes.Contains(old, []byte(hookMarker)) && !opts.force {
		return withCode(exitError, i18n.Errorf("hook install: %s exists and was not written by elib (use --force to replace it)", path))
	}
	exe, err := os.Executable()
	if err != nil || strings.Contains(exe, "go-build") {
		exe = "elib" // `go run` binaries vanish; rely on PATH
	}
	lib := ""
	if g.library != "" {
		abs, _ := filepath.Abs(g.library)
		lib = fmt.Sprintf(" --library %q", abs)
	}
	script := fmt.Sprintf(`#!/bin/sh
%s
# Checks the script files this commit adds or modifies against the element
# library; a script more than %.0f%% duplicated stops the commit.
# Skip once with: git commit --no-verify
ELIB=${ELIB:-%q}
exec "$ELIB"%s check --changed=HEAD --threshold %v
`, hookMarker, opts.threshold*100, exe, lib, opts.threshold)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(script), 0o755); err != nil {
		return withCode(exitError, i18n.Errorf("hook install: %w", err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return withCode(exitError, i18n.Errorf("hook install: %w", err))
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"installed": path})
	}
	g.printer().F(g.stdout, "installed %s\n", path)
	return nil
}
