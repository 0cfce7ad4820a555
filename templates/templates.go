// Package templates holds the SQL and YAML templates sessiongen renders,
// embedded so the generator binary is self-contained. Templates only print:
// every decision (names, types, defaults, which statements to emit) is made
// in package generator and handed over as plain data.
package templates

import "embed"

// FS holds every *.tmpl file of this directory.
//
//go:embed *.tmpl
var FS embed.FS
