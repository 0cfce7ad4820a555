package generator

import (
	"go/token"
	"strings"

	"github.com/sessiongen/sessiongen/generator/schema"
)

// Lifecycle column names (see package schema). Every sessions table has
// them besides the payload columns; a payload field may not use one of
// these names.
const (
	ColTokenHash         = schema.ColTokenHash
	ColCreatedAt         = schema.ColCreatedAt
	ColLastSeenAt        = schema.ColLastSeenAt
	ColExpiresAt         = schema.ColExpiresAt
	ColAbsoluteExpiresAt = schema.ColAbsoluteExpiresAt
	ColRemember          = schema.ColRemember
	ColPreviousTokenHash = schema.ColPreviousTokenHash
	ColRenewedAt         = schema.ColRenewedAt
)

// Model is the payload struct after loading and type mapping: everything the
// renderers need, with no go/types values left in it.
type Model struct {
	PkgName  string // Go package name of the payload type
	PkgPath  string // import path of the payload package
	PkgDir   string // directory of the payload package
	ModDir   string // module root directory
	TypeName string // payload type name, e.g. "Session"
	Table    string // SQL table name, e.g. "sessions"
	Cache    bool   // the table publishes changed and deleted keys for the runtime's cache (a NOTIFY trigger)
	Fields   []Field
}

// GoKind says how a field is carried between Go and its column.
type GoKind int

// The field kinds.
const (
	KindScalar   GoKind = iota // a basic type the driver scans directly (maybe through a named type)
	KindTime                   // time.Time
	KindDuration               // time.Duration, stored as bigint nanoseconds
	KindBytes                  // []byte
	KindJSON                   // slices, maps, structs: jsonb via encoding/json
)

// Field is one payload field and its column.
type Field struct {
	GoName   string         // Go field name
	Column   string         // column name
	Was      string         // previous column name (tag was=), "" if none
	Retype   bool           // tag retype: a jsonb field whose Go type changed on purpose
	Index    bool           // tag index: indexed, with ListBy/DestroyBy
	Flash    bool           // tag flash: a one-shot value with a Pop accessor that reads and clears it
	SQLType  string         // canonical PostgreSQL type: bigint, integer, smallint, text, boolean, double precision, real, timestamptz, bytea, jsonb
	Nullable bool           // pointer field: nullable column
	Default  string         // SQL default of a NOT NULL column (the Go zero value); "" for nullable columns
	Kind     GoKind         // how values are converted
	GoType   string         // the field's type as written in the payload package, e.g. "int64", "Theme", "*time.Time", "[]CartItem"
	Basic    string         // underlying basic Go type the sqlc code uses for scalars, e.g. "string" for Theme, "int64" for int
	Named    bool           // the scalar is a named type that needs a conversion (Theme(x), int(x))
	Flat     bool           // for KindJSON: a shallow copy is a deep copy (no pointers, slices, maps or interfaces inside the elements)
	Pos      token.Position // where the field is declared

	Type       TypeRef // the field's type, as the generated code spells it
	Shape      Shape   // what the field's type (or the type it points to) is underneath: a slice, a map or another value
	Comparable bool    // values of the field's type compare with ==
}

// Shape is what a type is underneath, as far as copying and emptiness go.
type Shape int

// The shapes.
const (
	ShapeValue Shape = iota // neither a slice nor a map
	ShapeSlice
	ShapeMap
)

// TypeRefKind says which form a TypeRef has.
type TypeRefKind int

// The type forms the generated code can name.
const (
	RefNamed   TypeRefKind = iota // a defined type, maybe generic: Theme, time.Time, Pair[int]
	RefBasic                      // a predeclared basic type: int, string
	RefPointer                    // *Elem
	RefSlice                      // []Elem
	RefArray                      // [Len]Elem
	RefMap                        // map[Key]Elem
)

// TypeRef is a Go type as the generated code spells it, computed by the
// model stage so that no go/types value reaches the renderers.
type TypeRef struct {
	Kind TypeRefKind
	Pkg  string    // RefNamed: import path; "" for a type of the payload package or a predeclared one (error)
	Name string    // RefNamed, RefBasic
	Args []TypeRef // RefNamed: type arguments
	Elem *TypeRef  // RefPointer, RefSlice, RefArray, RefMap (its values)
	Key  *TypeRef  // RefMap
	Len  int64     // RefArray
}

