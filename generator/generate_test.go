package generator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// goldenCases lists the payload packages of testdata/structs.
func goldenCases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "structs"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, e.Name())
		}
	}
	if len(cases) == 0 {
		t.Fatal("no cases in testdata/structs")
	}
	return cases
}

// outputFiles keys the generated files by slash path relative to base.
func outputFiles(t testing.TB, out *Output, base string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range out.Files {
		rel, err := filepath.Rel(base, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Fatalf("generated file %s is outside %s", f.Path, base)
		}
		rel = filepath.ToSlash(rel)
		if _, dup := files[rel]; dup {
			t.Fatalf("file %s emitted twice", rel)
		}
		files[rel] = f.Data
	}
	return files
}

// TestGolden generates every payload of testdata/structs/<case> (each a
// package of one scratch module, with its own sqlc.yaml, schema/, queries/
// and sessiondb/) and compares every emitted file with
// testdata/golden/<case>/. A case's file "engines" holds its -engine
// (default postgresql). go test -update rewrites the golden files. The
// generated packages must then build and pass go vet.
func TestGolden(t *testing.T) {
	mod := newModule(t, "example.com/golden", nil)
	copyTree(t, filepath.Join("testdata", "structs"), mod)
	for _, c := range goldenCases(t) {
		t.Run(c, func(t *testing.T) {
			dir := filepath.Join(mod, c)
			var engines []string
			if data, err := os.ReadFile(filepath.Join(dir, "engines")); err == nil {
				engines = []string{strings.TrimSpace(string(data))}
			}
			out, err := Generate(context.Background(), Options{
				Dir:        dir,
				Type:       "Session",
				SQLCConfig: filepath.Join(dir, "sqlc.yaml"),
				Now:        fixedNow,
				Engines:    engines,
			})
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			got := outputFiles(t, out, dir)
			golden := filepath.Join("testdata", "golden", c)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				for rel, data := range got {
					writeFile(t, filepath.Join(golden, filepath.FromSlash(rel)), string(data))
				}
			}
			want := snapshot(t, golden)
			if len(want) == 0 {
				t.Fatalf("no golden files in %s; run go test -run TestGolden -update", golden)
			}
			if d := diffSnapshots(want, got); d != "" {
				t.Errorf("generated files differ from %s (go test -run TestGolden -update rewrites them):\n%s", golden, d)
			}
			// The migration, the query file, sqlc.yaml, sqlc's three files
			// and the typed layer.
			wantFiles := []string{"schema/20260102030405_create_sessions.sql", "queries/sessions.sql", "sqlc.yaml",
				"sessiondb/db.go", "sessiondb/models.go", "sessiondb/sessions.sql.go", "session_gen.go"}
			wantNew := []string{"20260102030405_create_sessions.sql"}
			if list := strings.Split(strings.Join(engines, ","), ","); len(list) > 1 {
				wantFiles = []string{"sqlc.yaml", "session_gen.go"}
				wantNew = nil
				for _, e := range list {
					wantFiles = append(wantFiles, "schema/"+e+"/20260102030405_create_sessions.sql", "queries/"+e+"/sessions.sql",
						"sessiondb"+e+"/db.go", "sessiondb"+e+"/models.go", "sessiondb"+e+"/sessions.sql.go")
					wantNew = append(wantNew, "20260102030405_create_sessions.sql")
				}
			}
			for _, rel := range wantFiles {
				if _, ok := got[rel]; !ok {
					t.Errorf("missing generated file %s; got %v", rel, keysOf(got))
				}
			}
			if fmt.Sprint(out.NewMigrations) != fmt.Sprint(wantNew) {
				t.Errorf("NewMigrations = %v, want %v", out.NewMigrations, wantNew)
			}
			if _, err := out.Write(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("vet", func(t *testing.T) {
		if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
			t.Fatalf("go vet of the generated golden packages failed: %v\n%s", err, out)
		}
	})
}

func keysOf(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestGoldenContent spot-checks the golden corpus for the type mapping
// the issue asks for, so that an -update that changes the mapping cannot
// go unnoticed.
func TestGoldenContent(t *testing.T) {
	read := func(rel string) string {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	mig := func(c string) string { return read(c + "/schema/20260102030405_create_sessions.sql") }
	for c, wants := range map[string][]string{
		"scalars": {"name text NOT NULL DEFAULT ''", "admin boolean NOT NULL DEFAULT false", "visits bigint NOT NULL DEFAULT 0",
			"user_id bigint NOT NULL DEFAULT 0", "count32 integer NOT NULL DEFAULT 0", "small smallint NOT NULL DEFAULT 0",
			"ratio double precision NOT NULL DEFAULT 0", "ratio32 real NOT NULL DEFAULT 0",
			"login_at timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00'::timestamptz",
			"timeout bigint NOT NULL DEFAULT 0", "secret bytea NOT NULL DEFAULT ''::bytea",
			"tiny smallint NOT NULL DEFAULT 0", "byte smallint NOT NULL DEFAULT 0", "port integer NOT NULL DEFAULT 0", "count bigint NOT NULL DEFAULT 0"},
		"named": {"theme text NOT NULL", "flag boolean NOT NULL", "num bigint NOT NULL", "big bigint NOT NULL", "mid integer NOT NULL",
			"small smallint NOT NULL", "ratio double precision NOT NULL", "frac real NOT NULL", "blob bytea NOT NULL", "wait bigint NOT NULL"},
		"pointers": {"name text,", "admin boolean,", "visits bigint,", "user_id bigint,", "count32 integer,", "small smallint,",
			"ratio double precision,", "ratio32 real,", "login_at timestamptz,", "timeout bigint,", "secret bytea,", "theme text,",
			"prefs jsonb,", "roles jsonb\n"},
		"jsonb": {"roles jsonb NOT NULL DEFAULT 'null'::jsonb", "scores jsonb NOT NULL", "prefs jsonb NOT NULL", "cart jsonb NOT NULL",
			"groups jsonb NOT NULL", "grid jsonb NOT NULL", "deep jsonb NOT NULL", "byes jsonb NOT NULL"},
		"tags": {"uid bigint NOT NULL", "email_address text NOT NULL", "tenant text,", "login_at timestamptz NOT NULL",
			"key_hash bytea NOT NULL", "nickname text NOT NULL", "plain int", "CREATE INDEX sessions_uid_idx ON sessions (uid);",
			"CREATE INDEX sessions_email_address_idx ON sessions (email_address);", "CREATE INDEX sessions_tenant_idx ON sessions (tenant);",
			"CREATE INDEX sessions_login_at_idx ON sessions (login_at);", "CREATE INDEX sessions_theme_idx ON sessions (theme);",
			"CREATE INDEX sessions_key_hash_idx ON sessions (key_hash);"},
	} {
		m := mig(c)
		for _, w := range wants {
			if !strings.Contains(m, w) {
				t.Errorf("%s migration lacks %q:\n%s", c, w, m)
			}
		}
	}
	tags := mig("tags")
	for _, no := range []string{"cache", "events", "hook", "any", " mu ", "secret", "counter", "base", " id "} {
		if strings.Contains(tags, no) {
			t.Errorf("tags migration has a column for the skipped field %q:\n%s", no, tags)
		}
	}
	goTags := read("tags/session_gen.go")
	for _, w := range []string{"func (s *SessionStore) ListByUserID(ctx context.Context, v int64)", "func (s *SessionStore) DestroyByTheme(ctx context.Context, v Theme)",
		"func (s *SessionStore) ListByTenant(ctx context.Context, v *string)", "func (s *SessionStore) DestroyByKey(ctx context.Context, v []byte)",
		"func (h *SessionHandle) SetNick(v string)",
		"// A nil v matches no session, not those whose Tenant is nil: SQL's = is never\n// true for NULL.\nfunc (s *SessionStore) ListByTenant("} {
		if !strings.Contains(goTags, w) {
			t.Errorf("tags/session_gen.go lacks %q", w)
		}
	}
	for _, no := range []string{"SetCache", "SetEvents", "SetHook", "SetAny", "SetCounter", "Setmu", "Setsecret", "SetBase"} {
		if strings.Contains(goTags, no) {
			t.Errorf("tags/session_gen.go has %s for a skipped field", no)
		}
	}
	// Flash fields: Pop<Field> next to the getter and setter, clearing to the
	// zero value and writing nothing when there is nothing to pop; the
	// flash option adds no column option to the migration.
	goFlash := read("flash/session_gen.go")
	for _, w := range []string{
		"func (h *SessionHandle) Notice() string {", "func (h *SessionHandle) SetNotice(v string) {",
		"func (h *SessionHandle) PopNotice() string {\n\th.st.Lock()\n\tdefer h.st.Unlock()\n\tv := h.v.Notice\n\tif h.v.Notice == \"\" {\n\t\treturn v\n\t}\n\th.v.Notice = \"\"\n\th.mark(sessionNoticeBit, \"Notice\")\n\treturn v\n}",
		"func (h *SessionHandle) PopLevel() Level {", "if !h.v.Shown {", "if h.v.Count == 0 {", "if h.v.At.IsZero() {", "h.v.At = time.Time{}",
		"if len(h.v.Blob) == 0 {", "if h.v.Alert == nil {", "h.loadErrors()\n\tv := slices.Clone(h.v.Errors)\n\tif len(h.v.Errors) == 0 {",
		"h.enc[0] = nil // encoded again by Size", "if h.v.Banner == (Banner{}) {", "if reflect.ValueOf(h.v.Rich).IsZero() {", "if h.v.Grid == ([2]int{}) {",
		// DestroyOthersBy: one statement that excludes the request's key.
		"func (s *SessionStore) DestroyOthersByUserID(ctx context.Context, v int64) (int64, error) {\n\tkey, err := s.m.CurrentKey(ctx)",
		"func (s *SessionStore) DestroyOthersByTenant(ctx context.Context, v *string) (int64, error) {",
	} {
		if !strings.Contains(goFlash, w) {
			t.Errorf("flash/session_gen.go lacks %q", w)
		}
	}
	for _, no := range []string{"PopUserID", "PopCounter", "PopTenant", "DestroyOthersByNotice"} {
		if strings.Contains(goFlash, no) {
			t.Errorf("flash/session_gen.go has %s", no)
		}
	}
	if q := read("flash/queries/sessions.sql"); !strings.Contains(q, "-- name: DeleteOtherSessionsByUserID :many\n-- DeleteOtherSessionsByUserID deletes every session with this user_id but the one with the given key (and the one renewed away from it), and returns their keys.\nDELETE FROM sessions\nWHERE user_id = sqlc.arg(user_id)\n"+
		"  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea\n"+
		"  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)\nRETURNING token_hash;") {
		t.Errorf("flash/queries/sessions.sql lacks DeleteOtherSessionsByUserID as one DELETE:\n%s", q)
	}
	if m := mig("flash"); !strings.Contains(m, "notice text NOT NULL DEFAULT ''") || strings.Contains(m, "flash") {
		t.Errorf("flash migration:\n%s", m)
	}
	sq := read("sqlite/schema/20260102030405_create_sessions.sql")
	for _, w := range []string{"token_hash BLOB PRIMARY KEY NOT NULL", "login_at INTEGER NOT NULL DEFAULT (-62135596800000000)", "logout INTEGER,",
		"admin INTEGER NOT NULL DEFAULT (0)", "ratio REAL NOT NULL DEFAULT (0)", "secret BLOB NOT NULL DEFAULT (X'')", "cart TEXT NOT NULL DEFAULT ('null')",
		"-- sessiongen: Go type of sessions.cart: []Item", "WHERE previous_token_hash IS NOT NULL;", "CREATE INDEX IF NOT EXISTS sessions_tenant_idx ON sessions (tenant);"} {
		if !strings.Contains(sq, w) {
			t.Errorf("sqlite migration lacks %q:\n%s", w, sq)
		}
	}
	for _, c := range goldenCasesOrNil() {
		src := read(c + "/session_gen.go")
		if !strings.HasPrefix(src, "// Code generated by sessiongen. DO NOT EDIT.\n") {
			t.Errorf("%s/session_gen.go lacks the generated-code header", c)
		}
	}
}

// goldenCasesOrNil lists the golden cases in the one-engine PostgreSQL
// layout (schema/, queries/sessions.sql, sessiondb/, session_gen.go): the
// cases with an "engines" file are left out.
func goldenCasesOrNil() []string {
	entries, _ := os.ReadDir(filepath.Join("testdata", "golden"))
	var cs []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join("testdata", "structs", e.Name(), "engines")); e.IsDir() && err != nil {
			cs = append(cs, e.Name())
		}
	}
	return cs
}

// errorsSrc declares one payload type per refused shape; the test finds
// each field's line by its marker comment.
const errorsSrc = `package errs

import (
	"sync"
	"time"
)

type Chan struct {
	C chan int // C
}

type Func struct {
	F func() // F
}

type Iface struct {
	I any // I
}

type Unexported struct {
	name string // name
}

type Inner struct{ X int }

type Embedded struct {
	Inner // Inner
}

type Uint struct {
	U uint64 // U
}

type Dup struct {
	A string ` + "`session:\"x\"`" + `
	B string ` + "`session:\"x\"`" + ` // B
}

type Lifecycle struct {
	ExpiresAt time.Time // ExpiresAt
}

type Reserved struct {
	Who string ` + "`session:\"user\"`" + ` // Who
}

type BadTag struct {
	V string ` + "`session:\"v,unique\"`" + ` // V
}

type JSONIndex struct {
	Tags []string ` + "`session:\"tags,index\"`" + ` // Tags
}

type Multi struct {
	OK  string
	Ch  chan string // Ch
	Tiny complex64 // Tiny
}

type Anon struct {
	Anon struct{ A int } // Anon
}

type Clash struct {
	X    int
	SetX int ` + "`session:\"sx\"`" + ` // SetX
}

type Stamp time.Time

type Opaque struct {
	At Stamp // At
}

type Locked struct {
	Name string
	mu   sync.Mutex ` + "`session:\"-\"`" + ` // mu
}

type NotStruct int

type Empty struct{}

type AllSkipped struct {
	A int ` + "`session:\"-\"`" + `
	B chan int ` + "`session:\"-\"`" + `
}

type RowsIdx struct {
	Rows int64 ` + "`session:\",index\"`" + ` // Rows
}

type CtxIdx struct {
	Cx int64 ` + "`session:\"ctx,index\"`" + ` // Cx
}

type Underscore struct {
	X1  int
	X_1 int // X_1
}

type LifeUnderscore struct {
	Made string ` + "`session:\"created_at_\"`" + ` // Made
}

type LongCol struct {
	L string ` + "`session:\"c01234567890123456789012345678901234567890123456789012345678\"`" + ` // L
}

type LongIdx struct {
	UserIdentifier int64 ` + "`session:\"user_identifier_in_the_portal,index\"`" + ` // UserIdentifier
}

type MySQLReserved struct {
	Groups []string // Groups
}

type Renew struct {
	Renew bool // Renew
}

type Size struct {
	Size int // Size
}

type ZeroField struct {
	Zero int // Zero
}

type Malformed struct {
	M string ` + "`session:m`" + ` // M
}

type TwoKeys struct {
	K string ` + "`session:\"a\" session:\"b\"`" + ` // K
}

type TwiceOpt struct {
	T string ` + "`session:\"t,index,index\"`" + ` // T
}

type FlashTwice struct {
	Note string ` + "`session:\"note,flash,flash\"`" + ` // Note
}

type FlashIndex struct {
	Alert string ` + "`session:\"alert,index,flash\"`" + ` // Alert
}

type PopClash struct {
	PopBanner string
	Banner    string ` + "`session:\"banner,flash\"`" + ` // Banner
}

type Hidden struct {
	Theme string
	note  string
}

type Nested struct {
	H Hidden // H
}

type Big struct {
	BigU uint // BigU
}

type RetypeScalar struct {
	R string ` + "`session:\"r,retype\"`" + ` // R
}
`

// TestErrors checks the exact message of every refused payload: where a
// field is concerned it starts with "file:line: field X:".
func TestErrors(t *testing.T) {
	mod := newModule(t, "example.com/errs", map[string]string{"errs/errs.go": errorsSrc})
	dir := filepath.Join(mod, "errs")
	file := filepath.Join(dir, "errs.go")
	lineOf := func(marker string) int {
		for i, l := range strings.Split(errorsSrc, "\n") {
			if strings.HasSuffix(l, "// "+marker) || strings.HasPrefix(l, marker) {
				return i + 1
			}
		}
		t.Fatalf("marker %q not in errorsSrc", marker)
		return 0
	}
	at := func(field string) string { return fmt.Sprintf("%s:%d: field %s: ", file, lineOf(field), field) }
	const skip = "`session:\"-\"`"
	const rename = "`session:\"name\"`"
	const noLossless = "has no lossless column type; use string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, float32 or float64 (PostgreSQL has no unsigned 64-bit integer for uint, uint64 and uintptr; complex numbers and untyped values are not supported either)"
	// late types are refused while rendering Go, after sqlc ran.
	late := map[string]bool{}
	cases := []struct{ typ, want string }{
		{"Chan", at("C") + "type chan int is a channel, which cannot be stored; keep it out of the session and tag the field " + skip},
		{"Func", at("F") + "type func() is a function, which cannot be stored; keep it out of the session and tag the field " + skip},
		{"Iface", at("I") + "type any is an interface, whose dynamic type cannot be restored from the database; use a concrete type, or tag the field " + skip},
		{"Unexported", at("name") + "unexported fields are not stored; export it, or tag it " + skip + " to leave it out"},
		{"Embedded", at("Inner") + "embedded fields are not supported; give the field a name, or tag it " + skip},
		{"Uint", at("U") + "type uint64 " + noLossless},
		{"Big", at("BigU") + "type uint " + noLossless},
		{"Empty", fmt.Sprintf("%s:%d:6: Empty has no stored fields (fields tagged %s are not stored), so there is nothing to keep in a session; add an exported field", file, lineOf("type Empty"), skip)},
		{"AllSkipped", fmt.Sprintf("%s:%d:6: AllSkipped has no stored fields (fields tagged %s are not stored), so there is nothing to keep in a session; add an exported field", file, lineOf("type AllSkipped"), skip)},
		{"RowsIdx", at("Rows") + "an indexed column named \"rows\" becomes the parameter rows of sqlc's ListBy/DeleteBy functions, which clashes with a local name of sqlc's generated code; rename the column with " + rename},
		{"CtxIdx", at("Cx") + "an indexed column named \"ctx\" becomes the parameter ctx of sqlc's ListBy/DeleteBy functions, which clashes with a local name of sqlc's generated code; rename the column with " + rename},
		{"Underscore", at("X_1") + "column \"x_1\" becomes the Go name X1 in sqlc's code, which drops underscores, and so does column \"x1\" of field X1; rename the column with " + rename},
		{"LifeUnderscore", at("Made") + "column \"created_at_\" becomes the Go name CreatedAt in sqlc's code, which drops underscores, and so does the lifecycle column created_at; rename the column with " + rename},
		{"LongCol", at("L") + "column name \"c01234567890123456789012345678901234567890123456789012345678\" is 60 bytes long; at most 59 fit, because the generated query parameter set_c01234567890123456789012345678901234567890123456789012345678 must fit PostgreSQL's 63-byte identifiers; shorten it with " + rename},
		{"LongIdx", at("UserIdentifier") + "index name sessions_of_the_customer_portal_app_xyz_user_identifier_in_the_portal_idx is 73 bytes long; PostgreSQL truncates names to 63 bytes, so two such names can become one; pass a shorter -table, or shorten the column with " + rename},
		{"Renew", at("Renew") + "the generated handle already has a method Renew (or its Set/Edit form), and its column name \"renew\" is taken by the query parameter renew; rename the field, and give it another column with " + rename},
		{"Malformed", at("M") + "struct tag `session:m` is malformed (want key:\"value\"), so Go's reflect would ignore it; write it as session:\"value\" pairs separated by spaces"},
		{"TwoKeys", at("K") + "struct tag `session:\"a\" session:\"b\"` has two session keys, and Go's reflect reads only the first; merge them into one"},
		{"TwiceOpt", at("T") + "tag option index is given twice in \"t,index,index\"; give it once"},
		{"FlashTwice", at("Note") + "tag option flash is given twice in \"note,flash,flash\"; give it once"},
		{"FlashIndex", at("Alert") + "the flash option cannot be combined with index: a flash value is cleared when it is read, so finding sessions by it (ListByAlert, DestroyByAlert) would miss every session that showed it; drop one of the options"},
		{"PopClash", at("Banner") + "its accessor PopBanner clashes with an accessor of field PopBanner; rename one of the fields"},
		{"Nested", at("H") + "type Hidden is stored as jsonb, but its field Hidden.note is unexported, which encoding/json drops (it would read back as zero); export it, tag it `json:\"-\"` to leave it out knowingly, or give Hidden MarshalJSON and UnmarshalJSON methods"},
		{"RetypeScalar", at("R") + "the retype option applies to jsonb columns only; remove it"},
		{"Dup", at("B") + "column \"x\" is already used by field A; rename one of them with " + rename},
		{"Lifecycle", at("ExpiresAt") + "column \"expires_at\" is already used by the lifecycle column expires_at; rename one of them with " + rename},
		{"Reserved", at("Who") + "column name \"user\" is a reserved word in PostgreSQL; rename it with " + rename},
		{"MySQLReserved", at("Groups") + "MySQL: column groups: groups is a reserved word in MySQL (sessiongen does not quote identifiers); name the column otherwise with the field's tag, e.g. `session:\"groups_value\"`"},
		{"BadTag", at("V") + "unknown tag option \"unique\"; known options are index, flash, was=old_column and retype"},
		{"JSONIndex", at("Tags") + "a jsonb column cannot carry the index option; index a scalar field instead"},
		{"Multi", at("Ch") + "type chan string is a channel, which cannot be stored; keep it out of the session and tag the field " + skip + "\n" +
			at("Tiny") + "type complex64 " + noLossless},
		{"Anon", at("Anon") + "type struct{A int} is an anonymous struct, which the generated accessors cannot name; declare a named struct type for it"},
		{"Locked", at("mu") + "type sync.Mutex contains a lock; the generated code copies the payload, which go vet's copylocks check forbids; keep locks out of the session payload"},
		{"Clash", at("SetX") + "its accessor SetX clashes with an accessor of field X; rename one of the fields"},
		{"Opaque", at("At") + "type Stamp is stored as jsonb, but Stamp has only unexported fields, which encoding/json drops (every value would read back as zero); export them or give the type MarshalJSON and UnmarshalJSON methods"},
		{"NotStruct", fmt.Sprintf("%s:%d:6: NotStruct is a int, want a struct type", file, lineOf("type NotStruct"))},
		{"Nope", "package example.com/errs/errs: type Nope not found (check -type)"},
		{"", "-type is required: name the session payload struct"},
		{"Inner", "table name \"user\" must match ^[a-z_][a-z0-9_]{0,62}$ and not be a PostgreSQL reserved word; pass another -table"},
	}
	for _, c := range cases {
		name := c.typ
		if name == "" {
			name = "NoType"
		}
		t.Run(name, func(t *testing.T) {
			o := Options{Dir: dir, Type: c.typ, Now: fixedNow, Table: map[string]string{"Inner": "user", "LongIdx": "sessions_of_the_customer_portal_app_xyz"}[c.typ],
				Engines: map[string][]string{"MySQLReserved": {"mysql"}}[c.typ],
				SQLC:    func(context.Context, string) error { t.Error("sqlc ran for a refused payload"); return nil }}
			if late[c.typ] {
				o.SQLC = nil
			}
			out, err := Generate(context.Background(), o)
			if err == nil {
				t.Fatalf("Generate(%s) succeeded with %d files, want error:\n%s", c.typ, len(out.Files), c.want)
			}
			if err.Error() != c.want {
				t.Errorf("Generate(%s) error:\n got: %s\nwant: %s", c.typ, err, c.want)
			}
		})
	}
	// Nothing was written by any failing run.
	if ents, _ := os.ReadDir(mod); len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("module dir holds %v after failing runs, want only go.mod, go.sum, errs", names)
	}
}

// TestDeterministic runs Generate twice on the same input: the outputs
// are byte-identical, file for file, in the same order.
func TestDeterministic(t *testing.T) {
	mod := newModule(t, "example.com/det", nil)
	copyTree(t, filepath.Join("testdata", "structs", "jsonb"), filepath.Join(mod, "jsonb"))
	o := Options{Dir: filepath.Join(mod, "jsonb"), Type: "Session", Now: fixedNow}
	a, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%d files, then %d", len(a.Files), len(b.Files))
	}
	for i := range a.Files {
		if a.Files[i].Path != b.Files[i].Path || !bytes.Equal(a.Files[i].Data, b.Files[i].Data) {
			t.Errorf("file %d differs between runs: %s vs %s\n%s", i, a.Files[i].Path, b.Files[i].Path,
				unifiedDiff(string(a.Files[i].Data), string(b.Files[i].Data)))
		}
	}
	// Defaults: module-root sqlc.yaml, schema/ and queries/ beside it,
	// <dir>/sessiondb and <dir>/session_gen.go.
	got := outputFiles(t, a, mod)
	for _, rel := range []string{"sqlc.yaml", "schema/20260102030405_create_sessions.sql", "queries/sessions.sql",
		"jsonb/sessiondb/db.go", "jsonb/session_gen.go"} {
		if _, ok := got[rel]; !ok {
			t.Errorf("default layout lacks %s; got %v", rel, keysOf(got))
		}
	}
}

