package mysql

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sqlccli "github.com/sqlc-dev/sqlc/pkg/cli"
)

// sqlcChildEnv makes the test binary a sqlc child: sqlc's commands call
// os.Exit, so they run in a process of their own (as generator.ExecSelf
// runs them).
const sqlcChildEnv = "SESSIONGEN_MYSQL_TEST_SQLC_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(sqlcChildEnv) == "1" {
		os.Exit(sqlccli.Run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runSQLC compiles the MySQL queries of the model of fields with sqlc's
// mysql engine, the sqlc.yaml entry templates/sqlc_mysql.yaml.tmpl renders and the schema
// TableDDL gives, and returns the Go declarations of the package it
// writes: each struct as "Field Type" lines, each Queries method as its
// signature.
func runSQLC(t *testing.T, fields []field) (structs map[string][]string, methods map[string]string) {
	t.Helper()
	dir := t.TempDir()
	entry := renderQueries(t, "sqlc_mysql.yaml.tmpl", map[string]string{
		"Name": "sessions_mysql", "Engine": "mysql", "Schema": "schema/mysql", "Queries": "queries/mysql/sessions.sql",
		"Package": "sessiondbmysql", "Out": "sessiondbmysql",
	})
	config := "version: \"2\"\nsql:\n  - " + strings.ReplaceAll(strings.TrimRight(entry, "\n"), "\n", "\n    ") + "\n"
	w := wantOf(t, testModelOf("sessions", fields))
	for path, data := range map[string]string{
		"sqlc.yaml":                  string(config),
		"schema/mysql/sessions.sql":  Dialect{}.TableDDL(w, func(string) bool { return true }),
		"queries/mysql/sessions.sql": renderQueries(t, "queries_mysql.sql.tmpl", newMySQLQueriesData("Session", "sessions", fields)),
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "generate", "-f", filepath.Join(dir, "sqlc.yaml"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), sqlcChildEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sqlc generate: %v\n%s", err, out)
	}
	return goDecls(t, filepath.Join(dir, "sessiondbmysql"))
}

// goDecls reads the structs and the Queries methods of the Go files in dir.
func goDecls(t *testing.T, dir string) (structs map[string][]string, methods map[string]string) {
	t.Helper()
	structs, methods = map[string][]string{}, map[string]string{}
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	str := func(n ast.Node) string {
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, n); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok || ts.Name.Name == "Queries" {
						continue
					}
					var fields []string
					for _, fl := range st.Fields.List {
						for _, n := range fl.Names {
							fields = append(fields, n.Name+" "+str(fl.Type))
						}
					}
					structs[ts.Name.Name] = fields
				}
			case *ast.FuncDecl:
				if d.Recv != nil && str(d.Recv.List[0].Type) == "*Queries" && d.Name.Name != "WithTx" {
					methods[d.Name.Name] = strings.TrimPrefix(str(d.Type), "func")
				}
			}
		}
	}
	return structs, methods
}

// sqliteGoType is the Go type sqlc's SQLite code has for a payload field's
// column (generator.sqliteBasic, with nullable columns pointers but
// []byte): what the MySQL code must have too.
func sqliteGoType(f field) string {
	typ := map[string]string{"bigint": "int64", "integer": "int64", "boolean": "int64", "timestamptz": "int64",
		"double precision": "float64", "real": "float64", "text": "string", "jsonb": "string", "bytea": "[]byte"}[f.SQLType]
	if f.Nullable && typ != "[]byte" {
		return "*" + typ
	}
	return typ
}

