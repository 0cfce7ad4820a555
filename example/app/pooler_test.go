package app_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
	"golang.org/x/crypto/bcrypt"
)

// TestTransactionPoolerStart: with sessionrt.Config.TransactionPooler set,
// the example does not start on a pool whose pgx exec mode a transaction
// pooler breaks, and starts and serves on one it keeps intact.
func TestTransactionPoolerStart(t *testing.T) {
	tests := []struct {
		mode   string
		starts bool
	}{
		{"cache_statement", false},
		{"describe_exec", false},
		{"cache_describe", true},
		{"exec", true},
		{"simple_protocol", true},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			dsn := sessiontest.NewDB(t)
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("default_query_exec_mode", tt.mode)
			u.RawQuery = q.Encode()
			pool, err := pgxpool.New(context.Background(), u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			cfg := app.Config{Sessions: sessionrt.Config{Insecure: true, TransactionPooler: true}, BcryptCost: bcrypt.MinCost}
			a, err := app.New(app.DB{PostgreSQL: pool}, cfg)
			if !tt.starts {
				if !errors.Is(err, sessionrt.ErrUnsafeExecMode) || a != nil {
					t.Fatalf("app.New = %v, %v; want the start refused with ErrUnsafeExecMode", a, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("app.New: %v", err)
			}
			if err := app.Migrate(u.String(), io.Discard); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Handler())
			t.Cleanup(srv.Close)
			c := newClient(t, srv)
			c.login("alice@example.com")
			var got cart
			if code := c.do("POST", "/cart", `{"sku":"x","qty":1}`, &got); code != 200 || len(got.Items) != 1 {
				t.Fatalf("cart: %d %+v", code, got)
			}
		})
	}
}
