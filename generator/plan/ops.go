// Package plan is the migration planner: it compares the table the model
// wants with the table the committed migrations leave and decides the
// engine-neutral operations that turn one into the other. It writes no
// SQL: a dialect (package dialect) renders every Operation, and the
// planner asks the dialect only for facts (Rules), never for statements.
package plan

import "github.com/sessiongen/sessiongen/generator/schema"

// Operation is one change the planner decides. The set is closed: a dialect
// renders each of the types below and refuses any other.
type Operation interface{ operation() }

// CreateTable creates Table with its columns (the one named
// schema.ColTokenHash is the primary key), its storage options and the Go
// types its JSON columns hold. Its indexes and triggers are operations of
// their own.
type CreateTable struct{ Table *schema.TableSchema }

// DropTable drops a table.
type DropTable struct{ Table string }

// RenameTable renames a table.
type RenameTable struct{ From, To string }

// RenamePrimaryKey renames the object that carries the primary key of
// table From after its rename to To, where the engine names it after the
// table (PostgreSQL's <table>_pkey); engines that do not render nothing.
type RenamePrimaryKey struct{ From, To string }

// AddColumn adds Column (with its Go type, if it records one) to Table.
// Readd marks the down section of a dropped column: it comes back with its
// default, not its data, and the rendering says so.
type AddColumn struct {
	Table  string
	Column schema.Column
	Readd  bool
}

// DropColumn drops a column. Lossy marks a drop the user asked for (tag
// -allow-drop) whose data is lost, which the rendering says.
type DropColumn struct {
	Table, Column string
	Lossy         bool
}

// RenameColumn renames a column.
type RenameColumn struct{ Table, From, To string }

// WidenColumn changes a column's type to one that holds every value of the
// old type (Rules.Widens).
type WidenColumn struct{ Table, Column, From, To string }

// DropNotNull makes a column nullable.
type DropNotNull struct{ Table, Column string }

// SetNotNull makes a column NOT NULL.
type SetNotNull struct{ Table, Column string }

// SetDefault sets a column's default. FillNulls also replaces the NULLs of
// existing rows with it (the down section of a column made nullable).
type SetDefault struct {
	Table, Column, Default string
	FillNulls              bool
}

// DropDefault drops a column's default.
type DropDefault struct{ Table, Column string }

// RecordGoType records the Go type a JSON column holds ("" forgets it).
// Explain marks an acknowledged change of type (tag retype), from Previous
// ("" when none was recorded), which the rendering explains.
type RecordGoType struct {
	Table, Column, GoType string
	Previous              string
	Explain               bool
}

// AddIndex creates an index. Concurrently builds it without blocking
// writes (the migration then runs outside a transaction); otherwise the
// table is new or the index is being restored.
type AddIndex struct {
	Table        string
	Index        schema.Index
	Concurrently bool
}

// DropIndex drops an index if it exists; Concurrently as for AddIndex.
type DropIndex struct {
	Name         string
	Concurrently bool
}

// RenameIndex renames an index.
type RenameIndex struct{ From, To string }

// SetStorageOptions sets storage parameters of a table.
type SetStorageOptions struct {
	Table   string
	Options []schema.Option
}

// ResetStorageOptions resets storage parameters of a table to the engine's
// defaults.
type ResetStorageOptions struct {
	Table string
	Names []string
}

// CreateEvictTriggers creates the triggers that publish, on
// schema.EvictChannel and only if the writing transaction commits, the
// keys of the rows an UPDATE or DELETE changed (schema.EvictTriggers names
// them).
type CreateEvictTriggers struct{ Table string }

// DropEvictTriggers drops what CreateEvictTriggers creates, if it exists.
type DropEvictTriggers struct{ Table string }

func (CreateTable) operation()         {}
func (DropTable) operation()           {}
func (RenameTable) operation()         {}
func (RenamePrimaryKey) operation()    {}
func (AddColumn) operation()           {}
func (DropColumn) operation()          {}
func (RenameColumn) operation()        {}
func (WidenColumn) operation()         {}
func (DropNotNull) operation()         {}
func (SetNotNull) operation()          {}
func (SetDefault) operation()          {}
func (DropDefault) operation()         {}
func (RecordGoType) operation()        {}
func (AddIndex) operation()            {}
func (DropIndex) operation()           {}
func (RenameIndex) operation()         {}
func (SetStorageOptions) operation()   {}
func (ResetStorageOptions) operation() {}
func (CreateEvictTriggers) operation() {}
func (DropEvictTriggers) operation()   {}

// Migration is one planned migration: operations to apply and the ones
// that undo them.
type Migration struct {
	Name          string      // file name suffix: "create_sessions", "alter_sessions", "index_sessions_user_id", ...
	NoTransaction bool        // runs outside a transaction (an online index build)
	Up            []Operation // in the order they run
	Down          []Operation // undoing Up, in the order they run
}

// Rules are the facts about an engine the planner consults. They answer
// questions; they decide no step and render no SQL.
type Rules interface {
	// Engine names the engine in messages, e.g. "PostgreSQL".
	Engine() string
	// Widens reports whether changing a column from type from to type to
	// keeps every value, so the planner may do it in place.
	Widens(from, to string) bool
	// Numeric reports whether t is a numeric column type.
	Numeric(t string) bool
	// Widenings lists, for messages, the changes Widens allows.
	Widenings() string
	// JSON reports whether t is the type JSON columns have.
	JSON(t string) bool
	// SameDefault reports whether two default expressions are the same.
	SameDefault(a, b string) bool
	// MaxIdentifier is the longest name the engine keeps whole, in bytes.
	MaxIdentifier() int
}
