package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole harness briefly on every mode and scenario, to
// prove it works; it fails without PostgreSQL. The real run is go run ./bench.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	o := options{
		dsn:      envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		duration: 100 * time.Millisecond, rounds: 1, workers: 4, sessions: 8,
		incrWorkers: 4, incrN: 10, fieldSessions: 2, conns: 4,
		modes: allModes, scenarios: allScenarios, dbPrefix: "sgbench_smoke",
	}
	ctx := context.Background()
	adm, err := newAdmin(ctx, o.dsn)
	if err != nil {
		t.Fatalf("PostgreSQL not available (start it with scripts/ensure-postgres.sh): %v", err)
	}
	adm.close()
	res, err := run(ctx, o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range allScenarios {
		for _, m := range allModes {
			st, ok := res.stat(sc, m)
			if !ok || st.n == 0 {
				t.Errorf("%s/%s: no requests", sc, m)
				continue
			}
			if st.errs > 0 {
				t.Errorf("%s/%s: %d errors: %s", sc, m, st.errs, res.samples[sc][m][0].firstErr)
			}
		}
	}
	for _, m := range []string{"floor", "sessiongen", "sessiongen-cache", "floor-sqlite", "sessiongen-sqlite"} {
		for _, sc := range []string{"incr", "incr-spread", "field"} {
			if st, _ := res.stat(sc, m); st.lost != 0 {
				t.Errorf("%s/%s: %d lost updates", sc, m, st.lost)
			}
		}
		if isSQLite(m) {
			continue // round trips are counted by a pgx tracer: not on SQLite
		}
		if st, _ := res.stat("none", m); st.rtPerReq != 0 {
			t.Errorf("none/%s: %.2f round trips per request, want 0", m, st.rtPerReq)
		}
	}
	for m, x := range res.xacts {
		if isSQLite(m) {
			t.Errorf("%s: a SQLite mode has no pg_stat_database cross-check", m)
			continue
		}
		if m == "sessiongen-cache" {
			// Its listener's connection is not traced: it reads each batch of
			// notifications in a transaction of its own.
			continue
		}
		if d := x[1] - x[0]; d < 0 || d > 100 {
			t.Errorf("%s: tracer counted %d transactions, pg_stat_database %d", m, x[0], x[1])
		}
	}
	md := res.markdown()
	if !strings.Contains(md, "| read-only request | sessiongen |") {
		t.Errorf("markdown lacks the sessiongen read row:\n%s", md)
	}
	if !strings.Contains(md, "| read-only request | sessiongen-sqlite |") || !strings.Contains(md, "| read-only request | floor-sqlite |") {
		t.Errorf("markdown lacks the SQLite read rows:\n%s", md)
	}
	// The SQLite modes' baseline is floor-sqlite, not the PostgreSQL floor.
	if st, _ := res.stat("read", "sessiongen-sqlite"); st.ratio != res.samples["read"]["sessiongen-sqlite"][0].rps/res.samples["read"]["floor-sqlite"][0].rps {
		t.Errorf("read/sessiongen-sqlite: ratio %.3f is not to floor-sqlite", st.ratio)
	}
	if svg := res.svg(); !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "</svg>") {
		t.Errorf("bad svg")
	}
}
