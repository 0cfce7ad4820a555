// Package generator is the sessiongen library: it turns a Go session payload
// struct into dbmate migrations, sqlc queries (compiled by sqlc to pgx/v5
// code) and a typed Go layer over package sessionrt.
//
// The pipeline has four stages: load (load.go: go/packages), model
// (fields.go, typemap.go: struct fields to columns; names.go: the names the
// renderers define, which fields may not take), render and write
// (write.go). Render covers: owners.go (which type uses which table, and
// what an earlier run left); migrations, split by responsibility into
// packages: schema (the table shape), plan (the planner: engine-neutral
// operations decided from the wanted and the replayed table) and dialect
// (the engine seam) with dialect/postgresql (renders the operations as
// PostgreSQL DDL and replays committed migrations with the PostgreSQL
// parser of pgparse_cgo.go or, under CGO_ENABLED=0, pgparse_nocgo.go) and
// dialect/sqlite (SQLite types and DDL, replay in an in-memory SQLite);
// engines.go: -engine and the layout of several engines;
// migrate.go and replay.go tie them to dbmate files; render_sql.go: queries
// and sqlc.yaml; sqlc.go: sqlc in a child process; sqlcdoc.go: doc
// comments for sqlc's output; render_go.go, render_store.go,
// render_handle.go, render_backend.go: the typed layer with jennifer.
// Generate runs load, model and render and builds every file in memory;
// Output.Write puts them on disk and Output.Check compares them with it,
// for CI.
package generator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/generator/dialect"
)

// Options configures one Generate run. Relative paths are taken from Dir.
type Options struct {
	Dir        string // directory of the package declaring the payload type; default "."
	Type       string // payload struct type name (required)
	Table      string // table name; default snake_case(Type)+"s"
	SQLCConfig string // sqlc.yaml to add our entry to; default <module root>/sqlc.yaml
	SchemaDir  string // migrations directory; default <sqlc.yaml dir>/schema
	QueriesDir string // query files directory; default <sqlc.yaml dir>/queries
	Out        string // sqlc's Go output directory; default <Dir>/<lower(Type)>db
	GoFile     string // typed layer file; default <Dir>/<snake_case(Type)>_gen.go
	AllowDrop  bool   // allow migrations that drop columns of removed fields
	// Cache emits the triggers that publish changed and deleted keys with
	// NOTIFY, which the runtime's Config.Cache needs to evict across
	// instances. PostgreSQL only: with SQLite among the engines it applies
	// to PostgreSQL's table, and with SQLite alone it is an error.
	Cache bool
	// Engines are the database engines to generate for (EnginePostgreSQL,
	// EngineSQLite); default PostgreSQL alone. See paths.forEngine for the
	// layout of several.
	Engines []string
	// Now stamps new migrations; default time.Now.
	Now func() time.Time
	// SQLC runs sqlc; default ExecSelf.
	SQLC SQLCRunner
}

// paths are the resolved absolute locations of one run (or, after
// forEngine, of one engine of it).
type paths struct {
	root, sqlcConfig, schema, queries, out, goFile string
	entry                                          string // the name of the sqlc.yaml entry (forEngine)
}

func (o *Options) resolve(l *loaded) (paths, error) {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(o.Dir, p)
	}
	var p paths
	switch {
	case o.SQLCConfig != "":
		p.sqlcConfig = abs(o.SQLCConfig)
	case l.modDir != "":
		p.sqlcConfig = filepath.Join(l.modDir, "sqlc.yaml")
	default:
		return p, fmt.Errorf("package in %s is not in a module; pass -sqlc", o.Dir)
	}
	p.root = filepath.Dir(p.sqlcConfig)
	p.schema = filepath.Join(p.root, "schema")
	if o.SchemaDir != "" {
		p.schema = abs(o.SchemaDir)
	}
	p.queries = filepath.Join(p.root, "queries")
	if o.QueriesDir != "" {
		p.queries = abs(o.QueriesDir)
	}
	p.out = filepath.Join(abs("."), strings.ToLower(o.Type)+"db")
	if o.Out != "" {
		p.out = abs(o.Out)
	}
	p.goFile = filepath.Join(abs("."), snakeCase(o.Type)+"_gen.go")
	if o.GoFile != "" {
		p.goFile = abs(o.GoFile)
	}
	if filepath.Dir(p.goFile) != abs(".") {
		return p, fmt.Errorf("-o %s must be a file in the package directory %s: the generated code declares methods on %s, which Go allows only in the package that declares it", o.GoFile, abs("."), o.Type)
	}
	if !strings.HasSuffix(p.goFile, ".go") || strings.HasSuffix(p.goFile, "_test.go") || strings.HasPrefix(filepath.Base(p.goFile), "_") || strings.HasPrefix(filepath.Base(p.goFile), ".") {
		return p, fmt.Errorf("-o %s must name a .go file the go command builds (not a _test.go file, not starting with _ or .)", o.GoFile)
	}
	for name, dir := range map[string]string{"schema": p.schema, "queries": p.queries, "out": p.out} {
		rel, err := filepath.Rel(p.root, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			return p, fmt.Errorf("-%s %s must be inside %s, the directory of sqlc.yaml", name, dir, p.root)
		}
	}
	return p, nil
}

