package generator

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// firstWeekPayload is the struct of the scratch modules below.
const firstWeekPayload = `package app

// Session is the payload.
type Session struct {
	UserID int64 ` + "`session:\"user_id,index\"`" + `
	Theme  string
}
`

// TestLoadToleratesErrorsElsewhere: generation needs only the payload
// struct to type-check. A handler that calls the setter of a field added
// but not generated yet, and a clone whose generated file is missing, both
// generate, and the package builds afterwards. Errors in the payload's own
// declaration are reported, each once.
func TestLoadToleratesErrorsElsewhere(t *testing.T) {
	mod := newModule(t, "example.com/tolerant", map[string]string{"app/session.go": firstWeekPayload})
	app := filepath.Join(mod, "app")
	generateAndWrite(t, Options{Dir: app, Type: "Session", Now: fixedNow})

	// A field added and used before generating.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, "\tTheme  string\n", "\tTheme  string\n\tCounter int64\n", 1))
	writeFile(t, filepath.Join(app, "handler.go"), "package app\n\nfunc bump(s *SessionHandle) { s.SetCounter(s.Counter() + 1) }\n")
	if out, err := goCmd(t, mod, nil, "build", "./app"); err == nil {
		t.Fatalf("the package builds before generating; the test needs it broken:\n%s", out)
	}
	generateAndWrite(t, Options{Dir: app, Type: "Session", Now: nowAt(fixedNow().Add(time.Hour))})
	if out, err := goCmd(t, mod, nil, "vet", "./app"); err != nil {
		t.Fatalf("after generating, the package does not build: %v\n%s", err, out)
	}

	// A clone without the generated file.
	if err := os.Remove(filepath.Join(app, "session_gen.go")); err != nil {
		t.Fatal(err)
	}
	generateAndWrite(t, Options{Dir: app, Type: "Session", Now: nowAt(fixedNow().Add(2 * time.Hour))})
	if out, err := goCmd(t, mod, nil, "vet", "./app"); err != nil {
		t.Fatalf("after regenerating the missing file, the package does not build: %v\n%s", err, out)
	}

	// An error in the payload itself is reported, once.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, "\tTheme  string\n", "\tTheme  NoSuchType\n", 1))
	_, err := Generate(context.Background(), Options{Dir: app, Type: "Session", Now: fixedNow,
		SQLC: func(context.Context, string) error { t.Error("sqlc ran for a broken payload"); return nil }})
	if err == nil {
		t.Fatal("Generate succeeded on a payload with an undefined field type")
	}
	if n := strings.Count(err.Error(), "undefined: NoSuchType"); n != 1 {
		t.Errorf("error names undefined: NoSuchType %d times, want once:\n%v", n, err)
	}
	// ... and an error in a type the payload uses.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, "\tTheme  string\n", "\tTheme  Theme\n", 1)+
		"\n// Theme is broken.\ntype Theme struct {\n\tName NoSuchType\n}\n")
	_, err = Generate(context.Background(), Options{Dir: app, Type: "Session", Now: fixedNow,
		SQLC: func(context.Context, string) error { t.Error("sqlc ran for a broken payload"); return nil }})
	if err == nil || strings.Count(err.Error(), "undefined: NoSuchType") != 1 {
		t.Errorf("error for a broken field type: %v; want undefined: NoSuchType once", err)
	}
}

// runs generates in one scratch package with a clock that moves a minute
// per run, so migrations of successive runs sort in order.
type runs struct {
	t   *testing.T
	dir string
	now time.Time
}

