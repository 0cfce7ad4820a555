package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the whole harness briefly on every mode and scenario, to
// prove it works; it fails without PostgreSQL or without MySQL (MariaDB at
// BENCH_MYSQL_URL, by default 127.0.0.1:3306; scripts/ensure-mariadb.sh
// starts it). The real run is go run ./bench.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	o := options{
		dsn:      envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		mysqlURL: envOr("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
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
	myAdm, err := newMySQLAdmin(ctx, o.mysqlURL)
	if err != nil {
		t.Fatal(err)
	}
	myAdm.close()
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
	for _, m := range []string{"floor", "sessiongen", "sessiongen-cache", "floor-sqlite", "sessiongen-sqlite", "floor-mysql", "sessiongen-mysql"} {
		for _, sc := range []string{"incr", "incr-spread", "field"} {
			if st, _ := res.stat(sc, m); st.lost != 0 {
				t.Errorf("%s/%s: %d lost updates", sc, m, st.lost)
			}
		}
		if isSQLite(m) {
			continue // round trips are counted by a pgx tracer or the MySQL connector: not on SQLite
		}
		if st, _ := res.stat("none", m); st.rtPerReq != 0 {
			t.Errorf("none/%s: %.2f round trips per request, want 0", m, st.rtPerReq)
		}
		if st, _ := res.stat("read", m); m != "sessiongen-cache" && !roundTripsNear(m, st.rtPerReq, 1) {
			t.Errorf("read/%s: %.3f round trips per request, want 1", m, st.rtPerReq)
		}
	}
	// The MySQL floor's increment is one statement; sessiongen's Update is
	// BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT.
	for m, want := range map[string]float64{"floor-mysql": 1, "sessiongen-mysql": 4} {
		if st, _ := res.stat("incr", m); !roundTripsNear(m, st.rtPerReq, want) {
			t.Errorf("incr/%s: %.3f round trips per request, want %g", m, st.rtPerReq, want)
		}
	}
	for m, x := range res.xacts {
		if isSQLite(m) || isMySQL(m) {
			t.Errorf("%s: a SQLite or MySQL mode has no pg_stat_database cross-check", m)
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
	for _, e := range []string{"sqlite", "mysql"} {
		if !strings.Contains(md, "| read-only request | sessiongen-"+e+" |") || !strings.Contains(md, "| read-only request | floor-"+e+" |") {
			t.Errorf("markdown lacks the %s read rows:\n%s", e, md)
		}
		// The mode's baseline is the floor of its engine, not the
		// PostgreSQL floor.
		if st, _ := res.stat("read", "sessiongen-"+e); st.ratio != res.samples["read"]["sessiongen-"+e][0].rps/res.samples["read"]["floor-"+e][0].rps {
			t.Errorf("read/sessiongen-%s: ratio %.3f is not to floor-%s", e, st.ratio, e)
		}
	}
	if !strings.Contains(md, "- MySQL modes (-mysql): ") {
		t.Errorf("markdown lacks the MySQL modes' description:\n%s", md)
	}
	if !strings.Contains(md, "| sessiongen-mysql: incr, 0 lost updates |") {
		t.Errorf("markdown lacks the MySQL lost-update target:\n%s", md)
	}
	if svg := res.svg(); !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "</svg>") {
		t.Errorf("bad svg")
	}
}

// roundTripsNear reports whether mode's round trips per request are want:
// exactly, except that floor-mysql's prepared statements are prepared on
// each connection the first time they run there, which in the smoke test's
// few requests may add up to a preparation per connection and statement
// (conns 4: at most 4 per scenario's statement, over at least 40 requests).
func roundTripsNear(mode string, got, want float64) bool {
	if mode == "floor-mysql" {
		return got >= want && got <= want+0.25
	}
	return got == want
}
