package mysql

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/plan"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// goTypePrefix starts the comment line that records the Go type of a JSON
// column. The record stays in the migration file, where a replay reads it,
// as on SQLite: a column COMMENT would need the whole column definition
// restated (MODIFY COLUMN), which plan.RecordGoType does not carry.
const goTypePrefix = "-- sessiongen: Go type of "

// noop is the statement of a section that only records Go types: dbmate
// would send MySQL a query of comments alone, which MySQL answers with
// "Query was empty".
const noop = "DO 0;"

// algorithm is how an ALTER TABLE runs: the ALGORITHM clause asserts it, so
// that a change MySQL cannot make online fails at once instead of copying
// the table under a lock.
type algorithm int

const (
	// instant changes metadata only (MySQL 8.0.29+, MariaDB 10.4+: add,
	// drop and rename a column, set and drop a default).
	instant algorithm = iota
	// inplace runs with concurrent reads and writes (LOCK=NONE): index
	// builds and drops, renames of tables and indexes, and an added column
	// with an expression default, which MySQL cannot add instantly (it
	// rebuilds the table online; MariaDB still adds it instantly).
	inplace
	// copyTable copies the table and blocks writes while it does: an
	// added column whose default is not deterministic (the clock).
	copyTable
)

// clause is the ALGORITHM (and LOCK) clause of a.
func (a algorithm) clause() string {
	switch a {
	case instant:
		return "ALGORITHM=INSTANT"
	case inplace:
		return "ALGORITHM=INPLACE, LOCK=NONE"
	}
	return "ALGORITHM=COPY, LOCK=SHARED"
}

// piece is one operation rendered: a clause of an ALTER TABLE, a CREATE
// TABLE, an index of it, or a statement of its own; with the comments
// that go before and after it.
type piece struct {
	before, after []string            // comment lines
	table         string              // the table it changes; "" when the operation does not say (DropIndex, RenameIndex)
	clause        string              // an ALTER TABLE clause
	algo          algorithm           // how the clause runs
	columns       []string            // the columns the clause names, to refuse two changes of one column
	create        *schema.TableSchema // a CREATE TABLE
	index         *schema.Index       // an ADD INDEX, inline in a CREATE TABLE of the same section
	stmt          string              // a statement of its own (DROP TABLE)
}

