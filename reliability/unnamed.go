package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sessiongen/sessiongen/example/app/sessiondbpostgresql"
)

// The experiment below shows why acknowledged writes are lost behind a
// transaction pooler in pgx's describe_exec mode, deterministically, with
// two clients and the generated queries.
//
// describe_exec runs one statement in two round trips: Parse and Describe of
// the unnamed statement, Sync; then Bind and Execute of the unnamed
// statement, Sync. PgBouncer in transaction mode gives the server
// connection back to its pool at every Sync that leaves no transaction open,
// so between the two round trips another client can run a Parse of its own
// unnamed statement on that server connection. The first client's Bind then
// executes the other client's statement with its own parameters.

// hookConn is a client's network connection to PgBouncer. Once armed, it
// runs the hook just before the client's second write, which is the start
// of the second round trip of a statement that takes two.
type hookConn struct {
	net.Conn
	writes atomic.Int32 // writes since arm
	hook   atomic.Pointer[func()]
}

func (c *hookConn) arm(h func()) {
	c.writes.Store(0)
	c.hook.Store(&h)
}

func (c *hookConn) Write(p []byte) (int, error) {
	if c.writes.Add(1) == 2 {
		if h := c.hook.Swap(nil); h != nil {
			(*h)()
		}
	}
	return c.Conn.Write(p)
}

// interleaving is what client A runs and what client B does between A's
// round trips.
type interleaving int

const (
	// swapWrite: A runs SaveSessionCounter(counter=41) on session A, B runs
	// SaveSessionUserID(user_id=2) on session B.
	swapWrite interleaving = iota
	// swapRead: A runs GetSession on session A, B runs DeleteSession on
	// session B.
	swapRead
	// swapHoldTx: A runs SaveSessionCounter(counter=41), B opens a
	// transaction, holding the server connection A prepared on.
	swapHoldTx
)

// swapCase is one pgx exec mode under one interleaving.
type swapCase struct {
	Mode      string
	Kind      interleaving
	Between   bool  // the other client ran between two round trips of A's statement
	Err       error // what A's statement returned
	Rows      int64 // rows A was told it updated (write) or read (read)
	Present   bool  // A's row exists afterwards
	Counter   int64 // A's row afterwards: the column A wrote (41 if stored)
	UserID    int64 // A's row afterwards: a column A did not write (1 unless clobbered)
	OtherErr  error // what the interleaved client got
	ServerLog []string
}

// Lost reports a write A was told about that is not in the row, or a
// session deleted by A's read.
func (c swapCase) Lost() bool {
	if c.Kind == swapRead {
		return !c.Present
	}
	return c.Err == nil && c.Rows == 1 && c.Counter != 41
}

// Safe reports that A's statement did exactly what it asked for.
func (c swapCase) Safe() bool {
	if c.Kind == swapRead {
		return c.Err == nil && c.Rows == 1 && c.Present
	}
	return c.Err == nil && c.Rows == 1 && c.Present && c.Counter == 41 && c.UserID == 1
}

func (c swapCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s ", c.Mode)
	if c.Between {
		b.WriteString("B ran between A's round trips; ")
	} else {
		b.WriteString("one round trip, nothing can run between; ")
	}
	switch {
	case c.Err != nil:
		fmt.Fprintf(&b, "A got error: %v", c.Err)
	case c.Kind == swapRead:
		b.WriteString("A read its session")
	default:
		fmt.Fprintf(&b, "A acknowledged (%d row)", c.Rows)
	}
	switch {
	case !c.Present:
		b.WriteString("; A's row afterwards: DELETED")
	case c.Kind != swapRead:
		fmt.Fprintf(&b, "; A's row afterwards: counter=%d user_id=%d", c.Counter, c.UserID)
	}
	switch {
	case c.Lost() && c.Kind == swapRead:
		b.WriteString("  => A's READ DELETED A's SESSION")
	case c.Lost():
		b.WriteString("  => ACKNOWLEDGED WRITE LOST")
		if c.UserID != 1 {
			b.WriteString(", and user_id overwritten with A's counter value")
		}
	case c.Safe() && c.Kind == swapRead:
		b.WriteString("  => session intact")
	case c.Safe():
		b.WriteString("  => stored")
	}
	if c.OtherErr != nil {
		fmt.Fprintf(&b, " (other client: %v)", c.OtherErr)
	}
	return b.String()
}

// runUnnamedSwap runs the interleaving for every exec mode: client A runs a
// generated query on session A and, between A's round trips, client B does
// its part through the same PgBouncer (see interleaving).
func runUnnamedSwap(ctx context.Context, b *pgbouncer, kind interleaving) ([]swapCase, error) {
	var out []swapCase
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		c, err := swapMode(ctx, b, mode, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mode, err)
		}
		out = append(out, *c)
	}
	return out, nil
}