// TestSQLCTypes compiles the MySQL queries with sqlc's mysql engine and
// the overrides of templates/sqlc_mysql.yaml.tmpl, and checks that the Go types are
// the ones sqlc's SQLite code has: for a model with a field of every kind,
// the types sqlc's SQLite code gives each; for the example's model, the
// committed SQLite package itself (example/app/sessiondbsqlite), struct by
// struct and method by method, but for the queries MySQL runs differently
// (no RETURNING; LIMIT ? is an int32 named limit).
func TestSQLCTypes(t *testing.T) {
	structs, methods := runSQLC(t, testFields())
	var payload []string
	for _, f := range testFields() {
		payload = append(payload, goName(f.Column)+" "+sqliteGoType(f))
	}
	meta := []string{"CreatedAt int64", "LastSeenAt int64", "ExpiresAt int64", "AbsoluteExpiresAt int64", "Remember bool"}
	row := slices.Concat([]string{"DbNow int64", "TouchDue bool"}, meta, payload)
	for name, want := range map[string][]string{
		"GetSessionRow":                  row,
		"GetAnySessionRow":               append([]string{"TokenHash []byte"}, row...),
		"GetSessionMetaRow":              meta,
		"InsertSessionParams":            slices.Concat([]string{"TokenHash []byte", "Remember bool", "AbsoluteUs int64", "IdleUs int64"}, payload),
		"TouchSessionParams":             {"GraceUs int64", "IdleUs int64", "TokenHash []byte"},
		"RenewedSessionParams":           {"GraceUs int64", "Hashes [][]byte"},
		"LockOtherSessionsByEmailParams": {"Email string", "ExceptTokenHash []byte"},
	} {
		if !slices.Equal(structs[name], want) {
			t.Errorf("%s:\n got %q\nwant %q", name, structs[name], want)
		}
	}
	save := structs["SaveSessionParams"]
	for _, f := range testFields() {
		col := goName(f.Column)
		if i := slices.Index(save, "Set"+col+" bool"); i < 0 || i+1 >= len(save) || save[i+1] != col+" "+sqliteGoType(f) {
			t.Errorf("SaveSessionParams: no Set%s bool followed by %s %s: %q", col, col, sqliteGoType(f), save)
		}
	}
	for name, want := range map[string]string{
		"DeleteExpiredSessions":       "(ctx context.Context, limit int32) (int64, error)",
		"SaveSession":                 "(ctx context.Context, arg SaveSessionParams) (int64, error)",
		"TouchSession":                "(ctx context.Context, arg TouchSessionParams) (int64, error)",
		"LockSessionsByUserID":        "(ctx context.Context, userID int64) ([][]byte, error)",
		"DeleteSessionsByUserID":      "(ctx context.Context, userID int64) (int64, error)",
		"DeleteOtherSessionsByUserID": "(ctx context.Context, arg DeleteOtherSessionsByUserIDParams) (int64, error)",
		"RenewedSession":              "(ctx context.Context, arg RenewedSessionParams) (bool, error)",
		"CountSessions":               "(ctx context.Context) (int64, error)",
		"GetSessionMeta":              "(ctx context.Context, tokenHash []byte) (GetSessionMetaRow, error)",
	} {
		if methods[name] != want {
			t.Errorf("method %s%s, want %s", name, methods[name], want)
		}
	}

	// The example's model against the example's SQLite package.
	example := []field{
		{GoName: "UserID", Column: "user_id", SQLType: "bigint", Index: true},
		{GoName: "Email", Column: "email", SQLType: "text"},
		{GoName: "Roles", Column: "roles", SQLType: "jsonb"},
		{GoName: "Cart", Column: "cart", SQLType: "jsonb"},
		{GoName: "Theme", Column: "theme", SQLType: "text"},
		{GoName: "MFAAt", Column: "mfa_at", SQLType: "timestamptz", Nullable: true},
		{GoName: "Counter", Column: "counter", SQLType: "bigint"},
		{GoName: "Notice", Column: "notice", SQLType: "text"},
	}
	myStructs, myMethods := runSQLC(t, example)
	liteStructs, liteMethods := goDecls(t, filepath.Join("..", "..", "..", "example", "app", "sessiondbsqlite"))
	differs := map[string]bool{ // RETURNING on SQLite
		"SaveSessionRow": true, "TouchSessionRow": true,
		"SaveSession": true, "TouchSession": true, "DeleteSessionsByUserID": true, "DeleteOtherSessionsByUserID": true,
		"DeleteExpiredSessions": true, // LIMIT ?: limit int32
		// SQLite's reads take no touch_us (dialect.Runtime.TouchDueInGo).
		"GetSessionParams": true, "GetSessionForUpdateParams": true, "GetAnySessionParams": true,
		"GetSession": true, "GetSessionForUpdate": true, "GetAnySession": true,
	}
	// and return the same columns but touch_due.
	for _, name := range []string{"GetSessionRow", "GetSessionForUpdateRow", "GetAnySessionRow"} {
		myStructs[name] = slices.DeleteFunc(slices.Clone(myStructs[name]), func(f string) bool { return f == "TouchDue bool" })
	}
	for name, want := range liteStructs {
		if !differs[name] && !slices.Equal(myStructs[name], want) {
			t.Errorf("example: struct %s:\n MySQL  %q\n SQLite %q", name, myStructs[name], want)
		}
	}
	for name, want := range liteMethods {
		if !differs[name] && myMethods[name] != want {
			t.Errorf("example: method %s:\n MySQL  %s\n SQLite %s", name, myMethods[name], want)
		}
	}
	if len(liteStructs) < 10 || len(liteMethods) < 15 {
		t.Errorf("read %d structs and %d methods of the SQLite package: the comparison compared little", len(liteStructs), len(liteMethods))
	}
}

// goName is sqlc's Go name of a column: user_id → UserID, mfa_at → MfaAt.
func goName(col string) string {
	var b strings.Builder
	for _, p := range strings.Split(col, "_") {
		if p == "id" {
			b.WriteString("ID")
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}
