package generator

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt/sessiontest"
)

// tick spells a backquote inside the raw strings below.
func tick(s string) string { return strings.ReplaceAll(s, "´", "`") }

// e2ePayload has a field of every supported kind: scalars, named types,
// pointers (set and nil), []byte, time, jsonb flat and not, indexed fields,
// and a skipped channel.
var e2ePayload = tick(`package app

import (
	"net/netip"
	"time"
)

// Named types over scalars.
type (
	Theme string
	Level int32
	Blob  []byte
)

// Prefs is a flat struct stored as jsonb.
type Prefs struct {
	Lang  string    ´json:"lang"´
	Since time.Time ´json:"since"´
}

// Item is one cart line.
type Item struct {
	SKU string ´json:"sku"´
	Qty int    ´json:"qty"´
}

// Hooked has a func field encoding/json skips (json:"-") and an unexported
// one tagged the same way: both are left out of the jsonb value.
type Hooked struct {
	Name  string
	OnSet func()       ´json:"-"´
	note  string       ´json:"-"´
	Hosts map[netip.Addr]int
}

// Payload has a field of every supported kind.
type Payload struct {
	UserID     int64 ´session:"user_id,index"´
	Name       string
	Admin      bool
	Visits     int
	Count32    int32
	Small      int16
	Ratio      float64
	Ratio32    float32
	LoginAt    time.Time
	Timeout    time.Duration
	Secret     []byte
	Theme      Theme ´session:"theme,index"´
	Level      Level
	Blob       Blob
	Nick       *string
	Age        *int
	NoAge      *int64
	Seen       *time.Time
	NoSeen     *time.Time
	Grace      *time.Duration
	Token      *[]byte
	PTheme     *Theme
	Roles      []string
	Scores     map[string]int
	Prefs      Prefs
	Cart       []Item
	Groups     map[string][]string
	MaybePrefs *Prefs
	NoPrefs    *Prefs
	U8         uint8
	I8         int8
	U16        uint16
	U32        uint32
	PU32       *uint32
	Hook       Hooked
	Ignored    chan int ´session:"-"´
}
`)

