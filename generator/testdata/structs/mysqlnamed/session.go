// Package named covers named types over every scalar type.
package sqlitenamed

import "time"

// Named types over each supported basic type.
type (
	Theme string
	Flag  bool
	Num   int
	Big   int64
	Mid   int32
	Small int16
	Ratio float64
	Frac  float32
	Blob  []byte
	Wait  time.Duration
)

// Session has one field of each named type.
type Session struct {
	Theme Theme
	Flag  Flag
	Num   Num
	Big   Big
	Mid   Mid
	Small Small
	Ratio Ratio
	Frac  Frac
	Blob  Blob `session:"blob_data"`
	Wait  Wait
}
