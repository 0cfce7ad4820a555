package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator/dialect/postgresql"
)

// Menus the struct builder picks from; random strings mix in invalid and
// unusual spellings.
var (
	fuzzNames = []string{"UserID", "Email", "Roles", "Cart", "Theme", "MFAAt", "Counter", "Renew", "Size", "Err",
		"CreatedAt", "Remember", "TokenHash", "SetX", "X", "secret", "HTTPServer", "Select", "Äpfel", "_", "NewTokenHash", "Batch", "UserId"}
	fuzzTypes = []string{"string", "int", "int64", "int32", "int16", "int8", "uint", "uint64", "float32", "float64", "bool",
		"[]byte", "[]string", "map[string]int", "map[bool]int", "*string", "**int", "time.Time", "*time.Time", "time.Duration",
		"Theme", "*Theme", "[]Item", "Item", "*Item", "chan int", "func()", "any", "complex128", "[3]int", "struct{ A int }",
		"map[string]any", "[]*Item", "uintptr", "error", "Ints", "map[int64][]Item", "[]time.Time", "json.RawMessage", "Rec"}
	fuzzTags = []string{"", "", "", `session:"-"`, `session:",index"`, `session:"col"`, `session:"Bad Col"`, `session:"select"`,
		`session:"x,was=old"`, `session:"x,was=Bad"`, `session:",bogus"`, `json:"x"`, `session:"token_hash"`, `session:"set_user_id"`,
		`session:"user_id,index"`, `session:"a,index,was=b"`, `session:","`, `session:"` + strings.Repeat("a", 64) + `"`}
)

