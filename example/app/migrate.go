package app

import (
	"fmt"
	"io"
	"net/url"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // dbmate's PostgreSQL driver
	"github.com/sessiongen/sessiongen/schema"
)

// Migrate applies the emitted migrations (embedded from schema/) to the
// database at databaseURL with the dbmate library. The schema dump is off:
// the migrations are the source of truth. log receives dbmate's progress.
func Migrate(databaseURL string, log io.Writer) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("parsing database URL: %w", err)
	}
	db := dbmate.New(u)
	db.FS = schema.Migrations
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = log
	if err := db.Migrate(); err != nil {
		return fmt.Errorf("applying migrations: %w", err)
	}
	return nil
}
