package sessionimpl_test

import (
	"errors"
	"math"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestCheckText covers what a text column accepts.
func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"", true}, {"plain", true}, {"ünïcödé ✓", true}, {"\uFFFD", true},
		{"a\x00b", false}, {"\xff", false}, {"ok\xc3", false},
	} {
		err := sessionimpl.CheckText(c.in)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, sessionrt.ErrInvalidValue)) {
			t.Errorf("CheckText(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// TestEncodeJSON covers what a jsonb column accepts exactly.
func TestEncodeJSON(t *testing.T) {
	type item struct {
		Name  string
		Score float64
	}
	for _, c := range []struct {
		name string
		in   any
		ok   bool
	}{
		{"plain", []item{{"a", 1.5}}, true},
		{"replacement character itself", []string{"\uFFFD"}, true},
		{"escaped backslash then u0000 text", []string{`\u0000`}, true},
		{"escaped backslash then ufffd text", map[string]string{`\ufffd`: "x"}, true},
		{"NaN", []item{{"a", math.NaN()}}, false},
		{"+Inf", map[string]float64{"x": math.Inf(1)}, false},
		{"NUL in a string", []string{"a\x00"}, false},
		{"invalid UTF-8 in a string", []item{{"\xff", 1}}, false},
		{"invalid UTF-8 in a key", map[string]int{"k\xfe": 1}, false},
		{"unsupported type", map[string]any{"f": func() {}}, false},
	} {
		b, err := sessionimpl.EncodeJSON(c.in)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, sessionrt.ErrInvalidValue)) {
			t.Errorf("%s: EncodeJSON = %s, %v; want ok=%v", c.name, b, err, c.ok)
		}
	}
}
