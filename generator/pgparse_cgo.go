//go:build cgo && !windows

package generator

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// pgEngine names the PostgreSQL parser this build links: libpg_query
// through cgo. sqlc's own parser makes the same choice with the same build
// constraint, so the generator and its sqlc child always agree.
const pgEngine = "cgo"

// pgError is the error pgParse returns for SQL the parser rejects.
type pgError = parser.Error

// pgParse parses sql into a parse tree.
func pgParse(sql string) (*pg.ParseResult, error) { return pg.Parse(sql) }

// pgDeparse prints a parse tree as SQL.
func pgDeparse(tree *pg.ParseResult) (string, error) { return pg.Deparse(tree) }
