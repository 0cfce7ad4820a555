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
}

// Output is everything one Generate run emits, built in memory. Write puts
// it on disk; Check compares it with the disk.
type Output struct {
	Files []File
	// NewMigrations names the migration files this run adds.
	NewMigrations []string
}

// Write writes every file whose content differs from the disk, and reports
// the paths it wrote. Migrations that exist are never rewritten.
func (o *Output) Write() ([]string, error) {
	var wrote []string
	for _, f := range o.Files {
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
// returns a unified diff of every stale or missing file, paths relative to
// base; an empty string means everything is up to date.
func (o *Output) Check(base string) (string, error) {
	if abs, err := filepath.Abs(base); err == nil {
		base = abs
	}
	var b strings.Builder
	for _, f := range o.Files {
		old, err := os.ReadFile(f.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("reading %s: %w", f.Path, err)
		}
		if err == nil && (f.Once || bytes.Equal(old, f.Data)) {
			continue
		}
		rel, rerr := filepath.Rel(base, f.Path)
		if rerr != nil {
			rel = f.Path
		}
		from := "a/" + filepath.ToSlash(rel)
		if err != nil {
			from = "/dev/null"
		}
		fmt.Fprintf(&b, "--- %s\n+++ b/%s\n", from, filepath.ToSlash(rel))
		b.WriteString(unifiedDiff(string(old), string(f.Data)))
	}
	return b.String(), nil
}

// unifiedDiff renders the hunks turning a into b.
func unifiedDiff(a, b string) string {
	d := gonp.New(splitLines(a), splitLines(b))
	d.Compose()
	return d.SprintUniHunks(d.UnifiedHunks())
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
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