// swapMode runs one mode on a fresh database, so PgBouncer starts a fresh
// pool whose server connections hold no statement from an earlier mode.
func swapMode(ctx context.Context, b *pgbouncer, mode string, kind interleaving) (*swapCase, error) {
	db, err := createDB(ctx, "reliability_unnamed")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	admin, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return nil, err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db.Name}.Sanitize()+" SET log_statement = 'all'"); err != nil {
		return nil, fmt.Errorf("log_statement: %w", err)
	}
	hashA, hashB := []byte("session-A-token-hash"), []byte("session-B-token-hash")
	if _, err := admin.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at, absolute_expires_at)
		VALUES ($1, 1, now() + interval '1 hour', now() + interval '1 hour'), ($2, 2, now() + interval '1 hour', now() + interval '1 hour')`, hashA, hashB); err != nil {
		return nil, err
	}
	logPath := serverLogPath(ctx, admin)
	logStart := fileSize(logPath)
	c, err := swapOnce(ctx, withHostPort(db.URL, b.Addr), mode, hashA, hashB, kind)
	if err != nil {
		return nil, err
	}
	err = admin.QueryRow(ctx, `SELECT counter, user_id FROM sessions WHERE token_hash = $1`, hashA).Scan(&c.Counter, &c.UserID)
	switch {
	case err == nil:
		c.Present = true
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("read back: %w", err)
	}
	time.Sleep(100 * time.Millisecond) // let the server write its log
	c.ServerLog = serverLogLines(logPath, logStart, "@"+db.Name+" ")
	return c, nil
}

// swapOnce connects clients A and B in mode and runs the interleaving once.
func swapOnce(ctx context.Context, dsn, mode string, hashA, hashB []byte, kind interleaving) (*swapCase, error) {
	dsn = withParam(dsn, "default_query_exec_mode", mode)
	cfgA, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	var hc *hookConn
	var d net.Dialer
	cfgA.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		hc = &hookConn{Conn: nc}
		return hc, nil
	}
	a, err := pgx.ConnectConfig(ctx, cfgA)
	if err != nil {
		return nil, fmt.Errorf("connect A: %w", err)
	}
	defer a.Close(context.Background())
	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect B: %w", err)
	}
	defer other.Close(context.Background())

	c := &swapCase{Mode: mode, Kind: kind}
	hc.arm(func() {
		c.Between = true
		switch kind {
		case swapHoldTx:
			_, c.OtherErr = other.Exec(ctx, "begin")
		case swapRead:
			c.OtherErr = sessiondbpostgresql.New(other).DeleteSession(ctx, sessiondbpostgresql.DeleteSessionParams{TokenHash: hashB, GraceUs: time.Minute.Microseconds()})
		default:
			_, c.OtherErr = sessiondbpostgresql.New(other).SaveSessionUserID(ctx, sessiondbpostgresql.SaveSessionUserIDParams{UserID: 2, TokenHash: hashB})
		}
	})
	if kind == swapRead {
		_, c.Err = sessiondbpostgresql.New(a).GetSession(ctx, sessiondbpostgresql.GetSessionParams{TokenHash: hashA, TouchUs: time.Minute.Microseconds()})
		if c.Err == nil {
			c.Rows = 1
		}
	} else {
		c.Rows, c.Err = sessiondbpostgresql.New(a).SaveSessionCounter(ctx, sessiondbpostgresql.SaveSessionCounterParams{Counter: 41, TokenHash: hashA})
	}
	hc.hook.Store(nil)
	if kind == swapHoldTx && c.Between {
		if _, err := other.Exec(ctx, "commit"); err != nil {
			return nil, fmt.Errorf("commit B: %w", err)
		}
	}
	return c, nil
}

// serverLogPath is Debian's log file of the server admin is connected to;
// "" if it cannot be read.
func serverLogPath(ctx context.Context, admin *pgx.Conn) string {
	var v int
	if err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&v); err != nil {
		return ""
	}
	p := fmt.Sprintf("/var/log/postgresql/postgresql-%d-main.log", v)
	if f, err := os.Open(p); err == nil {
		f.Close()
		return p
	}
	return ""
}

func fileSize(p string) int64 {
	if p == "" {
		return 0
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// serverLogLines returns the log lines written after offset that mention
// marker (the database), with the DETAIL lines that follow them.
func serverLogLines(p string, offset int64, marker string) []string {
	if p == "" {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil
	}
	var out []string
	keep := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.Contains(l, marker):
			keep = !strings.Contains(l, "LOG:  statement: ALTER") && !strings.Contains(l, "SELECT counter, user_id") && !strings.Contains(l, "INSERT INTO sessions")
			if keep {
				out = append(out, l)
			}
		case keep && strings.HasPrefix(l, "\t"): // a statement's next line
			if t := strings.TrimSpace(l); t != "" && len(out) > 0 {
				out[len(out)-1] += " " + t
			}
		default:
			keep = false
		}
	}
	return out
}
