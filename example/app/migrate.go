package app

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's PostgreSQL driver
	"github.com/sessiongen/sessiongen/schema"
)

// pgxOnlyParam reports whether a connection-string parameter is one pgx
// understands and the PostgreSQL server does not.
func pgxOnlyParam(k string) bool {
	switch k {
	case "default_query_exec_mode", "statement_cache_capacity", "description_cache_capacity":
		return true
	}
	return strings.HasPrefix(k, "pool_")
}

// Migrate applies the emitted migrations (embedded from schema/) to the
// database at databaseURL with the dbmate library. The schema dump is off:
// the migrations are the source of truth. log receives dbmate's progress.
func Migrate(databaseURL string, log io.Writer) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("parsing database URL: %w", err)
	}
	// dbmate connects with lib/pq, which passes unknown parameters on to the
	// server: drop the pgx-only ones (see pgx.ParseConfig).
	q := u.Query()
	for k := range q {
		if pgxOnlyParam(k) {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	db := dbmate.New(u)
	db.FS = schema.PostgreSQL()
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = log
	if err := db.Migrate(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}