// TestSQLCFailureIsolated runs sqlc through ExecSelf (a child process of
// this test binary) on a broken query file: the error names the query file
// and line under the real root, and this process survives sqlc's os.Exit.
func TestSQLCFailureIsolated(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{
		"sqlc.yaml": []byte(`version: "2"
sql:
  - name: things
    engine: postgresql
    schema: schema
    queries: queries/things.sql
    gen:
      go:
        package: thingsdb
        out: thingsdb
        sql_package: pgx/v5
`),
		"schema/001_things.sql": []byte("-- migrate:up\nCREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL);\n-- migrate:down\nDROP TABLE things;\n"),
		"queries/things.sql": []byte("-- name: GetThing :one\nSELECT id, name FROM things WHERE id = $1;\n\n" +
			"-- name: Broken :one\nSELECT no_such_column FROM things WHERE id = $1;\n"),
	}
	_, err := runSQLC(context.Background(), ExecSelf, root, files, "thingsdb")
	if err == nil {
		t.Fatal("runSQLC succeeded on a query of a missing column")
	}
	msg := err.Error()
	for _, want := range []string{"sqlc generate failed:\n", "queries/things.sql:5:8: column \"no_such_column\" does not exist", "exit status 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "sessiongen-sqlc-") {
		t.Errorf("error names the scratch directory instead of %s:\n%s", root, msg)
	}

	// The same layout with the broken query removed compiles.
	files["queries/things.sql"] = []byte("-- name: GetThing :one\nSELECT id, name FROM things WHERE id = $1;\n")
	gen, err := runSQLC(context.Background(), ExecSelf, root, files, "thingsdb")
	if err != nil {
		t.Fatalf("runSQLC on a valid layout: %v", err)
	}
	for _, rel := range []string{"thingsdb/db.go", "thingsdb/models.go", "thingsdb/things.sql.go"} {
		if len(gen[filepath.FromSlash(rel)]) == 0 {
			t.Errorf("sqlc output lacks %s; got %v", rel, keysOf(gen))
		}
	}
}

