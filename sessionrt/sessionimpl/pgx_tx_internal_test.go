package sessionimpl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// TestPipeTx drives the pipelined transaction directly against PostgreSQL:
// which round trips it makes, what it commits, and what a failure leaves.
func TestPipeTx(t *testing.T) {
	_, dsn := sessiontest.New(t)
	tr := &sessiontest.Recorder{}
	pool := sessiontest.TracedPool(t, dsn, tr, nil)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE t (v int CHECK (v < 100))`); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	locker := sessiontest.TracedPool(t, dsn, nil, nil)
	begin := func() *pipeTx {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return &pipeTx{pc: c}
	}
	// idle checks that end left the connection outside any transaction.
	idle := func(tx *pipeTx) {
		t.Helper()
		c := tx.pc.Conn().PgConn()
		tx.end(ctx)
		if s := c.TxStatus(); s != 'I' && !c.IsClosed() {
			t.Errorf("connection released in transaction status %q", s)
		}
	}

	cases := []struct {
		name   string
		run    func(tx *pipeTx) error
		err    string   // substring of the error, "" for none
		trips  []string // the round trips, in order
		stored int      // rows in t afterwards, -1: not checked
	}{
		{
			name: "select then write with commit",
			run: func(tx *pipeTx) error {
				var one int
				if err := tx.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
					return err
				}
				tx.commitWithNext()
				if _, err := tx.Exec(ctx, `INSERT INTO t VALUES (1)`); err != nil {
					return err
				}
				return tx.commit(ctx)
			},
			trips:  []string{"begin; SELECT 1", "INSERT INTO t VALUES (1); commit"},
			stored: 1,
		},
		{
			name: "no rows still commits",
			run: func(tx *pipeTx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO t VALUES (2)`); err != nil {
					return err
				}
				tx.commitWithNext()
				var v int
				if err := tx.QueryRow(ctx, `SELECT v FROM t WHERE false`).Scan(&v); !errors.Is(err, pgx.ErrNoRows) {
					return err
				}
				if !tx.committed {
					return errors.New("not committed")
				}
				return tx.commit(ctx)
			},
			trips:  []string{"begin; INSERT INTO t VALUES (2)", "SELECT v FROM t WHERE false; commit"},
			stored: 2,
		},
		{
			name: "Query begins on its own and leaves commit to commit",
			run: func(tx *pipeTx) error {
				tx.commitWithNext()
				rows, err := tx.Query(ctx, `INSERT INTO t VALUES (3) RETURNING v`)
				if err != nil {
					return err
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				return tx.commit(ctx)
			},
			trips:  []string{"begin", "INSERT INTO t VALUES (3) RETURNING v", "commit"},
			stored: 3,
		},
		{
			name: "failed write is never committed",
			run: func(tx *pipeTx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO t VALUES (4)`); err != nil {
					return err
				}
				tx.commitWithNext()
				_, err := tx.Exec(ctx, `INSERT INTO t VALUES (500)`)
				return err
			},
			err:    "t_v_check",
			trips:  []string{"begin; INSERT INTO t VALUES (4)", "INSERT INTO t VALUES (500); commit", "rollback"},
			stored: 3,
		},
		{
			name: "commit of a failed transaction reports the rollback",
			run: func(tx *pipeTx) error {
				_, _ = tx.Exec(ctx, `INSERT INTO t VALUES (600)`)
				return tx.commit(ctx)
			},
			err:    errRolledBack.Error(),
			trips:  []string{"begin; INSERT INTO t VALUES (600)", "commit"},
			stored: 3,
		},
		{
			name:   "nothing run, nothing sent",
			run:    func(tx *pipeTx) error { return tx.commit(ctx) },
			stored: 3,
		},
		{
			name: "a lock wait that times out is not blamed on BEGIN",
			run: func(tx *pipeTx) error {
				lock, err := locker.Begin(ctx)
				if err != nil {
					return err
				}
				defer func() { _ = lock.Rollback(ctx) }()
				if _, err := lock.Exec(ctx, `LOCK TABLE t IN ACCESS EXCLUSIVE MODE`); err != nil {
					return err
				}
				tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				var v int
				err = tx.QueryRow(tctx, `SELECT v FROM t LIMIT 1 FOR UPDATE`).Scan(&v)
				if err == nil || strings.Contains(err.Error(), "begin") || !sessionrt.IsUnavailable(err) {
					return fmt.Errorf("lock wait: %v, want an unavailable error not naming begin", err)
				}
				return nil
			},
			trips:  []string{"begin; SELECT v FROM t LIMIT 1 FOR UPDATE"},
			stored: 3,
		},
		{
			// The client gives up while the statement sent with COMMIT is
			// still running: the server may still commit (here it does, once
			// pg_sleep returns), so the outcome is reported as unknown.
			name: "connection lost after COMMIT was sent",
			run: func(tx *pipeTx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO t VALUES (7)`); err != nil {
					return err
				}
				tx.commitWithNext()
				tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				_, err := tx.Exec(tctx, `SELECT pg_sleep(0.3)`)
				if !errors.Is(err, sessionrt.ErrCommitUnknown) || sessionrt.StatusCode(err) != http.StatusServiceUnavailable {
					return fmt.Errorf("got %v, want sessionrt.ErrCommitUnknown answered 503", err)
				}
				return nil
			},
			trips:  []string{"begin; INSERT INTO t VALUES (7)", "SELECT pg_sleep(0.3); commit"},
			stored: -1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := begin()
			tr.Reset()
			err := c.run(tx)
			idle(tx)
			_, trips := tr.Reset()
			switch {
			case c.err == "" && err != nil:
				t.Errorf("error %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want one containing %q", err, c.err)
			}
			if strings.Join(trips, "\n") != strings.Join(c.trips, "\n") {
				t.Errorf("round trips\n%q\nwant\n%q", trips, c.trips)
			}
			if n := count(); c.stored >= 0 && n != c.stored {
				t.Errorf("rows stored %d, want %d", n, c.stored)
			}
		})
	}
}

