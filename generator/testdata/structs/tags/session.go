// Package tags covers every session tag: column names, "-", index, was=.
package tags

import (
	"sync"
	"time"
)

// Theme is a named string.
type Theme string

// Base is embedded and left out.
type Base struct{ ID int }

// Session uses every tag option.
type Session struct {
	Base    `session:"-"`
	UserID  int64             `session:"uid,index"`
	Email   string            `session:"email_address,index"`
	Tenant  *string           `session:",index"`
	LoginAt time.Time         `session:"login_at,index"`
	Theme   Theme             `session:"theme,index"`
	Key     []byte            `session:"key_hash,index"`
	Nick    string            `session:"nickname,was=nick"`
	Plain   int32             `json:"plain_json"`
	Cache   map[string]string `session:"-"`
	Events  chan int          `session:"-"`
	Hook    func()            `session:"-"`
	Any     any               `session:"-"`
	mu      *sync.Mutex       `session:"-"`
	secret  string            `session:"-"`
	Counter uint64            `session:"-"`
}
