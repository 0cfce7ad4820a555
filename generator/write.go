package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cubicdaiya/gonp"
)

// File is one emitted file.
type File struct {
	Path string // absolute path
	Data []byte
	// Once marks a migration: written if missing, never rewritten.
	Once bool
	// Delete marks a stale output of an earlier run (the query file and
	// sqlc code of a table that was renamed): removed if present.
	Delete bool
}

// Output is everything one Generate run emits, built in memory. Write puts
// it on disk; Check compares it with the disk.
type Output struct {
	Files []File
	// NewMigrations names the migration files this run adds.
	NewMigrations []string
	// Root is the directory every file is under (the sqlc.yaml directory,
	// or a common ancestor): Check's diff paths are relative to it, so the
	// diff applies there with patch -p1.
	Root string
}

// Write writes every file whose content differs from the disk, and reports
// the paths it wrote. Migrations that exist are never rewritten.
func (o *Output) Write() ([]string, error) {
	var wrote []string
	for _, f := range o.Files {
		if f.Delete {
			err := os.Remove(f.Path)
			if err == nil {
				wrote = append(wrote, f.Path)
				continue
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return wrote, fmt.Errorf("removing %s: %w", f.Path, err)
			}
			continue
		}
		old, err := os.ReadFile(f.Path)
		switch {
		case err == nil && (f.Once || bytes.Equal(old, f.Data)):
			continue
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return wrote, fmt.Errorf("reading %s: %w", f.Path, err)
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return wrote, fmt.Errorf("creating %s: %w", filepath.Dir(f.Path), err)
		}
		if err := writeAtomic(f.Path, f.Data); err != nil {
			return wrote, err
		}
		wrote = append(wrote, f.Path)
	}
	return wrote, nil
}

// writeAtomic writes through a temporary file and a rename, so an
// interrupted run never leaves a half-written file.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Check compares the output with the disk without writing anything. It
// returns a unified diff of every stale, missing or removed file, paths
// relative to base (default o.Root) under a/ and b/, which `patch -p1`
// applies in base; an empty string means everything is up to date.
func (o *Output) Check(base string) (string, error) {
	if base == "" {
		base = o.Root
	}
	if abs, err := filepath.Abs(base); err == nil {
		base = abs
	}
	var b strings.Builder
	for _, f := range o.Files {
		old, err := os.ReadFile(f.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("reading %s: %w", f.Path, err)
		}
		exists := err == nil
		rel, rerr := filepath.Rel(base, f.Path)
		if rerr != nil {
			rel = f.Path
		}
		rel = filepath.ToSlash(rel)
		from, to := "a/"+rel, "b/"+rel
		var want []byte
		switch {
		case f.Delete && !exists:
			continue
		case f.Delete:
			to = "/dev/null"
		case exists && (f.Once || bytes.Equal(old, f.Data)):
			continue
		case !exists:
			from = "/dev/null"
			want = f.Data
		default:
			want = f.Data
		}
		fmt.Fprintf(&b, "--- %s\n+++ %s\n", from, to)
		b.WriteString(unifiedDiff(string(old), string(want)))
	}
	return b.String(), nil
}

// diffContext is the number of unchanged lines around each hunk.
const diffContext = 3

// diffOp is one line of an edit script: ' ' kept, '-' removed, '+' added;
// text keeps its newline, if it has one.
type diffOp struct {
	op   byte
	text string
}

// unifiedDiff renders the hunks turning a into b, in the format of diff -u:
// removed lines before added ones in each change, 3 lines of context,
// "\ No newline at end of file" after a last line without one.
func unifiedDiff(a, b string) string {
	al, bl := splitLines(a), splitLines(b)
	d := gonp.New(al, bl)
	d.Compose()
	// The edit script, each change's removals before its additions.
	var ops []diffOp
	var dels, adds []diffOp
	flush := func() {
		ops = append(ops, dels...)
		ops = append(ops, adds...)
		dels, adds = nil, nil
	}
	for _, e := range d.Ses() {
		switch e.GetType() {
		case gonp.SesDelete:
			dels = append(dels, diffOp{'-', e.GetElem()})
		case gonp.SesAdd:
			adds = append(adds, diffOp{'+', e.GetElem()})
		default:
			flush()
			ops = append(ops, diffOp{' ', e.GetElem()})
		}
	}
	flush()
	var out strings.Builder
	// Walk the script, cutting it into hunks around the changes.
	for i := 0; i < len(ops); {
		if ops[i].op == ' ' {
			i++
			continue
		}
		start := max(0, i-diffContext)
		end := i
		for end < len(ops) {
			if ops[end].op != ' ' {
				end++
				continue
			}
			// A run of kept lines: does another change follow within
			// 2*context lines?
			j := end
			for j < len(ops) && ops[j].op == ' ' {
				j++
			}
			if j == len(ops) || j-end > 2*diffContext {
				end = min(len(ops), end+diffContext)
				break
			}
			end = j
		}
		// Line numbers: count the lines of a and b before start.
		aStart, bStart := 0, 0
		for _, op := range ops[:start] {
			if op.op != '+' {
				aStart++
			}
			if op.op != '-' {
				bStart++
			}
		}
		aLen, bLen := 0, 0
		for _, op := range ops[start:end] {
			if op.op != '+' {
				aLen++
			}
			if op.op != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, op := range ops[start:end] {
			out.WriteByte(op.op)
			if text, ok := strings.CutSuffix(op.text, "\n"); ok {
				out.WriteString(text + "\n")
			} else {
				out.WriteString(op.text + "\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

// hunkRange prints one side of a hunk header: "start,len", the start
// 1-based, or the line before the hunk when it is empty.
func hunkRange(before, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", before)
	}
	if n == 1 {
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, n)
}

// splitLines splits s into lines that keep their newline, so that a last
// line without one differs from the same line with one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// sortedKeys returns the keys of m in order, for deterministic output.
func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
