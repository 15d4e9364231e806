package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"elib/element"
	"elib/index"
	"elib/internal/i18n"
)

// allowlistOptions are the flags of `elib allowlist`.
type allowlistOptions struct {
	// file holds phrases, one per line.
	file string
}

func newAllowlistCommand(g *globalOptions) *cobra.Command {
	opts := allowlistOptions{}
	cmd := &cobra.Command{
		Use:   "allowlist",
		Short: "Manage the library's boilerplate phrases",
		Long: `Allowlist manages the phrases (legal disclaimers, brand slogans) that never
count towards duplication. "add" and "remove" take phrases as arguments or,
with --file F, one per line from F (blank lines and lines starting with # are
skipped); "list" prints them. Changes are stored in the library atomically.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib allowlist add "理性消费，谨慎下单"
  elib allowlist add --file boilerplate.txt
  elib allowlist list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withCode(exitError, i18n.Errorf("allowlist: give an action (add, remove, list); see elib allowlist --help"))
		},
	}
	for _, action := range []string{"add", "remove"} {
		sub := &cobra.Command{
			Use:   action + " [PHRASE...]",
			Short: strings.ToUpper(action[:1]) + action[1:] + " boilerplate phrases (arguments, or --file)",
			RunE: func(cmd *cobra.Command, args []string) error {
				return runAllowlistEdit(cmd.Context(), g, opts, action, args)
			},
		}
		sub.Flags().StringVar(&opts.file, "file", "", "read phrases from this file, one per line")
		cmd.AddCommand(sub)
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the boilerplate phrases",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAllowlistList(cmd.Context(), g)
		},
	})
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

// runAllowlistList is `elib allowlist list` without cobra.
func runAllowlistList(_ context.Context, g *globalOptions) error {
	lib, err := openLibrary(g, index.Options{ReadOnly: true, SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()
	list, err := lib.Allowlist()
	if err != nil {
		return withCode(exitError, err)
	}
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
}

// runAllowlistEdit is `elib allowlist add|remove` without cobra.
func runAllowlistEdit(_ context.Context, g *globalOptions, opts allowlistOptions, action string, phrases []string) error {
	if opts.file != "" {
		more, err := readPhrases(opts.file)
		if err != nil {
			return withCode(exitError, i18n.Errorf("allowlist: %w", err))
		}
		phrases = append(phrases, more...)
	}
	if len(phrases) == 0 {
		return withCode(exitError, i18n.Errorf("allowlist %s: no phrases (give them as arguments or with --file)", action))
	}
	lib, err := openLibrary(g, index.Options{SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()
	old, err := lib.Allowlist()
	if err != nil {
		return withCode(exitError, err)
	}
	before := len(old)
	if action == "add" {
		err = lib.AllowlistAdd(phrases...)
	} else {
		err = lib.AllowlistRemove(phrases...)
	}
	if err != nil {
		return withCode(exitError, err)
	}
	now, err := lib.Allowlist()
	if err != nil {
		return withCode(exitError, err)
	}
	after := len(now)
	if g.format == "json" {
		return writeJSON(g.stdout, struct {
			Action  string `json:"action"`
			Changed int    `json:"changed"`
			Total   int    `json:"total"`
		}{action, max(after-before, before-after), after})
	}
	if action == "add" {
		g.printer().F(g.stdout, "added %d phrases (%d in the allowlist)\n", after-before, after)
	} else {
		g.printer().F(g.stdout, "removed %d phrases (%d in the allowlist)\n", before-after, after)
	}
	return nil
}
