package mysql_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestAtomicRetriesDeadlock makes two transactions lock two rows in
// opposite orders, so that InnoDB rolls one back as a deadlock's victim:
// Conn.Atomic runs the victim again, and both succeed.
func TestAtomicRetriesDeadlock(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE pair (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB",
		"INSERT INTO pair VALUES (1, 0), (2, 0)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c := sessionimpl.SQLConn(db)
	var runs atomic.Int64
	var first sync.WaitGroup // both hold their first row before either asks for its second
	first.Add(2)
	var once [2]sync.Once
	lock := func(i int, a, b int) error {
		return c.Atomic(ctx, func(tx sessionimpl.Conn) error {
			runs.Add(1)
			if _, err := tx.SQL().ExecContext(ctx, "UPDATE pair SET n = n + 1 WHERE id = ?", a); err != nil {
				return err
			}
			once[i].Do(func() {
				first.Done()
				first.Wait()
				time.Sleep(50 * time.Millisecond)
			})
			_, err := tx.SQL().ExecContext(ctx, "UPDATE pair SET n = n + 1 WHERE id = ?", b)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- lock(0, 1, 2) }()
	go func() { errs <- lock(1, 2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a transaction failed: %v", err)
		}
	}
	if got := runs.Load(); got < 3 {
		t.Fatalf("%d runs: no deadlock happened, the test proves nothing", got)
	}
	var n1, n2 int
	if err := db.QueryRowContext(ctx, "SELECT (SELECT n FROM pair WHERE id = 1), (SELECT n FROM pair WHERE id = 2)").Scan(&n1, &n2); err != nil {
		t.Fatal(err)
	}
	if n1 != 2 || n2 != 2 {
		t.Fatalf("rows %d, %d: want 2, 2 (each transaction applied once)", n1, n2)
	}
}
