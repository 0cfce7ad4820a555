package generator

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/dialect/postgresql"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// MigrationFile is one committed dbmate migration file.
type MigrationFile = schema.MigrationFile

// GeneratedHeader starts every migration sessiongen writes.
const GeneratedHeader = schema.GeneratedHeader

// defaultDialect is the engine sessiongen generates for.
func defaultDialect() dialect.Dialect { return postgresql.Dialect{} }

// ReadMigrations reads the *.sql files of dir sorted by name. A missing
// directory holds no migrations and is not an error.
func ReadMigrations(dir string) ([]MigrationFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []MigrationFile
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files = append(files, MigrationFile{Name: e.Name(), Data: data})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// Replay returns table as the committed migrations leave it, or nil if the
// table does not exist after them, replayed by the PostgreSQL dialect
// (see dialect.Dialect.Replay). It needs no database.
func Replay(files []MigrationFile, table string) (*TableSchema, error) {
	r, err := defaultDialect().Replay(files)
	if err != nil {
		return nil, err
	}
	return r.Tables[table], nil
}

// CanonicalDefault returns the canonical text of the SQL default expression
// expr ("" stays ""), as the PostgreSQL dialect's replay stores it.
func CanonicalDefault(expr string) (string, error) {
	return defaultDialect().CanonicalDefault(expr)
}
