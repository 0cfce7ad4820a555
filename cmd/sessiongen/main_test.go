package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/generator"
	"github.com/sessiongen/sessiongen/internal/gentest"
)

// TestMain turns the test binary into a sqlc child when the generator
// starts it as one.
func TestMain(m *testing.M) {
	if code, ok := generator.SQLCChild(); ok {
		os.Exit(code)
	}
	os.Setenv("GOWORK", "off")
	os.Exit(m.Run())
}

// runCmd runs the command line and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// newModule writes a scratch module requiring this repository (see
// gentest.NewModule).
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	return gentest.NewModule(t, "example.com/cmdtest", files)
}

// writeFile writes data to path, creating its directory.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	gentest.WriteFile(t, path, data)
}

// snapshot reads every file under dir with its mode, keyed by slash path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[filepath.ToSlash(rel)+"/"] = info.Mode().String()
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = info.Mode().String() + "\n" + string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, "removed "+k)
		} else if v != w {
			diffs = append(diffs, "changed "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, "added "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("%s changed the tree: %v", what, diffs)
	}
}

const payloadV1 = `package app

import "time"

type Theme string

type Session struct {
	UserID int64 ` + "`session:\"user_id,index\"`" + `
	Theme  Theme
	Roles  []string
	SeenAt *time.Time
}
`

// payloadV2 adds a field.
var payloadV2 = strings.Replace(payloadV1, "\tSeenAt *time.Time\n", "\tSeenAt *time.Time\n\tVisits int32\n", 1)

