package sessiontest

import (
	"context"
	"testing"
)

func TestNew(t *testing.T) {
	var name string
	t.Run("create", func(t *testing.T) {
		pool, dsn := New(t)
		if dsn == "" {
			t.Fatal("empty DSN")
		}
		if err := pool.QueryRow(context.Background(), "select current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	// After the subtest the database is gone.
	pool, _ := New(t)
	var n int
	if err := pool.QueryRow(context.Background(), "select count(*) from pg_database where datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after cleanup", name)
	}
}
