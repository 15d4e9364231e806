package main

import (
	"bufio"
	"bytes"
	"context"
	"elib/internal/i18n"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"elib/element"
	"elib/index"
)

// allowlistOptions are the flags of `elib allowlist`.
type allowlistOptions struct {
	// file holds phrases, one per line.
	file string
}

func newAllowlistCommand(g *globalOptions) *cobra.Command {
	opts := allowlistOptions{}
	cmd := &cobra.Command{
		Use:   "allowlist add|remove|list [PHRASE...]",
		Short: "Manage the library's boilerplate phrases",
		Long: `Allowlist manages the phrases (legal disclaimers, brand slogans) that never
count towards duplication. "add" and "remove" take phrases as arguments or,
with --file F, one per line from F (blank lines and lines starting with # are
skipped); "list" prints them. Changes are stored in the library atomically.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib allowlist add "理性消费，谨慎下单"
  elib allowlist add --file boilerplate.txt
  elib allowlist list`,
		Args:      cobra.MinimumNArgs(1),
		ValidArgs: []string{"add", "remove", "list"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAllowlist(cmd.Context(), g, opts, args[0], args[1:])
		},
	}
	cmd.Flags().StringVar(&opts.file, "file", "", "read phrases from this file, one per line")
	return cmd
}

// readPhrases reads one phrase per line, skipping blanks and # comments.
// Like every input file, it must be a regular file (a named pipe would
// block) of at most 16 MiB.
func readPhrases(path string) ([]string, error) {
	data, err := element.ReadFile(path, 16<<20)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, i18n.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

// runAllowlist is `elib allowlist` without cobra.
func runAllowlist(_ context.Context, g *globalOptions, opts allowlistOptions, action string, phrases []string) error {
	if opts.file != "" {
		more, err := readPhrases(opts.file)
		if err != nil {
			return withCode(exitError, i18n.Errorf("allowlist: %w", err))
		}
		phrases = append(phrases, more...)
	}
	switch action {
	case "list":
		lib, err := openLibrary(g, index.Options{ReadOnly: true, SkipVerify: true})
		if err != nil {
			return err
		}
		defer lib.Close()
		list := lib.Allowlist()
		if list == nil {
			list = []string{} // JSON: [] for an empty allowlist, never null
		}
		if g.format == "json" {
			enc := json.NewEncoder(g.stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(struct {
				Allowlist []string `json:"allowlist"`
			}{list})
		}
		for _, p := range list {
			fmt.Fprintln(g.stdout, p)
		}
		return nil
	case "add", "remove":
		if len(phrases) == 0 {
			return withCode(exitError, i18n.Errorf("allowlist %s: no phrases (give them as arguments or with --file)", action))
		}
		lib, err := openLibrary(g, index.Options{SkipVerify: true})
		if err != nil {
			return err
		}
		defer lib.Close()
		before := len(lib.Allowlist())
		if action == "add" {
			err = lib.AllowlistAdd(phrases...)
		} else {
			err = lib.AllowlistRemove(phrases...)
		}
		if err != nil {
			return withCode(exitError, err)
		}
		after := len(lib.Allowlist())
		if g.format == "json" {
			return writeJSON(g.stdout, struct {
				Action  string `json:"action"`
				Changed int    `json:"changed"`
				Total   int    `json:"total"`
			}{action, max(after-before, before-after), after})
		}
		if action == "add" {
			fmt.Fprintf(g.stdout, "added %d phrases (%d in the allowlist)\n", after-before, after)
		} else {
			fmt.Fprintf(g.stdout, "removed %d phrases (%d in the allowlist)\n", before-after, after)
		}
		return nil
	default:
		return withCode(exitError, i18n.Errorf("allowlist: unknown action %q (add, remove, list)", action))
	}
}
