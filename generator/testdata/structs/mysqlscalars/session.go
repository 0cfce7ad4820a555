// Package scalars covers every basic column type.
package sqlitescalars

import "time"

// Session has one field of each supported scalar type.
type Session struct {
	Name    string
	Admin   bool
	Visits  int
	UserID  int64
	Count32 int32
	Small   int16
	Ratio   float64
	Ratio32 float32
	LoginAt time.Time
	Timeout time.Duration
	Secret  []byte
	Tiny    int8
	Byte    uint8
	Port    uint16
	Count   uint32
}
