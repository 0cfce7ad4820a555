package dialect

import (
	"fmt"
	"strings"

	"github.com/sessiongen/sessiongen/generator/schema"
)

// Runtime is how the typed layer reaches an engine at run time: the
// runtime driver its store constructor picks, the database handle that
// constructor takes, and how sqlc's Go code for the engine holds column
// values. The generator's Go renderer reads it; it decides nothing about
// SQL.
type Runtime struct {
	// Title names the engine in doc comments, e.g. "SQLite".
	Title string
	// Suffix ends the names of the engine's store constructor and backend
	// type: "" for the first engine sessiongen had (NewSessionStore), the
	// title for the others (NewSessionStoreSQLite).
	Suffix string
	// Driver is the sessionimpl function that returns the engine's
	// sessionimpl.Driver, e.g. "SQLite".
	Driver string
	// Conn is how the constructor takes the database and sqlc's code runs on
	// it: ConnPgx or ConnSQL.
	Conn Conn
	// Via names the client library in doc comments, e.g. "database/sql".
	Via string
	// Values is how sqlc's Go code holds the engine's column values.
	Values Values
	// Batch is the Go type sqlc gives the reaper's LIMIT parameter.
	Batch Batch
	// Returning reports whether the engine's UPDATE and DELETE return rows
	// (RETURNING). Without it the backend reads what Save and Touch leave
	// with the query Get<Type>Meta, and what a delete by an indexed field
	// removes with Lock<Types>By<Field> first, each pair in one transaction
	// (sessionimpl.Conn.Atomic).
	Returning bool
	// TouchDueInGo reports whether the engine's reads (Get<Type>,
	// Get<Type>ForUpdate, GetAny<Type>) return db_now without touch_due and
	// take no touch_us: the backend computes whether a touch is due from
	// db_now and last_seen_at, both by the database clock, as the SQL
	// would. Each column a read returns costs a driver that fetches
	// column metadata per query (mattn/go-sqlite3) several cgo calls.
	TouchDueInGo bool
	// Notify reports whether the engine publishes row changes (PostgreSQL's
	// NOTIFY), which the read cache (-cache) needs.
	Notify bool
	// ConstructorDoc is the doc comment of the store constructor, one
	// string per line; the first continues "NewSessionStore returns a store
	// on <Title> through db, ".
	ConstructorDoc []string
	// UpdateDoc is how Update's doc comment says the engine makes it
	// atomic, one string per line.
	UpdateDoc []string
	// DBTXDoc is the doc comment of DBTX in sqlc's package.
	DBTXDoc string
}

// Conn is what a store constructor takes and the sessionimpl.Conn method
// sqlc's code runs on.
type Conn string

// The database handles a store constructor takes.
const (
	// ConnPgx is a sessionimpl.PgxPool (a *pgxpool.Pool or a *pgx.Conn).
	ConnPgx Conn = "Pgx"
	// ConnSQL is a *sql.DB.
	ConnSQL Conn = "SQL"
)

// Batch is the Go type of the reaper's batch parameter in sqlc's code.
type Batch string

// The batch parameter types.
const (
	BatchInt32 Batch = "int32"
	BatchInt64 Batch = "int64"
)

// Values is how an engine's sqlc Go code holds column values. Nullable
// columns are pointers in both (sqlc's emit_pointers_for_null_types or
// overrides), but []byte, where nil is NULL.
type Values int

const (
	// NativeValues: each column in the Go basic type of its field
	// (int16/int32/int64, float32/float64, bool, string), times as
	// time.Time and JSON as sessionimpl.JSON: sqlc's pgx/v5 code.
	NativeValues Values = iota
	// IntegerValues: every integer, bool and time column as int64 (times
	// in microseconds since the Unix epoch, UTC), every float as float64,
	// JSON as its text in a string: sqlc's database/sql code over the
	// integer storage of the SQLite dialect.
	IntegerValues
)

// Query is what a dialect's query file is written for: one payload type
// and its table, in the model's vocabulary.
type Query struct {
	Type, Plural, Table string
	Fields              []QueryField
}

// QueryField is one payload column.
type QueryField struct {
	GoName, Column string
	ModelType      string // the model's canonical (PostgreSQL) type
	Nullable       bool
	Index          bool
	IndexName      string // the index of an indexed field (schema.IndexName)
	Pos            string // file:line of the field, for messages
}

// QueryData is what a dialect's query template (queries_<name>.sql.tmpl)
// prints: every SQL fragment computed by the dialect.
type QueryData struct {
	Type, Plural, Table  string
	Now                  string // the database clock
	SelectCols, MetaCols string
	TouchDue             string // the select-list item that says, by the database clock, whether a touch is due; "" with Runtime.TouchDueInGo
	GraceUs              string // the interval a renewed-away key is still recognised
	InsertCols           string
	InsertVals           string
	SaveSets             []string
	SaveOnes             []SaveOne
	Indexed              []QueryField
}

// SaveOne is the single-column UPDATE of one field, used when a save
// changes that field only and no lifecycle column.
type SaveOne struct {
	GoName, Column, Value string
}

// MetaColumns are the lifecycle columns every statement returns, in the
// order the generated Go scans them.
func MetaColumns() []string {
	return []string{schema.ColCreatedAt, schema.ColLastSeenAt, schema.ColExpiresAt, schema.ColAbsoluteExpiresAt, schema.ColRemember}
}

// Columns lists the payload columns of q in declaration order.
func (q Query) Columns() []string {
	cols := make([]string, len(q.Fields))
	for i, f := range q.Fields {
		cols[i] = f.Column
	}
	return cols
}

// Arg is sqlc.narg(column) for a nullable column and sqlc.arg(column)
// otherwise.
func (f QueryField) Arg() string {
	if f.Nullable {
		return "sqlc.narg(" + f.Column + ")"
	}
	return "sqlc.arg(" + f.Column + ")"
}

// Assemble completes d from the lifecycle columns' parts of the query file,
// which each dialect spells its own way, and the payload fields of q: each
// field's column and value join the INSERT (ins, vals), its SET item
// (setItem, given the field and its sqlc argument) joins Save's SET list
// after the lifecycle's (sets, each ending with a comma), it gets its
// single-column save, and an indexed one its ListBy/DeleteBy queries.
// SelectCols is MetaCols then the payload columns.
func (d *QueryData) Assemble(q Query, ins, vals, sets []string, setItem func(f QueryField, value string) (string, error)) error {
	for _, f := range q.Fields {
		value := f.Arg()
		set, err := setItem(f, value)
		if err != nil {
			return fmt.Errorf("%s: field %s: %w", f.Pos, f.GoName, err)
		}
		ins = append(ins, f.Column)
		vals = append(vals, value)
		sets = append(sets, set+",")
		d.SaveOnes = append(d.SaveOnes, SaveOne{GoName: f.GoName, Column: f.Column, Value: value})
		if f.Index {
			d.Indexed = append(d.Indexed, f)
		}
	}
	sets[len(sets)-1] = strings.TrimSuffix(sets[len(sets)-1], ",")
	d.SelectCols = strings.Join(append([]string{d.MetaCols}, q.Columns()...), ", ")
	d.InsertCols = strings.Join(ins, ", ")
	d.InsertVals = strings.Join(vals, ", ")
	d.SaveSets = sets
	return nil
}