// Render returns the MySQL statement of op, nothing for an operation MySQL
// has no use for, or an error for one it cannot do. An index operation
// that does not name its table (plan.DropIndex, plan.RenameIndex) renders
// only through RenderMigration, which knows the table from the rest of the
// migration.
func (d Dialect) Render(op plan.Operation) ([]string, error) {
	p, err := d.piece(op)
	if err != nil || p == nil {
		return nil, err
	}
	if p.table == "" && p.create == nil && p.stmt == "" && p.clause != "" {
		return nil, fmt.Errorf("%T: %w", op, errNoTable)
	}
	s, err := assemble([]*piece{p}, p.table)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// RenderMigration renders each section of m (up, down) as ONE statement,
// since MySQL cannot run DDL in a transaction: every DDL statement commits
// on its own, so a migration of two statements that failed at the second
// would leave the first applied, unrecorded by dbmate, and the migration
// impossible to run again. The operations of a section, which the planner
// decides for one table, fold into one CREATE TABLE (its indexes inline)
// or one ALTER TABLE (every change a clause, the ALGORITHM the one all of
// them allow); a section that changes two tables, or renames a column and
// changes it otherwise, is refused. MySQL 8.0 and MariaDB 10.6 make one
// DDL statement atomic: it is applied whole or not at all.
//
// Index operations that do not name their table take the table of the
// section's other operations, or of the other section's (the down
// section of an index build is the drop of that index).
func (d Dialect) RenderMigration(m plan.Migration) (dialect.Statements, error) {
	up, err := d.section(m.Up, tableOf(m.Down))
	if err != nil {
		return dialect.Statements{}, fmt.Errorf("up: %w", err)
	}
	down, err := d.section(m.Down, tableOf(m.Up))
	if err != nil {
		return dialect.Statements{}, fmt.Errorf("down: %w", err)
	}
	// dbmate must not wrap the statement in a transaction it cannot hold:
	// transaction:false says what happens anyway.
	return dialect.Statements{Up: up, Down: down, NoTransaction: true}, nil
}

// tableOf is the table the first of ops that names one changes (a rename's
// old name): the table the section's statement alters.
func tableOf(ops []plan.Operation) string {
	for _, op := range ops {
		switch op := op.(type) {
		case plan.CreateTable:
			return op.Table.Name
		case plan.DropTable:
			return op.Table
		case plan.RenameTable:
			return op.From
		case plan.AddColumn:
			return op.Table
		case plan.DropColumn:
			return op.Table
		case plan.RenameColumn:
			return op.Table
		case plan.SetDefault:
			return op.Table
		case plan.DropDefault:
			return op.Table
		case plan.RecordGoType:
			return op.Table
		case plan.AddIndex:
			return op.Table
		}
	}
	return ""
}

// section renders one section of a migration as one statement (nil for
// none), for table fallback when its operations name none.
func (d Dialect) section(ops []plan.Operation, fallback string) ([]string, error) {
	table := tableOf(ops)
	if table == "" {
		table = fallback
	}
	var pieces []*piece
	for _, op := range ops {
		p, err := d.piece(op)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		if p.table == "" {
			p.table = table
		}
		if p.table == "" {
			return nil, fmt.Errorf("%T: %w", op, errNoTable)
		}
		pieces = append(pieces, p)
	}
	if len(pieces) == 0 {
		return nil, nil
	}
	s, err := assemble(pieces, table)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// assemble folds the pieces of one section into one statement on table,
// with the pieces' comments before and after it.
func assemble(pieces []*piece, table string) (string, error) {
	var before, after, clauses []string
	var create *schema.TableSchema
	var indexes []schema.Index
	var stmts []string
	algo := instant
	touched := map[string]bool{}
	for _, p := range pieces {
		before = append(before, p.before...)
		after = append(after, p.after...)
		if p.table != table {
			return "", fmt.Errorf("one statement cannot change both table %s and table %s; MySQL cannot run DDL in a transaction, so each migration is one statement", table, p.table)
		}
		for _, c := range p.columns {
			if touched[c] {
				return "", fmt.Errorf("one ALTER TABLE cannot change column %s twice (MySQL resolves every clause against the table as it was, so a renamed column cannot also be changed otherwise): make one of the changes, generate, then the other", c)
			}
			touched[c] = true
		}
		switch {
		case p.create != nil:
			create = p.create
		case p.stmt != "":
			stmts = append(stmts, p.stmt)
		case p.index != nil && create != nil:
			indexes = append(indexes, *p.index)
		case p.clause != "":
			clauses = append(clauses, p.clause)
			algo = max(algo, p.algo)
		}
	}
	var stmt string
	switch {
	case create != nil && len(clauses)+len(stmts) > 0:
		return "", fmt.Errorf("CREATE TABLE %s cannot be folded with other changes of the table", table)
	case create != nil:
		stmt = createTableSQL(create, indexes)
	case len(stmts) > 1 || len(stmts) == 1 && len(clauses) > 0:
		return "", fmt.Errorf("%s cannot be folded with other changes of table %s", strings.Fields(stmts[0])[0], table)
	case len(stmts) == 1:
		stmt = stmts[0]
	case len(clauses) == 1:
		stmt = fmt.Sprintf("ALTER TABLE %s %s, %s;", table, clauses[0], algo.clause())
	case len(clauses) > 1:
		stmt = fmt.Sprintf("ALTER TABLE %s\n    %s,\n    %s;", table, strings.Join(clauses, ",\n    "), algo.clause())
	default:
		stmt = noop
	}
	lines := slices.Concat(before, []string{stmt}, after)
	return strings.Join(lines, "\n"), nil
}

// piece renders one operation, or returns nil for one MySQL has no use
// for.
func (d Dialect) piece(op plan.Operation) (*piece, error) {
	switch op := op.(type) {
	case plan.CreateTable:
		p := &piece{table: op.Table.Name, create: op.Table}
		for _, c := range op.Table.Columns {
			if c.GoType != "" {
				p.after = append(p.after, goTypeLine(op.Table.Name, c.Name, c.GoType))
			}
		}
		return p, nil
	case plan.DropTable:
		return &piece{table: op.Table, stmt: fmt.Sprintf("DROP TABLE %s;", op.Table)}, nil
	case plan.RenameTable:
		return &piece{table: op.From, clause: "RENAME TO " + op.To, algo: inplace}, nil
	case plan.RenamePrimaryKey:
		return nil, nil // MySQL's primary key is always named PRIMARY
	case plan.AddColumn:
		p := &piece{table: op.Table, clause: "ADD COLUMN " + columnSQL(op.Column), algo: addAlgorithm(op.Column), columns: []string{op.Column.Name}}
		if op.Readd {
			p.before = append(p.before, fmt.Sprintf("-- Re-adds column %s with its default: the dropped data is not restored.", op.Column.Name))
		}
		if op.Column.GoType != "" {
			p.after = append(p.after, goTypeLine(op.Table, op.Column.Name, op.Column.GoType))
		}
		if p.algo == copyTable {
			p.before = append(p.before, fmt.Sprintf("-- Column %s's default is not deterministic, so MySQL copies the table to add it, blocking writes meanwhile.", op.Column.Name))
		}
		return p, nil
	case plan.DropColumn:
		if op.Column == schema.ColTokenHash {
			return nil, fmt.Errorf("MySQL cannot drop column %s of table %s: it is the primary key", op.Column, op.Table)
		}
		p := &piece{table: op.Table, clause: "DROP COLUMN " + op.Column, algo: instant, columns: []string{op.Column}}
		if op.Lossy {
			p.before = append(p.before, fmt.Sprintf("-- Drops column %s: its data is lost.", op.Column))
		}
		return p, nil
	case plan.RenameColumn:
		return &piece{table: op.Table, clause: fmt.Sprintf("RENAME COLUMN %s TO %s", op.From, op.To), algo: instant, columns: []string{op.From, op.To}}, nil
	case plan.WidenColumn:
		// Every integer is a BIGINT and every float a DOUBLE already.
		return nil, nil
	case plan.DropNotNull, plan.SetNotNull:
		return nil, fmt.Errorf("MySQL changes a column's NOT NULL with MODIFY COLUMN, which restates the whole column definition, and %T does not carry it; sessiongen does not plan it yet", op)
	case plan.SetDefault:
		if op.FillNulls {
			return nil, fmt.Errorf("MySQL: filling the NULLs of column %s of table %s is an UPDATE, which cannot be one statement with the ALTER TABLE that sets its default (and only the down section of a NOT NULL change, which MySQL refuses, asks for it)", op.Column, op.Table)
		}
		def := op.Default
		if !literal.MatchString(def) || strings.HasPrefix(def, "'") {
			def = "(" + def + ")" // an expression default; a string too, which LONGTEXT and JSON take only so
		}
		return &piece{table: op.Table, clause: fmt.Sprintf("ALTER COLUMN %s SET DEFAULT %s", op.Column, def), algo: instant, columns: []string{op.Column}}, nil
	case plan.DropDefault:
		return &piece{table: op.Table, clause: fmt.Sprintf("ALTER COLUMN %s DROP DEFAULT", op.Column), algo: instant, columns: []string{op.Column}}, nil
	case plan.RecordGoType:
		p := &piece{table: op.Table, after: []string{goTypeLine(op.Table, op.Column, op.GoType)}}
		if op.Explain && op.Previous != "" {
			p.before = []string{fmt.Sprintf("-- Column %s now holds Go type %s instead of %s (tag retype).", op.Column, op.GoType, op.Previous)}
		}
		return p, nil
	case plan.AddIndex:
		// Online either way: InnoDB builds a secondary index while the
		// table takes reads and writes, so Concurrently changes nothing.
		x := op.Index
		return &piece{table: op.Table, clause: fmt.Sprintf("ADD INDEX %s (%s)", x.Name, strings.Join(x.Columns, ", ")), algo: inplace, index: &x}, nil
	case plan.DropIndex:
		return &piece{clause: "DROP INDEX " + op.Name, algo: inplace}, nil
	case plan.RenameIndex:
		return &piece{clause: fmt.Sprintf("RENAME INDEX %s TO %s", op.From, op.To), algo: inplace}, nil
	case plan.SetStorageOptions, plan.ResetStorageOptions:
		return nil, nil // no storage parameters (Want sets none)
	case plan.CreateEvictTriggers, plan.DropEvictTriggers:
		return nil, fmt.Errorf("MySQL has no notifications for the evict triggers (%T): -cache applies to PostgreSQL only", op)
	}
	return nil, fmt.Errorf("operation %T is not supported", op)
}

// addAlgorithm is how MySQL adds column c: instantly with no default or a
// literal one; online (a table rebuild on MySQL, instant on MariaDB) with
// an expression default, which LONGTEXT, LONGBLOB and JSON columns have;
// by a copy with a default that is not deterministic.
func addAlgorithm(c schema.Column) algorithm {
	switch {
	case c.Default == "" || literalDefault(c):
		return instant
	case nondeterministic(c.Default):
		return copyTable
	}
	return inplace
}

// nondeterministic reports whether a canonical default reads the clock
// (or another value that changes from row to row).
func nondeterministic(def string) bool {
	for _, f := range []string{"NOW(", "UNIX_TIMESTAMP(", "CURRENT_TIMESTAMP", "UTC_TIMESTAMP", "SYSDATE(", "RAND(", "UUID"} {
		if strings.Contains(def, f) {
			return true
		}
	}
	return false
}

// goTypeLine records that column holds goType ("" forgets it).
func goTypeLine(table, column, goType string) string {
	if goType == "" {
		return goTypePrefix + table + "." + column + ": none"
	}
	return goTypePrefix + table + "." + column + ": " + goType
}

// createTableSQL is the CREATE TABLE of t with indexes inline.
func createTableSQL(t *schema.TableSchema, indexes []schema.Index) string {
	var defs []string
	for _, c := range t.Columns {
		defs = append(defs, "    "+columnDefSQL(c))
	}
	for _, x := range indexes {
		defs = append(defs, fmt.Sprintf("    INDEX %s (%s)", x.Name, strings.Join(x.Columns, ", ")))
	}
	return fmt.Sprintf("CREATE TABLE %s (\n%s\n) %s;", t.Name, strings.Join(defs, ",\n"), TableOptions)
}
