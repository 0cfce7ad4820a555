package generator

import (
	"fmt"
	"regexp"
	"time"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
)

// Migration is one dbmate migration file to write.
type Migration struct {
	Name          string   // file name suffix: "create_sessions", "alter_sessions", "index_sessions_user_id", "drop_index_sessions_user_id"
	NoTransaction bool     // run outside a transaction (CREATE/DROP INDEX CONCURRENTLY)
	Up            []string // statements, each ending with ";" (may span lines, may start with -- comments)
	Down          []string // statements undoing Up, in reverse order
	Follows       string   // file name of the migration before this one, "" for the first
}

// PlanOptions tunes Plan.
type PlanOptions = plan.Options

// Plan returns the migrations that turn the table cur (nil: no table yet)
// into want, in the order they must be applied, rendered for PostgreSQL:
// package plan decides them (see plan.Plan), and the dialect renders them.
func Plan(cur, want *TableSchema, opt PlanOptions) ([]Migration, error) {
	return planFor(defaultDialect(), cur, want, opt)
}

// planFor plans with d's rules and renders with d.
func planFor(d dialect.Dialect, cur, want *TableSchema, opt PlanOptions) ([]Migration, error) {
	planned, err := plan.Plan(cur, want, opt, d)
	if err != nil {
		return nil, err
	}
	return renderPlan(d, planned)
}

// renderPlan renders planned migrations with d.
func renderPlan(d dialect.Dialect, planned []plan.Migration) ([]Migration, error) {
	out := make([]Migration, 0, len(planned))
	for _, pm := range planned {
		st, err := dialect.RenderMigration(d, pm)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Name: pm.Name, NoTransaction: pm.NoTransaction || st.NoTransaction, Up: st.Up, Down: st.Down})
	}
	return out, nil
}

// RenderMigration renders m as a dbmate migration file.
func RenderMigration(m Migration) ([]byte, error) {
	if len(m.Up) == 0 || len(m.Down) == 0 {
		return nil, fmt.Errorf("migration %s: empty up or down section", m.Name)
	}
	opts := ""
	if m.NoTransaction {
		opts = " transaction:false"
	}
	data := struct {
		Options, Follows string
		Up, Down         []string
	}{opts, m.Follows, m.Up, m.Down}
	return renderTemplate("migration.sql.tmpl", data)
}

const timestampLayout = "20060102150405"

// MigrationFileName returns the dbmate file name of migration name created
// at ts: YYYYMMDDHHMMSS_<name>.sql in UTC.
func MigrationFileName(ts time.Time, name string) string {
	return ts.UTC().Format(timestampLayout) + "_" + name + ".sql"
}

var versionPrefix = regexp.MustCompile(`^(\d{14})_`)

// NextTimestamp returns the timestamp of the next migration: now truncated
// to seconds, or one second after the latest existing migration if that is
// not earlier, so that file names always sort in application order. The i-th
// (0-based) migration of one Plan gets NextTimestamp(...).Add(i*time.Second).
func NextTimestamp(now time.Time, files []MigrationFile) time.Time {
	ts := now.UTC().Truncate(time.Second)
	for _, f := range files {
		m := versionPrefix.FindStringSubmatch(f.Name)
		if m == nil {
			continue
		}
		last, err := time.ParseInLocation(timestampLayout, m[1], time.UTC)
		if err != nil {
			continue
		}
		if !last.Before(ts) {
			ts = last.Add(time.Second)
		}
	}
	return ts
}
