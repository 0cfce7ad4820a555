// Package mysql is sessiongen's MySQL dialect, for MySQL 8.0.29 or later
// and MariaDB 10.6 or later (tested on MariaDB 10.11 only): it maps the model's
// columns to MySQL types, renders the planner's operations as MySQL DDL
// (one statement per migration, see RenderMigration), and replays
// committed migrations without a server by parsing their up sections with
// TiDB's MySQL parser (github.com/pingcap/tidb/pkg/parser, the parser sqlc's
// MySQL engine uses) and applying each statement to the table it changes.
//
// Storage, chosen so that sqlc's MySQL engine (with the overrides of
// testdata/sqlc.yaml) gives the Go types sqlc's SQLite code has, and every
// comparison the queries make in SQL is exact:
//
//	model type                 MySQL type     sqlc Go type (nullable)
//	time.Time (timestamptz)    BIGINT         int64 (*int64)     microseconds since the Unix epoch, UTC
//	integers, time.Duration    BIGINT         int64 (*int64)     every PostgreSQL widening is a no-op
//	bool                       BOOLEAN        int64 (*int64)     TINYINT(1), 0 or 1; override tinyint → int64
//	float32, float64           DOUBLE         float64 (*float64)
//	string                     LONGTEXT       string (*string)
//	indexed string             VARCHAR(255)   string (*string)   a B-tree key needs a bounded length
//	[]byte                     LONGBLOB       []byte ([]byte)    override: nullable blob is sql.NullString otherwise
//	slices, maps, structs      JSON           string (*string)   override: json.RawMessage otherwise; MariaDB: LONGTEXT CHECK (json_valid)
//	token_hash                 BINARY(32)     []byte             the primary key (SHA-256)
//	previous_token_hash        BINARY(32)     []byte             nullable; override as for blobs
//	remember                   BOOLEAN        bool in queries    read as (remember <> 0), written as CAST(? AS UNSIGNED)
//
// Tables are InnoDB with utf8mb4 and the binary collation utf8mb4_bin, so
// that string comparisons are byte comparisons as on PostgreSQL and SQLite
// (the default collations of both servers ignore case). utf8mb4_bin pads
// with spaces: 'a' = 'a ' is true for the indexed string columns, whose
// values ListBy and DestroyBy compare.
//
// The database clock is NowMicros: UNIX_TIMESTAMP() and NOW(6) both read
// the time the statement started, so the sum is the same instant in every
// use within a statement, and neither the whole seconds (UTC) nor the
// microseconds depend on the session's time_zone. The natural spelling,
// TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)), runs
// on both servers but sqlc refuses it (its catalog has UTC_TIMESTAMP
// without the precision argument only).
//
// MySQL 8 has no RETURNING (MariaDB has it on DELETE only), so the
// queries of templates/queries_mysql.sql.tmpl differ from SQLite's where
// SQLite returns rows from a write: Save and Touch are :execrows, and the
// backend reads the lifecycle columns back with GetMeta in the same
// transaction (the UPDATE's row lock holds them until COMMIT); the deletes
// by an indexed column are :execrows after a Lock query (SELECT token_hash
// ... FOR UPDATE) in the same REPEATABLE READ transaction, whose next-key
// locks keep rows from joining the set until the DELETE has run.
//
// What MySQL cannot do is refused with the reason: NOT NULL changes (MODIFY
// COLUMN restates the whole column, which plan.DropNotNull and
// plan.SetNotNull do not carry), dropping the primary key, a rename and
// another change of the same column in one migration (one ALTER TABLE
// cannot do both), and the evict triggers of -cache (MySQL has no
// NOTIFY; -cache applies to PostgreSQL only).
package mysql

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // the parser's value expressions (sqlc uses the same driver)

	"github.com/sessiongen/sessiongen/generator/dialect"
	"github.com/sessiongen/sessiongen/generator/schema"
)

// Dialect is the MySQL dialect. Its zero value is ready to use.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// The MySQL column types sessiongen declares, in the canonical form Replay
// reads them in.
const (
	TypeBigint     = "BIGINT"
	TypeBoolean    = "TINYINT(1)" // BOOLEAN: MySQL's alias for TINYINT(1)
	TypeDouble     = "DOUBLE"
	TypeText       = "LONGTEXT"
	TypeIndexed    = "VARCHAR(255)" // an indexed string
	TypeBlob       = "LONGBLOB"
	TypeJSON       = "JSON"
	TypeTokenHash  = "BINARY(32)"
	IndexedTextLen = 255
)

// NowMicros is the SQL expression of the database clock in queries: the
// current time as integer microseconds since the Unix epoch. The CAST makes
// it signed (UNIX_TIMESTAMP() is unsigned, and a subtraction from it
// could not go below zero) and makes sqlc type it int64.
const NowMicros = "CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)"

// DefaultNow is the column default of the database clock, in the canonical
// form Replay reads. TiDB's parser (and so Replay, and sqlc) takes a
// function call as a DEFAULT expression but not a CAST or an operator, so
// the sum is wrapped in FLOOR, which changes no integer.
const DefaultNow = "FLOOR(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)))"

