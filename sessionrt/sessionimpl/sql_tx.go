package sessionimpl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"
)

// beginOnConn takes a connection from db and runs begin on it. The
// transaction is a statement on a *sql.Conn rather than sql.Tx, whose
// context would roll it back when the acquisition timeout ends.
func beginOnConn(ctx context.Context, db *sql.DB, timeout time.Duration, begin string) (*sqlTx, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire connection: %w", err)
	}
	if _, err := c.ExecContext(ctx, begin); err != nil {
		// Whether BEGIN took effect is unknown when it was interrupted:
		// never give such a connection back to the pool.
		discardConn(c)
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &sqlTx{c: c}, nil
}

// sqlTx is Update's transaction on one database/sql connection.
type sqlTx struct {
	c    *sql.Conn
	done bool // COMMIT or ROLLBACK ran
}

func (t *sqlTx) conn() Conn      { return Conn{sql: t.c} }
func (t *sqlTx) commitWithNext() {}

// commit runs COMMIT. If it fails the connection is not reused: end
// discards a connection whose ROLLBACK fails.
func (t *sqlTx) commit(ctx context.Context) error {
	_, err := t.c.ExecContext(ctx, "COMMIT")
	if err == nil {
		t.done = true
	}
	return err
}

// end rolls back what was not committed and gives the connection back. A
// connection whose ROLLBACK failed may still hold locks: it is closed
// instead of going back to the pool.
func (t *sqlTx) end(ctx context.Context) {
	if !t.done {
		t.done = true
		if _, err := t.c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			discardConn(t.c)
			return
		}
	}
	_ = t.c.Close()
}

// discardConn closes c's underlying connection instead of returning it to
// the pool: database/sql drops a connection whose Raw call reports
// driver.ErrBadConn.
func discardConn(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
	_ = c.Close()
}
