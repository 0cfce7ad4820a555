package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's PostgreSQL driver
	"github.com/sessiongen/sessiongen/generator"
	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
)

// corpusCase is one golden migration plan of the generator's evolution
// corpus (generator/testdata/migrate/*.sql) and the table it starts from,
// in one engine's SQL: the goldens are PostgreSQL's, and replanCorpus
// plans the same change for another engine.
type corpusCase struct {
	Name    string
	Setup   []string         // SQL building the starting table; none: no table
	Files   []corpusMigation // the plan, in order
	Refused string           // the engine's dialect refuses the change, by design: why (nothing runs)
	Note    string           // what the replanning did, for the report
}

type corpusMigation struct {
	Name string
	Data []byte
}

// corpusReport is the outcome of one case.
type corpusReport struct {
	Name       string
	Migrations int
	Rows       int
	Notes      []string
	Refused    string // the engine's dialect refused the plan, by design
	Err        error
}

// upSection returns the statements between -- migrate:up and -- migrate:down.
func upSection(data []byte) string {
	s := string(data)
	_, s, _ = strings.Cut(s, "-- migrate:up")
	if i := strings.Index(s, "\n"); i >= 0 {
		s = s[i+1:]
	}
	s, _, _ = strings.Cut(s, "-- migrate:down")
	return s
}

// loadCorpus reads every golden plan in dir and derives its starting table
// from the create goldens (the plans' starting tables are those of the
// generator's planCases).
func loadCorpus(dir string) ([]corpusCase, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	head := regexp.MustCompile(`(?m)^==> (\S+) <==\n`)
	files := map[string][]corpusMigation{}
	var names []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(p), ".sql")
		idx := head.FindAllSubmatchIndex(data, -1)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%s: no ==> file <== sections", p)
		}
		for i, m := range idx {
			end := len(data)
			if i+1 < len(idx) {
				end = idx[i+1][0]
			}
			files[name] = append(files[name], corpusMigation{Name: string(data[m[2]:m[3]]), Data: data[m[1]:end]})
		}
		names = append(names, name)
	}
	create, indexed := files["create"], files["create_indexed"]
	if len(create) != 1 || len(indexed) != 1 {
		return nil, fmt.Errorf("%s: create.sql and create_indexed.sql are needed as the starting tables", dir)
	}
	base := []string{upSection(create[0].Data)}
	setups := map[string][]string{
		"create":              nil,
		"create_indexed":      nil,
		"everything":          {upSection(indexed[0].Data)},
		"drop_allowed":        append(slices.Clone(base), "CREATE INDEX sessions_age_idx ON sessions (age);"),
		"drop_index":          append(slices.Clone(base), "CREATE INDEX sessions_name_idx ON sessions (name);"),
		"renamed_keeps_index": append(slices.Clone(base), "CREATE INDEX sessions_name_idx ON sessions (name);"),
		"index_name_taken":    append(slices.Clone(base), "ALTER TABLE sessions RENAME COLUMN name TO title;", "CREATE INDEX sessions_name_idx ON sessions (title);"),
	}
	var out []corpusCase
	for _, n := range names {
		setup, ok := setups[n]
		if !ok {
			setup = base // the generator's default starting table
		}
		out = append(out, corpusCase{Name: n, Setup: setup, Files: files[n]})
	}
	return out, nil
}

var (
	renameRE = regexp.MustCompile(`RENAME COLUMN (\w+) TO (\w+)`)
	dropRE   = regexp.MustCompile(`DROP COLUMN (\w+)`)
)

