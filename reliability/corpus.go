package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's PostgreSQL driver
	"github.com/jackc/pgx/v5"
)

// corpusCase is one golden migration plan of the generator's evolution
// corpus (generator/testdata/migrate/*.sql) and the table it starts from.
type corpusCase struct {
	Name  string
	Setup []string         // SQL building the starting table; none: no table
	Files []corpusMigation // the plan, in order
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

// liveRows inserts n live sessions with a non-default value in every
// payload column.
func liveRows(ctx context.Context, conn *pgx.Conn, n int) error {
	if _, err := conn.Exec(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT sha256(int8send(i)), now() + interval '1 hour', now() + interval '8 hours' FROM generate_series(1, $1) i`, n); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = 'sessions' AND column_name NOT IN ('token_hash','created_at','last_seen_at','expires_at','absolute_expires_at','remember')`)
	if err != nil {
		return err
	}
	var sets []string
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			return err
		}
		b := "get_byte(token_hash, 0)"
		var v string
		switch typ {
		case "bigint", "integer", "smallint":
			v = b
		case "real", "double precision":
			v = b + " / 4.0"
		case "text":
			v = "encode(token_hash, 'hex')"
		case "boolean":
			v = b + " % 2 = 0"
		case "bytea":
			v = "token_hash"
		case "jsonb":
			v = "jsonb_build_array(jsonb_build_object('sku', encode(token_hash, 'hex'), 'qty', " + b + "))"
		case "timestamp with time zone":
			v = "timestamptz '2026-01-01' + " + b + " * interval '1 minute'"
		default:
			continue
		}
		sets = append(sets, col+" = "+v)
	}
	rows.Close()
	if rows.Err() != nil {
		return rows.Err()
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = conn.Exec(ctx, "UPDATE sessions SET "+strings.Join(sets, ", "))
	return err
}

// snapshotRows reads every row as column -> JSON value, keyed by token.
func snapshotRows(ctx context.Context, conn *pgx.Conn) (map[string]map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT encode(token_hash, 'hex'), to_jsonb(s)::text FROM sessions s`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var k, j string
		if err := rows.Scan(&k, &j); err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(j), &m); err != nil {
			return nil, err
		}
		row := map[string]string{}
		for c, v := range m {
			row[c] = string(v)
		}
		out[k] = row
	}
	return out, rows.Err()
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
// fresh database holding live sessions, and checks the sessions' data at
// each step.
func runCorpusCase(ctx context.Context, c corpusCase, nrows int) (rep corpusReport) {
	rep = corpusReport{Name: c.Name, Migrations: len(c.Files)}
	fail := func(err error) corpusReport { rep.Err = err; return rep }
	db, err := createDB(ctx, "reliability_corpus")
	if err != nil {
		return fail(err)
	}
	defer db.drop()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return fail(err)
	}
	defer conn.Close(context.Background())
	for _, s := range c.Setup {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fail(fmt.Errorf("setup: %w", err))
		}
	}
	dir, err := os.MkdirTemp("", "reliability-corpus-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	renames, dropped := map[string]string{}, map[string]bool{}
	back := map[string]string{}
	for _, f := range c.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fail(err)
		}
		up := upSection(f.Data)
		for _, m := range renameRE.FindAllStringSubmatch(up, -1) {
			renames[m[1]] = m[2]
			back[m[2]] = m[1]
		}
		for _, m := range dropRE.FindAllStringSubmatch(up, -1) {
			dropped[m[1]] = true
		}
	}
	u, _ := url.Parse(db.URL)
	dm := dbmate.New(u)
	dm.MigrationsDir = []string{dir}
	dm.AutoDumpSchema = false
	dm.Log = io.Discard

	hasTable := len(c.Setup) > 0
	var before map[string]map[string]string
	if hasTable {
		if err := liveRows(ctx, conn, nrows); err != nil {
			return fail(fmt.Errorf("inserting sessions: %w", err))
		}
		if before, err = snapshotRows(ctx, conn); err != nil {
			return fail(err)
		}
		rep.Rows = len(before)
	}
	check := func(step string, renames map[string]string) error {
		if !hasTable {
			return nil
		}
		after, err := snapshotRows(ctx, conn)
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
		if err := liveRows(ctx, conn, nrows); err != nil {
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
