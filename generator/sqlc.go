package generator

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	sqlccli "github.com/sqlc-dev/sqlc/pkg/cli"
)

// sqlcChildEnv turns a process that links the generator into a sqlc child:
// sqlc's commands call os.Exit on failure, so they never run inside the
// generator's own process.
const sqlcChildEnv = "SESSIONGEN_SQLC_CHILD"

// SQLCChild runs sqlc's command line with the process arguments when the
// process was started as a sqlc child by this package, and reports its exit
// code. main functions and TestMain call it first:
//
//	if code, ok := generator.SQLCChild(); ok {
//		os.Exit(code)
//	}
func SQLCChild() (code int, ok bool) {
	if os.Getenv(sqlcChildEnv) != "1" {
		return 0, false
	}
	return sqlccli.Run(os.Args[1:]), true
}

// SQLCRunner runs `sqlc generate` in dir (which holds a sqlc.yaml) and
// returns its combined error output on failure.
type SQLCRunner func(ctx context.Context, dir string) error

// ExecSelf is the default SQLCRunner: it starts the current executable as a
// sqlc child (see SQLCChild).
func ExecSelf(ctx context.Context, dir string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the sessiongen executable to run sqlc: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, "generate", "-f", filepath.Join(dir, "sqlc.yaml"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), sqlcChildEnv+"=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s(%w)", out.String(), err)
	}
	return nil
}

// runSQLC compiles the queries with sqlc in a scratch copy of the layout
// (sqlc.yaml with only our entry, the schema files, the query file) and
// returns the Go files it produced, keyed by path relative to root. Error
// messages name the real files, not the scratch copies.
func runSQLC(ctx context.Context, run SQLCRunner, root string, in map[string][]byte, outRel string) (map[string][]byte, error) {
	tmp, err := os.MkdirTemp("", "sessiongen-sqlc-")
	if err != nil {
		return nil, fmt.Errorf("sqlc scratch dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	for rel, data := range in {
		p := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("sqlc scratch dir: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, fmt.Errorf("sqlc scratch dir: %w", err)
		}
	}
	if err := run(ctx, tmp); err != nil {
		msg := strings.ReplaceAll(err.Error(), tmp+string(filepath.Separator), root+string(filepath.Separator))
		return nil, fmt.Errorf("sqlc generate failed:\n%s", strings.TrimSpace(msg))
	}
	out := map[string][]byte{}
	base := filepath.Join(tmp, outRel)
	err = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(tmp, p)
		if err != nil {
			return err
		}
		out[rel] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading sqlc output: %w", err)
	}
	return out, nil
}
