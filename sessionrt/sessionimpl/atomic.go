package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Atomic runs fn on a Conn whose statements are one transaction, for a
// backend whose engine has no RETURNING (MySQL): it pairs a write with the
// read of what the write left (Save, Touch) or the locking read of what a
// delete removes (the deletes by an indexed field), so the pair sees no
// other writer in between. On a pool it begins a REPEATABLE READ
// transaction, commits when fn returns nil and rolls back otherwise; on a
// Conn that is already a transaction (Update's) or that cannot begin one
// (pgx, the in-memory engine, whose backends never call it) it runs fn on
// c itself.
func (c Conn) Atomic(ctx context.Context, fn func(c Conn) error) error {
	db, ok := c.sql.(*sql.DB)
	if !ok {
		return fn(c)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
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