// ZeroTimeMicros is the zero time.Time (0001-01-01 00:00:00 UTC) in
// microseconds since the Unix epoch: the default of a NOT NULL time column.
const ZeroTimeMicros = "-62135596800000000"

// TableOptions are the options of every table sessiongen creates.
const TableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// Name returns "mysql".
func (Dialect) Name() string { return "mysql" }

// Engine returns "MySQL".
func (Dialect) Engine() string { return "MySQL" }

// ColumnType maps a column type of the model (PostgreSQL's canonical
// names, the model's vocabulary) to the MySQL type sessiongen declares;
// indexed tells a string column that is a B-tree key, which needs a
// bounded length.
func ColumnType(modelType string, indexed bool) (string, error) {
	switch modelType {
	case "bigint", "integer", "smallint", "timestamptz":
		return TypeBigint, nil
	case "boolean":
		return TypeBoolean, nil
	case "double precision", "real":
		return TypeDouble, nil
	case "text":
		if indexed {
			return TypeIndexed, nil
		}
		return TypeText, nil
	case "jsonb":
		return TypeJSON, nil
	case "bytea":
		return TypeBlob, nil
	}
	return "", fmt.Errorf("column type %s has no MySQL mapping", modelType)
}

// columnDefault maps a default of the model (in the PostgreSQL dialect's
// canonical form) to MySQL's.
func columnDefault(modelDefault string) (string, error) {
	switch modelDefault {
	case "", "0", "''":
		return modelDefault, nil
	case "false":
		return "0", nil
	case "'0001-01-01 00:00:00+00'::timestamptz":
		return ZeroTimeMicros, nil
	case "''::bytea":
		return "''", nil
	case "'null'::jsonb":
		return "'null'", nil
	case "now()":
		return DefaultNow, nil
	}
	return "", fmt.Errorf("default %s has no MySQL mapping", modelDefault)
}

