package main

import (
	"os"
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
	r := &results{command: "go run ./reliability", machine: "2 cores", pgVer: "15", passed: true,
		fo: faultOptions{Clients: 32, QueryTimeout: 1e9, MaxConns: 16, Outage: 4e9, After: 5e9}}
	r.add(corpusRow([]corpusReport{{Name: "create"}, {Name: "rename"}}, 1000))
	r.add(resultRow{ID: "x", What: "a | b"})
	md := r.markdown()
	for _, want := range []string{
		"- Command: `go run ./reliability`",
		"- Fault runs: 32 clients, `QueryTimeout` 1s, a pool of 16 connections, faults lasting 4s, load kept on 5s after each\n",
		"- Result: PASS",
		"| # | Fault or input | Command | Attempted | 2xx | 5xx | Hung | Panics | Lost | Other figures |\n",
		"| 7 | Every migration plan in `generator/testdata/migrate/*.sql` up → down → up with dbmate, 1000 live sessions | `go run ./reliability -only corpus` (short version: `TestMigrationCorpus`, 200 rows) | 2 | 2 ok |",
		`| x | a \| b |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
