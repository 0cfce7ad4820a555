package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