// Want translates the table the model wants, written with PostgreSQL's
// types and defaults, into MySQL's: column types and defaults mapped (the
// defaults in canonical form, as Replay reads them), the token hashes
// BINARY(32), indexes without WHERE (MySQL has no partial index: the index
// on previous_token_hash holds the NULLs too), no storage parameters and
// no evict triggers (MySQL has neither).
func (d Dialect) Want(t *schema.TableSchema) (*schema.TableSchema, error) {
	out := t.Clone()
	out.Options = nil
	out.Triggers = nil
	indexed := map[string]bool{}
	for i, x := range out.Indexes {
		out.Indexes[i].Where = ""
		for _, c := range x.Columns {
			indexed[c] = true
		}
		if len(x.Name) > d.MaxIdentifier() {
			return nil, fmt.Errorf("index name %s is %d bytes long; MySQL refuses names longer than %d bytes", x.Name, len(x.Name), d.MaxIdentifier())
		}
	}
	for i, c := range out.Columns {
		if reserved(c.Name) {
			return nil, &dialect.ColumnError{Column: c.Name, Err: fmt.Errorf("%s is a reserved word in MySQL (sessiongen does not quote identifiers); name the column otherwise with the field's tag, e.g. `session:\"%s_value\"`", c.Name, c.Name)}
		}
		typ, err := ColumnType(c.Type, indexed[c.Name])
		if err != nil {
			return nil, &dialect.ColumnError{Column: c.Name, Err: err}
		}
		if c.Name == schema.ColTokenHash || c.Name == schema.ColPreviousTokenHash {
			typ = TypeTokenHash
		}
		def, err := columnDefault(c.Default)
		if err == nil {
			def, err = d.CanonicalDefault(def)
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		out.Columns[i].Type, out.Columns[i].Default = typ, def
	}
	return out, nil
}

// reserved reports whether name cannot be a bare column name in MySQL: a
// reserved word, which TiDB's parser (MySQL 8's grammar) refuses there.
func reserved(name string) bool {
	_, _, err := parser.New().ParseSQL("CREATE TABLE t (" + name + " BIGINT)")
	return err != nil
}

// Widens reports false: every integer type maps to BIGINT and every float
// to DOUBLE, so the model's widenings never change a MySQL type. (A string
// that gains or loses its index would change between LONGTEXT and
// VARCHAR(255): that is refused, see Widenings.)
func (Dialect) Widens(from, to string) bool { return false }

// Widenings lists the changes Widens allows: none is needed.
func (Dialect) Widenings() string {
	return "none is needed on MySQL, where every integer is a BIGINT and every float a DOUBLE; " +
		"an indexed string is VARCHAR(255) and any other string LONGTEXT, so adding or removing the index of an existing string field changes its column's type, which sessiongen does not do: add a new field instead"
}

// Numeric reports whether t is BIGINT or DOUBLE.
func (Dialect) Numeric(t string) bool { return t == TypeBigint || t == TypeDouble }

// JSON reports whether t is JSON.
func (Dialect) JSON(t string) bool { return t == TypeJSON }

// SameDefault reports whether two defaults are the same expression once
// canonicalized.
func (d Dialect) SameDefault(a, b string) bool {
	if a == b {
		return true
	}
	ca, err1 := d.CanonicalDefault(a)
	cb, err2 := d.CanonicalDefault(b)
	return err1 == nil && err2 == nil && ca == cb
}

// MaxIdentifier is MySQL's identifier length: longer names are refused.
func (Dialect) MaxIdentifier() int { return 64 }

// restoreFlags print an expression the way CanonicalDefault keeps it:
// keywords and function names upper case, names lower case and bare,
// strings in single quotes without charset introducers, spaces around
// binary operators.
const restoreFlags = format.RestoreStringSingleQuotes | format.RestoreKeyWordUppercase |
	format.RestoreNameLowercase | format.RestoreStringWithoutCharset | format.RestoreSpacesAroundBinaryOperation

// CanonicalDefault returns the canonical text of a default expression: as
// TiDB's parser reads it and prints it back (keywords and function names
// upper case, string literals in single quotes), without the parentheses
// that enclose all of it. DEFAULT NULL is no default: "". "" stays "".
func (Dialect) CanonicalDefault(expr string) (string, error) {
	if strings.TrimSpace(expr) == "" {
		return "", nil
	}
	stmts, _, err := parser.New().ParseSQL("SELECT " + expr)
	if err != nil {
		return "", fmt.Errorf("default %q: %w", expr, err)
	}
	sel, ok := stmts[0].(*ast.SelectStmt)
	if len(stmts) != 1 || !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.From != nil {
		return "", fmt.Errorf("default %q is not one expression", expr)
	}
	return canonicalExpr(sel.Fields.Fields[0].Expr)
}

// canonicalExpr prints an expression in canonical form.
func canonicalExpr(e ast.ExprNode) (string, error) {
	for {
		p, ok := e.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	var b strings.Builder
	if err := e.Restore(format.NewRestoreCtx(restoreFlags, &b)); err != nil {
		return "", err
	}
	if b.String() == "NULL" {
		return "", nil
	}
	return b.String(), nil
}

// intWidth is the display width of an integer type, which MySQL 8.0.19
// and later no longer print (but for TINYINT(1)) and which changes nothing
// stored.
var intWidth = regexp.MustCompile(`^(BIGINT|INT|INTEGER|MEDIUMINT|SMALLINT|TINYINT)\((\d+)\)`)

// canonicalType prints a column type in canonical form: TiDB's parser's
// upper-case spelling (BOOLEAN is TINYINT(1)), without the display width
// of integer types but TINYINT(1)'s.
func canonicalType(tp interface {
	Restore(*format.RestoreCtx) error
}) (string, error) {
	var b strings.Builder
	if err := tp.Restore(format.NewRestoreCtx(restoreFlags, &b)); err != nil {
		return "", err
	}
	s := b.String()
	if m := intWidth.FindStringSubmatch(s); m != nil && !(m[1] == "TINYINT" && m[2] == "1") {
		s = m[1] + s[len(m[0]):]
	}
	return s, nil
}

// columnSQL is a column definition: name, type, NOT NULL, DEFAULT. A
// default that is not a number or a string on a numeric or string column
// is written in parentheses, as MySQL wants expression defaults (and every
// default of a LONGTEXT, LONGBLOB or JSON column).
func columnSQL(c schema.Column) string {
	s := c.Name + " " + c.Type
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != "" {
		if literalDefault(c) {
			s += " DEFAULT " + c.Default
		} else {
			s += " DEFAULT (" + c.Default + ")"
		}
	}
	return s
}

// literal matches a number or a string literal without quotes inside.
var literal = regexp.MustCompile(`^(-?[0-9]+(\.[0-9]+)?|'[^']*')$`)

// literalDefault reports whether c's default is a literal MySQL takes
// without parentheses: a number or a string on a column that is not
// LONGTEXT, LONGBLOB or JSON. Only a literal default lets ADD COLUMN run
// with ALGORITHM=INSTANT on MySQL.
func literalDefault(c schema.Column) bool {
	switch c.Type {
	case TypeText, TypeBlob, TypeJSON:
		return false
	}
	return literal.MatchString(c.Default)
}

// TableDDL is the CREATE TABLE statement of t with the columns keep
// names, for sqlc.
func (Dialect) TableDDL(t *schema.TableSchema, keep func(string) bool) string {
	var defs []string
	for _, c := range t.Columns {
		if !keep(c.Name) {
			continue
		}
		defs = append(defs, "    "+columnDefSQL(c))
	}
	return fmt.Sprintf("CREATE TABLE %s (\n%s\n) %s;\n", t.Name, strings.Join(defs, ",\n"), TableOptions)
}

// columnDefSQL is columnSQL, the primary key's with PRIMARY KEY.
func columnDefSQL(c schema.Column) string {
	if c.Name == schema.ColTokenHash {
		return c.Name + " " + c.Type + " NOT NULL PRIMARY KEY"
	}
	return columnSQL(c)
}

// errNoTable is returned by Render for operations that name no table
// where MySQL needs one.
var errNoTable = errors.New("MySQL names an index within its table, and the operation does not say which table: render the migration with RenderMigration")
