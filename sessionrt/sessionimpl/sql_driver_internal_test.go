package sessionimpl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// TestSQLiteErrorUnavailable checks the messages of the SQLite drivers that
// mean the database cannot answer now, and that others do not.
func TestSQLiteErrorUnavailable(t *testing.T) {
	d := &sqliteDriver{}
	for msg, want := range map[string]bool{
		"database is locked":                       true, // mattn/go-sqlite3
		"sqlite3: database is locked":              true, // ncruces/go-sqlite3
		"database is locked (5) (SQLITE_BUSY)":     true, // modernc.org/sqlite
		"database table is locked":                 true,
		"disk I/O error":                           true,
		"UNIQUE constraint failed: sessions.token": false,
		"no such table: sessions":                  false,
	} {
		err := fmt.Errorf("query: %w", d.wrap(errors.New(msg)))
		if got := sessionrt.IsUnavailable(err); got != want {
			t.Errorf("IsUnavailable(%q) = %v, want %v", msg, got, want)
		}
	}
	if !sessionrt.IsUnavailable(d.wrap(context.DeadlineExceeded)) {
		t.Error("a timeout is not unavailable")
	}
	if d.wrap(nil) != nil {
		t.Error("wrap(nil) != nil")
	}
	if !errors.Is(d.wrap(sql.ErrNoRows), sql.ErrNoRows) {
		t.Error("wrap hides the error it wraps")
	}
}

// TestSQLiteNil checks that NewManager refuses a nil *sql.DB.
func TestSQLiteNil(t *testing.T) {
	if _, err := NewManager(SQLite(nil), nil, sessionrt.Config{}); err == nil {
		t.Fatal("NewManager accepted a nil database")
	}
	if n, ok := SQLite(nil).(interface{ isNil() bool }); !ok || !n.isNil() {
		t.Fatal("SQLite(nil) is not nil")
	}
}
