package generator

import (
	"bytes"
	"context"
	"flag"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres"
	"github.com/sessiongen/sessiongen/internal/gentest"
)

// TestMain turns the test binary into a sqlc child when the generator
// starts it as one (ExecSelf re-executes os.Executable()).
func TestMain(m *testing.M) {
	if code, ok := SQLCChild(); ok {
		os.Exit(code)
	}
	// Scratch modules must not pick up a go.work from above.
	os.Setenv("GOWORK", "off")
	flag.Parse()
	os.Exit(m.Run())
}

// fixedNow stamps migrations of golden and evolution runs.
func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// nowAt returns an Options.Now giving t.
func nowAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// repoRoot is the absolute directory of this repository.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// newModule writes a scratch module requiring this repository (see
// gentest.NewModule).
func newModule(t testing.TB, modPath string, files map[string]string) string {
	t.Helper()
	return gentest.NewModule(t, modPath, files)
}

// writeFile writes data to path, creating its directory.
func writeFile(t testing.TB, path, data string) {
	t.Helper()
	gentest.WriteFile(t, path, data)
}

// copyTree copies the regular files under src to dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(dst, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot reads every regular file under dir, keyed by slash path.
func snapshot(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffSnapshots describes how b differs from a, "" if equal.
func diffSnapshots(a, b map[string][]byte) string {
	var keys []string
	seen := map[string]bool{}
	for k := range a {
		keys, seen[k] = append(keys, k), true
	}
	for k := range b {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out strings.Builder
	for _, k := range keys {
		x, inA := a[k]
		y, inB := b[k]
		switch {
		case !inA:
			out.WriteString("added " + k + "\n")
		case !inB:
			out.WriteString("removed " + k + "\n")
		case !bytes.Equal(x, y):
			out.WriteString("changed " + k + ":\n" + unifiedDiff(string(x), string(y)))
		}
	}
	return out.String()
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(t testing.TB, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// generateAndWrite runs Generate and Write and fails the test on error.
func generateAndWrite(t testing.TB, o Options) (*Output, []string) {
	t.Helper()
	out, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatalf("Generate(%s in %s): %v", o.Type, o.Dir, err)
	}
	wrote, err := out.Write()
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return out, wrote
}

// newDBMate returns a dbmate instance applying the migrations in dir to
// the database at dsn, without schema dumps or output.
func newDBMate(t testing.TB, dsn, dir string) *dbmate.DB {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := dbmate.New(u)
	db.MigrationsDir = []string{dir}
	db.AutoDumpSchema = false
	db.Log = io.Discard
	return db
}
