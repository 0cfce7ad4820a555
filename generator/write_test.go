package generator

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnifiedDiffApplies checks unifiedDiff against GNU patch on random
// edits: the diff turns a into b exactly, no hunk is context only, and in
// each change removed lines come before added ones.
func TestUnifiedDiffApplies(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch is not installed")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "d", "e", "", "x y", "}"}
	randomText := func(n int) string {
		var lines []string
		for i := 0; i < n; i++ {
			lines = append(lines, words[rng.IntN(len(words))])
		}
		s := strings.Join(lines, "\n")
		if n > 0 && rng.IntN(4) != 0 {
			s += "\n"
		}
		return s
	}
	edit := func(s string) string {
		lines := strings.SplitAfter(s, "\n")
		for k := rng.IntN(4); k >= 0; k-- {
			i := rng.IntN(len(lines) + 1)
			switch rng.IntN(3) {
			case 0:
				lines = append(lines[:i], append([]string{words[rng.IntN(len(words))] + "\n"}, lines[i:]...)...)
			case 1:
				if i < len(lines) {
					lines = append(lines[:i], lines[i+1:]...)
				}
			case 2:
				if i < len(lines) {
					lines[i] = "changed\n"
				}
			}
		}
		out := strings.Join(lines, "")
		if rng.IntN(5) == 0 {
			out = strings.TrimSuffix(out, "\n")
		}
		return out
	}
	dir := t.TempDir()
	for i := 0; i < 200; i++ {
		a := randomText(rng.IntN(30))
		b := edit(a)
		if i%7 == 0 {
			b = randomText(rng.IntN(30))
		}
		d := unifiedDiff(a, b)
		if a == b {
			if d != "" {
				t.Fatalf("diff of equal texts: %q", d)
			}
			continue
		}
		for _, hunk := range strings.Split(d, "@@ -")[1:] {
			if !strings.Contains(hunk, "\n-") && !strings.Contains(hunk, "\n+") {
				t.Fatalf("context-only hunk in the diff of %q and %q:\n%s", a, b, d)
			}
			if strings.Contains(hunk, "\n+") && strings.Contains(hunk[strings.Index(hunk, "\n+"):], "\n-") {
				// A removal after an addition is allowed only after a
				// context line in between.
				lines := strings.Split(hunk, "\n")
				prev := ""
				for _, l := range lines {
					if strings.HasPrefix(l, "-") && strings.HasPrefix(prev, "+") {
						t.Fatalf("removed line after an added one:\n%s", d)
					}
					if l != `\ No newline at end of file` {
						prev = l
					}
				}
			}
		}
		f := filepath.Join(dir, "f")
		if err := os.WriteFile(f, []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("patch", "--batch", "--silent", "-f", f)
		cmd.Stdin = strings.NewReader("--- a/f\n+++ b/f\n" + d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch failed on the diff of %q and %q: %v\n%s\ndiff:\n%s", a, b, err, out, d)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != b {
			t.Fatalf("patched %q with\n%s\ngot %q, want %q", a, d, got, b)
		}
	}
}
