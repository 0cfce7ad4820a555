// Package enginetest runs the runtime's lifecycle suite
// (sessionrt/internal/lifecycletest) on SQLite, through two database/sql
// drivers, one package each, since both register the driver name
// "sqlite3": ncruces (github.com/ncruces/go-sqlite3, pure Go) and mattn
// (github.com/mattn/go-sqlite3, cgo, the example's driver); and on MySQL or
// MariaDB through go-sql-driver/mysql (package mysql).
//
// It is a module of its own, so that the runtime's module requires no
// SQLite or MySQL driver, not even for its tests; its path lies under the runtime's,
// which lets it import the runtime's internal packages.
package enginetest
