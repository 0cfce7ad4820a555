// Package jsonb covers composite types stored as jsonb, flat and not.
package sqlitejsonb

import "time"

// Prefs is a flat struct.
type Prefs struct {
	Lang  string    `json:"lang"`
	Since time.Time `json:"since"`
}

// Item is one cart line.
type Item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Deep holds references: copying it shallowly would share them.
type Deep struct {
	Tags  []string       `json:"tags"`
	Attrs map[string]int `json:"attrs"`
	Next  *Item          `json:"next"`
}

// Session has one field of each composite shape.
type Session struct {
	Roles  []string
	Scores map[string]int
	Prefs  Prefs
	Cart   []Item
	Groups map[string][]string `session:"user_groups"`
	Grid   [3]int
	Deep   Deep
	Byes   map[int]Item
}
