package main

import (
	"context"
	"path/filepath"
	"testing"
)

// TestMigrationCorpus runs every golden plan of the generator's evolution
// corpus (on SQLite: the same changes planned by the SQLite dialect) up,
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
		ran := 0
		for _, c := range cases {
			if c.Refused == "" {
				ran++
			}
		}
		if ran < len(cases)/2 {
			t.Errorf("%d of %d cases run on %s", ran, len(cases), e.Title)
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