// rel is path relative to root with forward slashes, as sqlc.yaml wants.
func (p paths) rel(path string) string {
	r, err := filepath.Rel(p.root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}

// Generate loads the payload type, maps it and renders every file in
// memory. Nothing is written.
func Generate(ctx context.Context, o Options) (*Output, error) {
	if o.Type == "" {
		return nil, fmt.Errorf("-type is required: name the session payload struct")
	}
	if o.Dir == "" {
		o.Dir = "."
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", o.Dir, err)
	}
	o.Dir = dir
	if o.Table == "" {
		o.Table = snakeCase(o.Type) + "s"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SQLC == nil {
		o.SQLC = ExecSelf
	}

	// load
	l, err := load(o.Dir, o.Type)
	if err != nil {
		return nil, err
	}
	// model
	m, err := buildModel(l, o.Table)
	if err != nil {
		return nil, err
	}
	m.Cache = o.Cache
	p, err := o.resolve(l)
	if err != nil {
		return nil, err
	}
	want := m.WantedSchema()
	if err := checkIndexNames(m, want); err != nil {
		return nil, err
	}
	out := &Output{}

	// render: who uses which table, then the migrations
	oldConfig, err := os.ReadFile(p.sqlcConfig)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("reading %s: %w", p.sqlcConfig, err)
	}
	engines, err := o.engines()
	if err != nil {
		return nil, err
	}
	if err := checkLayout(p, m, engines, oldConfig); err != nil {
		return nil, err
	}
	config := oldConfig
	if len(engines) > 1 {
		if config, err = retireSingleLayout(p, m, o.Dir, config, out); err != nil {
			return nil, err
		}
	}
	var outs []string // each engine's sqlc package directory
	var last string   // the typed layer's header names the first engine's last migration
	for i, engine := range engines {
		pe := p.forEngine(engine, len(engines) > 1, m.Table)
		var final *dialect.Replayed
		config, final, err = generateEngine(ctx, o, pe, m, want, engine, oldConfig, config, out)
		if err != nil {
			return nil, err
		}
		outs = append(outs, pe.out)
		if i == 0 {
			last = final.LastGenerated[m.Table]
		}
	}
	out.Files = append(out.Files, File{Path: p.sqlcConfig, Data: config})

	// render: the typed Go layer, over each engine's sqlc package
	if l.modPath == "" {
		return nil, fmt.Errorf("package in %s is not in a module; the generated code must import %s", o.Dir, outs[0])
	}
	var eo []engineOut
	for i, engine := range engines {
		d, err := dialectFor(engine)
		if err != nil {
			return nil, err
		}
		eo = append(eo, engineOut{d: d, dbPath: l.modPath + "/" + filepath.ToSlash(relOrSelf(l.modDir, outs[i]))})
	}
	goSrc, err := renderGo(m, eo, last)
	if err != nil {
		return nil, err
	}
	out.Files = append(out.Files, File{Path: p.goFile, Data: goSrc})
	out.Root = p.root
	for _, f := range out.Files {
		out.Root = commonDir(out.Root, filepath.Dir(f.Path))
	}
	return out, nil
}

// generateEngine renders, for one engine, the migrations, the query file,
// the sqlc.yaml entry (merged into config, which it returns) and sqlc's Go
// package into out, and returns the replay of the migrations. oldConfig is
// the sqlc.yaml as it was on disk, from which earlier runs are read.
func generateEngine(ctx context.Context, o Options, p paths, m *Model, modelWant *TableSchema, engine string, oldConfig, config []byte, out *Output) ([]byte, *dialect.Replayed, error) {
	d, err := dialectFor(engine)
	if err != nil {
		return nil, nil, err
	}
	want, err := d.Want(modelWant)
	if err != nil {
		var ce *dialect.ColumnError
		if errors.As(err, &ce) {
			for _, f := range m.Fields {
				if f.Column == ce.Column {
					return nil, nil, fmt.Errorf("%s:%d: field %s: %s: %w", f.Pos.Filename, f.Pos.Line, f.GoName, d.Runtime().Title, err)
				}
			}
		}
		return nil, nil, fmt.Errorf("%s: %w", engine, err)
	}
	previous, err := tableOwnership(p, m, o.Dir, oldConfig)
	if err != nil {
		return nil, nil, err
	}
	var removed []string
	for _, u := range previous {
		removed = append(removed, u.Queries)
		out.Files = append(out.Files, File{Path: u.File, Delete: true})
	}
	final, err := planMigrations(d, o, p, m, want, previous, out)
	if err != nil {
		return nil, nil, err
	}

	// render: queries and sqlc.yaml
	queries, err := renderQueries(m, d)
	if err != nil {
		return nil, nil, err
	}
	queriesPath := filepath.Join(p.queries, m.Table+".sql")
	out.Files = append(out.Files, File{Path: queriesPath, Data: queries})
	entry := sqlcEntry{
		Name:    p.entry,
		Engine:  engine,
		Schema:  p.rel(p.schema),
		Queries: p.rel(queriesPath),
		Package: filepath.Base(p.out),
		Out:     p.rel(p.out),
		Runtime: implPath,
	}
	config, err = removeSQLCEntries(config, removed)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.sqlcConfig, err)
	}
	config, err = mergeSQLCConfig(config, entry)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.sqlcConfig, err)
	}

	// render: sqlc, in a child process on a scratch copy that holds only
	// this table (see sqlcSchema)
	scratchConfig, err := mergeSQLCConfig(nil, entry)
	if err != nil {
		return nil, nil, err
	}
	scratch := map[string][]byte{
		"sqlc.yaml":                             scratchConfig,
		entry.Queries:                           queries,
		path.Join(entry.Schema, m.Table+".sql"): sqlcSchema(d, final.Tables[m.Table], want),
	}
	gen, err := runSQLC(ctx, o.SQLC, p.root, scratch, entry.Out)
	if err != nil {
		return nil, nil, err
	}
	if gen, err = documentSQLC(gen, m.Table, d.Runtime()); err != nil {
		return nil, nil, err
	}
	produced := map[string]bool{}
	for _, rel := range sortedKeys(gen) {
		out.Files = append(out.Files, File{Path: filepath.Join(p.root, rel), Data: gen[rel]})
		produced[filepath.Join(p.root, rel)] = true
	}
	stale, err := staleSQLCFiles(p.out, previous, produced)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range stale {
		out.Files = append(out.Files, File{Path: f, Delete: true})
	}
	return config, final, nil
}

