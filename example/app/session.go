package app

import "time"

//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Session -cache -engine postgresql,sqlite,mysql

// Session is the example app's session payload: each field is a column of
// the sessions table, read and written through the generated SessionHandle.
type Session struct {
	UserID  int64 `session:"user_id,index"`
	Email   string
	Roles   []string
	Cart    []CartItem
	Theme   Theme
	MFAAt   *time.Time
	Counter int64
	Notice  string `session:"notice,flash"` // one-shot message: PopNotice reads and clears it
}

// CartItem is one line of the cart, stored in the jsonb cart column.
type CartItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Theme is the visitor's colour scheme; a named string stored as text.
type Theme string
