// Package gentest builds scratch Go modules for the generator's end-to-end
// tests: a module that requires this repository through a replace directive,
// so generated code can be compiled, vetted and run against the working tree.
package gentest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// RepoRoot is the absolute directory of this repository.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("gentest: cannot locate the repository")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// NewModule writes a scratch Go module named modPath into a new temporary
// directory: its go.mod has the repository's requirements (so the
// repository's go.sum covers it) plus this repository and its runtime
// module through replace directives. files maps slash paths inside the module to contents.
func NewModule(t testing.TB, modPath string, files map[string]string) string {
	t.Helper()
	root := RepoRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(gomod), "\n") {
		switch {
		case strings.HasPrefix(line, "module "):
			line = "module " + modPath
		case strings.HasPrefix(line, "tool "), strings.HasPrefix(line, "replace "):
			continue
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\nrequire github.com/sessiongen/sessiongen v0.0.0\n\nreplace github.com/sessiongen/sessiongen => " + root + "\n")
	b.WriteString("\nreplace github.com/sessiongen/sessiongen/sessionrt => " + filepath.Join(root, "sessionrt") + "\n")
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	WriteFile(t, filepath.Join(dir, "go.mod"), b.String())
	WriteFile(t, filepath.Join(dir, "go.sum"), string(gosum))
	for rel, data := range files {
		WriteFile(t, filepath.Join(dir, filepath.FromSlash(rel)), data)
	}
	return dir
}

// WriteFile writes data to path, creating its directory.
func WriteFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
