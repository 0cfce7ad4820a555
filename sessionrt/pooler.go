package sessionrt

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrUnsafeExecMode is wrapped by the error NewManager returns when
// Config.TransactionPooler is set and the pool's pgx query exec mode is one
// that a transaction pooler breaks.
//
// A transaction pooler (PgBouncer with pool_mode = transaction, and poolers
// like it) hands a client a server connection for one transaction and takes
// it back at every Sync that leaves no transaction open. pgx's describe_exec
// mode runs a statement in two round trips: Parse and Describe of the
// unnamed statement, Sync, then Bind and Execute of the unnamed statement,
// Sync. Between them the pooler can give the server connection to another
// client, whose own Parse replaces the unnamed statement, so the Bind
// executes the other client's statement with this client's parameters: a
// write is acknowledged while another one ran in its place. In
// cache_statement mode (pgx's default) a statement prepared under a name on
// one server connection is executed by name on whichever server connection
// the pooler picks next, where it does not exist, and the query fails.
// cache_describe, exec and simple_protocol send every execution as one Parse,
// Bind, Execute and Sync (or as plain text), which a transaction pooler keeps
// on one server connection.
var ErrUnsafeExecMode = errors.New("sessionrt: pgx query exec mode is unsafe behind a transaction pooler")

// execModeName is the default_query_exec_mode DSN value of a pgx mode.
func execModeName(m pgx.QueryExecMode) string {
	switch m {
	case pgx.QueryExecModeCacheStatement:
		return "cache_statement"
	case pgx.QueryExecModeCacheDescribe:
		return "cache_describe"
	case pgx.QueryExecModeDescribeExec:
		return "describe_exec"
	case pgx.QueryExecModeExec:
		return "exec"
	case pgx.QueryExecModeSimpleProtocol:
		return "simple_protocol"
	default:
		return fmt.Sprintf("unknown mode %d", int32(m))
	}
}

// safeBehindTransactionPooler reports whether every statement pgx runs in
// mode m is a single round trip that needs no prepared statement kept on
// the server connection.
func safeBehindTransactionPooler(m pgx.QueryExecMode) bool {
	switch m {
	case pgx.QueryExecModeCacheDescribe, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol:
		return true
	default:
		return false
	}
}

// checkPooler returns an error wrapping ErrUnsafeExecMode when c says the
// database is reached through a transaction pooler and db runs its
// statements in a mode that such a pooler breaks. It reads the mode of a
// *pgxpool.Pool or *pgx.Conn and does no I/O; the mode of any other Pool
// cannot be seen, which is logged as a warning.
func checkPooler(db Pool, c Config) error {
	if !c.TransactionPooler || db == nil {
		return nil
	}
	var mode pgx.QueryExecMode
	switch p := db.(type) {
	case *pgxpool.Pool:
		mode = p.Config().ConnConfig.DefaultQueryExecMode
	case *pgx.Conn:
		if p == nil {
			return nil
		}
		mode = p.Config().DefaultQueryExecMode
	default:
		c.Logger.Warn("sessionrt: TransactionPooler is set, but the query exec mode of this pool cannot be checked; use default_query_exec_mode=cache_describe, exec or simple_protocol",
			"pool", fmt.Sprintf("%T", db))
		return nil
	}
	if safeBehindTransactionPooler(mode) {
		return nil
	}
	return fmt.Errorf("%w: the pool uses default_query_exec_mode=%s with Config.TransactionPooler set; "+
		"add default_query_exec_mode=cache_describe to the database URL (or exec, or simple_protocol), "+
		"or set pgxpool.Config.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe",
		ErrUnsafeExecMode, execModeName(mode))
}
