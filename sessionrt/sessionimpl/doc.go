// Package sessionimpl is the contract between the code sessiongen generates
// and the runtime: the session lifecycle (Manager, State), the Backend a
// generated package implements over its queries, the engines' drivers (Pgx,
// NewMemory) and the helpers generated accessors call.
//
// It is for generated code only. Applications use package sessionrt and
// their generated store; this package changes with the contract version
// (Contract), and generated code states the version it was written for, so
// a runtime and generated code that do not match fail to compile on a line
// that says to regenerate.
package sessionimpl

// Contract is the version of the contract between generated code and this
// package. It changes whenever generated code must be regenerated.
const Contract = 2

// Contract2_IfUndefinedRunGoGenerate is referenced by code generated for
// contract 2. When a sessionrt upgrade drops it (or generated code names a
// newer one), the compiler reports it undefined: run "go generate ./..."
// with the sessiongen release that matches the sessionrt in go.mod.
const Contract2_IfUndefinedRunGoGenerate = Contract
