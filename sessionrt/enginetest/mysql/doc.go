// Package mysql runs the runtime's lifecycle suite on MySQL or MariaDB
// through go-sql-driver/mysql, a fresh database per test on the server
// SESSIONGEN_MYSQL_DSN names (by default the machines' MariaDB).
package mysql