func newRuns(t *testing.T, dir string) *runs {
	return &runs{t: t, dir: dir, now: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
}

// gen runs Generate with o's Dir and Now filled in.
func (r *runs) gen(o Options) (*Output, error) {
	r.now = r.now.Add(time.Minute)
	if o.Dir == "" {
		o.Dir = r.dir
	}
	if o.Type == "" {
		o.Type = "Session"
	}
	o.Now = nowAt(r.now)
	return Generate(context.Background(), o)
}

// write runs gen and Write, failing the test on an error.
func (r *runs) write(o Options) *Output {
	r.t.Helper()
	out, err := r.gen(o)
	if err != nil {
		r.t.Fatalf("Generate: %v", err)
	}
	if _, err := out.Write(); err != nil {
		r.t.Fatal(err)
	}
	return out
}

// clean fails unless a run generates nothing new: no migration, and no
// file differs from the disk.
func (r *runs) clean(o Options) {
	r.t.Helper()
	out, err := r.gen(o)
	if err != nil {
		r.t.Fatalf("Generate: %v", err)
	}
	diff, err := out.Check("")
	if err != nil {
		r.t.Fatal(err)
	}
	if len(out.NewMigrations) > 0 || diff != "" {
		r.t.Fatalf("a rerun is not a fixed point: migrations %v\n%s", out.NewMigrations, diff)
	}
}

// migrateAll applies every migration of schemaDir to a fresh database and
// rolls them all back, one by one.
func migrateAll(t *testing.T, schemaDir string) {
	t.Helper()
	db := newDBMate(t, sessiontest.NewDB(t), schemaDir)
	if err := db.Migrate(); err != nil {
		t.Fatalf("dbmate migrate: %v", err)
	}
	n := len(snapshot(t, schemaDir))
	for i := 0; i < n; i++ {
		if err := db.Rollback(); err != nil {
			t.Fatalf("dbmate rollback %d of %d: %v", i+1, n, err)
		}
	}
}

// TestForeignObjectsLeftAlone: indexes (one on an expression), a column, a
// check constraint and a trigger added by the user's own migration survive
// every later run, and a run that drops something only drops what
// sessiongen created; what it cannot reconcile it refuses.
func TestForeignObjectsLeftAlone(t *testing.T) {
	mod := newModule(t, "example.com/foreign", map[string]string{"app/session.go": firstWeekPayload})
	app := filepath.Join(mod, "app")
	schemaDir := filepath.Join(mod, "schema")
	r := newRuns(t, app)
	r.write(Options{})
	writeFile(t, filepath.Join(schemaDir, "20260501000500_mine.sql"), `-- migrate:up
CREATE INDEX sessions_created_at_idx ON sessions (created_at);
CREATE INDEX sessions_user_plus_idx ON sessions ((user_id + 1));
ALTER TABLE sessions ADD COLUMN note text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD CONSTRAINT theme_short CHECK (length(theme) < 100);
CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'x'; RETURN NEW; END $$;
CREATE TRIGGER sessions_note BEFORE UPDATE OF theme ON sessions FOR EACH ROW EXECUTE FUNCTION touch_note();

-- migrate:down
DROP TRIGGER sessions_note ON sessions;
DROP FUNCTION touch_note();
ALTER TABLE sessions DROP CONSTRAINT theme_short;
ALTER TABLE sessions DROP COLUMN note;
DROP INDEX sessions_user_plus_idx;
DROP INDEX sessions_created_at_idx;
`)
	// Nothing to do: the user's objects are not the generator's business.
	r.clean(Options{})
	r.clean(Options{AllowDrop: true})

	// Dropping the index tag drops sessiongen's index only.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, `session:"user_id,index"`, `session:"user_id"`, 1))
	out := r.write(Options{})
	if len(out.NewMigrations) != 1 || !strings.Contains(out.NewMigrations[0], "drop_index_sessions_user_id") {
		t.Fatalf("migrations after removing the index tag: %v, want one drop_index_sessions_user_id", out.NewMigrations)
	}
	for _, f := range out.Files {
		if f.Once && (strings.Contains(string(f.Data), "user_plus") || strings.Contains(string(f.Data), "created_at_idx") || strings.Contains(string(f.Data), "(expr)")) {
			t.Errorf("%s touches the user's indexes:\n%s", f.Path, f.Data)
		}
	}
	r.clean(Options{})

	// Removing the field the check constraint and trigger use is refused,
	// even with -allow-drop, naming them.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, "\tTheme  string\n", "", 1))
	_, err := r.gen(Options{AllowDrop: true})
	if err == nil || !strings.Contains(err.Error(), "constraint theme_short (created in 20260501000500_mine.sql)") ||
		!strings.Contains(err.Error(), "trigger sessions_note") {
		t.Errorf("dropping a column a user's constraint and trigger use: %v; want a refusal naming them", err)
	}
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, `session:"user_id,index"`, `session:"user_id"`, 1))

	// Every migration applies and rolls back.
	migrateAll(t, schemaDir)

	// A column of the user's that the generated INSERT cannot fill is
	// refused.
	writeFile(t, filepath.Join(schemaDir, "20260601000000_mine2.sql"), "-- migrate:up\nALTER TABLE sessions ADD COLUMN tenant bigint NOT NULL;\n-- migrate:down\nALTER TABLE sessions DROP COLUMN tenant;\n")
	if _, err := r.gen(Options{}); err == nil || !strings.Contains(err.Error(), "column tenant of table sessions was added by a migration sessiongen did not write and is NOT NULL without a default") {
		t.Errorf("a NOT NULL user column without a default: %v; want a refusal", err)
	}
}