// TestCheck covers -check on a scratch module: clean tree, stale struct,
// hand-edited generated files; check mode never writes.
func TestCheck(t *testing.T) {
	mod := newModule(t, map[string]string{"app/session.go": payloadV1})
	app := filepath.Join(mod, "app")

	// Before the first run every file is missing: exit 1, and every file
	// appears as new.
	before := snapshot(t, mod)
	code, stdout, stderr := runCmd(t, "-check", "-dir", app, "-type", "Session")
	if code != 1 {
		t.Fatalf("-check on an ungenerated tree: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"--- /dev/null\n+++ b/app/session_gen.go\n", "--- /dev/null\n+++ b/app/sessiondb/db.go\n", "--- /dev/null\n+++ b/sqlc.yaml\n"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("-check on an ungenerated tree: stdout lacks %q:\n%s", w, stdout)
		}
	}
	sameSnapshot(t, "-check on an ungenerated tree", before, snapshot(t, mod))

	// Generate.
	code, stdout, stderr = runCmd(t, "-dir", app, "-type", "Session")
	if code != 0 || stderr != "" {
		t.Fatalf("generate: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"_create_sessions.sql", "queries/sessions.sql", "sqlc.yaml", "sessiondb/sessions.sql.go", "app/session_gen.go"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("generate: stdout does not report writing %s:\n%s", w, stdout)
		}
	}

	t.Run("clean", func(t *testing.T) {
		before := snapshot(t, mod)
		code, stdout, stderr := runCmd(t, "-check", "-dir", app, "-type", "Session")
		if code != 0 || stdout != "" || stderr != "" {
			t.Errorf("-check on a fresh tree: exit %d, stdout %q, stderr %q; want 0 and no output", code, stdout, stderr)
		}
		sameSnapshot(t, "-check on a clean tree", before, snapshot(t, mod))
	})

	t.Run("rerun", func(t *testing.T) {
		// A second generating run is byte-identical: it writes nothing.
		before := snapshot(t, mod)
		code, stdout, stderr := runCmd(t, "-dir", app, "-type", "Session")
		if code != 0 || stdout != "" || stderr != "" {
			t.Errorf("second run: exit %d, stdout %q, stderr %q; want 0 and nothing written", code, stdout, stderr)
		}
		sameSnapshot(t, "a second run", before, snapshot(t, mod))
	})

	t.Run("struct edited", func(t *testing.T) {
		writeFile(t, filepath.Join(app, "session.go"), payloadV2)
		defer writeFile(t, filepath.Join(app, "session.go"), payloadV1)
		before := snapshot(t, mod)
		code, stdout, stderr := runCmd(t, "-check", "-dir", app, "-type", "Session")
		if code != 1 {
			t.Fatalf("-check after adding a field: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !regexp.MustCompile(`(?m)^--- /dev/null\n\+\+\+ b/schema/\d{14}_alter_sessions\.sql\n`).MatchString(stdout) {
			t.Errorf("diff lacks the new migration from /dev/null:\n%s", stdout)
		}
		for _, w := range []string{
			"+ALTER TABLE sessions ADD COLUMN visits integer NOT NULL DEFAULT 0;",
			"--- a/app/session_gen.go\n+++ b/app/session_gen.go\n",
			"+func (h *SessionHandle) SetVisits(v int32) {",
			"--- a/queries/sessions.sql\n",
			"@@ ",
		} {
			if !strings.Contains(stdout, w) {
				t.Errorf("diff lacks %q:\n%s", w, stdout)
			}
		}
		checkUnifiedDiff(t, stdout)
		if !strings.Contains(stderr, "generated files are stale") || !strings.Contains(stderr, "patch -p1 in "+mod) {
			t.Errorf("stderr %q does not say the files are stale and where the diff applies", stderr)
		}
		sameSnapshot(t, "-check after adding a field", before, snapshot(t, mod))
		// The diff is what a generating run would write: applied with
		// patch -p1 to a copy of the module, -check is clean there.
		cp := applyPatch(t, mod, stdout)
		if code, out, errOut := runCmd(t, "-check", "-dir", filepath.Join(cp, "app"), "-type", "Session"); code != 0 {
			t.Errorf("-check after applying the diff with patch: exit %d\n%s\n%s", code, out, errOut)
		}
	})

	t.Run("generated file edited", func(t *testing.T) {
		for _, rel := range []string{"app/session_gen.go", "app/sessiondb/models.go", "queries/sessions.sql"} {
			p := filepath.Join(mod, filepath.FromSlash(rel))
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			// Three inserted lines, one changed line, and no newline at
			// the end.
			edited := strings.Replace(string(orig), "\n", "\n// hand edit\n", 3)
			edited = strings.Replace(edited, "sessions", "sessionz", 1)
			edited = strings.TrimSuffix(edited, "\n") + "\n// trailer"
			writeFile(t, p, edited)
			before := snapshot(t, mod)
			code, stdout, stderr := runCmd(t, "-check", "-dir", app, "-type", "Session")
			if code != 1 || !strings.Contains(stdout, "-// hand edit\n") || !strings.Contains(stdout, "+++ b/") ||
				!strings.Contains(stdout, "\\ No newline at end of file\n") {
				t.Errorf("-check after editing %s: exit %d, want 1 with a diff removing the edit\nstdout:\n%s\nstderr:\n%s", rel, code, stdout, stderr)
			}
			checkUnifiedDiff(t, stdout)
			sameSnapshot(t, "-check after editing "+rel, before, snapshot(t, mod))
			cp := applyPatch(t, mod, stdout)
			if got, err := os.ReadFile(filepath.Join(cp, filepath.FromSlash(rel))); err != nil || string(got) != string(orig) {
				t.Errorf("patch -p1 with the -check diff does not restore %s (err %v)", rel, err)
			}
			writeFile(t, p, string(orig))
		}
		if code, stdout, _ := runCmd(t, "-check", "-dir", app, "-type", "Session"); code != 0 {
			t.Errorf("-check after restoring the files: exit %d\n%s", code, stdout)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-dir", app}, "sessiongen: -type is required"},
			{[]string{"-dir", app, "-type", "Nope"}, "sessiongen: package example.com/cmdtest/app: type Nope not found (check -type)"},
			{[]string{"-dir", app, "-type", "Session", "extra"}, "unexpected arguments"},
			{[]string{"-nosuchflag"}, "flag provided but not defined: -nosuchflag"},
		} {
			before := snapshot(t, mod)
			code, stdout, stderr := runCmd(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("%q: exit %d, stderr %q; want 2 and %q (stdout %q)", c.args, code, stderr, c.want, stdout)
			}
			sameSnapshot(t, strings.Join(c.args, " "), before, snapshot(t, mod))
		}
	})
}

// TestCheckRelativeDir runs -check with a relative -dir, as go:generate and
// CI do: the diff headers are relative to it, never absolute paths.
func TestCheckRelativeDir(t *testing.T) {
	mod := newModule(t, map[string]string{"app/session.go": payloadV1})
	t.Chdir(mod)
	if code, stdout, stderr := runCmd(t, "-dir", "app", "-type", "Session"); code != 0 {
		t.Fatalf("generate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	writeFile(t, filepath.Join(mod, "app", "session.go"), payloadV2)
	code, stdout, stderr := runCmd(t, "-check", "-dir", "app", "-type", "Session")
	if code != 1 {
		t.Fatalf("-check: exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, mod) {
		t.Errorf("diff headers name absolute paths (under %s):\n%s", mod, firstLines(stdout, 12))
	}
	if !strings.Contains(stdout, "--- a/app/session_gen.go\n") {
		t.Errorf("diff lacks a relative header for session_gen.go:\n%s", firstLines(stdout, 12))
	}
}

// checkUnifiedDiff fails unless diff is well formed: every line a file
// header, a hunk header, a context, removed or added line, or the "no
// newline" marker; no paths leaving the tree; every hunk changes something,
// and in each change removed lines come before added ones.
func checkUnifiedDiff(t *testing.T, diff string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	changed := true
	prev := byte(0)
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "):
			if strings.Contains(line, "../") {
				t.Errorf("diff line %d leaves the tree: %q", i+1, line)
			}
			prev = 0
			continue
		case strings.HasPrefix(line, "@@ -"):
			if !changed {
				t.Errorf("the hunk before diff line %d changes nothing\n%s", i+1, diff)
			}
			changed = false
			prev = 0
			continue
		case line == "\\ No newline at end of file":
			continue
		case strings.HasPrefix(line, "+"), strings.HasPrefix(line, "-"):
			changed = true
		case strings.HasPrefix(line, " "):
		default:
			t.Errorf("diff line %d is not a unified diff line: %q\n%s", i+1, line, firstLines(diff, 12))
			return
		}
		if line[0] == '-' && prev == '+' {
			t.Errorf("diff line %d removes a line after adding one\n%s", i+1, diff)
		}
		prev = line[0]
	}
	if !changed {
		t.Errorf("the last hunk changes nothing\n%s", diff)
	}
}

// applyPatch copies the module at dir into a new directory, applies diff
// there with patch -p1, and returns the copy.
func applyPatch(t *testing.T, dir, diff string) string {
	t.Helper()
	cp := t.TempDir()
	for rel, v := range snapshot(t, dir) {
		if strings.HasSuffix(rel, "/") {
			continue
		}
		_, data, _ := strings.Cut(v, "\n")
		writeFile(t, filepath.Join(cp, filepath.FromSlash(rel)), data)
	}
	cmd := exec.Command("patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch")
	cmd.Dir = cp
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p1 with the -check diff failed: %v\n%s\ndiff:\n%s", err, out, diff)
	}
	return cp
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// TestExampleUpToDate is the CI check: the repository's example is
// generated from its current struct.
func TestExampleUpToDate(t *testing.T) {
	dir, flags := "", []string(nil)
	for _, d := range []string{"../../example/app", "../../example"} {
		if data, err := os.ReadFile(filepath.Join(d, "session.go")); err == nil && strings.Contains(string(data), "type Session struct") {
			dir = d
			// The flags of the example's own //go:generate line.
			for _, line := range strings.Split(string(data), "\n") {
				if _, args, ok := strings.Cut(line, "cmd/sessiongen "); ok && strings.HasPrefix(line, "//go:generate ") {
					flags = strings.Fields(args)
				}
			}
			break
		}
	}
	if dir == "" || flags == nil {
		t.Fatal("example session.go with type Session and its //go:generate line not found under ../../example")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	before := snapshot(t, filepath.Join(root, "example"))
	args := append([]string{"-check", "-dir", dir}, flags...)
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 || stdout != "" || stderr != "" {
		t.Errorf("sessiongen %s: exit %d; run go generate ./...\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	sameSnapshot(t, "-check of the example", before, snapshot(t, filepath.Join(root, "example")))
}
