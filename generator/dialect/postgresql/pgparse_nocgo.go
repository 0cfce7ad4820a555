//go:build !cgo || windows

// The PostgreSQL parser without cgo (CGO_ENABLED=0, or windows as sqlc
// does): libpg_query compiled to WebAssembly and run by wazero
// (wasilibs/go-pgquery), so no C compiler is needed. sqlc's own parser makes
// the same choice under the same build constraint, so the generator and its
// sqlc child always agree. The parse trees are pg_query_go's types either
// way; pgparse_cgo.go is the other half of the pair. (This file is not named
// pgparse_wasm.go: a _wasm suffix is a GOARCH constraint.)

package postgresql

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	wasmpg "github.com/wasilibs/go-pgquery"
	"github.com/wasilibs/go-pgquery/parser"
)

// pgError is the error pgParse returns for SQL the parser rejects.
type pgError = parser.Error

// pgParse parses sql into a parse tree.
func pgParse(sql string) (*pg.ParseResult, error) { return wasmpg.Parse(sql) }

// pgDeparse prints a parse tree as SQL.
func pgDeparse(tree *pg.ParseResult) (string, error) { return wasmpg.Deparse(tree) }