// twoTypes declares two payload types, and an unexported one, in one
// package; the module also has an app migration of its own.
const twoTypes = `package app

// Session is the user's session.
type Session struct {
	UserID int64 ` + "`session:\"user_id,index\"`" + `
	Theme  string
}

// Admin is the admin console's session.
type Admin struct {
	AdminID int64 ` + "`session:\"admin_id,index\"`" + `
}

// webSession is an unexported payload.
type webSession struct {
	Visits int64
}

var _ = newWebSessionStore
`

// TestTwoTypesOnePackage: two payload types in one package (and an app
// migration of the module's own) reach a fixed point after one run each,
// each sqlc package holds its own table only, a third type on a table
// already used is refused by name, and an unexported type gets unexported
// names.
func TestTwoTypesOnePackage(t *testing.T) {
	mod := newModule(t, "example.com/twotypes", map[string]string{
		"app/session.go": twoTypes,
		"schema/20260101000000_users.sql": "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n" +
			"-- migrate:down\nDROP TABLE users;\n",
	})
	app := filepath.Join(mod, "app")
	r := newRuns(t, app)
	r.write(Options{Type: "Session"})
	r.write(Options{Type: "Admin"})
	r.write(Options{Type: "webSession"})
	r.clean(Options{Type: "Session"})
	r.clean(Options{Type: "Admin"})
	r.clean(Options{Type: "webSession"})
	for dir, want := range map[string]string{"sessiondb": "type Sessions struct", "admindb": "type Admins struct", "websessiondb": "type WebSessions struct"} {
		models, err := os.ReadFile(filepath.Join(app, dir, "models.go"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(models), " struct {") != 1 || !strings.Contains(string(models), want) {
			t.Errorf("%s/models.go holds other tables than its own:\n%s", dir, models)
		}
	}
	gen, err := os.ReadFile(filepath.Join(app, "web_session_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gen), "func newWebSessionStore(") || strings.Contains(string(gen), "NewwebSession") {
		t.Errorf("web_session_gen.go lacks newWebSessionStore")
	}
	if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}

	// A type on a table another type uses.
	_, err = r.gen(Options{Type: "Admin", Table: "sessions"})
	want := "table sessions is already used by type Session (" + filepath.Join(app, "session.go") + ":4); pass another -table for Admin"
	if err == nil || err.Error() != want {
		t.Errorf("Admin on table sessions:\n got: %v\nwant: %s", err, want)
	}
	migrateAll(t, filepath.Join(mod, "schema"))
}

// TestTableRename: changing -table renames the table in a migration, and
// removes the old query file, sqlc.yaml entry and sqlc code; the result
// builds, -check is clean, and the migrations apply and roll back.
func TestTableRename(t *testing.T) {
	mod := newModule(t, "example.com/rename", map[string]string{"app/session.go": firstWeekPayload})
	app := filepath.Join(mod, "app")
	r := newRuns(t, app)
	r.write(Options{})
	// -check's diff of the rename removes the old files: patch -p1
	// applies it, removals included.
	pending, err := r.gen(Options{Table: "web_sessions"})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := pending.Check("")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff, "--- a/queries/sessions.sql\n+++ /dev/null\n") || !strings.Contains(diff, "--- a/app/sessiondb/sessions.sql.go\n+++ /dev/null\n") {
		t.Errorf("-check diff of a rename does not remove the old files:\n%s", firstLinesOf(diff, 40))
	}
	cp := t.TempDir()
	copyTree(t, mod, cp)
	cmd := exec.Command("patch", "-p1", "--batch", "--forward")
	cmd.Dir = cp
	cmd.Stdin = strings.NewReader(diff)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p1: %v\n%s", err, o)
	}
	for _, gone := range []string{"queries/sessions.sql", "app/sessiondb/sessions.sql.go"} {
		if _, err := os.Stat(filepath.Join(cp, gone)); err == nil {
			t.Errorf("patch -p1 left %s", gone)
		}
	}
	out := r.write(Options{Table: "web_sessions"})
	if len(out.NewMigrations) != 1 || !strings.Contains(out.NewMigrations[0], "_rename_sessions_to_web_sessions.sql") {
		t.Fatalf("migrations after -table web_sessions: %v, want one rename", out.NewMigrations)
	}
	for _, gone := range []string{"queries/sessions.sql", "app/sessiondb/sessions.sql.go"} {
		if _, err := os.Stat(filepath.Join(mod, gone)); err == nil {
			t.Errorf("%s is still there after the table was renamed", gone)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(mod, "sqlc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "queries/sessions.sql") || !strings.Contains(string(cfg), "queries/web_sessions.sql") {
		t.Errorf("sqlc.yaml after the rename:\n%s", cfg)
	}
	mig, err := os.ReadFile(filepath.Join(mod, "schema", out.NewMigrations[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"ALTER TABLE sessions RENAME TO web_sessions;", "ALTER INDEX sessions_user_id_idx RENAME TO web_sessions_user_id_idx;", "ALTER INDEX sessions_expires_at_idx RENAME TO web_sessions_expires_at_idx;"} {
		if !strings.Contains(string(mig), w) {
			t.Errorf("rename migration lacks %q:\n%s", w, mig)
		}
	}
	r.clean(Options{Table: "web_sessions"})
	if o, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
		t.Fatalf("go vet after the rename: %v\n%s", err, o)
	}
	migrateAll(t, filepath.Join(mod, "schema"))
}

// TestJSONRetype: a jsonb field's Go type is recorded in its migration; a
// change is refused until the field carries the retype option, which
// records the new type; the option left behind is refused too.
func TestJSONRetype(t *testing.T) {
	v1 := "package app\n\ntype Session struct {\n\tRoles []string\n}\n"
	mod := newModule(t, "example.com/retype", map[string]string{"app/session.go": v1})
	app := filepath.Join(mod, "app")
	r := newRuns(t, app)
	out := r.write(Options{})
	if !strings.Contains(string(out.Files[0].Data), "COMMENT ON COLUMN sessions.roles IS 'sessiongen: Go type []string';") {
		t.Fatalf("create migration does not record the Go type:\n%s", out.Files[0].Data)
	}
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(v1, "[]string", "map[string]int", 1))
	_, err := r.gen(Options{})
	if err == nil || !strings.Contains(err.Error(), "field Roles: the field's type changed from []string to map[string]int, but column roles of table sessions holds JSON written for []string") {
		t.Fatalf("a changed jsonb type: %v; want a refusal", err)
	}
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(v1, "Roles []string", "Roles map[string]int `session:\"roles,retype\"`", 1))
	out = r.write(Options{})
	if len(out.NewMigrations) != 1 || !strings.Contains(string(out.Files[0].Data), "COMMENT ON COLUMN sessions.roles IS 'sessiongen: Go type map[string]int';") {
		t.Fatalf("retype: migrations %v:\n%s", out.NewMigrations, out.Files[0].Data)
	}
	if _, err := r.gen(Options{}); err == nil || !strings.Contains(err.Error(), "the retype tag option is not needed") {
		t.Errorf("retype left behind: %v; want a refusal", err)
	}
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(v1, "[]string", "map[string]int", 1))
	r.clean(Options{})
	// A pointer to the same type stores the same JSON.
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(v1, "[]string", "*map[string]int", 1))
	if out := r.write(Options{}); len(out.NewMigrations) != 1 || strings.Contains(string(out.Files[0].Data), "COMMENT") {
		t.Errorf("making the field a pointer: %v", out.NewMigrations)
	}
	migrateAll(t, filepath.Join(mod, "schema"))
}

