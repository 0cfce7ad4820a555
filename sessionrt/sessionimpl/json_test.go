package sessionimpl_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// TestJSONExecModes writes and reads jsonb through sessionimpl.JSON under
// every pgx query exec mode: the value arrives as JSON (not bytea), comes
// back byte for byte in the text PostgreSQL normalises it to, NULL stays nil,
// and the scanned value does not alias the connection's buffer.
func TestJSONExecModes(t *testing.T) {
	dsn := sessiontest.NewDB(t)
	for _, mode := range []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			pool, err := pgxpool.New(ctx, dsn+"&default_query_exec_mode="+mode)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			tests := []struct {
				name    string
				in      sessionimpl.JSON
				want    string
				wantNil bool
			}{
				{"object", sessionimpl.JSON(`{"b": 1, "a": [true, null]}`), `{"a": [true, null], "b": 1}`, false},
				{"string", sessionimpl.JSON(`"x\u00e9"`), `"xé"`, false},
				{"json null", sessionimpl.JSON(`null`), `null`, false},
				{"sql NULL", nil, "", true},
			}
			for _, tc := range tests {
				var out, again sessionimpl.JSON
				var typ string
				err := pool.QueryRow(ctx, "SELECT $1::jsonb, pg_typeof($1::jsonb)::text", tc.in).Scan(&out, &typ)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if tc.wantNil != (out == nil) || string(out) != tc.want {
					t.Errorf("%s: got %q (nil %v), want %q (nil %v)", tc.name, out, out == nil, tc.want, tc.wantNil)
				}
				// A second read on the same pool must not change the first.
				if err := pool.QueryRow(ctx, "SELECT '[1,2,3]'::jsonb").Scan(&again); err != nil {
					t.Fatal(err)
				}
				if string(out) != tc.want {
					t.Errorf("%s: scanned value changed to %q after the next query", tc.name, out)
				}
			}
			// A jsonb column written from a JSON parameter, not a cast.
			if _, err := pool.Exec(ctx, "CREATE TABLE j_"+mode+" (v jsonb)"); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, "INSERT INTO j_"+mode+" VALUES ($1)", sessionimpl.JSON(`[1]`)); err != nil {
				t.Fatalf("insert into a jsonb column: %v", err)
			}
		})
	}
}
