// Command sessiongen generates a typed, server-side session layer for a Go
// session payload struct: dbmate migrations for its PostgreSQL table, sqlc
// queries compiled to pgx/v5 code, and typed accessors and middleware.
// With -engine sqlite (or -engine postgresql,sqlite) it also generates the
// SQLite migrations, queries and sqlc's database/sql package; the typed
// layer is PostgreSQL's for now.
//
// Use it from a go:generate line next to the struct:
//
//	//go:generate go tool sessiongen -type Session
//
// With -check it writes nothing and exits with status 1 and a unified diff
// when any generated file is stale or a new migration would be needed; the
// diff's paths are relative to the sqlc.yaml directory, where patch -p1
// applies it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/sessiongen/sessiongen/generator"
)

func main() {
	if code, ok := generator.SQLCChild(); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the flags, generates, and writes or checks. It returns the
// process exit code: 0 ok, 1 stale (-check), 2 error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sessiongen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o generator.Options
	check := fs.Bool("check", false, "write nothing; exit 1 with a unified diff if any generated file is stale or a migration is missing")
	fs.StringVar(&o.Type, "type", "", "session payload struct type name (required)")
	fs.StringVar(&o.Table, "table", "", "table name (default snake_case(type)+\"s\")")
	fs.StringVar(&o.Dir, "dir", ".", "directory of the package declaring the type")
	fs.StringVar(&o.SQLCConfig, "sqlc", "", "sqlc.yaml to add the table's entry to (default <module root>/sqlc.yaml)")
	fs.StringVar(&o.SchemaDir, "schema", "", "dbmate migrations directory (default <sqlc.yaml dir>/schema)")
	fs.StringVar(&o.QueriesDir, "queries", "", "sqlc queries directory (default <sqlc.yaml dir>/queries)")
	fs.StringVar(&o.Out, "out", "", "directory of sqlc's Go output (default <dir>/<lower(type)>db)")
	fs.StringVar(&o.GoFile, "o", "", "typed layer output file, in the package directory (default <dir>/<snake_case(type)>_gen.go)")
	fs.BoolVar(&o.AllowDrop, "allow-drop", false, "allow a migration that drops the columns of removed fields (their data is lost)")
	fs.BoolVar(&o.Cache, "cache", false, "emit the NOTIFY triggers the runtime's Config.Cache needs to evict changed and deleted sessions on every instance (PostgreSQL only)")
	fs.Func("engine", "database engines to generate for, comma-separated or repeated: postgresql, sqlite (default postgresql); with several, each has its own schema/<engine>, queries/<engine> and sqlc package <out><engine>", func(v string) error {
		o.Engines = append(o.Engines, v)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sessiongen -type T [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sessiongen: unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return 2
	}
	out, err := generator.Generate(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "sessiongen: %v\n", err)
		return 2
	}
	if *check {
		diff, err := out.Check(out.Root)
		if err != nil {
			fmt.Fprintf(stderr, "sessiongen: %v\n", err)
			return 2
		}
		if diff != "" {
			fmt.Fprintf(stdout, "%s", diff)
			fmt.Fprintf(stderr, "sessiongen: generated files are stale; run go generate (or apply the diff with patch -p1 in %s)\n", out.Root)
			return 1
		}
		return 0
	}
	wrote, err := out.Write()
	if err != nil {
		fmt.Fprintf(stderr, "sessiongen: %v\n", err)
		return 2
	}
	for _, p := range wrote {
		verb := "wrote"
		if _, err := os.Stat(p); err != nil {
			verb = "removed" // a stale output of an earlier run
		}
		fmt.Fprintf(stdout, "sessiongen: %s %s\n", verb, p)
	}
	return 0
}
