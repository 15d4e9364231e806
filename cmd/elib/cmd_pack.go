package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"elib/corpus"
	"elib/element"
	"elib/index"
	"elib/internal/i18n"
	"elib/library/kit"
	"elib/pack"
)

// packOptions are the flags of `elib pack`.
type packOptions struct {
	from        string
	slots       []string
	title, note string
	output      string
	inspiration int
	sample      bool
}

func newPackCommand(g *globalOptions) *cobra.Command {
	opts := packOptions{}
	cmd := &cobra.Command{
		Use:   "pack",
		Short: "Creator packs (乐高说明书): a hit's fixed elements and the slots creators replace",
		Long: `A creator pack turns a hit script into instructions for creators: its
fixed elements (kept as they are; copying them is licensed) and its slots
(by default the hook) each creator must replace with their own material.

Packs live in the library's manifest beside the allowlist (written
atomically, kept by reindex). Check a creator's variant with
` + "`elib check --pack ID FILE`" + `: matches against the pack's fixed elements are
reported as licensed and not counted; a slot that still copies library
material beyond the threshold rejects the variant ("slot not replaced").
Exit codes: 0 ok, 2 error.`,
		Example: `  elib pack create --from baby/teether-05.txt --slot hook --title "牙胶达人版"
  elib pack list
  elib pack export pack-1 --format html -o brief.html
  elib check --pack pack-1 drafts/creator-a.md
  elib pack --sample export pack-teether`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withCode(exitError, i18n.Errorf("pack: give an action (create, list, show, export, remove); see elib pack --help"))
		},
	}
	cmd.PersistentFlags().BoolVar(&opts.sample, "sample", false, "use the embedded sample library and its example packs (read-only)")

	create := &cobra.Command{
		Use:   "create --from ASSET_ID [--slot hook]... [--title T] [--note N]",
		Short: "Make a pack of a hit script (slots: element types or 1-based positions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackCreate(cmd.Context(), g, opts)
		},
	}
	f := create.Flags()
	f.StringVar(&opts.from, "from", "", "the asset id of the hit script")
	f.StringArrayVar(&opts.slots, "slot", nil, "an element type or 1-based position creators replace (repeatable; default hook)")
	f.StringVar(&opts.title, "title", "", "the pack's title (default the asset's title)")
	f.StringVar(&opts.note, "note", "", "instructions for creators")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the library's packs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackList(cmd.Context(), g, opts)
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a pack's elements and roles",
		Args:  packID("show"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackShow(cmd.Context(), g, opts, args[0])
		},
	}
	export := &cobra.Command{
		Use:   "export ID",
		Short: "Write the creator brief (--format md|html|json, default md; -o FILE)",
		Long: `Export writes the creator brief: every element with type, time, copy text
and attributes; for each slot its length, its job and the library's most
played elements of its type as inspiration, marked "do not copy".`,
		Args: packID("export"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackExport(cmd.Context(), g, opts, args[0])
		},
	}
	export.Flags().StringVarP(&opts.output, "output", "o", "", "write to this file instead of stdout")
	export.Flags().IntVar(&opts.inspiration, "inspiration", 3, "most played library elements shown per slot")
	remove := &cobra.Command{
		Use:   "remove ID",
		Short: "Delete a pack",
		Args:  packID("remove"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackRemove(cmd.Context(), g, opts, args[0])
		},
	}
	cmd.AddCommand(create, list, show, export, remove)
	return cmd
}

// packID is the argument rule of the actions on one pack.
func packID(action string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return withCode(exitError, i18n.Errorf("pack %s: give a pack ID (see elib pack list)", action))
		}
		return nil
	}
}

// textOrJSON refuses a --format other than text and json for action.
func textOrJSON(g *globalOptions, action string) error {
	if g.format != "text" && g.format != "json" {
		return withCode(exitError, i18n.Errorf("unknown --format %q for pack %s (text, json)", g.format, action))
	}
	return nil
}

// openPacks opens the library for a pack action (writable for create and
// remove), or builds the embedded sample library with --sample (which
// refuses writes).
func openPacks(ctx context.Context, g *globalOptions, opts packOptions, action string, write bool) (kit.Library, error) {
	if opts.sample {
		if write {
			return nil, withCode(exitError, i18n.Errorf("pack %s: the embedded sample library is read-only", action))
		}
		engine, err := newEngineLoader().Engine()
		if err != nil {
			return nil, withCode(exitError, err)
		}
		lib, _, err := sampleLibrary(ctx, engine)
		if err != nil {
			return nil, withCode(exitError, err)
		}
		return lib, nil
	}
	return openLibrary(g, index.Options{ReadOnly: !write, SkipVerify: true})
}

