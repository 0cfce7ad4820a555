package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Atomic runs fn on a Conn whose statements are one transaction, at the
// database's default isolation level, for a backend whose engine has no
// RETURNING (MySQL): it pairs a write with the read of what the write left
// (Save, Touch), which the write's row lock keeps as it was. On a pool it
// begins a transaction, commits when fn returns nil and rolls back
// otherwise; on a Conn that is already a transaction (Update's) or that
// cannot begin one (pgx, the in-memory engine, whose backends never call
// it) it runs fn on c itself.
func (c Conn) Atomic(ctx context.Context, fn func(c Conn) error) error {
	return c.atomic(ctx, nil, fn)
}

// AtomicRange is Atomic at REPEATABLE READ, where InnoDB's locking reads
// lock the index range they scan, so that no row joins it before the
// transaction ends: for the locking read of the keys a delete by an
// indexed field then removes. (Asking for the level costs a statement,
// which Atomic saves.)
func (c Conn) AtomicRange(ctx context.Context, fn func(c Conn) error) error {
	return c.atomic(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, fn)
}

func (c Conn) atomic(ctx context.Context, opts *sql.TxOptions, fn func(c Conn) error) error {
	db, ok := c.sql.(*sql.DB)
	if !ok {
		return fn(c)
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(Conn{sql: tx}); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