// tableOwnership reads the generated query files to see who uses which
// table: another type on our table is refused; our type on another table
// means -table changed, and those uses are returned (their outputs go,
// their table is renamed).
func tableOwnership(p paths, m *Model, pkgDir string, config []byte) ([]tableUse, error) {
	uses, err := tableUses(p, config)
	if err != nil {
		return nil, err
	}
	var previous []tableUse
	for _, u := range uses {
		if u.File == filepath.Join(p.queries, m.Table+".sql") && u.Table != m.Table {
			continue // our own query file, edited: it is regenerated
		}
		same := sameOwner(u, m, p, pkgDir)
		switch {
		case u.Table == m.Table && !same:
			return nil, fmt.Errorf("table %s is already used by type %s (%s); pass another -table for %s", m.Table, u.Type, ownerPosition(u, p), m.TypeName)
		case u.Table != m.Table && same:
			previous = append(previous, u)
		}
	}
	return previous, nil
}

// planMigrations replays the committed migrations, plans the new ones
// (a rename of a previous table first), adds them to out, and returns the
// replay of all of them.
func planMigrations(d dialect.Dialect, o Options, p paths, m *Model, want *TableSchema, previous []tableUse, out *Output) (*dialect.Replayed, error) {
	existing, err := ReadMigrations(p.schema)
	if err != nil {
		return nil, err
	}
	if err := checkDeletedMigrations(existing, p.schema, p.goFile, d.Name()); err != nil {
		return nil, err
	}
	r, err := d.Replay(existing)
	if err != nil {
		return nil, err
	}
	cur := r.Tables[m.Table]
	var plan []Migration
	for _, u := range previous {
		old := r.Tables[u.Table]
		if old == nil {
			continue // never migrated: only its outputs go
		}
		if cur != nil {
			return nil, fmt.Errorf("type %s moved from table %s to table %s (-table), but table %s exists in %s too, so sessiongen cannot rename %s to it; drop or rename table %s in a migration of your own first, or pass -table %s", m.TypeName, u.Table, m.Table, m.Table, p.schema, u.Table, m.Table, u.Table)
		}
		mig, renamed, err := renameTable(d, old, m.Table)
		if err != nil {
			return nil, err
		}
		plan = append(plan, mig)
		cur = renamed
	}
	if cur != nil && !slices.ContainsFunc(cur.Columns, func(c Column) bool { return !c.Foreign }) {
		return nil, fmt.Errorf("table %s exists in %s, but no migration sessiongen wrote created it; pass another -table", m.Table, p.schema)
	}
	po := m.planOptions()
	po.AllowDrop = o.AllowDrop
	rest, err := planFor(d, cur, want, po)
	if err != nil {
		return nil, err
	}
	plan = append(plan, rest...)
	ts := NextTimestamp(o.Now(), existing)
	follows := ""
	if len(existing) > 0 {
		follows = existing[len(existing)-1].Name
	}
	all := slices.Clone(existing)
	for i, mig := range plan {
		mig.Follows = follows
		data, err := RenderMigration(mig)
		if err != nil {
			return nil, err
		}
		name := MigrationFileName(ts.Add(time.Duration(i)*time.Second), mig.Name)
		out.Files = append(out.Files, File{Path: filepath.Join(p.schema, name), Data: data, Once: true})
		out.NewMigrations = append(out.NewMigrations, name)
		all = append(all, MigrationFile{Name: name, Data: data})
		follows = name
	}
	final, err := d.Replay(all)
	if err != nil {
		return nil, fmt.Errorf("replaying the new migrations: %w", err)
	}
	if final.Tables[m.Table] == nil {
		return nil, fmt.Errorf("table %s does not exist after the migrations in %s", m.Table, p.schema)
	}
	return final, nil
}

