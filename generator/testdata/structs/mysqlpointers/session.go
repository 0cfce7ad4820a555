// Package pointers covers nullable columns: a pointer to each type.
package sqlitepointers

import "time"

// Theme is a named string.
type Theme string

// Prefs is stored as jsonb.
type Prefs struct {
	Lang string `json:"lang"`
	Dark bool   `json:"dark"`
}

// Session has a pointer to each supported type.
type Session struct {
	Name    *string
	Admin   *bool
	Visits  *int
	UserID  *int64
	Count32 *int32
	Small   *int16
	Ratio   *float64
	Ratio32 *float32
	LoginAt *time.Time
	Timeout *time.Duration
	Secret  *[]byte
	Theme   *Theme
	Prefs   *Prefs
	Roles   *[]string
}
