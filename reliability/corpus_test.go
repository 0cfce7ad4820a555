package main

import (
	"context"
	"path/filepath"
	"testing"
)

// TestMigrationCorpus runs every golden plan of the generator's evolution
// corpus up, down and up again on PostgreSQL with live sessions in the
// table, and checks that their data survives each step.
func TestMigrationCorpus(t *testing.T) {
	cases, err := loadCorpus(filepath.Join("..", "generator", "testdata", "migrate"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("only %d corpus files", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rep := runCorpusCase(context.Background(), c, 200)
			if rep.Err != nil {
				t.Fatal(rep.Err)
			}
			t.Logf("%d migration(s), %d live sessions kept; %v", rep.Migrations, rep.Rows, rep.Notes)
		})
	}
}
