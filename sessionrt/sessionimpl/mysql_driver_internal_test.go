package sessionimpl

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"
)

// TestMySQLUnavailable checks the classification of errors as
// go-sql-driver/mysql formats them; the reliability suite and the engine
// tests produce the real ones against MariaDB.
func TestMySQLUnavailable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{errors.New("Error 1205 (HY000): Lock wait timeout exceeded; try restarting transaction"), true},
		{errors.New("Error 1213 (40001): Deadlock found when trying to get lock; try restarting transaction"), true},
		{errors.New("Error 1927 (70100): Connection was killed"), true},
		{errors.New("Error 1040: Too many connections"), true},
		{fmt.Errorf("get: %w", errors.New("invalid connection")), true},
		{fmt.Errorf("get: %w", driver.ErrBadConn), true},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), true},
		{errors.New("Error 1062 (23000): Duplicate entry 'x' for key 'PRIMARY'"), false},
		{errors.New("Error 1406 (22001): Data too long for column 'email' at row 1"), false},
		{errors.New("Error 12050: not a real code"), false},
	} {
		if got := (mysqlError{c.err}).Unavailable(); got != c.want {
			t.Errorf("Unavailable(%q) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestStrictMode checks the sql_mode test the MySQL driver makes at start.
func TestStrictMode(t *testing.T) {
	for mode, want := range map[string]bool{
		"STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION": true,
		"strict_all_tables": true,
		"":                  false,
		"NO_ENGINE_SUBSTITUTION,STRICT_TRANS_TABLESX": false,
	} {
		if got := strictMode(mode); got != want {
			t.Errorf("strictMode(%q) = %v, want %v", mode, got, want)
		}
	}
}
