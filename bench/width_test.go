package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/example/app/sessiondbpostgresql"
)

// BenchmarkRowWidth measures what loading a whole session row costs next to
// the floor's read of two columns, at the pgx/PostgreSQL layer alone
// (parallel, so PostgreSQL is saturated as in the HTTP benchmark):
//
//	go test -run '^$' -bench RowWidth -cpu 32 ./bench/
//
// narrow2 reads 2 columns of a 4-column table (the floor), sessions2 the
// same 2 columns of the sessions table, sessions12 the generated GetSession
// (12 columns: 5 lifecycle, 7 payload).
func BenchmarkRowWidth(b *testing.B) {
	e := pgEnv(b)
	ctx := context.Background()
	hash := e.sgHash
	if _, err := e.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS narrow (token text PRIMARY KEY, expires_at timestamptz NOT NULL, user_id bigint NOT NULL, email text NOT NULL);
		INSERT INTO narrow VALUES ('t', now() + interval '1 hour', 42, 'user42@example.com') ON CONFLICT DO NOTHING`); err != nil {
		b.Fatal(err)
	}
	q := sessiondbpostgresql.New(e.pool)
	cases := []struct {
		name string
		read func() error
	}{
		{"narrow2", func() error {
			var uid int64
			var email string
			return e.pool.QueryRow(ctx, "SELECT user_id, email FROM narrow WHERE token = $1 AND expires_at > now()", "t").Scan(&uid, &email)
		}},
		{"sessions2", func() error {
			var uid int64
			var email string
			return e.pool.QueryRow(ctx, "SELECT user_id, email FROM sessions WHERE token_hash = $1 AND expires_at > now()", hash).Scan(&uid, &email)
		}},
		{"sessions12", func() error {
			_, err := q.GetSession(ctx, sessiondbpostgresql.GetSessionParams{TokenHash: hash, TouchUs: time.Minute.Microseconds()})
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var failed atomic.Value
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.read(); err != nil {
						failed.Store(err)
						return
					}
				}
			})
			if err, _ := failed.Load().(error); err != nil {
				b.Fatal(err)
			}
		})
	}
}