// Deref is the type a pointer points to, or t itself.
func (t TypeRef) Deref() TypeRef {
	if t.Kind == RefPointer && t.Elem != nil {
		return *t.Elem
	}
	return t
}

// The table shape types live in package schema; these aliases keep the
// library's API.
type (
	// TableSchema is a sessions table's shape: wanted (from the Model) or
	// replayed (from committed migrations).
	TableSchema = schema.TableSchema
	// Column is one column of a TableSchema.
	Column = schema.Column
	// Index is one non-primary index of a TableSchema.
	Index = schema.Index
	// ForeignObject is an object on a table that sessiongen did not create.
	ForeignObject = schema.ForeignObject
	// Option is one storage parameter of a table, such as fillfactor = 90.
	Option = schema.Option
)

// storageOptions are the storage parameters sessiongen gives a sessions
// table: room on each page for updates that stay on it (HOT), and an
// autovacuum that acts at a rate proportional to the churn instead of at
// 20% dead rows. docs/SCALE.md measures them at 10 million sessions.
func storageOptions() []Option {
	return []Option{
		{Name: "fillfactor", Value: "90"},
		{Name: "autovacuum_vacuum_scale_factor", Value: "0.01"},
		{Name: "autovacuum_vacuum_threshold", Value: "1000"},
		{Name: "autovacuum_vacuum_insert_scale_factor", Value: "0.01"},
		{Name: "autovacuum_analyze_scale_factor", Value: "0.02"},
	}
}

// IndexName is the name sessiongen gives the index on one column.
func IndexName(table, column string) string { return schema.IndexName(table, column) }

// WantedSchema is the table the model asks for: lifecycle columns first, then
// the payload columns in declaration order, then the indexes.
func (m *Model) WantedSchema() *TableSchema {
	t := &TableSchema{Name: m.Table, Columns: lifecycleColumns(), Options: storageOptions()}
	t.Indexes = append(t.Indexes,
		Index{Name: IndexName(m.Table, ColExpiresAt), Columns: []string{ColExpiresAt}},
		// Partial: only rows renewed at least once are in it, so inserts and
		// touches of the others never write to it.
		Index{Name: IndexName(m.Table, ColPreviousTokenHash), Columns: []string{ColPreviousTokenHash}, Where: ColPreviousTokenHash + " IS NOT NULL"},
	)
	for _, f := range m.Fields {
		c := Column{Name: f.Column, Type: f.SQLType, Nullable: f.Nullable, Default: f.Default}
		if f.Kind == KindJSON {
			// The JSON holds the pointed-to value: T and *T store the same.
			c.GoType = strings.TrimPrefix(f.GoType, "*")
		}
		t.Columns = append(t.Columns, c)
		if f.Index {
			t.Indexes = append(t.Indexes, Index{Name: IndexName(m.Table, f.Column), Columns: []string{f.Column}})
		}
	}
	if m.Cache {
		t.Triggers = EvictTriggers(m.Table)
	}
	return t
}

// EvictChannel is the NOTIFY channel on which the table's evict triggers
// publish the keys of changed and deleted rows.
func EvictChannel(table string) string { return schema.EvictChannel(table) }

// EvictTriggers are the names of the triggers that publish the keys of
// changed and deleted rows: one after UPDATE, one after DELETE.
func EvictTriggers(table string) []string { return schema.EvictTriggers(table) }

// lifecycleColumns are the columns every sessions table has before the
// payload columns.
func lifecycleColumns() []Column {
	return []Column{
		{Name: ColTokenHash, Type: "bytea"},
		{Name: ColCreatedAt, Type: "timestamptz", Default: "now()"},
		{Name: ColLastSeenAt, Type: "timestamptz", Default: "now()"},
		{Name: ColExpiresAt, Type: "timestamptz"},
		{Name: ColAbsoluteExpiresAt, Type: "timestamptz"},
		{Name: ColRemember, Type: "boolean", Default: "false"},
		{Name: ColPreviousTokenHash, Type: "bytea", Nullable: true},
		{Name: ColRenewedAt, Type: "timestamptz", Nullable: true},
	}
}
