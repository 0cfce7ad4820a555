package sessionimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// acquirer is the part of *pgxpool.Pool that lets Update pipeline its
// transaction on one connection.
type acquirer interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// beginUpdate starts Update's transaction: pipelined when the pool hands out
// connections (two round trips per Update instead of four), otherwise with
// Begin.
func (d pgxDriver) beginUpdate(ctx context.Context, timeout time.Duration) (updateTx, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if a, ok := d.db.(acquirer); ok {
		c, err := a.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("acquire connection: %w", err)
		}
		return &pipeTx{pc: c}, nil
	}
	tx, err := d.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return poolTx{tx}, nil
}

// poolTx is a pgx.Tx begun by Pool.Begin: BEGIN and COMMIT cost a round trip
// each.
type poolTx struct{ pgx.Tx }

func (t poolTx) conn() Conn                       { return Conn{pgx: t.Tx} }
func (t poolTx) commitWithNext()                  {}
func (t poolTx) commit(ctx context.Context) error { return commitOutcome(t.Commit(ctx)) }

// end rolls back; after Commit, pgx makes that a no-op without I/O.
func (t poolTx) end(ctx context.Context) { _ = t.Rollback(ctx) }

// pipeTx is a transaction on one pooled connection that costs no round trip
// of its own: BEGIN goes out in the same network write as the first
// statement (the locking SELECT), and COMMIT with the statement run after
// commitWithNext (the UPDATE). Both ride in one pgx batch, which PostgreSQL
// ends with a single Sync: an error in a statement skips the rest, so a
// failed UPDATE is never followed by a COMMIT.
type pipeTx struct {
	pc         *pgxpool.Conn
	begun      bool // BEGIN has gone out
	commitNext bool // the next statement carries COMMIT
	committed  bool // a COMMIT went out and PostgreSQL confirmed it
}

// errRolledBack reports a COMMIT that PostgreSQL answered with ROLLBACK.
var errRolledBack = errors.New("commit: the transaction was rolled back")

// send queues BEGIN (once), the statement and, when asked for, COMMIT into
// one batch. pre and post report whether BEGIN and COMMIT went with it.
func (t *pipeTx) send(ctx context.Context, sql string, args []any) (br pgx.BatchResults, pre, post bool) {
	var b pgx.Batch
	pre, post = !t.begun, t.commitNext
	if pre {
		b.Queue("begin")
	}
	b.Queue(sql, args...)
	if post {
		b.Queue("commit")
	}
	t.begun, t.commitNext = true, false
	return t.pc.SendBatch(ctx, &b), pre, post
}

// readBegin reads BEGIN's result when it went with the statement. Only an
// error PostgreSQL gave BEGIN itself is named after it: the results of a
// batch arrive together, so a timeout or a lost connection while the
// statement runs (a lock wait, say) also surfaces here.
func readBegin(br pgx.BatchResults, pre bool) error {
	if !pre {
		return nil
	}
	_, err := br.Exec()
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("begin: %w", err)
	}
	return err
}

// finish reads COMMIT's result when it was sent and the statement did not
// fail (no rows is not a failure), then closes the batch. It returns the
// first error. After COMMIT was sent, an error that PostgreSQL did not
// answer (a timeout, a reset connection) leaves the outcome unknown unless
// the connection shows the transaction ended; such errors wrap
// sessionrt.ErrCommitUnknown.
func (t *pipeTx) finish(br pgx.BatchResults, post bool, err error) error {
	if post && (err == nil || errors.Is(err, pgx.ErrNoRows)) {
		tag, cerr := br.Exec()
		switch {
		case cerr != nil:
			err = fmt.Errorf("commit: %w", cerr)
		case tag.String() != "COMMIT":
			err = errRolledBack
		default:
			t.committed = true
		}
	}
	if cerr := br.Close(); cerr != nil && err == nil && !t.committed {
		err = cerr
	}
	if !post || t.committed {
		return err
	}
	if pc := t.pc.Conn().PgConn(); err != nil && !isRefusal(err) && !pc.IsClosed() && pc.TxStatus() == 'I' {
		t.committed = true // the server ran COMMIT; the error was the client's
		return err
	}
	return commitOutcome(err)
}

// isRefusal reports whether err is PostgreSQL's own answer that the
// transaction did not commit: an error it returned, or COMMIT answered with
// ROLLBACK.
func isRefusal(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) || errors.Is(err, errRolledBack) || errors.Is(err, pgx.ErrTxCommitRollback)
}

// commitOutcome wraps an error met after COMMIT was sent in sessionrt.ErrCommitUnknown,
// unless PostgreSQL itself refused the transaction.
func commitOutcome(err error) error {
	if err == nil || isRefusal(err) {
		return err
	}
	return fmt.Errorf("%w: %w", sessionrt.ErrCommitUnknown, err)
}

// Exec runs sql in the transaction.
func (t *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, pre, post := t.send(ctx, sql, args)
	if err := readBegin(br, pre); err != nil {
		return pgconn.CommandTag{}, t.finish(br, post, err)
	}
	tag, err := br.Exec()
	return tag, t.finish(br, post, err)
}

// QueryRow runs sql in the transaction; the batch is read when the row is
// scanned.
func (t *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	br, pre, post := t.send(ctx, sql, args)
	return &pipeRow{t: t, br: br, pre: pre, post: post}
}

// Query runs sql in the transaction. It does not pipeline: BEGIN, when still
// due, goes first on its own, and a requested COMMIT is left to commit.
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !t.begun {
		if _, err := t.pc.Exec(ctx, "begin"); err != nil {
			return nil, fmt.Errorf("begin: %w", err)
		}
		t.begun = true
	}
	return t.pc.Query(ctx, sql, args...)
}

func (t *pipeTx) commitWithNext() { t.commitNext = true }

func (t *pipeTx) conn() Conn { return Conn{pgx: t} }

func (t *pipeTx) commit(ctx context.Context) error {
	t.commitNext = false
	if t.committed || !t.begun {
		return nil
	}
	tag, err := t.pc.Exec(ctx, "commit")
	if err != nil {
		return commitOutcome(fmt.Errorf("commit: %w", err))
	}
	if tag.String() != "COMMIT" {
		return errRolledBack
	}
	t.committed = true
	return nil
}

// end rolls back a transaction still open on the connection and releases it.
// pgxpool closes, rather than reuses, a connection left in a transaction or
// broken, so a failed rollback costs a reconnect, never a leaked transaction.
func (t *pipeTx) end(ctx context.Context) {
	pc := t.pc.Conn().PgConn()
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		_, _ = t.pc.Exec(ctx, "rollback")
	}
	t.pc.Release()
}

// pipeRow is the row of a pipelined QueryRow.
type pipeRow struct {
	t         *pipeTx
	br        pgx.BatchResults
	pre, post bool
}

// Scan scans the row and reads the rest of the batch.
func (r *pipeRow) Scan(dest ...any) error {
	if err := readBegin(r.br, r.pre); err != nil {
		return r.t.finish(r.br, r.post, err)
	}
	err := r.br.QueryRow().Scan(dest...)
	return r.t.finish(r.br, r.post, err)
}
