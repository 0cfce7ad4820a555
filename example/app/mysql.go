package app

import (
	"database/sql"
	"fmt"
	"net/url"

	"github.com/go-sql-driver/mysql"
)

// MySQLDSN turns dbmate's URL of a MySQL or MariaDB database
// (mysql://user:password@host:port/database, the form DATABASE_URL and
// Migrate take) into go-sql-driver/mysql's DSN, with interpolateParams
// (one round trip per query instead of three: prepare, execute, close)
// and strict mode (a value that does not fit fails instead of being
// truncated; the session store refuses a session without it). Other query
// parameters pass through.
func MySQLDSN(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("parsing MySQL URL: %w", err)
	}
	if u.Scheme != "mysql" {
		return "", fmt.Errorf("MySQL URL %q: want mysql://user@host:port/database", u.Redacted())
	}
	c := mysql.NewConfig()
	c.User = u.User.Username()
	c.Passwd, _ = u.User.Password()
	c.Net = "tcp"
	c.Addr = u.Host
	if u.Port() == "" {
		c.Addr = u.Hostname() + ":3306"
	}
	c.DBName = u.Path
	if len(c.DBName) > 0 && c.DBName[0] == '/' {
		c.DBName = c.DBName[1:]
	}
	c.InterpolateParams = true
	c.Params = map[string]string{"sql_mode": "'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"}
	for k, v := range u.Query() {
		if len(v) > 0 {
			c.Params[k] = v[0]
		}
	}
	return c.FormatDSN(), nil
}

// OpenMySQL opens the MySQL or MariaDB database at dbmate's URL
// databaseURL (see MySQLDSN) with go-sql-driver/mysql.
func OpenMySQL(databaseURL string) (*sql.DB, error) {
	dsn, err := MySQLDSN(databaseURL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening MySQL: %w", err)
	}
	return db, nil
}
