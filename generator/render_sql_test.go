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

// TestSQLCConfigKeepsUserBytes covers issue 11 item 7: the user's entries,
// comments and indentation stay byte for byte when sessiongen adds,
// replaces and removes its own entry.
func TestSQLCConfigKeepsUserBytes(t *testing.T) {
	entry := sqlcEntry{Name: "sessions", Schema: "schema", Queries: "queries/sessions.sql", Package: "sessiondb", Out: "app/sessiondb", Runtime: rtPath}
	before := "# sqlc configuration of the shop\nversion: \"2\"   # do not change\n\nsql:\n" +
		"    # orders first\n" +
		"    -   engine: postgresql\n" +
		"        schema:   db/orders.sql\n" +
		"        queries:  db/orders_queries.sql   # hand-written\n" +
		"        gen:\n" +
		"            go: {package: orders, out: internal/orders}\n"
	after := "\n    # billing\n" +
		"    -   engine: postgresql\n" +
		"        queries: db/billing.sql\n" +
		"        schema: db/billing_schema.sql\n" +
		"        gen:\n" +
		"            go:\n" +
		"                package: billing\n" +
		"                out: internal/billing\n" +
		"\n# overrides used by everybody\nplugins: []\n"
	user := before + after
	merged, err := mergeSQLCConfig([]byte(user), entry)
	if err != nil {
		t.Fatal(err)
	}
	m := string(merged)
	if !strings.HasPrefix(m, before) || !strings.Contains(m, after[:strings.Index(after, "\n# overrides")]) || !strings.HasSuffix(m, "\n# overrides used by everybody\nplugins: []\n") {
		t.Fatalf("the user's bytes changed:\n%s", m)
	}
	if !strings.Contains(m, "    - name: sessions\n      engine: postgresql\n") {
		t.Fatalf("our entry is not an item of the list at its indentation:\n%s", m)
	}
	if !sameEntries(t, merged, 3) {
		t.Fatal("merged file does not parse into three entries")
	}
	// Replacing our stale entry keeps the rest.
	entry.Out = "internal/sessiondb"
	moved, err := mergeSQLCConfig(merged, entry)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Replace(string(moved), "out: internal/sessiondb", "out: app/sessiondb", 1) != m {
		t.Fatalf("replacing our entry changed other bytes:\n%s", moved)
	}
	// Removing our entry restores the user's file exactly.
	back, err := removeSQLCEntries(moved, []string{"queries/sessions.sql"})
	if err != nil {
		t.Fatal(err)
	}
	if string(back) != user {
		t.Fatalf("after removing our entry:\n%s\nwant:\n%s", back, user)
	}
	// An empty list, and no list at all.
	for _, in := range []string{"version: \"2\"\nsql: []\n", "version: \"2\"\nsql:\n", "version: \"2\"\n"} {
		out, err := mergeSQLCConfig([]byte(in), entry)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if !sameEntries(t, out, 1) || !strings.HasPrefix(string(out), "version: \"2\"\nsql:\n  - name: sessions\n") {
			t.Fatalf("%q merged into:\n%s", in, out)
		}
	}
}

// sameEntries reports whether config parses with n entries in its sql list.
func sameEntries(t *testing.T, config []byte, n int) bool {
	t.Helper()
	d, err := parseSQLCDoc(config)
	return err == nil && d.list != nil && len(d.list.Content) == n
}
