// Package sqlite is a payload generated for SQLite alone (file engines).
package sqlite

import "time"

// Item is a cart line, stored as JSON.
type Item struct {
	SKU string
	N   int
}

// Session has a field of every storage class SQLite maps.
type Session struct {
	UserID  int64   `session:",index"`
	Tenant  *string `session:",index"`
	Name    string
	Admin   bool
	Small   int16
	Ratio   float64
	Ratio32 float32
	LoginAt time.Time
	Logout  *time.Time
	Timeout time.Duration
	Secret  []byte
	Cart    []Item
	Prefs   map[string]string
	Flash   string `session:",flash"`
}
