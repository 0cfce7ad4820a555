// Package flash covers flash fields (one-shot values with Pop accessors) of
// every kind, and an indexed field's DestroyOthersBy.
package flash

import "time"

// Level is a named string.
type Level string

// Banner is a comparable struct stored as jsonb.
type Banner struct {
	Title string `json:"title"`
	Seen  bool   `json:"seen"`
}

// Rich holds references: it cannot be compared with ==.
type Rich struct {
	Lines []string `json:"lines"`
}

// Session has flash fields of each kind next to an indexed field.
type Session struct {
	UserID  int64             `session:"user_id,index"`
	Tenant  *string           `session:"tenant,index"`
	Notice  string            `session:"notice,flash"`
	Level   Level             `session:"level,flash"`
	Shown   bool              `session:",flash"`
	Count   int32             `session:"count,flash"`
	At      time.Time         `session:"at,flash"`
	Wait    time.Duration     `session:"wait,flash"`
	Blob    []byte            `session:"blob,flash"`
	Alert   *string           `session:"alert,flash"`
	Errors  []string          `session:"errors,flash"`
	Fields  map[string]string `session:"fields,flash"`
	Banner  Banner            `session:"banner,flash"`
	Rich    Rich              `session:"rich,flash"`
	Grid    [2]int            `session:"grid,flash"`
	Counter int64
}
