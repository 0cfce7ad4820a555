//go:build cgo && !windows

// The PostgreSQL parser of a cgo build: libpg_query through pg_query_go.
// sqlc's own parser makes the same choice under the same build constraint,
// so the generator and its sqlc child always agree. pgparse_nocgo.go is the
// other half of the pair.

package postgresql

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// pgError is the error pgParse returns for SQL the parser rejects.
type pgError = parser.Error

// pgParse parses sql into a parse tree.
func pgParse(sql string) (*pg.ParseResult, error) { return pg.Parse(sql) }

// pgDeparse prints a parse tree as SQL.
func pgDeparse(tree *pg.ParseResult) (string, error) { return pg.Deparse(tree) }