// compareRows checks that every value of before is in after, following
// column renames; columns in dropped are expected to be gone. It returns
// what differs.
func compareRows(before, after map[string]map[string]string, renames map[string]string, dropped map[string]bool) []string {
	var diffs []string
	if len(before) != len(after) {
		diffs = append(diffs, fmt.Sprintf("%d rows before, %d after", len(before), len(after)))
	}
	for k, row := range before {
		got, ok := after[k]
		if !ok {
			diffs = append(diffs, "row "+k[:8]+" gone")
			continue
		}
		for c, v := range row {
			if c == "last_seen_at" || dropped[c] {
				continue
			}
			nc := c
			if r, ok := renames[c]; ok {
				nc = r
			}
			if got[nc] != v {
				diffs = append(diffs, fmt.Sprintf("row %s column %s: %s, was %s", k[:8], nc, got[nc], v))
			}
		}
		if len(diffs) > 5 {
			break
		}
	}
	return diffs
}

// runCorpusCase applies one plan up, down and up again with dbmate on a
// fresh database of engine e holding live sessions, and checks the
// sessions' data at each step.
func runCorpusCase(ctx context.Context, e *engine, c corpusCase, nrows int) (rep corpusReport) {
	rep = corpusReport{Name: c.Name, Migrations: len(c.Files), Refused: c.Refused}
	if c.Note != "" {
		rep.Notes = append(rep.Notes, c.Note)
	}
	if c.Refused != "" {
		return rep
	}
	fail := func(err error) corpusReport { rep.Err = err; return rep }
	db, err := e.create(ctx, "reliability_corpus")
	if err != nil {
		return fail(err)
	}
	defer db.drop()
	conn, err := e.sqlDB(db)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	for _, s := range c.Setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fail(fmt.Errorf("setup: %w", err))
		}
	}
	dir, err := os.MkdirTemp("", "reliability-corpus-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	renames, dropped := map[string]string{}, map[string]bool{}
	for _, f := range c.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fail(err)
		}
		up := upSection(f.Data)
		for _, m := range renameRE.FindAllStringSubmatch(up, -1) {
			renames[m[1]] = m[2]
		}
		for _, m := range dropRE.FindAllStringSubmatch(up, -1) {
			dropped[m[1]] = true
		}
	}
	dm := newDBMate(db.URL, dir)

	hasTable := len(c.Setup) > 0
	var before map[string]map[string]string
	if hasTable {
		if err := e.liveRows(ctx, conn, nrows); err != nil {
			return fail(fmt.Errorf("inserting sessions: %w", err))
		}
		if before, err = e.snapshotRows(ctx, conn); err != nil {
			return fail(err)
		}
		rep.Rows = len(before)
	}
	check := func(step string, renames map[string]string) error {
		if !hasTable {
			return nil
		}
		after, err := e.snapshotRows(ctx, conn)
		if err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		if d := compareRows(before, after, renames, dropped); len(d) > 0 {
			return fmt.Errorf("%s: session data changed: %s", step, strings.Join(d, "; "))
		}
		return nil
	}
	if err := dm.Migrate(); err != nil {
		return fail(fmt.Errorf("up: %w", err))
	}
	if err := check("up", renames); err != nil {
		return fail(err)
	}
	if !hasTable {
		if err := e.liveRows(ctx, conn, nrows); err != nil {
			return fail(fmt.Errorf("inserting sessions into the new table: %w", err))
		}
		rep.Notes = append(rep.Notes, "creates the table: down drops it (and its sessions) by design")
	}
	for range c.Files {
		if err := dm.Rollback(); err != nil {
			return fail(fmt.Errorf("down: %w", err))
		}
	}
	if err := check("down", nil); err != nil {
		return fail(err)
	}
	if err := dm.Migrate(); err != nil {
		return fail(fmt.Errorf("up again: %w", err))
	}
	if err := check("up again", renames); err != nil {
		return fail(err)
	}
	if len(dropped) > 0 {
		var d []string
		for k := range dropped {
			d = append(d, k)
		}
		sort.Strings(d)
		rep.Notes = append(rep.Notes, fmt.Sprintf("drops column(s) %s (allowed with -allow-drop): their values are gone by design, every other value survives", strings.Join(d, ", ")))
	}
	return rep
}

// corpusFor returns the corpus in e's SQL: the goldens themselves for
// PostgreSQL, replanned by e's dialect otherwise.
func corpusFor(e *engine, golden []corpusCase) ([]corpusCase, error) {
	if e.Dialect.Name() == "postgresql" {
		return golden, nil
	}
	return replanCorpus(e.Dialect, golden)
}

