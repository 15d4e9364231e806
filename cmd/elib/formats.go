package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"elib/check/report"
	"elib/element"
	"elib/pack"
)

// inputFormatFlag adds --input-format (the format of stdin '-') to cmd:
// its help and completions list the text formats of element's table.
func inputFormatFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "input-format", element.FormatScript, inputFormatHelp())
	_ = cmd.RegisterFlagCompletionFunc("input-format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return element.TextFormats(), cobra.ShellCompDirectiveNoFileComp
	})
}

func inputFormatHelp() string {
	return "format of stdin input '-' (" + strings.Join(element.TextFormats(), ", ") + ")"
}

// formatFlag adds the persistent --format to root: its help and
// completions list the check report's formats (report's table) and a
// pack export's.
func formatFlag(root *cobra.Command, p *string) {
	root.PersistentFlags().StringVar(p, "format", "text", formatHelp())
	_ = root.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return outputFormatNames(), cobra.ShellCompDirectiveNoFileComp
	})
}

func formatHelp() string {
	var check []string
	for _, n := range report.FormatNames() {
		if n != "text" && n != "json" {
			check = append(check, n)
		}
	}
	return "output format: text or json (check also: " + strings.Join(check, ", ") + "; pack export: " + strings.Join(pack.Formats, ", ") + ")"
}

// outputFormatNames are every --format value some command takes.
func outputFormatNames() []string {
	out := report.FormatNames()
	for _, f := range pack.Formats {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
