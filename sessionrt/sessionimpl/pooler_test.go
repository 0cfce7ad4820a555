package sessionimpl_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// withExecMode returns the test server's URL with default_query_exec_mode.
func withExecMode(t *testing.T, mode string) string {
	t.Helper()
	u, err := url.Parse(sessiontest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if mode != "" {
		q.Set("default_query_exec_mode", mode)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// wrappedPool is a Pool the runtime cannot look into.
type wrappedPool struct{ *pgxpool.Pool }

// TestTransactionPoolerExecModes: with sessionrt.Config.TransactionPooler set,
// NewManager refuses the pgx exec modes a transaction pooler breaks
// (cache_statement, the default, and describe_exec) and accepts the others;
// without it every mode starts. Real pgxpool configs and a real *pgx.Conn.
func TestTransactionPoolerExecModes(t *testing.T) {
	ctx := context.Background()
	modes := []struct {
		mode string // "" is pgx's default
		safe bool
	}{
		{"", false},
		{"cache_statement", false},
		{"cache_describe", true},
		{"describe_exec", false},
		{"exec", true},
		{"simple_protocol", true},
	}
	type opener func(t *testing.T, dsn string) sessionimpl.PgxPool
	openers := []struct {
		name string
		open opener
	}{
		{"pgxpool", func(t *testing.T, dsn string) sessionimpl.PgxPool {
			p, err := pgxpool.New(ctx, dsn) // connects lazily
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			return p
		}},
		{"pgx.Conn", func(t *testing.T, dsn string) sessionimpl.PgxPool {
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close(ctx) })
			return c
		}},
	}
	for _, o := range openers {
		for _, m := range modes {
			for _, pooler := range []bool{false, true} {
				name := m.mode
				if name == "" {
					name = "default"
				}
				t.Run(o.name+"/"+name+"/pooler="+map[bool]string{false: "off", true: "on"}[pooler], func(t *testing.T) {
					db := o.open(t, withExecMode(t, m.mode))
					mgr, err := sessionimpl.NewManager(sessionimpl.Pgx(db), backend{}, sessionrt.Config{TransactionPooler: pooler})
					if !pooler || m.safe {
						if err != nil || mgr == nil {
							t.Fatalf("NewManager: %v, want a manager", err)
						}
						return
					}
					if err == nil || mgr != nil {
						t.Fatalf("NewManager started with mode %q behind a transaction pooler", name)
					}
					if !errors.Is(err, sessionrt.ErrUnsafeExecMode) {
						t.Fatalf("error %v does not wrap sessionrt.ErrUnsafeExecMode", err)
					}
					want := "default_query_exec_mode=" + m.mode
					if m.mode == "" {
						want = "default_query_exec_mode=cache_statement"
					}
					for _, s := range []string{want, "default_query_exec_mode=cache_describe"} {
						if !strings.Contains(err.Error(), s) {
							t.Errorf("error %q does not name %q", err, s)
						}
					}
				})
			}
		}
	}
}

// TestTransactionPoolerOtherPool: a Pool whose mode the runtime cannot read
// starts with a warning.
func TestTransactionPoolerOtherPool(t *testing.T) {
	p, err := pgxpool.New(context.Background(), withExecMode(t, "describe_exec"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tests := []struct {
		name string
		db   sessionimpl.PgxPool
		warn bool
	}{
		{"wrapped pool", wrappedPool{p}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			_, err := sessionimpl.NewManager(sessionimpl.Pgx(tt.db), backend{}, sessionrt.Config{TransactionPooler: true, Logger: newLogger(logs)})
			if err != nil {
				t.Fatalf("NewManager: %v", err)
			}
			if got := strings.Contains(logs.String(), "cannot be checked"); got != tt.warn {
				t.Fatalf("warning logged %v, want %v: %q", got, tt.warn, logs)
			}
		})
	}
}