// TestDeletedMigration: a migration deleted from schema/ is noticed, both
// the last one (the generated Go file names it) and one before others
// (the next generated migration names it), instead of being replaced.
func TestDeletedMigration(t *testing.T) {
	mod := newModule(t, "example.com/deleted", map[string]string{"app/session.go": strings.Replace(firstWeekPayload, `session:"user_id,index"`, `session:"user_id"`, 1)})
	app := filepath.Join(mod, "app")
	schemaDir := filepath.Join(mod, "schema")
	r := newRuns(t, app)
	r.write(Options{})
	writeFile(t, filepath.Join(app, "session.go"), firstWeekPayload)
	idx := r.write(Options{}).NewMigrations[0]
	data, err := os.ReadFile(filepath.Join(schemaDir, idx))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(schemaDir, idx)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.gen(Options{}); err == nil || !strings.Contains(err.Error(), "was generated with migration "+idx+", which is not in") {
		t.Errorf("the last migration deleted: %v; want a refusal", err)
	}
	writeFile(t, filepath.Join(schemaDir, idx), string(data))
	writeFile(t, filepath.Join(app, "session.go"), strings.Replace(firstWeekPayload, "\tTheme  string\n", "\tTheme  string\n\tNote string\n", 1))
	r.write(Options{})
	if err := os.Remove(filepath.Join(schemaDir, idx)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.gen(Options{}); err == nil || !strings.Contains(err.Error(), "follows migration "+idx+", which is not in") {
		t.Errorf("a middle migration deleted: %v; want a refusal", err)
	}
}

// TestGoFileOption: -o must name a buildable .go file in the package
// directory; elsewhere the generated methods could not compile.
func TestGoFileOption(t *testing.T) {
	mod := newModule(t, "example.com/gofile", map[string]string{"app/session.go": firstWeekPayload})
	app := filepath.Join(mod, "app")
	noSQLC := func(context.Context, string) error { t.Error("sqlc ran for a refused -o"); return nil }
	for _, c := range []struct{ o, want string }{
		{"../session_gen.go", "-o ../session_gen.go must be a file in the package directory " + app + ": the generated code declares methods on Session, which Go allows only in the package that declares it"},
		{"sub/session_gen.go", "-o sub/session_gen.go must be a file in the package directory " + app},
		{"session_gen_test.go", "-o session_gen_test.go must name a .go file the go command builds (not a _test.go file, not starting with _ or .)"},
		{"session_gen.txt", "-o session_gen.txt must name a .go file"},
	} {
		_, err := Generate(context.Background(), Options{Dir: app, Type: "Session", GoFile: c.o, Now: fixedNow, SQLC: noSQLC})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("-o %s: %v; want %s", c.o, err, c.want)
		}
	}
	generateAndWrite(t, Options{Dir: app, Type: "Session", GoFile: "store_gen.go", Now: fixedNow})
	if _, err := os.Stat(filepath.Join(app, "store_gen.go")); err != nil {
		t.Error(err)
	}
}

// firstLinesOf returns the first n lines of s.
func firstLinesOf(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