// runPackCreate is `elib pack create` without cobra.
func runPackCreate(ctx context.Context, g *globalOptions, opts packOptions) error {
	if err := textOrJSON(g, "create"); err != nil {
		return err
	}
	if opts.from == "" {
		return withCode(exitError, i18n.Errorf("pack create: give --from ASSET_ID (the hit script)"))
	}
	lib, err := openPacks(ctx, g, opts, "create", true)
	if err != nil {
		return err
	}
	defer lib.Close()
	a, err := lib.Asset(opts.from)
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack create: %w", err))
	}
	p, err := pack.New(a, pack.Options{Slots: opts.slots, Title: opts.title, Note: opts.note})
	if err != nil {
		return withCode(exitError, err)
	}
	if p.ID, err = lib.PackAdd(p); err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"id": p.ID})
	}
	g.printer().F(g.stdout, "created %s from %s: slots %s, %d fixed element(s)\n", p.ID, p.From, slotList(p), len(pack.License(p)))
	return nil
}

// runPackList is `elib pack list` without cobra.
func runPackList(ctx context.Context, g *globalOptions, opts packOptions) error {
	if err := textOrJSON(g, "list"); err != nil {
		return err
	}
	lib, err := openPacks(ctx, g, opts, "list", false)
	if err != nil {
		return err
	}
	defer lib.Close()
	ps, err := lib.Packs()
	if err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		if ps == nil {
			ps = []kit.Pack{}
		}
		return writeJSON(g.stdout, map[string]any{"packs": ps})
	}
	tr := g.printer()
	if len(ps) == 0 {
		tr.F(g.stdout, "no packs (make one with elib pack create --from ASSET_ID)\n")
	}
	for _, p := range ps {
		tr.F(g.stdout, "%-14s %s  from %s  slots %s  %s\n", p.ID, p.Title, p.From, slotList(p), g.localTime(p.Created))
	}
	return nil
}

// runPackRemove is `elib pack remove` without cobra.
func runPackRemove(ctx context.Context, g *globalOptions, opts packOptions, id string) error {
	if err := textOrJSON(g, "remove"); err != nil {
		return err
	}
	lib, err := openPacks(ctx, g, opts, "remove", true)
	if err != nil {
		return err
	}
	defer lib.Close()
	if err := lib.PackRemove(id); err != nil {
		return withCode(exitError, i18n.Errorf("pack remove: %w", err))
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"removed": id})
	}
	g.printer().F(g.stdout, "removed %s\n", id)
	return nil
}

// runPackShow is `elib pack show` without cobra.
func runPackShow(ctx context.Context, g *globalOptions, opts packOptions, id string) error {
	if err := textOrJSON(g, "show"); err != nil {
		return err
	}
	lib, err := openPacks(ctx, g, opts, "show", false)
	if err != nil {
		return err
	}
	defer lib.Close()
	p, err := lib.Pack(id)
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack %s: %w", "show", err))
	}
	if g.format == "json" {
		return writeJSON(g.stdout, p)
	}
	tr := g.printer()
	tr.F(g.stdout, "%s  %s\nfrom %s, created %s\n", p.ID, p.Title, p.From, g.localTime(p.Created))
	if p.Note != "" {
		tr.F(g.stdout, "note: %s\n", p.Note)
	}
	for i, e := range p.Elements {
		role := tr.T("fixed")
		if e.Slot {
			role = tr.T("SLOT ")
		}
		typ := e.Type
		if tr.Chinese() {
			typ = element.Type(e.Type).Chinese()
		}
		fmt.Fprintf(g.stdout, "  %d. %s %s %s  %s\n", i+1, role, padRight(typ, 11), e.ElementID, clip(e.Text, 40))
	}
	return nil
}

// runPackExport is `elib pack export` without cobra.
func runPackExport(ctx context.Context, g *globalOptions, opts packOptions, id string) error {
	format := g.format
	if format == "text" {
		format = "md"
	}
	if !slices.Contains(pack.Formats, format) {
		return withCode(exitError, i18n.Errorf("pack export: unknown --format %q (md, html, json)", format))
	}
	lib, err := openPacks(ctx, g, opts, "export", false)
	if err != nil {
		return err
	}
	defer lib.Close()
	p, err := lib.Pack(id)
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack export: %w", err))
	}
	b, err := pack.NewBrief(ctx, p, lib, opts.inspiration)
	if err != nil {
		return withCode(exitError, err)
	}
	var w io.Writer = g.stdout
	var f *os.File
	if opts.output != "" {
		if f, err = os.Create(opts.output); err != nil {
			return withCode(exitError, i18n.Errorf("pack export: %w", err))
		}
		w = f
	}
	err = b.Write(w, format)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack export: %w", err))
	}
	return nil
}

// slotList names a pack's slots: "hook" or "hook, 3".
func slotList(p kit.Pack) string {
	var s []string
	for _, t := range pack.SlotTypes(p) {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// addSamplePacks adds the corpus's example packs to the sample library.
func addSamplePacks(lib *index.Library) error {
	recipes, err := corpus.Packs()
	if err != nil {
		return err
	}
	for _, r := range recipes {
		a, err := lib.Asset(r.From)
		if err != nil {
			return i18n.Errorf("pack %s: %w", r.ID, err)
		}
		p, err := pack.New(a, pack.Options{Slots: r.Slots, Title: r.Title, Note: r.Note})
		if err != nil {
			return err
		}
		p.ID = r.ID
		if _, err := lib.PackAdd(p); err != nil {
			return err
		}
	}
	return nil
}
