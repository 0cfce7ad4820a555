package sessionimpl

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/sessionrt"
)

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

// checkPooler returns an error wrapping sessionrt.ErrUnsafeExecMode when c says the
// database is reached through a transaction pooler and db runs its
// statements in a mode that such a pooler breaks. It reads the mode of a
// *pgxpool.Pool or *pgx.Conn and does no I/O; the mode of any other Pool
// cannot be seen, which is logged as a warning.
func (d pgxDriver) check(c sessionrt.Config) error {
	if !c.TransactionPooler {
		return nil
	}
	var mode pgx.QueryExecMode
	switch p := d.db.(type) {
	case *pgxpool.Pool:
		mode = p.Config().ConnConfig.DefaultQueryExecMode
	case *pgx.Conn:
		if p == nil {
			return nil
		}
		mode = p.Config().DefaultQueryExecMode
	default:
		c.Logger.Warn("sessionrt: TransactionPooler is set, but the query exec mode of this pool cannot be checked; use default_query_exec_mode=cache_describe, exec or simple_protocol",
			"pool", fmt.Sprintf("%T", d.db))
		return nil
	}
	if safeBehindTransactionPooler(mode) {
		return nil
	}
	return fmt.Errorf("%w: the pool uses default_query_exec_mode=%s with Config.TransactionPooler set; "+
		"add default_query_exec_mode=cache_describe to the database URL (or exec, or simple_protocol), "+
		"or set pgxpool.Config.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe",
		sessionrt.ErrUnsafeExecMode, execModeName(mode))
}
