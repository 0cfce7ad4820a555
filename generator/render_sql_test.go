package generator

import (
	"strings"
	"testing"
)

func TestMergeSQLCConfig(t *testing.T) {
	entry := sqlcEntry{Name: "sessions", Schema: "schema", Queries: "queries/sessions.sql", Package: "sessiondb", Out: "app/sessiondb", Runtime: rtPath}
	user := `version: "2"
# the team's own queries
sql:
  - engine: postgresql
    schema: db/schema.sql # hand-written
    queries: db/queries.sql
    gen:
      go:
        package: db
        out: internal/db
`
	fresh, err := mergeSQLCConfig(nil, entry)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(fresh), "version: \"2\"\nsql:\n  - name: sessions\n") {
		t.Fatalf("new sqlc.yaml:\n%s", fresh)
	}

	merged, err := mergeSQLCConfig([]byte(user), entry)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{"# the team's own queries", "schema: db/schema.sql # hand-written", "queries: db/queries.sql", "out: internal/db", "queries: queries/sessions.sql"} {
		if !strings.Contains(string(merged), keep) {
			t.Errorf("merged sqlc.yaml lost %q:\n%s", keep, merged)
		}
	}
	// Our entry up to date: the bytes are returned unchanged.
	again, err := mergeSQLCConfig(merged, entry)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(merged) {
		t.Fatalf("second merge changed the file:\n%s\n---\n%s", merged, again)
	}
	// Our entry stale: replaced in place, not duplicated.
	entry.Out = "internal/sessiondb"
	moved, err := mergeSQLCConfig(merged, entry)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(moved), "queries: queries/sessions.sql"); n != 1 {
		t.Fatalf("entry appears %d times:\n%s", n, moved)
	}
	if !strings.Contains(string(moved), "out: internal/sessiondb") || !strings.Contains(string(moved), "out: internal/db") {
		t.Fatalf("stale entry not replaced or user entry lost:\n%s", moved)
	}

	for _, bad := range []string{"version: \"1\"\npackages: []\n", "- a\n- b\n", "version: \"2\"\nsql: {}\n", "version: [\n"} {
		if _, err := mergeSQLCConfig([]byte(bad), entry); err == nil {
			t.Errorf("mergeSQLCConfig(%q) succeeded, want an error", bad)
		}
	}
}

func TestSnakeAndSQLCNames(t *testing.T) {
	tests := []struct{ in, snake, sqlc string }{
		{"UserID", "user_id", "UserID"},
		{"MFAAt", "mfa_at", "MfaAt"},
		{"HTTPServer", "http_server", "HttpServer"},
		{"Email", "email", "Email"},
		{"Counter2", "counter2", "Counter2"},
		{"A", "a", "A"},
	}
	for _, tt := range tests {
		if got := snakeCase(tt.in); got != tt.snake {
			t.Errorf("snakeCase(%q) = %q, want %q", tt.in, got, tt.snake)
		}
		if got := sqlcName(snakeCase(tt.in)); got != tt.sqlc {
			t.Errorf("sqlcName(%q) = %q, want %q", snakeCase(tt.in), got, tt.sqlc)
		}
	}
}
