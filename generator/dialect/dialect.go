// Package dialect is the seam between sessiongen's engine-neutral stages
// and a database engine. A Dialect renders the operations the planner
// (package plan) decides, replays committed migrations into the table they
// leave, and answers the planner's questions about the engine (plan.Rules).
// Each engine is one subpackage: dialect/postgresql, dialect/sqlite.
package dialect

import (
	"fmt"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Dialect is one database engine as the generator sees it.
type Dialect interface {
	plan.Rules
	// Name is the dialect's identifier, e.g. "postgresql".
	Name() string
	// Render returns the SQL statements of one operation, each ending with
	// ";" (a statement may span lines and start with -- comments). An
	// operation the engine has no use for renders as nothing; one it
	// cannot do is an error.
	Render(op plan.Operation) ([]string, error)
	// Replay applies the up sections of files in name order, without a
	// database, and returns every table they leave.
	Replay(files []schema.MigrationFile) (*Replayed, error)
	// CanonicalDefault returns the canonical text of a default expression,
	// the form Replay stores and SameDefault compares.
	CanonicalDefault(expr string) (string, error)
	// Want translates the table the model wants, written in the model's
	// vocabulary (PostgreSQL's canonical types and defaults), into the
	// dialect's: its column types and defaults, without what the engine
	// does not have (storage parameters, evict triggers).
	Want(t *schema.TableSchema) (*schema.TableSchema, error)
	// TableDDL is the CREATE TABLE statement of t with only the columns
	// keep names, for tools that compile queries against a schema (sqlc).
	TableDDL(t *schema.TableSchema, keep func(column string) bool) string
	// Queries computes the SQL fragments of the engine's query file,
	// printed by templates/queries_<Name>.sql.tmpl.
	Queries(q Query) (QueryData, error)
	// Runtime is how the typed layer reaches the engine at run time.
	Runtime() Runtime
}

// ColumnError is an error of a dialect about one column of the wanted
// table, which the generator reports at the field that makes it.
type ColumnError struct {
	Column string
	Err    error
}

func (e *ColumnError) Error() string { return "column " + e.Column + ": " + e.Err.Error() }
func (e *ColumnError) Unwrap() error { return e.Err }

// Replayed is what a replay of committed migrations leaves.
type Replayed struct {
	Tables map[string]*schema.TableSchema // by name
	// LastGenerated is, per table, the last migration sessiongen wrote
	// (schema.GeneratedHeader) that changed it.
	LastGenerated map[string]string
}

// Statements is a planned migration rendered by a dialect.
type Statements struct {
	Up, Down []string
	// NoTransaction asks dbmate to run the sections outside a transaction
	// (transaction:false), for an engine whose DDL cannot run in one.
	NoTransaction bool
}

// MigrationRenderer is a Dialect that renders a whole migration at once
// rather than operation by operation: MySQL folds a section into one
// statement, since its DDL is not transactional.
type MigrationRenderer interface {
	RenderMigration(m plan.Migration) (Statements, error)
}

// RenderMigration renders m with d: with d's RenderMigration when it has
// one, else every operation with Render.
func RenderMigration(d Dialect, m plan.Migration) (Statements, error) {
	if r, ok := d.(MigrationRenderer); ok {
		s, err := r.RenderMigration(m)
		if err != nil {
			return Statements{}, fmt.Errorf("migration %s: %s: %w", m.Name, d.Name(), err)
		}
		return s, nil
	}
	var s Statements
	for _, part := range []struct {
		ops []plan.Operation
		out *[]string
	}{{m.Up, &s.Up}, {m.Down, &s.Down}} {
		for _, op := range part.ops {
			stmts, err := d.Render(op)
			if err != nil {
				return Statements{}, fmt.Errorf("migration %s: %s: %w", m.Name, d.Name(), err)
			}
			*part.out = append(*part.out, stmts...)
		}
	}
	return s, nil
}