// replanCorpus plans every golden case again with dialect d, as sessiongen
// would for a struct generated for d: the starting table and the wanted
// one are the PostgreSQL replays of the golden's setup and of its setup
// plus its plan, translated into d's types (d.Want); the setup is d's
// create migration of the starting table, the plan d's plan between the
// two with the golden's renames and drops. A change d refuses (a NOT NULL
// or default change on SQLite) is reported, not run.
func replanCorpus(d dialect.Dialect, golden []corpusCase) ([]corpusCase, error) {
	var out []corpusCase
	for _, g := range golden {
		// The setup stands for migrations sessiongen wrote: what a
		// migration of one's own adds is foreign, and never dropped.
		setup := generator.MigrationFile{Name: "00000000000000_setup.sql", Data: []byte(generator.GeneratedHeader + "\n-- migrate:up\n" + strings.Join(g.Setup, "\n") + "\n-- migrate:down\n")}
		files := []generator.MigrationFile{}
		if len(g.Setup) > 0 {
			files = append(files, setup)
		}
		c := corpusCase{Name: g.Name}
		var cur *generator.TableSchema
		if len(files) > 0 {
			t, err := generator.Replay(files, "sessions")
			if err != nil {
				return nil, fmt.Errorf("%s: replaying the setup: %w", g.Name, err)
			}
			if cur, err = d.Want(t); err != nil {
				c.Refused = "starting table: " + err.Error()
				out = append(out, c)
				continue
			}
		}
		opt := plan.Options{Renames: map[string]string{}}
		for _, f := range g.Files {
			files = append(files, generator.MigrationFile{Name: f.Name, Data: f.Data})
			up := upSection(f.Data)
			for _, m := range renameRE.FindAllStringSubmatch(up, -1) {
				opt.Renames[m[2]] = m[1]
			}
			opt.AllowDrop = opt.AllowDrop || dropRE.MatchString(up)
		}
		t, err := generator.Replay(files, "sessions")
		if err != nil {
			return nil, fmt.Errorf("%s: replaying the golden plan: %w", g.Name, err)
		}
		want, err := d.Want(t)
		if err != nil {
			c.Refused = "wanted table: " + err.Error()
			out = append(out, c)
			continue
		}
		if cur != nil {
			create, err := renderPlan(d, nil, cur, plan.Options{})
			if err != nil {
				return nil, fmt.Errorf("%s: %s starting table: %w", g.Name, d.Name(), err)
			}
			for _, m := range create {
				c.Setup = append(c.Setup, upSection(m.Data))
			}
		}
		migs, err := renderPlan(d, cur, want, opt)
		switch {
		case err != nil:
			c.Refused = err.Error()
		case len(migs) == 0:
			c.Refused = "no migration: the change is a no-op on " + d.Name()
		}
		c.Files = migs
		out = append(out, c)
	}
	return out, nil
}

// renderPlan plans cur -> want with d and renders the migrations as dbmate
// files named as the generator names them.
func renderPlan(d dialect.Dialect, cur, want *generator.TableSchema, opt plan.Options) ([]corpusMigation, error) {
	planned, err := plan.Plan(cur, want, opt, d)
	if err != nil {
		return nil, err
	}
	var out []corpusMigation
	ts := time.Date(2026, 11, 26, 0, 15, 0, 0, time.UTC)
	for i, pm := range planned {
		st, err := dialect.RenderMigration(d, pm)
		if err != nil {
			return nil, err
		}
		data, err := generator.RenderMigration(generator.Migration{Name: pm.Name, NoTransaction: pm.NoTransaction, Up: st.Up, Down: st.Down})
		if err != nil {
			return nil, err
		}
		out = append(out, corpusMigation{Name: generator.MigrationFileName(ts.Add(time.Duration(i)*time.Second), pm.Name), Data: data})
	}
	return out, nil
}
