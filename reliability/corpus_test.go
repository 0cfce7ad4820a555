package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestMigrationCorpus runs every golden plan of the generator's evolution
// corpus (on SQLite and MySQL: the same changes planned by the engine's
// dialect) up,
// down and up again with live sessions in the table, and checks that their
// data survives each step.
func TestMigrationCorpus(t *testing.T) {
	golden, err := loadCorpus(filepath.Join("..", "generator", "testdata", "migrate"))
	if err != nil {
		t.Fatal(err)
	}
	if len(golden) < 10 {
		t.Fatalf("only %d corpus files", len(golden))
	}
	forEngines(t, func(t *testing.T, e *engine) {
		cases, err := corpusFor(e, golden)
		if err != nil {
			t.Fatal(err)
		}
		// The changes each engine's dialect plans no migration for. SQLite
		// cannot change a default or drop NOT NULL in place (a table
		// rebuild), and every integer is already 64-bit. MySQL: widen is a
		// no-op too (BIGINT, DOUBLE); NOT NULL changes are refused (MODIFY
		// COLUMN restates the whole column); adding or dropping the index
		// of an existing string column would change its type (VARCHAR(255)
		// when indexed, LONGTEXT otherwise), which it refuses; and the
		// dialect maps only the defaults a struct's fields get (their zero
		// values), not the planner test's DEFAULT 18. Any other case not
		// run would be a replanning that went wrong.
		notRun := map[string][]string{
			"sqlite": {"change_default", "make_nullable", "widen"},
			"mysql":  {"add_index", "change_default", "drop_index", "make_nullable", "widen"},
		}[e.Name]
		var refused []string
		for _, c := range cases {
			if c.Refused != "" {
				refused = append(refused, c.Name)
			}
		}
		if !slices.Equal(refused, notRun) {
			t.Errorf("cases not run on %s: %v, want %v", e.Title, refused, notRun)
		}
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				rep := runCorpusCase(context.Background(), e, c, 200)
				if rep.Refused != "" {
					t.Skipf("refused by the %s dialect: %s", e.Title, rep.Refused)
				}
				if rep.Err != nil {
					t.Fatal(rep.Err)
				}
				t.Logf("%d migration(s), %d live sessions kept; %v", rep.Migrations, rep.Rows, rep.Notes)
			})
		}
	})
}