// TestGeneratedDocComments: every exported name the generated packages
// declare carries a doc comment that starts with its name (see
// checkDocs): the typed layer and sqlc's package, in every golden case and
// in the repository's example.
func TestGeneratedDocComments(t *testing.T) {
	cases := goldenCasesOrNil()
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	for _, c := range cases {
		dir := filepath.Join("testdata", "golden", c)
		checkDocs(t, filepath.Join(dir, "session_gen.go"))
		checkDocs(t, goFiles(t, filepath.Join(dir, "sessiondb"))...)
	}
	example := filepath.Join("..", "example", "app")
	checkDocs(t, filepath.Join(example, "session_gen.go"))
	for _, pkg := range []string{"sessiondbpostgresql", "sessiondbsqlite"} {
		checkDocs(t, goFiles(t, filepath.Join(example, pkg))...)
	}
}

// TestFlashNeedsNoMigration: flash is an accessor option, not a column
// property, so adding it to a stored field (and removing it again) emits no
// migration, while the typed layer gains (and loses) Pop<Field>.
func TestFlashNeedsNoMigration(t *testing.T) {
	src := func(tag string) string {
		return "package p\n\n// Session is the payload.\ntype Session struct {\n\tUserID int64 `session:\"user_id,index\"`\n\tNotice string " + tag + "\n}\n"
	}
	mod := newModule(t, "example.com/flashmig", map[string]string{"p/p.go": src("")})
	dir := filepath.Join(mod, "p")
	for i, tag := range []string{"", "`session:\"notice,flash\"`", ""} {
		writeFile(t, filepath.Join(dir, "p.go"), src(tag))
		out, err := Generate(context.Background(), Options{Dir: dir, Type: "Session", Now: nowAt(fixedNow().Add(time.Duration(i) * time.Hour))})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if want := map[bool]int{true: 1, false: 0}[i == 0]; len(out.NewMigrations) != want {
			t.Errorf("run %d (tag %s): new migrations %v, want %d", i, tag, out.NewMigrations, want)
		}
		var gen string
		for _, f := range out.Files {
			if filepath.Base(f.Path) == "session_gen.go" {
				gen = string(f.Data)
			}
		}
		if has := strings.Contains(gen, "func (h *SessionHandle) PopNotice() string {"); has != (tag != "") {
			t.Errorf("run %d (tag %s): PopNotice generated = %v", i, tag, has)
		}
		if _, err := out.Write(); err != nil {
			t.Fatal(err)
		}
	}
}