// fuzzSource turns fuzz bytes into a Go file declaring type Session: each
// field takes a name, a type and a tag from the menus or from the bytes
// themselves.
func fuzzSource(data []byte) string {
	i := 0
	next := func() byte {
		if i >= len(data) {
			return 0
		}
		i++
		return data[i-1]
	}
	random := func(alphabet string) string {
		n := int(next() % 12)
		var b strings.Builder
		for k := 0; k < n; k++ {
			b.WriteByte(alphabet[int(next())%len(alphabet)])
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString("package fuzzpkg\n\nimport (\n\t\"encoding/json\"\n\t\"time\"\n)\n\n")
	b.WriteString("var _ json.RawMessage\nvar _ time.Time\n\n// Theme is a named string.\ntype Theme string\n\n")
	b.WriteString("// Item is a cart line.\ntype Item struct {\n\tSKU string\n\tQty int\n}\n\n// Ints is a named slice.\ntype Ints []int\n\n")
	b.WriteString("// Rec refers to itself.\ntype Rec struct {\n\tNext *Rec\n}\n\n")
	b.WriteString("// Session is the fuzzed payload.\ntype Session struct {\n")
	nf := int(next() % 10)
	if len(data) > 200 {
		nf = 70 // over the 64-field limit
	}
	for f := 0; f < nf; f++ {
		sel := next()
		var name string
		switch {
		case sel%4 == 3:
			name = random("ABCXYZabcxyz_0189ÄéЖ ")
			if name == "" {
				name = "F"
			}
		default:
			name = fuzzNames[int(sel)%len(fuzzNames)]
		}
		if sel > 250 { // occasionally duplicate the field name pattern with a suffix
			name += strconv.Itoa(f)
		} else if sel%4 != 3 {
			name += strconv.Itoa(f) // distinct Go names; the column clashes still come from tags and snake_case
			if sel%5 == 0 {
				name = strings.TrimRight(name, "0123456789")
			}
		}
		typ := fuzzTypes[int(next())%len(fuzzTypes)]
		tsel := next()
		tag := fuzzTags[int(tsel)%len(fuzzTags)]
		if tsel%7 == 6 {
			tag = `session:"` + random("abc_XY ,=-index.was019\\\"") + `"`
		}
		if next()%13 == 0 {
			fmt.Fprintf(&b, "\t%s\n", strings.TrimPrefix(typ, "*")) // embedded
			continue
		}
		fmt.Fprintf(&b, "\t%s %s", name, typ)
		if tag != "" {
			b.WriteString(" " + strconv.Quote(tag))
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// fieldErrRE is the shape of every model error line: "file:line: field X: why"
// (or the struct-level field-count error at the type's position).
var fieldErrRE = regexp.MustCompile(`^\S+\.go:\d+(:\d+)?: (field \S+: \S|Session has (\d+|no) stored fields)`)

// checkLoader runs the load and model stages on a package holding src and
// fails on a panic or on a model error that does not say where.
func checkLoader(t *testing.T, dir, src string) *Model {
	if err := os.WriteFile(filepath.Join(dir, "session.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := load(dir, "Session")
	if err != nil {
		if strings.TrimSpace(err.Error()) == "" {
			t.Fatalf("load failed with an empty error for\n%s", src)
		}
		return nil
	}
	m, err := buildModel(l, "sessions")
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			if !fieldErrRE.MatchString(line) {
				t.Fatalf("model error line without file:line: field X: %q\nsource:\n%s", line, src)
			}
		}
		return nil
	}
	// The renderers that need no subprocess must accept every model.
	if _, err := Plan(nil, m.WantedSchema(), m.planOptions()); err != nil {
		t.Fatalf("Plan of a valid model: %v\n%s", err, src)
	}
	if _, err := renderQueries(m, postgresql.Dialect{}); err != nil {
		t.Fatalf("renderQueries of a valid model: %v\n%s", err, src)
	}
	if _, err := renderGo(m, []engineOut{{d: postgresql.Dialect{}, dbPath: "fuzzpkg/sessiondb"}}, ""); err != nil {
		t.Fatalf("renderGo of a valid model: %v\n%s", err, src)
	}
	return m
}

// fuzzModule is a scratch module with no requirements, so go list needs
// nothing but the standard library.
func fuzzModule(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fuzzpkg\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// FuzzLoader feeds random but mostly valid struct declarations to the
// load and model stages: they must never panic, and every error about a
// field must say file:line: field X:. Run it with
//
//	go test -run '^$' -fuzz '^FuzzLoader$' -fuzztime 30s ./generator
//
// Each input runs go list once, so expect a few executions per second.
func FuzzLoader(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 1, 2, 4, 1, 5, 6, 7, 2})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLoader(t, fuzzModule(t), fuzzSource(data))
	})
}

// TestFuzzSourceCompiles generates the full output for sample inputs whose
// model is valid and builds it: the fuzzer itself does not compile (too
// slow), so this checks that "valid model" means "code that compiles".
func TestFuzzSourceCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a scratch module")
	}
	// Samples from the seed corpus with a valid model: scalars, pointers,
	// named types, jsonb and index tags.
	samples := []string{
		"package fuzzpkg\n\nimport (\n\t\"encoding/json\"\n\t\"time\"\n)\n\nvar _ json.RawMessage\n\ntype Theme string\n\ntype Item struct {\n\tSKU string\n\tQty int\n}\n\ntype Ints []int\n\n" +
			"type Session struct {\n\tUserID0 int64 `session:\"user_id,index\"`\n\tEmail1 *string\n\tTheme2 Theme `session:\",index\"`\n\tCart3 []Item\n\tSeen4 *time.Time\n\tWait5 time.Duration\n\tNums6 Ints\n\tRaw7 json.RawMessage\n\tBy8 map[int64][]Item\n\tKey9 []byte\n\tN10 int16\n\tF11 float32\n\tsecret string `session:\"-\"`\n\tCh chan int `session:\"-\"`\n}\n",
	}
	for i, src := range samples {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			m := checkLoader(t, fuzzModule(t), src)
			if m == nil {
				t.Fatalf("sample %d has no valid model", i)
			}
			dir := newModule(t, "example.com/fuzzsample", map[string]string{"session.go": strings.Replace(src, "package fuzzpkg", "package fuzzsample", 1)})
			out, err := Generate(context.Background(), Options{Dir: dir, Type: "Session", Now: fixedNow})
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			if _, err := out.Write(); err != nil {
				t.Fatal(err)
			}
			if o, err := goCmd(t, dir, nil, "vet", "./..."); err != nil {
				t.Fatalf("generated code does not build:\n%s", o)
			}
		})
	}
}
