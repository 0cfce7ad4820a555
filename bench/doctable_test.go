package main

import (
	"os"
	"testing"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

// TestDocsHoldTheMarkers checks that the committed docs carry the markers the
// commands write between, so that a real run cannot fail at its very end.
func TestDocsHoldTheMarkers(t *testing.T) {
	for _, tc := range []struct{ path, name string }{
		{"../docs/BENCHMARKS.md", "bench"},
		{"../docs/BENCHMARKS.md", "cache"},
		{"../docs/SCALE.md", "scale"},
	} {
		b, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := doctable.Replace(string(b), tc.name, "x\n"); err != nil {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
}
