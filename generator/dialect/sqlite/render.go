package sqlite

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// goTypePrefix starts the comment line that records the Go type of a JSON
// column: SQLite has no COMMENT ON, so the record stays in the migration
// file, where a replay reads it.
const goTypePrefix = "-- sessiongen: Go type of "

// Render returns the SQLite statements of op, nothing for an operation
// SQLite has no use for, or an error for one it cannot do in place.
func (Dialect) Render(op plan.Operation) ([]string, error) {
	switch op := op.(type) {
	case plan.CreateTable:
		return createTable(op.Table), nil
	case plan.DropTable:
		return []string{fmt.Sprintf("DROP TABLE %s;", op.Table)}, nil
	case plan.RenameTable:
		return []string{fmt.Sprintf("ALTER TABLE %s RENAME TO %s;", op.From, op.To)}, nil
	case plan.RenamePrimaryKey:
		return nil, nil // the key carries no name of its own
	case plan.AddColumn:
		s := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s;", op.Table, columnSQL(op.Column))
		if op.Readd {
			s = fmt.Sprintf("-- Re-adds column %s with its default: the dropped data is not restored.\n", op.Column.Name) + s
		}
		if op.Column.GoType != "" {
			s += "\n" + goTypeLine(op.Table, op.Column.Name, op.Column.GoType)
		}
		return []string{s}, nil
	case plan.DropColumn:
		if op.Column == schema.ColTokenHash {
			return nil, fmt.Errorf("SQLite cannot drop column %s of table %s: it is the primary key", op.Column, op.Table)
		}
		s := fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s;", op.Table, op.Column)
		if op.Lossy {
			s = fmt.Sprintf("-- Drops column %s: its data is lost.\n", op.Column) + s
		}
		return []string{s}, nil
	case plan.RenameColumn:
		return []string{fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", op.Table, op.From, op.To)}, nil
	case plan.WidenColumn:
		// A column's type is an affinity: an INTEGER column already holds
		// 64-bit integers, a REAL column doubles.
		return nil, nil
	case plan.DropNotNull, plan.SetNotNull, plan.SetDefault, plan.DropDefault:
		return nil, fmt.Errorf("SQLite cannot change a column's NOT NULL or default in place (%T); it needs the table rebuilt, which sessiongen does not plan yet", op)
	case plan.RecordGoType:
		if op.Explain && op.Previous != "" {
			return []string{fmt.Sprintf("-- Column %s now holds Go type %s instead of %s (tag retype).\n%s", op.Column, op.GoType, op.Previous, goTypeLine(op.Table, op.Column, op.GoType))}, nil
		}
		return []string{goTypeLine(op.Table, op.Column, op.GoType)}, nil
	case plan.AddIndex:
		// No online build: SQLite runs one writer at a time anyway.
		return []string{createIndexSQL(op.Table, op.Index)}, nil
	case plan.DropIndex:
		return []string{fmt.Sprintf("DROP INDEX IF EXISTS %s;", op.Name)}, nil
	case plan.RenameIndex:
		return nil, fmt.Errorf("SQLite cannot rename index %s to %s; the planner must drop and re-create it", op.From, op.To)
	case plan.SetStorageOptions, plan.ResetStorageOptions:
		return nil, nil // no storage parameters
	case plan.CreateEvictTriggers, plan.DropEvictTriggers:
		return nil, fmt.Errorf("SQLite has no notifications for the evict triggers (%T): -cache applies to PostgreSQL only", op)
	}
	return nil, fmt.Errorf("operation %T is not supported", op)
}

// goTypeLine records that column holds goType ("" forgets it).
func goTypeLine(table, column, goType string) string {
	if goType == "" {
		return goTypePrefix + table + "." + column + ": none"
	}
	return goTypePrefix + table + "." + column + ": " + goType
}

func createTable(t *schema.TableSchema) []string {
	var defs []string
	for _, c := range t.Columns {
		def := columnSQL(c)
		if c.Name == schema.ColTokenHash {
			def = c.Name + " " + c.Type + " PRIMARY KEY NOT NULL"
		}
		defs = append(defs, "    "+def)
	}
	out := []string{fmt.Sprintf("CREATE TABLE %s (\n%s\n);", t.Name, strings.Join(defs, ",\n"))}
	for _, c := range t.Columns {
		if c.GoType != "" {
			out = append(out, goTypeLine(t.Name, c.Name, c.GoType))
		}
	}
	return out
}

// columnSQL is a column definition: name, type, NOT NULL, DEFAULT (in
// parentheses, which SQLite wants around an expression).
func columnSQL(c schema.Column) string {
	s := c.Name + " " + c.Type
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT (" + c.Default + ")"
	}
	return s
}

func createIndexSQL(table string, x schema.Index) string {
	where := ""
	if x.Where != "" {
		where = " WHERE " + x.Where
	}
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)%s;", x.Name, table, strings.Join(x.Columns, ", "), where)
}
