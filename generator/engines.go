package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/dialect/mysql"
	"github.com/sessiongen/sessiongen/generator/dialect/postgresql"
	"github.com/sessiongen/sessiongen/generator/dialect/sqlite"
	"gopkg.in/yaml.v3"
)

// The engines sessiongen generates for (Options.Engines).
const (
	EnginePostgreSQL = "postgresql"
	EngineSQLite     = "sqlite"
)

// dialects are the engines sessiongen generates for, by name: adding an
// engine is adding its dialect package here (and its runtime driver in
// sessionimpl).
func dialects() []dialect.Dialect {
	return []dialect.Dialect{postgresql.Dialect{}, sqlite.Dialect{}, mysql.Dialect{}}
}

// dialectFor is the dialect of an engine.
func dialectFor(engine string) (dialect.Dialect, error) {
	var names []string
	for _, d := range dialects() {
		if d.Name() == engine {
			return d, nil
		}
		names = append(names, d.Name())
	}
	return nil, fmt.Errorf("-engine %q is not one of %s", engine, strings.Join(names, ", "))
}

// engines returns the engines of the run, PostgreSQL first when it is one
// of them, each once; default PostgreSQL alone.
func (o *Options) engines() ([]string, error) {
	var out []string
	for _, e := range o.Engines {
		for _, name := range strings.Split(e, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if _, err := dialectFor(name); err != nil {
				return nil, err
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	if len(out) == 0 {
		out = []string{EnginePostgreSQL}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == EnginePostgreSQL:
			return -1
		case b == EnginePostgreSQL:
			return 1
		}
		return strings.Compare(a, b)
	})
	if o.Cache && !slices.ContainsFunc(out, notifies) {
		var with []string
		for _, d := range dialects() {
			if d.Runtime().Notify {
				with = append(with, d.Name())
			}
		}
		return nil, fmt.Errorf("-cache needs an engine that publishes row changes (evict triggers with NOTIFY): %s; drop -cache, or add one to -engine", strings.Join(with, ", "))
	}
	return out, nil
}

// notifies reports whether engine publishes row changes, which the read
// cache needs.
func notifies(engine string) bool {
	d, err := dialectFor(engine)
	return err == nil && d.Runtime().Notify
}

// forEngine returns the locations of one engine's outputs.
//
// With one engine (whichever it is) the layout is the one sessiongen has
// always had: migrations in the schema directory, the query file
// <queries>/<table>.sql, the sqlc.yaml entry <table>, sqlc's package in
// the out directory (<lower(type)>db).
//
// With several, each engine has its own: migrations in <schema>/<engine>,
// the query file <queries>/<engine>/<table>.sql, the sqlc.yaml entry
// <table>_<engine>, and sqlc's package in <out><engine> (sessiondbpostgresql,
// sessiondbsqlite). Committed migrations are never moved: checkLayout
// refuses a run whose layout does not match the migrations on disk, with
// the git mv commands that move them.
func (p paths) forEngine(engine string, several bool, table string) paths {
	pe := p
	pe.entry = table
	if several && engine != EnginePostgreSQL {
		pe.goFile = "" // the typed layer names the first engine's migrations: PostgreSQL's
	}
	if several {
		pe.schema = filepath.Join(p.schema, engine)
		pe.queries = filepath.Join(p.queries, engine)
		pe.out = p.out + engine
		pe.entry = table + "_" + engine
	}
	return pe
}

// checkLayout refuses a run whose layout (one engine or several, see
// paths.forEngine) does not match where the committed migrations are, with
// the commands that move them: sessiongen never moves a committed
// migration itself.
func checkLayout(p paths, m *Model, engines []string, config []byte) error {
	top, err := ReadMigrations(p.schema)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p.schema, err)
	}
	if len(engines) > 1 {
		if !slices.ContainsFunc(top, func(f MigrationFile) bool { return generatedFor(f, m.Table) }) {
			return nil // none of ours: the user's own migrations, say
		}
		engine := singleLayoutEngine(p, m, config)
		dir := filepath.Join(p.schema, engine)
		cmds := []string{"mkdir -p " + p.rel(dir)}
		for _, f := range top {
			cmds = append(cmds, "git mv "+p.rel(filepath.Join(p.schema, f.Name))+" "+p.rel(dir)+"/")
		}
		return fmt.Errorf("%s holds the migrations of a one-engine layout (%s), but with -engine %s each engine's migrations live in a directory of their own (%s/<engine>). sessiongen never moves committed migrations; move them (in %s), then run again; the query file, the sqlc.yaml entry and sqlc's package move by themselves:\n\t%s",
			p.rel(p.schema), engine, strings.Join(engines, ","), p.rel(p.schema), p.root, strings.Join(cmds, "\n\t"))
	}
	if len(top) > 0 {
		return nil
	}
	dir := filepath.Join(p.schema, engines[0])
	sub, err := ReadMigrations(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(sub) == 0 {
		return nil
	}
	var cmds []string
	for _, f := range sub {
		cmds = append(cmds, "git mv "+p.rel(filepath.Join(dir, f.Name))+" "+p.rel(p.schema)+"/")
	}
	return fmt.Errorf("%s holds the %s migrations of a several-engine layout, but with the one engine %s they live in %s itself. sessiongen never moves committed migrations; move them (in %s), or pass every engine to -engine:\n\t%s",
		p.rel(dir), engines[0], engines[0], p.rel(p.schema), p.root, strings.Join(cmds, "\n\t"))
}

