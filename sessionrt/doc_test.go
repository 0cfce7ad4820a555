package sessionrt_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goTool returns the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", exe); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestDocSize keeps the user-facing package small: everything an
// application reads about it fits in 200 lines of go doc -all.
func TestDocSize(t *testing.T) {
	const max = 200
	cmd := exec.Command(goTool(t), "doc", "-all", "github.com/sessiongen/sessiongen/sessionrt")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go doc: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Count(string(out), "\n")
	t.Logf("go doc -all sessionrt: %d lines", lines)
	if lines > max {
		t.Fatalf("go doc -all sessionrt is %d lines, over %d: move what applications do not need to sessionimpl", lines, max)
	}
}

// requirement is one require line of a go.mod.
type requirement struct {
	path, version string
	indirect      bool
}

// parseGoMod reads the go version, requirements and the other directives
// of a go.mod file: enough for TestGoMod without golang.org/x/mod, which
// the runtime's module must not require.
func parseGoMod(data string) (goVersion string, reqs []requirement, other []string) {
	block := ""
	for _, line := range strings.Split(data, "\n") {
		line, comment, _ := strings.Cut(line, "//")
		fields := strings.Fields(line)
		indirect := strings.TrimSpace(comment) == "indirect"
		switch {
		case len(fields) == 0:
			continue
		case block != "" && fields[0] == ")":
			block = ""
			continue
		case block == "" && len(fields) == 2 && fields[1] == "(":
			block = fields[0]
			continue
		}
		verb := block
		if verb == "" {
			verb, fields = fields[0], fields[1:]
		}
		switch {
		case verb == "go" && len(fields) == 1:
			goVersion = fields[0]
		case verb == "require" && len(fields) == 2:
			reqs = append(reqs, requirement{fields[0], fields[1], indirect})
		case verb == "module":
		default:
			other = append(other, verb+" "+strings.Join(fields, " "))
		}
	}
	return goVersion, reqs, other
}

// TestGoMod keeps the runtime's module lean: it requires pgx and what pgx
// requires, nothing else, at go 1.25.0. (The test runs in the module's
// root, next to its go.mod.)
func TestGoMod(t *testing.T) {
	data, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion, reqs, other := parseGoMod(string(data))
	if goVersion != "1.25.0" {
		t.Errorf("go line %q, want go 1.25.0", goVersion)
	}
	if len(reqs) == 0 {
		t.Errorf("no requirements parsed from go.mod:\n%s", data)
	}
	direct := map[string]bool{"github.com/jackc/pgx/v5": true}
	// pgx's own requirements, and those of its tests.
	indirect := map[string]bool{
		"github.com/jackc/pgpassfile":    true,
		"github.com/jackc/pgservicefile": true,
		"github.com/jackc/puddle/v2":     true,
		"golang.org/x/sync":              true,
		"golang.org/x/text":              true,
		"golang.org/x/crypto":            true,
		"github.com/stretchr/testify":    true,
		"github.com/davecgh/go-spew":     true,
		"github.com/pmezard/go-difflib":  true,
		"github.com/stretchr/objx":       true,
		"gopkg.in/yaml.v3":               true,
		"gopkg.in/check.v1":              true,
	}
	for _, r := range reqs {
		switch {
		case direct[r.path]:
		case indirect[r.path] && r.indirect:
		default:
			t.Errorf("go.mod requires %s %s (indirect %v): the runtime's module may require pgx and its dependencies only", r.path, r.version, r.indirect)
		}
	}
	for _, d := range other {
		if !strings.HasPrefix(d, "toolchain ") {
			t.Errorf("go.mod has %q: the runtime's module is required by applications as is", d)
		}
	}
}

func TestParseGoMod(t *testing.T) {
	v, reqs, other := parseGoMod(`module x // the module

go 1.25.0

require a/b v1.0.0

require (
	c/d v0.1.0 // indirect
	e/f v2.0.0
)

replace a/b => ../b
exclude (
	g/h v1.0.0
)
`)
	want := []requirement{{"a/b", "v1.0.0", false}, {"c/d", "v0.1.0", true}, {"e/f", "v2.0.0", false}}
	if v != "1.25.0" || len(reqs) != len(want) || len(other) != 2 {
		t.Fatalf("parseGoMod = %q, %v, %q", v, reqs, other)
	}
	for i := range want {
		if reqs[i] != want[i] {
			t.Errorf("requirement %d = %v, want %v", i, reqs[i], want[i])
		}
	}
}
