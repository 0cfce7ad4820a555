package sessionimpl_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

type blob []byte

func TestConversionHelpers(t *testing.T) {
	if got := sessionimpl.Bytes(blob(nil)); got == nil || len(got) != 0 {
		t.Errorf("Bytes(nil) = %#v, want an empty non-nil slice (NOT NULL bytea)", got)
	}
	if got := sessionimpl.BytesPtr[blob](nil); got != nil {
		t.Errorf("BytesPtr(nil) = %#v, want nil (NULL)", got)
	}
	empty := blob(nil)
	if got := sessionimpl.BytesPtr(&empty); got == nil {
		t.Error("BytesPtr(&nil) = nil, want an empty non-nil slice (a non-NULL empty value)")
	}
	if got := sessionimpl.NullBytes[blob](nil); got != nil {
		t.Errorf("NullBytes(nil) = %v, want nil", got)
	}
	if got := sessionimpl.NullBytes[blob]([]byte("x")); got == nil || string(*got) != "x" {
		t.Errorf("NullBytes(x) = %v", got)
	}
	n := 7
	if got := sessionimpl.ConvPtr(&n, func(v int) int64 { return int64(v) }); got == nil || *got != 7 {
		t.Errorf("ConvPtr(&7) = %v", got)
	}
	if got := sessionimpl.ConvPtr[int, int64](nil, func(v int) int64 { return int64(v) }); got != nil {
		t.Errorf("ConvPtr(nil) = %v, want nil", got)
	}
	s := []string{"a"}
	cp := sessionimpl.CopyPtr(&s, func(v []string) []string { return append([]string(nil), v...) })
	(*cp)[0] = "b"
	if s[0] != "a" {
		t.Error("CopyPtr with a clone shares the slice")
	}
}