// e2eRoundTrip runs inside the scratch module: one request sets every field
// through the generated setters, a second one with the cookie reads them
// back through the getters.
var e2eRoundTrip = tick(`package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/sessionrt"
)

func ptr[T any](v T) *T { return &v }

func sample() Payload {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	return Payload{
		UserID:     1<<40 + 7,
		Name:       "Zoë \"quoted\" ✓",
		Admin:      true,
		Visits:     -42,
		Count32:    -1 << 31,
		Small:      32767,
		Ratio:      3.141592653589793,
		Ratio32:    1.5e-7,
		LoginAt:    t0,
		Timeout:    90*time.Minute + 17*time.Nanosecond,
		Secret:     []byte{0, 1, 2, 0xff},
		Theme:      "dark",
		Level:      9,
		Blob:       Blob("blob\x00bytes"),
		Nick:       ptr("nick"),
		Age:        ptr(33),
		NoAge:      nil,
		Seen:       ptr(t0.Add(time.Hour)),
		NoSeen:     nil,
		Grace:      ptr(-5 * time.Second),
		Token:      ptr([]byte("tok")),
		PTheme:     ptr(Theme("light")),
		Roles:      []string{"admin", "user"},
		Scores:     map[string]int{"a": 1, "b": -2},
		Prefs:      Prefs{Lang: "fr", Since: t0},
		Cart:       []Item{{SKU: "x-1", Qty: 2}, {SKU: "y", Qty: 1}},
		Groups:     map[string][]string{"g": {"p", "q"}, "empty": {}},
		MaybePrefs: &Prefs{Lang: "de", Since: t0.Add(time.Minute)},
		NoPrefs:    nil,
		U8:         255,
		I8:         -128,
		U16:        65535,
		U32:        4294967295,
		PU32:       ptr(uint32(1 << 31)),
		Hook:       Hooked{Name: "h", Hosts: map[netip.Addr]int{netip.MustParseAddr("10.0.0.1"): 1, netip.MustParseAddr("::1"): 2}},
	}
}

// other is a value of every field different from sample's.
func other() Payload {
	t1 := time.Date(2027, 1, 2, 3, 4, 5, 678000, time.UTC)
	return Payload{
		UserID: 99, Name: "other", Admin: false, Visits: 7, Count32: 1 << 30, Small: -3,
		Ratio: -0.5, Ratio32: 2.25, LoginAt: t1, Timeout: time.Second, Secret: []byte{9},
		Theme: "blue", Level: -1, Blob: Blob("b2"), Nick: nil, Age: ptr(1), NoAge: ptr(int64(5)),
		Seen: nil, NoSeen: ptr(t1), Grace: nil, Token: nil, PTheme: ptr(Theme("red")),
		Roles: []string{"guest"}, Scores: map[string]int{"z": 26}, Prefs: Prefs{Lang: "en", Since: t1},
		Cart: []Item{{SKU: "z", Qty: 9}}, Groups: map[string][]string{"h": {"r"}}, MaybePrefs: nil,
		NoPrefs: &Prefs{Lang: "es", Since: t1}, U8: 1, I8: 127, U16: 2, U32: 3, PU32: nil,
		Hook: Hooked{Name: "k", Hosts: map[netip.Addr]int{netip.MustParseAddr("192.168.1.1"): 3}},
	}
}

func setAll(h *PayloadHandle, v Payload) {
	h.SetUserID(v.UserID)
	h.SetName(v.Name)
	h.SetAdmin(v.Admin)
	h.SetVisits(v.Visits)
	h.SetCount32(v.Count32)
	h.SetSmall(v.Small)
	h.SetRatio(v.Ratio)
	h.SetRatio32(v.Ratio32)
	h.SetLoginAt(v.LoginAt)
	h.SetTimeout(v.Timeout)
	h.SetSecret(v.Secret)
	h.SetTheme(v.Theme)
	h.SetLevel(v.Level)
	h.SetBlob(v.Blob)
	h.SetNick(v.Nick)
	h.SetAge(v.Age)
	h.SetNoAge(v.NoAge)
	h.SetSeen(v.Seen)
	h.SetNoSeen(v.NoSeen)
	h.SetGrace(v.Grace)
	h.SetToken(v.Token)
	h.SetPTheme(v.PTheme)
	h.SetRoles(v.Roles)
	h.SetScores(v.Scores)
	h.SetPrefs(v.Prefs)
	h.SetCart(v.Cart)
	h.SetGroups(v.Groups)
	h.SetMaybePrefs(v.MaybePrefs)
	h.SetNoPrefs(v.NoPrefs)
	h.SetU8(v.U8)
	h.SetI8(v.I8)
	h.SetU16(v.U16)
	h.SetU32(v.U32)
	h.SetPU32(v.PU32)
	h.SetHook(v.Hook)
}

func getAll(h *PayloadHandle) Payload {
	return Payload{
		UserID: h.UserID(), Name: h.Name(), Admin: h.Admin(), Visits: h.Visits(), Count32: h.Count32(),
		Small: h.Small(), Ratio: h.Ratio(), Ratio32: h.Ratio32(), LoginAt: h.LoginAt(), Timeout: h.Timeout(),
		Secret: h.Secret(), Theme: h.Theme(), Level: h.Level(), Blob: h.Blob(), Nick: h.Nick(), Age: h.Age(),
		NoAge: h.NoAge(), Seen: h.Seen(), NoSeen: h.NoSeen(), Grace: h.Grace(), Token: h.Token(), PTheme: h.PTheme(),
		Roles: h.Roles(), Scores: h.Scores(), Prefs: h.Prefs(), Cart: h.Cart(), Groups: h.Groups(),
		MaybePrefs: h.MaybePrefs(), NoPrefs: h.NoPrefs(), U8: h.U8(), I8: h.I8(), U16: h.U16(), U32: h.U32(),
		PU32: h.PU32(), Hook: h.Hook(),
	}
}

// utc puts every time in UTC, so that reflect.DeepEqual compares instants.
func utc(p Payload) Payload {
	p.LoginAt = p.LoginAt.UTC()
	p.Prefs.Since = p.Prefs.Since.UTC()
	if p.Seen != nil {
		p.Seen = ptr(p.Seen.UTC())
	}
	if p.NoSeen != nil {
		p.NoSeen = ptr(p.NoSeen.UTC())
	}
	if p.MaybePrefs != nil {
		p.MaybePrefs = &Prefs{Lang: p.MaybePrefs.Lang, Since: p.MaybePrefs.Since.UTC()}
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	dsn := os.Getenv("E2E_DATABASE_URL")
	if dsn == "" {
		t.Fatal("E2E_DATABASE_URL is not set")
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store, err := NewPayloadStore(pool, sessionrt.Config{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	want := sample()
	var got Payload
	var gotNew bool
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		h, err := store.FromContext(r.Context())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		setAll(h, want)
		io.WriteString(w, "set")
	})
	// /one?f=Name sets that one field to other()'s value, through its
	// setter: the save is then the field's single-column UPDATE.
	mux.HandleFunc("/one", func(w http.ResponseWriter, r *http.Request) {
		h, err := store.FromContext(r.Context())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		f := r.URL.Query().Get("f")
		reflect.ValueOf(h).MethodByName("Set" + f).Call([]reflect.Value{reflect.ValueOf(other()).FieldByName(f)})
		io.WriteString(w, "one")
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		h, err := store.FromContext(r.Context())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		got, gotNew = getAll(h), h.IsNew()
		io.WriteString(w, "get")
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	do := func(c *http.Client, path string) *http.Response {
		t.Helper()
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s: %s", path, resp.Status, body)
		}
		return resp
	}
	resp := do(client, "/set")
	if len(resp.Cookies()) != 1 || resp.Cookies()[0].Name != "session" {
		t.Fatalf("GET /set set cookies %v, want one cookie named session", resp.Cookies())
	}
	var rows int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM payloads").Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("payloads rows after /set: %d, %v; want 1", rows, err)
	}
	do(client, "/get")
	if gotNew {
		t.Error("second request with the cookie got a new session")
	}
	// Times come back in UTC whatever time.Local is (the test runs with
	// TZ=America/New_York), truncated to PostgreSQL's microseconds.
	if got.LoginAt.Location() != time.UTC || got.Seen == nil || got.Seen.Location() != time.UTC {
		t.Errorf("times read back in %v and %v, want UTC", got.LoginAt.Location(), got.Seen)
	}
	if !reflect.DeepEqual(utc(got), utc(want)) {
		t.Errorf("read back:\n%#v\nwant:\n%#v", utc(got), utc(want))
	}

	// Each field changed alone, in its own request, reads back changed
	// while every other field keeps its value.
	typ := reflect.TypeOf(Payload{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i).Name
		if f == "Ignored" {
			continue
		}
		do(client, "/one?f="+f)
		reflect.ValueOf(&want).Elem().Field(i).Set(reflect.ValueOf(other()).Field(i))
		do(client, "/get")
		if !reflect.DeepEqual(utc(got), utc(want)) {
			t.Fatalf("after changing %s alone:\n%#v\nwant:\n%#v", f, utc(got), utc(want))
		}
	}
	want = sample()
	do(client, "/set")
	do(client, "/get")

	// The columns hold the values in their natural SQL form.
	var (
		timeout int64
		theme   string
		level   int32
		noAge   *int64
		roles   string
		u32     int64
		u8      int16
	)
	err = pool.QueryRow(ctx, "SELECT timeout, theme, level, no_age, roles::text, u32, u8 FROM payloads").Scan(&timeout, &theme, &level, &noAge, &roles, &u32, &u8)
	if err != nil {
		t.Fatal(err)
	}
	if timeout != int64(want.Timeout) || theme != "dark" || level != 9 || noAge != nil || roles != ´["admin", "user"]´ || u32 != 4294967295 || u8 != 255 {
		t.Errorf("columns: timeout=%d theme=%q level=%d no_age=%v roles=%s u32=%d u8=%d", timeout, theme, level, noAge, roles, u32, u8)
	}

	// A request without the cookie gets a new, empty session.
	do(&http.Client{}, "/get")
	if !gotNew || !reflect.DeepEqual(got, Payload{}) {
		t.Errorf("request without cookie: new=%v payload=%#v; want a new empty session", gotNew, got)
	}

	// The indexed field's queries.
	infos, err := store.ListByUserID(ctx, want.UserID)
	if err != nil || len(infos) != 1 {
		t.Errorf("ListByUserID = %v, %v; want one session", infos, err)
	}
	n, err := store.DestroyByTheme(ctx, "dark")
	if err != nil || n != 1 {
		t.Errorf("DestroyByTheme = %d, %v; want 1", n, err)
	}
	do(client, "/get")
	if !gotNew {
		t.Error("session survived DestroyByTheme")
	}
}
`)

