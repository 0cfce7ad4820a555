package main

import (
	"context"
	"database/sql"
	"testing"
)

// mysqlTestDB creates a fresh database on the -mysql modes' server
// (BENCH_MYSQL_URL, by default the machine's MariaDB), dropped when the
// test ends, and returns its dbmate URL.
func mysqlTestDB(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	adm, err := newMySQLAdmin(ctx, envOr("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(adm.close)
	if err := adm.recreate(ctx, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := adm.drop(context.Background(), name); err != nil {
			t.Error(err)
		}
	})
	u, err := adm.dbURL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestMySQLRoundTrips checks the -mysql modes' round-trip counter against
// the server's own count of the statements one connection sent (its
// session status Questions), for each kind of exchange the modes make:
// queries, statements, a transaction with and without an isolation level
// (go-sql-driver/mysql sends SET TRANSACTION ISOLATION LEVEL before START
// TRANSACTION then), COMMIT, ROLLBACK and a prepared statement's
// execution.
func TestMySQLRoundTrips(t *testing.T) {
	ctx := context.Background()
	tr := &counter{}
	db, err := openMySQLCounted(mysqlTestDB(t, ctx, "sgbench_test_roundtrips"), tr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// questions reads the connection's Questions, which counts the SHOW
	// statement that reads it.
	questions := func() int64 {
		t.Helper()
		var name string
		var n int64
		if err := conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Questions'").Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		want     int64 // round trips the server counts among Questions
		prepares int64 // preparations (round trips the server does not count)
		run      func()
	}{
		{"exec", 1, 0, func() {
			_, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t (k INT PRIMARY KEY, v BIGINT NOT NULL)")
			must(err)
		}},
		{"exec with arguments", 1, 0, func() {
			_, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?, ?) ON DUPLICATE KEY UPDATE v = v + 1", 1, 7)
			must(err)
		}},
		{"query row", 1, 0, func() {
			var v int64
			must(conn.QueryRowContext(ctx, "SELECT v FROM t WHERE k = ?", 1).Scan(&v))
		}},
		{"transaction, commit", 3, 0, func() {
			tx, err := conn.BeginTx(ctx, nil)
			must(err)
			_, err = tx.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE k = ?", 1)
			must(err)
			must(tx.Commit())
		}},
		{"repeatable read transaction, rollback", 4, 0, func() {
			tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
			must(err)
			var v int64
			must(tx.QueryRowContext(ctx, "SELECT v FROM t WHERE k = ? FOR UPDATE", 1).Scan(&v))
			must(tx.Rollback())
		}},
		{"prepared statement, executed twice", 2, 1, func() {
			st, err := conn.PrepareContext(ctx, "SELECT v FROM t WHERE k = ?")
			must(err)
			defer st.Close()
			var v int64
			must(st.QueryRowContext(ctx, 1).Scan(&v))
			must(st.QueryRowContext(ctx, 1).Scan(&v))
		}},
	} {
		q0 := questions()
		rt0, p0 := tr.stmts.Load(), tr.prepares.Load()
		tc.run()
		counted := tr.stmts.Load() - rt0
		server := questions() - q0 - 1 // the SHOW that read it
		if counted != tc.want || server != tc.want {
			t.Errorf("%s: counted %d round trips, the server %d statements; want %d", tc.name, counted, server, tc.want)
		}
		if p := tr.prepares.Load() - p0; p != tc.prepares {
			t.Errorf("%s: counted %d preparations, want %d", tc.name, p, tc.prepares)
		}
	}
}
