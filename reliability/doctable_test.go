package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

// TestDocsHoldTheMarkers checks that the committed docs carry the markers the
// commands write between, so that a real run cannot fail at its very end.
func TestDocsHoldTheMarkers(t *testing.T) {
	for _, tc := range []struct{ path, name string }{
		{"../docs/RELIABILITY.md", "reliability"},
	} {
		b, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := doctable.Replace(string(b), tc.name, "x\n"); err != nil {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
}

// TestResultsMarkdown checks the header lines and the table of a run, and
// that a cell's pipe cannot break the table.
func TestResultsMarkdown(t *testing.T) {
	pg, lite := postgresEngine(), sqliteEngine()
	r := &results{command: "go run ./reliability", machine: "2 cores", passed: true,
		engines: []string{"PostgreSQL 15, on 127.0.0.1", "SQLite 3.50, a file"},
		fo:      faultOptions{Clients: 32, QueryTimeout: 1e9, MaxConns: 16, Outage: 4e9, After: 5e9}}
	r.add(corpusRow(pg, []corpusReport{{Name: "create"}, {Name: "rename"}}, 1000))
	r.add(corpusRow(lite, []corpusReport{{Name: "create"}, {Name: "widen", Refused: "no migration"}}, 1000))
	r.add(writersRow(&writersReport{Engine: lite, Opt: writersOptions{Sessions: 4, Writers: 8, Duration: 8e9}, Load: summary{Attempted: 80, OK: 80}, CounterAcks: 60, CartAcks: 20}))
	r.add(resultRow{ID: "x", What: "a | b"})
	md := r.markdown()
	for _, want := range []string{
		"- Command: `go run ./reliability`",
		"- PostgreSQL 15, on 127.0.0.1\n- SQLite 3.50, a file\n",
		"- Fault runs (PostgreSQL only): 32 clients, `QueryTimeout` 1s, a pool of 16 connections, faults lasting 4s, load kept on 5s after each\n",
		"- Result: PASS",
		"| # | Engine | Fault or input | Command | Attempted | 2xx | 5xx | Hung | Panics | Lost | Other figures |\n",
		"| 7 | PostgreSQL | Every migration plan in `generator/testdata/migrate/*.sql` up → down → up with dbmate, 1000 live sessions | `go run ./reliability -only corpus -engine postgresql` (short version: `go test -run 'TestMigrationCorpus/postgresql' ./reliability`) (the test: 200 rows) | 2 | 2 ok |",
		"| 7 | SQLite | Every migration plan in `generator/testdata/migrate/*.sql`, planned again by the SQLite dialect",
		"| 1 | 1 ok | — | — | — | 0 | Every value of every session survives every step, renamed columns followed. Not run on SQLite, whose dialect plans no migration for them (its own words): widen (no migration). |",
		"| 10 | SQLite | Concurrent writers: 4 sessions, 8 clients on each sharing its cookie, `POST /counter` and `POST /cart` for 8s | `go run ./reliability -only writers -engine sqlite`",
		"**Lost updates: 0** (60 counter increments and 20 cart items acknowledged;",
		`| x |  | a \| b |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestTableWrite writes a run's table into a copy of the committed doc the
// way a whole run does, and checks that only the lines between the markers
// changed; and that only a run of every run on every engine writes.
func TestTableWrite(t *testing.T) {
	orig, err := os.ReadFile("../docs/RELIABILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "RELIABILITY.md")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	r := &results{command: "go run ./reliability", machine: "2 cores", passed: true, engines: []string{"SQLite 3"}}
	r.add(writersRow(&writersReport{Engine: sqliteEngine(), Opt: writersOptions{Sessions: 1, Writers: 2, Duration: 1e9}}))
	md := r.markdown()
	if err := doctable.Write(path, "reliability", md); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin := "<!-- BEGIN reliability table"
	end := "<!-- END reliability table -->"
	o, g := string(orig), string(got)
	if o[:strings.Index(o, begin)] != g[:strings.Index(g, begin)] || o[strings.Index(o, end):] != g[strings.Index(g, end):] {
		t.Error("the doc changed outside the markers")
	}
	if !strings.Contains(g, md) {
		t.Errorf("the doc lacks the table:\n%s", md)
	}

	all := map[string]bool{}
	for _, n := range runNames() {
		all[n] = true
	}
	if !wholeRun(all, engines()) {
		t.Error("every run on every engine is not a whole run")
	}
	if wholeRun(all, engines()[:1]) {
		t.Error("a run on one engine counts as a whole run")
	}
	delete(all, "writers")
	if wholeRun(all, engines()) {
		t.Error("a run without writers counts as a whole run")
	}
}
