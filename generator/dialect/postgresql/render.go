// Package postgresql is sessiongen's PostgreSQL dialect: it renders the
// planner's operations as PostgreSQL DDL, replays committed migrations
// with PostgreSQL's own parser (pg_query), and knows PostgreSQL's types,
// casts and identifier limits.
package postgresql

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Dialect is the PostgreSQL dialect. Its zero value is ready to use.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "postgresql".
func (Dialect) Name() string { return "postgresql" }

// storageComment introduces the storage parameters in a migration.
const storageComment = "-- Storage parameters for a table with churn: room for HOT updates, and autovacuum at 1% dead rows\n-- (measured in sessiongen's docs/SCALE.md). Tune them with a migration of your own: sessiongen sets\n-- only the ones the table does not have."

// Render returns the PostgreSQL statements of op.
func (d Dialect) Render(op plan.Operation) ([]string, error) {
	switch op := op.(type) {
	case plan.CreateTable:
		return createTable(op.Table), nil
	case plan.DropTable:
		return []string{fmt.Sprintf("DROP TABLE %s;", op.Table)}, nil
	case plan.RenameTable:
		return []string{fmt.Sprintf("ALTER TABLE %s RENAME TO %s;", op.From, op.To)}, nil
	case plan.RenamePrimaryKey:
		return []string{fmt.Sprintf("ALTER INDEX IF EXISTS %s_pkey RENAME TO %s_pkey;", op.From, op.To)}, nil
	case plan.AddColumn:
		s := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s;", op.Table, columnSQL(op.Column))
		if op.Readd {
			s = fmt.Sprintf("-- Re-adds column %s with its default: the dropped data is not restored.\n", op.Column.Name) + s
		}
		if op.Column.GoType != "" {
			s += "\n" + goTypeComment(op.Table, op.Column.Name, op.Column.GoType)
		}
		return []string{s}, nil
	case plan.DropColumn:
		s := fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s;", op.Table, op.Column)
		if op.Lossy {
			s = fmt.Sprintf("-- Drops column %s: its data is lost.\n", op.Column) + s
		}
		return []string{s}, nil
	case plan.RenameColumn:
		return []string{fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s;", op.Table, op.From, op.To)}, nil
	case plan.WidenColumn:
		return []string{fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s;", op.Table, op.Column, op.To, op.Column, op.To)}, nil
	case plan.DropNotNull:
		return []string{fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;", op.Table, op.Column)}, nil
	case plan.SetNotNull:
		return []string{fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", op.Table, op.Column)}, nil
	case plan.SetDefault:
		s := fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;", op.Table, op.Column, op.Default)
		if op.FillNulls {
			s += fmt.Sprintf("\nUPDATE %s SET %s = %s WHERE %s IS NULL;", op.Table, op.Column, op.Default, op.Column)
		}
		return []string{s}, nil
	case plan.DropDefault:
		return []string{fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", op.Table, op.Column)}, nil
	case plan.RecordGoType:
		if !op.Explain {
			if op.GoType == "" {
				return []string{fmt.Sprintf("COMMENT ON COLUMN %s.%s IS NULL;", op.Table, op.Column)}, nil
			}
			return []string{goTypeComment(op.Table, op.Column, op.GoType)}, nil
		}
		what := "records the Go type " + op.GoType
		if op.Previous != "" {
			what = fmt.Sprintf("now holds Go type %s instead of %s (tag retype): stored values are kept as they are, and one that does not decode reads as the zero value", op.GoType, op.Previous)
		}
		return []string{fmt.Sprintf("-- Column %s %s.\n%s", op.Column, what, goTypeComment(op.Table, op.Column, op.GoType))}, nil
	case plan.AddIndex:
		return []string{createIndexSQL(op.Table, op.Index, op.Concurrently)}, nil
	case plan.DropIndex:
		if op.Concurrently {
			return []string{fmt.Sprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", op.Name)}, nil
		}
		return []string{fmt.Sprintf("DROP INDEX IF EXISTS %s;", op.Name)}, nil
	case plan.RenameIndex:
		return []string{fmt.Sprintf("ALTER INDEX %s RENAME TO %s;", op.From, op.To)}, nil
	case plan.SetStorageOptions:
		return []string{storageComment, fmt.Sprintf("ALTER TABLE %s SET (%s);", op.Table, optionList(op.Options))}, nil
	case plan.ResetStorageOptions:
		return []string{fmt.Sprintf("ALTER TABLE %s RESET (%s);", op.Table, strings.Join(op.Names, ", "))}, nil
	case plan.CreateEvictTriggers:
		return evictUpSQL(op.Table), nil
	case plan.DropEvictTriggers:
		return evictDownSQL(op.Table), nil
	}
	return nil, fmt.Errorf("operation %T is not supported", op)
}

func optionList(opts []schema.Option) string {
	s := make([]string, len(opts))
	for i, o := range opts {
		s[i] = o.Name + " = " + o.Value
	}
	return strings.Join(s, ", ")
}

// createTable is the CREATE TABLE statement of t, with the storage
// comment before it and the Go type comments after it.
func createTable(t *schema.TableSchema) []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", t.Name)
	for i, c := range t.Columns {
		def := columnSQL(c)
		if c.Name == schema.ColTokenHash {
			def = c.Name + " " + c.Type + " PRIMARY KEY"
		}
		b.WriteString("    " + def)
		if i < len(t.Columns)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(")")
	if len(t.Options) > 0 {
		b.WriteString(" WITH (" + optionList(t.Options) + ")")
	}
	b.WriteString(";")
	var out []string
	if len(t.Options) > 0 {
		out = append(out, storageComment)
	}
	out = append(out, b.String())
	for _, c := range t.Columns {
		if c.GoType != "" {
			out = append(out, goTypeComment(t.Name, c.Name, c.GoType))
		}
	}
	return out
}

// Want returns a copy of t: the model's vocabulary is PostgreSQL's.
func (Dialect) Want(t *schema.TableSchema) (*schema.TableSchema, error) { return t.Clone(), nil }

// TableDDL is the CREATE TABLE statement of t with the columns keep
// names, for sqlc.
func (Dialect) TableDDL(t *schema.TableSchema, keep func(string) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", t.Name)
	var defs []string
	for _, c := range t.Columns {
		if !keep(c.Name) {
			continue
		}
		def := "    " + columnSQL(c)
		if c.Name == schema.ColTokenHash {
			def = "    " + c.Name + " " + c.Type + " PRIMARY KEY"
		}
		defs = append(defs, def)
	}
	b.WriteString(strings.Join(defs, ",\n"))
	b.WriteString("\n);\n")
	return b.String()
}

// evictUpSQL creates the statement-level triggers that publish, on
// EvictChannel and in the writing transaction (so only if it commits), the
// hex keys of every row an UPDATE or DELETE changed, comma-separated, or
// "*" (evict everything) when the list exceeds NOTIFY's 8000-byte payload.
func evictUpSQL(t string) []string {
	ups := []string{fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s_evict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text;
BEGIN
    SELECT string_agg(encode(token_hash, 'hex'), ',') INTO keys FROM evicted;
    IF keys IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(keys) >= 8000 THEN
        keys := '*';
    END IF;
    PERFORM pg_notify('%s', keys);
    RETURN NULL;
END
$$;`, t, schema.EvictChannel(t))}
	for i, op := range []string{"UPDATE", "DELETE"} {
		ups = append(ups, fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s REFERENCING OLD TABLE AS evicted FOR EACH STATEMENT EXECUTE FUNCTION %s_evict();",
			schema.EvictTriggers(t)[i], op, t, t))
	}
	return ups
}

// evictDownSQL drops what evictUpSQL creates.
func evictDownSQL(t string) []string {
	var downs []string
	for _, name := range schema.EvictTriggers(t) {
		downs = append(downs, fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s;", name, t))
	}
	return append(downs, fmt.Sprintf("DROP FUNCTION IF EXISTS %s_evict();", t))
}

// columnSQL is a column definition: name, type, NOT NULL, DEFAULT.
func columnSQL(c schema.Column) string {
	s := c.Name + " " + c.Type
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != "" {
		s += " DEFAULT " + c.Default
	}
	return s
}

func createIndexSQL(table string, x schema.Index, concurrently bool) string {
	where := ""
	if x.Where != "" {
		where = " WHERE " + x.Where
	}
	if concurrently {
		return fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (%s)%s;", x.Name, table, strings.Join(x.Columns, ", "), where)
	}
	return fmt.Sprintf("CREATE INDEX %s ON %s (%s)%s;", x.Name, table, strings.Join(x.Columns, ", "), where)
}

// goTypeCommentPrefix starts the column comment that records the Go type
// of a jsonb column.
const goTypeCommentPrefix = "sessiongen: Go type "

// goTypeComment is the statement recording that column holds goType.
func goTypeComment(table, column, goType string) string {
	return fmt.Sprintf("COMMENT ON COLUMN %s.%s IS '%s';", table, column, strings.ReplaceAll(goTypeCommentPrefix+goType, "'", "''"))
}