// generatedFor reports whether f is a migration sessiongen wrote that
// names table.
func generatedFor(f MigrationFile, table string) bool {
	if !bytes.HasPrefix(f.Data, []byte(GeneratedHeader)) {
		return false
	}
	for _, w := range strings.FieldsFunc(string(f.Data), func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		if w == table {
			return true
		}
	}
	return false
}

// singleLayoutEngine is the engine of the one-engine layout found on disk:
// the engine of the sqlc.yaml entry that compiles <queries>/<table>.sql,
// PostgreSQL when there is none (the only engine sessiongen had).
func singleLayoutEngine(p paths, m *Model, config []byte) string {
	var doc struct {
		SQL []struct {
			Engine  string `yaml:"engine"`
			Queries any    `yaml:"queries"`
		} `yaml:"sql"`
	}
	if yaml.Unmarshal(config, &doc) == nil {
		want := p.rel(filepath.Join(p.queries, m.Table+".sql"))
		for _, e := range doc.SQL {
			if q, ok := e.Queries.(string); ok && path.Clean(q) == want && e.Engine != "" {
				return e.Engine
			}
		}
	}
	return EnginePostgreSQL
}

// retireSingleLayout removes, when a run has several engines, what a
// one-engine run generated for this type: its query file, its sqlc.yaml
// entry and sqlc's Go files in its package (generated files, regenerated
// under the engines' own names; the migrations, which checkLayout saw
// moved, are not touched). It returns the config without the entry.
func retireSingleLayout(p paths, m *Model, pkgDir string, config []byte, out *Output) ([]byte, error) {
	uses, err := tableUses(p, config)
	if err != nil {
		return nil, err
	}
	single := filepath.Join(p.queries, m.Table+".sql")
	for _, u := range uses {
		if u.File != single || u.Table != m.Table || !sameOwner(u, m, p, pkgDir) {
			continue
		}
		out.Files = append(out.Files, File{Path: u.File, Delete: true})
		if config, err = removeSQLCEntries(config, []string{u.Queries}); err != nil {
			return nil, fmt.Errorf("%s: %w", p.sqlcConfig, err)
		}
		dir := p.out
		if u.Out != "" {
			dir = filepath.Join(p.root, filepath.FromSlash(u.Out))
		}
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", dir, err)
		}
		for _, e := range entries {
			f := filepath.Join(dir, e.Name())
			if e.IsDir() || !strings.HasSuffix(f, ".go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", f, err)
			}
			if bytes.HasPrefix(data, []byte("// Code generated by sqlc. DO NOT EDIT.")) {
				out.Files = append(out.Files, File{Path: f, Delete: true})
			}
		}
	}
	return config, nil
}
