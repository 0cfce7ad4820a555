package main

import (
	"os"
	"path/filepath"
	"slices"
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

// TestResultsMarkdown checks the header lines and the table of a run, the
// rows of every engine (MySQL's fault rows among them) in table order, and
// that a cell's pipe cannot break the table.
func TestResultsMarkdown(t *testing.T) {
	pg, lite, my := postgresEngine(), sqliteEngine(), mysqlEngine()
	r := &results{command: "go run ./reliability", machine: "2 cores", passed: true,
		engines:      []string{"PostgreSQL 15, on 127.0.0.1", "SQLite 3.50, a file", "MySQL (MariaDB 10.11), on 127.0.0.1"},
		fo:           faultOptions{Clients: 32, QueryTimeout: 1e9, MaxConns: 16, Outage: 4e9, After: 5e9},
		faultEngines: []string{"PostgreSQL", "MySQL"}}
	lock := my.faultsOf("lock")
	if len(lock) != 2 {
		t.Fatalf("MySQL has %d lock runs, want 2 (lock wait longer and shorter than QueryTimeout)", len(lock))
	}
	// In the order main adds them: restart runs last, its rows go first.
	r.add(faultRow(&faultReport{Engine: pg, Fault: pg.faultsOf("terminate")[0], Total: summary{Attempted: 10, OK: 9, C5xx: 1}, FirstOK: 1e6, LastFail: -1}))
	r.add(faultRow(&faultReport{Engine: my, Fault: my.faultsOf("terminate")[0], Total: summary{Attempted: 10, OK: 9, C5xx: 1}, FirstOK: 1e6, LastFail: -1}))
	r.add(faultRow(&faultReport{Engine: my, Fault: lock[0], Total: summary{Attempted: 10, OK: 8, C5xx: 2}, FirstOK: 1e6, LastFail: -1,
		Errors: map[string]int{"QueryTimeout (context deadline exceeded)": 2}}))
	r.add(faultRow(&faultReport{Engine: my, Fault: lock[1], Total: summary{Attempted: 10, OK: 8, C5xx: 2}, FirstOK: 1e6, LastFail: -1,
		Errors: map[string]int{errClassLockWait: 2}}))
	r.add(soakRow(&soakReport{Engine: my, Clients: 64, Duration: 60e9, Load: summary{Attempted: 100, OK: 97, C5xx: 3}, Errors: 3,
		Logged: map[string]int{"MySQL error 1213 (deadlock)": 3}}))
	r.add(corpusRow(pg, []corpusReport{{Name: "create"}, {Name: "rename"}}, 1000))
	r.add(corpusRow(lite, []corpusReport{{Name: "create"}, {Name: "widen", Refused: "no migration"}}, 1000))
	r.add(corpusRow(my, []corpusReport{{Name: "create"}, {Name: "add_index", Refused: "type change"}}, 1000))
	r.add(writersRow(&writersReport{Engine: lite, Opt: writersOptions{Sessions: 4, Writers: 8, Duration: 8e9}, Load: summary{Attempted: 80, OK: 80}, CounterAcks: 60, CartAcks: 20}))
	r.add(writersRow(&writersReport{Engine: my, Opt: writersOptions{Sessions: 4, Writers: 8, Duration: 8e9}, Load: summary{Attempted: 80, OK: 80}, CounterAcks: 60, CartAcks: 20}))
	r.add(faultRow(&faultReport{Engine: pg, Fault: pg.faultsOf("restart")[0], Total: summary{Attempted: 10, OK: 5, C5xx: 5}, FirstOK: 1e6, LastFail: -1}))
	r.add(faultRow(&faultReport{Engine: my, Fault: my.faultsOf("restart")[0], Total: summary{Attempted: 10, OK: 5, C5xx: 5}, FirstOK: 1e6, LastFail: -1,
		Errors: map[string]int{"connection refused": 4, "connection lost": 1}}))
	r.add(resultRow{ID: "x", What: "a | b"})
	r.sortRows()
	md := r.markdown()
	for _, want := range []string{
		"- Command: `go run ./reliability`",
		"- PostgreSQL 15, on 127.0.0.1\n- SQLite 3.50, a file\n- MySQL (MariaDB 10.11), on 127.0.0.1\n",
		"- Fault runs (PostgreSQL, MySQL): 32 clients, `QueryTimeout` 1s unless the row says otherwise, a pool of 16 connections, faults lasting 4s, load kept on 5s after each\n",
		"- Result: PASS",
		"| # | Engine | Fault or input | Command | Attempted | 2xx | 5xx | Hung | Panics | Lost | Other figures |\n",
		"| 1 | MySQL | MariaDB restarted mid-load (`mariadb-admin shutdown`, wait, `mariadbd` started again) | `go run ./reliability -only restart -engine mysql` | 10 | 5 | 5 |",
		"Errors the app logged: 4 × connection refused, 1 × connection lost.",
		"| 2 | MySQL | Every pool connection killed with `KILL` (its ids from `information_schema.PROCESSLIST`) | `go run ./reliability -only terminate -engine mysql` (short version: `go test -run 'TestTerminateBackends/mysql' ./reliability`) |",
		"| 3 | MySQL | Every session row locked by another connection (`SELECT … FOR UPDATE` in an open transaction) mid-load; the app's `innodb_lock_wait_timeout` 50 s, longer than `QueryTimeout` | `go run ./reliability -only lock -engine mysql` (short version: `go test -run 'TestTableLock/mysql' ./reliability`) | 10 | 8 | 2 |",
		"| 3′ | MySQL | The same with the app's `innodb_lock_wait_timeout` 1 s, shorter than `QueryTimeout` (5s in this row): the server answers first, with error 1205 | `go run ./reliability -only lock -engine mysql` (short version: `go test -run 'TestTableLock/mysql' ./reliability`) | 10 | 8 | 2 |",
		"Errors the app logged: 2 × MySQL error 1205 (lock wait timeout). `QueryTimeout` 5s. |",
		"| 5 | MySQL | Soak: 64 clients mixing every endpoint for 1m0s | `go run ./reliability -only soak -engine mysql` | 100 | 97 | 3 |",
		"Errors the app logged: 3 × MySQL error 1213 (deadlock). |",
		"| 7 | PostgreSQL | Every migration plan in `generator/testdata/migrate/*.sql` up → down → up with dbmate, 1000 live sessions | `go run ./reliability -only corpus -engine postgresql` (short version: `go test -run 'TestMigrationCorpus/postgresql' ./reliability`) (the test: 200 rows) | 2 | 2 ok |",
		"| 7 | SQLite | Every migration plan in `generator/testdata/migrate/*.sql`, planned again by the SQLite dialect",
		"| 1 | 1 ok | — | — | — | 0 | Every value of every session survives every step, renamed columns followed. Not run on SQLite, whose dialect plans no migration for them (its own words): widen (no migration). |",
		"| 7 | MySQL | Every migration plan in `generator/testdata/migrate/*.sql`, planned again by the MySQL dialect",
		"Not run on MySQL, whose dialect plans no migration for them (its own words): add_index (type change). |",
		"| 10 | SQLite | Concurrent writers: 4 sessions, 8 clients on each sharing its cookie, `POST /counter` and `POST /cart` for 8s | `go run ./reliability -only writers -engine sqlite`",
		"| 10 | MySQL | Concurrent writers: 4 sessions, 8 clients on each sharing its cookie, `POST /counter` and `POST /cart` for 8s | `go run ./reliability -only writers -engine mysql`",
		"Writers meet on row locks (`SELECT … FOR UPDATE` in `Update`, InnoDB). |",
		"**Lost updates: 0** (60 counter increments and 20 cart items acknowledged;",
		`| x |  | a \| b |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Table order: row numbers ascending, engines in table order within one.
	var got []string
	for _, line := range strings.Split(md, "\n") {
		if cells := strings.Split(line, " | "); strings.HasPrefix(line, "| ") && len(cells) > 2 && cells[0] != "| #" && !strings.HasPrefix(cells[0], "|---") {
			got = append(got, strings.TrimPrefix(cells[0], "| ")+" "+cells[1])
		}
	}
	want := []string{"1 PostgreSQL", "1 MySQL", "2 PostgreSQL", "2 MySQL", "3 MySQL", "3′ MySQL", "5 MySQL", "7 PostgreSQL", "7 SQLite", "7 MySQL", "10 SQLite", "10 MySQL", "x "}
	if !slices.Equal(got, want) {
		t.Errorf("rows in order %q, want %q", got, want)
	}
}

// TestErrorClass sorts the errors the app logs as the fault runs' figures
// name them.
func TestErrorClass(t *testing.T) {
	for msg, want := range map[string]string{
		"sessionrt: update: Error 1205 (HY000): Lock wait timeout exceeded; try restarting transaction": errClassLockWait,
		"sessionrt: load session: Error 1927 (70100): Connection was killed":                            "MySQL error 1927 (connection killed)",
		"sessionrt: load: FATAL: terminating connection due to administrator command (SQLSTATE 57P01)":  "SQLSTATE 57P01",
		"sessionrt: load session: context deadline exceeded":                                            "QueryTimeout (context deadline exceeded)",
		"sessionrt: acquire connection: dial tcp 127.0.0.1:3306: connect: connection refused":           "connection refused",
		"sessionrt: save: invalid connection":                                                           "connection lost",
		"sessionrt: payload of 8703274 bytes exceeds 1048576: sessionrt: session payload too large":     "other",
	} {
		if got := errorClass(msg); got != want {
			t.Errorf("errorClass(%q) = %q, want %q", msg, got, want)
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
	r := &results{command: "go run ./reliability", machine: "2 cores", passed: true, engines: []string{"SQLite 3", "MySQL (MariaDB 10.11)"}}
	r.add(writersRow(&writersReport{Engine: sqliteEngine(), Opt: writersOptions{Sessions: 1, Writers: 2, Duration: 1e9}}))
	for _, f := range mysqlEngine().faults {
		r.add(faultRow(&faultReport{Engine: mysqlEngine(), Fault: f, FirstOK: 1e6, LastFail: -1}))
	}
	r.sortRows()
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
