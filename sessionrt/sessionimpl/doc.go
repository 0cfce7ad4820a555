// Package sessionimpl is the contract between the code sessiongen generates
// and the runtime: the session lifecycle (Manager, State), the Backend a
// generated package implements over its queries, the engines' drivers (Pgx,
// SQLite, MySQL, NewMemory) and the helpers generated accessors call.
//
// It is for generated code only. Applications use package sessionrt and
// their generated store; this package changes with the contract version
// (Contract), and generated code states the version it was written for, so
// a runtime and generated code that do not match fail to compile on a line
// that says to regenerate.
package sessionimpl

// Contract is the version of the contract between generated code and this
// package. It changes whenever generated code must be regenerated to use
// what this package offers.
const Contract = 4

// Code generated for a contract references its constant; this package
// defines the constants of every contract it still implements, so older
// generated code keeps compiling and code newer than the runtime fails on
// that line, with the command to run in the identifier the compiler
// reports undefined: "go generate ./..." with the sessiongen release that
// matches the sessionrt in go.mod.
const (
	// Contract2_IfUndefinedRunGoGenerate: PostgreSQL and in-memory engines.
	Contract2_IfUndefinedRunGoGenerate = 2
	// Contract3_IfUndefinedRunGoGenerate: contract 2 and the SQLite engine
	// (SQLite, Conn.SQL).
	Contract3_IfUndefinedRunGoGenerate = 3
	// Contract4_IfUndefinedRunGoGenerate: contract 3 and the MySQL engine
	// (MySQL, Conn.Atomic, Conn.AtomicRange).
	Contract4_IfUndefinedRunGoGenerate = 4
)