// TestPgxErrorWrap: the pgx driver's wrap gives PostgreSQL's and pgx's
// errors the meaning sessionrt.IsUnavailable reads, and keeps them
// reachable with errors.Is and errors.As.
func TestPgxErrorWrap(t *testing.T) {
	d := pgxDriver{}
	if d.wrap(nil) != nil {
		t.Fatal("wrap(nil) is not nil")
	}
	cases := []struct {
		err  error
		want bool
	}{
		{errors.New("boom"), false},
		{ErrNotFound, false},
		{pgx.ErrNoRows, false},
		{context.DeadlineExceeded, true},
		{io.ErrUnexpectedEOF, true},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "57P01"}), true},
		{&pgconn.PgError{Code: "57P02"}, true},
		{&pgconn.PgError{Code: "57P03"}, true},
		{&pgconn.PgError{Code: "57014"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "08001"}, true},
		{&pgconn.PgError{Code: "55P03"}, true},
		{&pgconn.PgError{Code: "53300"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "40001"}, false},
		{&pgconn.PgError{Code: "08"}, false},
		{fmt.Errorf("%w: %w", sessionrt.ErrCommitUnknown, &pgconn.PgError{Code: "08006"}), true},
	}
	for _, c := range cases {
		w := d.wrap(c.err)
		if got := sessionrt.IsUnavailable(w); got != c.want {
			t.Errorf("IsUnavailable(wrap(%v)) = %v, want %v", c.err, got, c.want)
		}
		if wantCode := map[bool]int{true: http.StatusServiceUnavailable, false: http.StatusInternalServerError}[c.want]; sessionrt.StatusCode(w) != wantCode {
			t.Errorf("StatusCode(wrap(%v)) = %d, want %d", c.err, sessionrt.StatusCode(w), wantCode)
		}
		if !errors.Is(w, c.err) || w.Error() != c.err.Error() {
			t.Errorf("wrap(%v) = %q hides the error", c.err, w)
		}
		var pgErr *pgconn.PgError
		if errors.As(c.err, &pgErr) {
			var got *pgconn.PgError
			if !errors.As(w, &got) || got != pgErr {
				t.Errorf("errors.As(wrap(%v)) lost the *pgconn.PgError", c.err)
			}
		}
	}
	// The runtime's own errors keep their status through the wrap.
	for err, code := range map[error]int{
		sessionrt.ErrSessionGone:     http.StatusConflict,
		sessionrt.ErrPayloadTooLarge: http.StatusRequestEntityTooLarge,
		sessionrt.ErrInvalidValue:    http.StatusBadRequest,
	} {
		if got := sessionrt.StatusCode(fmt.Errorf("x: %w", d.wrap(err))); got != code {
			t.Errorf("StatusCode(wrap(%v)) = %d, want %d", err, got, code)
		}
	}
}