const e2eHeader = "// Code generated by sessiongen. DO NOT EDIT.\n"

// TestEndToEnd generates the typed layer for a fresh module, checks that
// it is gofmt- and vet-clean, applies the migration to PostgreSQL with dbmate
// and runs a program in the module that stores every field through
// net/http and reads it back with the cookie. It also checks the compile-time
// promise: wrong types and unknown fields do not build.
func TestEndToEnd(t *testing.T) {
	mod := newModule(t, "example.com/e2e", map[string]string{
		"app/payload.go":        e2ePayload,
		"app/roundtrip_test.go": e2eRoundTrip,
	})
	app := filepath.Join(mod, "app")
	out, _ := generateAndWrite(t, Options{Dir: app, Type: "Payload", Now: fixedNow})
	if len(out.NewMigrations) != 1 {
		t.Fatalf("NewMigrations = %v, want one create migration", out.NewMigrations)
	}

	t.Run("gofmt", func(t *testing.T) {
		for _, f := range out.Files {
			if !strings.HasSuffix(f.Path, ".go") {
				continue
			}
			formatted, err := format.Source(f.Data)
			if err != nil {
				t.Errorf("%s does not parse: %v", f.Path, err)
				continue
			}
			if !bytes.Equal(formatted, f.Data) {
				t.Errorf("%s is not gofmt-clean:\n%s", f.Path, unifiedDiff(string(f.Data), string(formatted)))
			}
		}
		gen, err := os.ReadFile(filepath.Join(app, "payload_gen.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(gen, []byte(e2eHeader)) {
			t.Errorf("payload_gen.go does not start with %q", e2eHeader)
		}
	})

	t.Run("vet", func(t *testing.T) {
		if out, err := goCmd(t, mod, nil, "vet", "./..."); err != nil {
			t.Fatalf("go vet ./... in the generated module: %v\n%s", err, out)
		}
	})

	t.Run("docs", func(t *testing.T) {
		checkDocs(t, filepath.Join(app, "payload_gen.go"))
		checkDocs(t, goFiles(t, filepath.Join(app, "payloaddb"))...)
	})

	t.Run("typeerrors", func(t *testing.T) {
		testTypeErrors(t, mod)
	})

	t.Run("contract", func(t *testing.T) {
		testContractMismatch(t, mod, filepath.Join(app, "payload_gen.go"))
	})

	t.Run("postgres", func(t *testing.T) {
		dsn := sessiontest.NewDB(t)
		db := newDBMate(t, dsn, filepath.Join(mod, "schema"))
		if err := db.Migrate(); err != nil {
			t.Fatalf("dbmate migrate: %v", err)
		}
		out, err := goCmd(t, mod, []string{"E2E_DATABASE_URL=" + dsn, "TZ=America/New_York"}, "test", "-count=1", "-run", "^TestRoundTrip$", "-v", "./app")
		if err != nil || !strings.Contains(out, "--- PASS: TestRoundTrip") {
			t.Fatalf("round trip in the generated module failed: %v\n%s", err, out)
		}
		// The down section works too.
		if err := db.Rollback(); err != nil {
			t.Fatalf("dbmate rollback: %v", err)
		}
	})
}

// testTypeErrors builds small packages against the generated handle:
// correctly typed calls build, wrongly typed ones and unknown fields fail
// with a type error that names the method.
func testTypeErrors(t *testing.T, mod string) {
	const good = `package good

import "example.com/e2e/app"

func F(h *app.PayloadHandle) {
	h.SetUserID(7)
	h.SetTheme("dark")
	h.SetLevel(app.Level(3))
	h.SetRoles([]string{"a"})
	var id int64 = h.UserID()
	var th app.Theme = h.Theme()
	_, _ = id, th
}
`
	writeFile(t, filepath.Join(mod, "good", "good.go"), good)
	if out, err := goCmd(t, mod, nil, "build", "./good"); err != nil {
		t.Fatalf("correctly typed calls do not build: %v\n%s", err, out)
	}
	for _, c := range []struct{ name, body, want string }{
		{"stringforint", `h.SetUserID("7")`, "SetUserID"},
		{"nosuchfield", `h.SetNoSuchField(1)`, "SetNoSuchField undefined"},
		{"nosuchgetter", `_ = h.NoSuchField()`, "NoSuchField undefined"},
		{"namedtype", `h.SetTheme(app.Level(1))`, "SetTheme"},
		{"getterType", `var s string = h.UserID(); _ = s`, "cannot use h.UserID()"},
		{"skippedfield", `h.SetIgnored(nil)`, "SetIgnored undefined"},
		{"nilnotpointer", `h.SetName(nil)`, "SetName"},
		// The runtime's record methods are not part of the handle.
		{"saved", `h.Saved()`, "h.Saved undefined"},
		{"changed", `_ = h.Changed()`, "h.Changed undefined"},
		{"absorb", `h.Absorb(nil)`, "h.Absorb undefined"},
		{"size", `_ = h.Size()`, "h.Size undefined"},
		{"zero", `h.Zero()`, "h.Zero undefined"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "package bad\n\nimport \"example.com/e2e/app\"\n\nfunc F(h *app.PayloadHandle) {\n\t" + c.body + "\n}\n"
			dir := filepath.Join(mod, "bad_"+c.name)
			writeFile(t, filepath.Join(dir, "bad.go"), src)
			defer os.RemoveAll(dir)
			out, err := goCmd(t, mod, nil, "build", "./bad_"+c.name)
			if err == nil {
				t.Fatalf("%s builds; want a type error", c.body)
			}
			if !strings.Contains(out, "bad.go:6:") || !strings.Contains(out, c.want) {
				t.Errorf("go build of %s: want a type error at bad.go:6 mentioning %q, got:\n%s", c.body, c.want, out)
			}
		})
	}
}

// testContractMismatch: generated code written for a runtime contract the
// runtime does not implement fails to compile on its version line, and the
// compiler's message names the command to run.
func testContractMismatch(t *testing.T, mod, gen string) {
	orig, err := os.ReadFile(gen)
	if err != nil {
		t.Fatal(err)
	}
	defer writeFile(t, gen, string(orig))
	cur := fmt.Sprintf("Contract%d_IfUndefinedRunGoGenerate", contract)
	if !bytes.Contains(orig, []byte(cur)) {
		t.Fatalf("%s does not reference sessionimpl.%s", gen, cur)
	}
	writeFile(t, gen, strings.Replace(string(orig), cur, "Contract999_IfUndefinedRunGoGenerate", 1))
	out, err := goCmd(t, mod, nil, "build", "./app")
	if err == nil {
		t.Fatal("code generated for another contract builds")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.Contains(lines[1], "payload_gen.go:") || !strings.Contains(lines[1], "undefined: sessionimpl.Contract999_IfUndefinedRunGoGenerate") {
		t.Errorf("want the first error on the contract line, naming go generate; got:\n%s", out)
	}
}
