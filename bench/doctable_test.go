package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

// TestDocsHoldTheMarkers checks that the committed docs carry the markers the
// commands write between, so that a real run cannot fail at its very end.
func TestDocsHoldTheMarkers(t *testing.T) {
	for _, tc := range []struct{ path, name string }{
		{"../docs/BENCHMARKS.md", "bench"},
		{"../docs/BENCHMARKS.md", "cache"},
		{"../docs/SCALE.md", "scale"},
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

// TestWriteEngineRows writes a run of the three engines' floors and
// sessiongen modes into a copy of docs/BENCHMARKS.md, as go run ./bench
// does: every mode's rows land between the markers with the ratio to the
// floor of its engine and its round trips (counted on PostgreSQL and
// MySQL, n/a on SQLite), the text around them is kept byte for byte, and
// the chart next to it names the modes.
func TestWriteEngineRows(t *testing.T) {
	orig, err := os.ReadFile("../docs/BENCHMARKS.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	doc := filepath.Join(dir, "BENCHMARKS.md")
	if err := os.WriteFile(doc, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	modes := []string{"floor", "sessiongen", "floor-sqlite", "sessiongen-sqlite", "floor-mysql", "sessiongen-mysql"}
	res := &results{
		opts:    options{modes: modes, scenarios: []string{"read", "incr"}, rounds: 1, mysqlURL: "mysql://root@127.0.0.1:3306/test"},
		started: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), machine: "test machine", goVer: "go1.26",
		pgVer: "15", sqliteVer: "3.51", mysqlVer: "10.11.19-MariaDB", command: "go run ./bench -test",
		samples: map[string]map[string][]sample{}, lat: map[string]map[string][]time.Duration{},
		xacts: map[string][2]int64{"floor": {10, 10}, "sessiongen": {10, 10}},
	}
	floorRPS := map[string]float64{"floor": 1000, "floor-sqlite": 2000, "floor-mysql": 3000}
	for i, m := range modes {
		rps := floorRPS[floorOf(m)]
		if !isFloor(m) {
			rps /= 2 // ratio 0.50 to the floor of its engine, and no other
		}
		res.add("read", m, sample{rps: rps, n: 100, rts: 100}, []time.Duration{time.Millisecond})
		res.add("incr", m, sample{rps: rps, n: 100, rts: int64(100 * (1 + i%2*3)), attempted: 100}, []time.Duration{time.Millisecond})
	}
	if err := res.write(doc); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| read-only request | floor-mysql | 3000 | 1 (floor) | – | 1.00 ms | 1.00 ms | 1.000 | – | 0 |",
		"| read-only request | sessiongen-mysql | 1500 | **0.50** [0.50–0.50] | – | 1.00 ms | 1.00 ms | 1.000 | – | 0 |",
		"| counter: 16 workers × 200 increments, one session | sessiongen-mysql | 1500 | **0.50** [0.50–0.50] | – | 1.00 ms | 1.00 ms | 4.000 | 0 of 100 (0.0%) | 0 |",
		"| read-only request | sessiongen-sqlite | 1000 | **0.50** [0.50–0.50] | – | 1.00 ms | 1.00 ms | n/a | – | 0 |",
		"| read-only request | sessiongen | 500 | **0.50** [0.50–0.50] | – | 1.00 ms | 1.00 ms | 1.000 | – | 0 |",
		"- MySQL modes (-mysql): 10.11.19-MariaDB at 127.0.0.1:3306",
		"| sessiongen-mysql: incr, 0 lost updates | 0 of 100 | yes |",
	} {
		if !strings.Contains(string(got), row) {
			t.Errorf("the written doc lacks %q", row)
		}
	}
	// Outside the markers, nothing changed.
	outside := func(doc string) string {
		b := strings.Index(doc, "<!-- BEGIN bench table")
		e := strings.Index(doc, "<!-- END bench table -->")
		if b < 0 || e < b {
			t.Fatal("markers missing")
		}
		return doc[:b] + doc[e:]
	}
	if outside(string(got)) != outside(string(orig)) {
		t.Error("the text around the bench table changed")
	}
	svg, err := os.ReadFile(filepath.Join(dir, "bench.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "sessiongen-mysql") || !strings.Contains(string(svg), "-mysql modes: floor-mysql") {
		t.Errorf("bench.svg does not name the MySQL mode and its floor:\n%s", svg)
	}
}