// commonDir is the deepest directory holding both a and b (absolute, clean).
func commonDir(a, b string) string {
	for {
		if r, err := filepath.Rel(a, b); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}

// planOptions carries the tags and positions the migration planner needs.
func (m *Model) planOptions() PlanOptions {
	po := PlanOptions{Renames: map[string]string{}, Positions: map[string]string{}, Retype: map[string]bool{}}
	for _, f := range m.Fields {
		if f.Was != "" {
			po.Renames[f.Column] = f.Was
		}
		if f.Retype {
			po.Retype[f.Column] = true
		}
		po.Positions[f.Column] = fmt.Sprintf("%s:%d: field %s", f.Pos.Filename, f.Pos.Line, f.GoName)
	}
	return po
}

// maxIdentifier is PostgreSQL's identifier length (NAMEDATALEN-1): longer
// names are silently truncated, and two truncated names can coincide.
const maxIdentifier = 63

// checkIndexNames refuses index names PostgreSQL would truncate.
func checkIndexNames(m *Model, want *TableSchema) error {
	var problems []string
	for _, x := range want.Indexes {
		if len(x.Name) <= maxIdentifier {
			continue
		}
		why := fmt.Sprintf("index name %s is %d bytes long; PostgreSQL truncates names to %d bytes, so two such names can become one", x.Name, len(x.Name), maxIdentifier)
		if i := slices.IndexFunc(m.Fields, func(f Field) bool { return f.Index && len(x.Columns) == 1 && f.Column == x.Columns[0] }); i >= 0 {
			f := m.Fields[i]
			problems = append(problems, fmt.Sprintf("%s:%d: field %s: %s; pass a shorter -table, or shorten the column with `session:\"name\"`", f.Pos.Filename, f.Pos.Line, f.GoName, why))
			continue
		}
		problems = append(problems, fmt.Sprintf("table name %q is too long: %s; pass a shorter -table", m.Table, why))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

func relOrSelf(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return r
}
