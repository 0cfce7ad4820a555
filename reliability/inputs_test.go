package main

import (
	"context"
	"testing"
	"time"
)

// forEngines runs f as a subtest per engine (go test -run 'Test/sqlite').
func forEngines(t *testing.T, f func(t *testing.T, e *engine)) {
	for _, e := range engines() {
		t.Run(e.Name, func(t *testing.T) { f(t, e) })
	}
}

// TestOversizedInputs: huge cookie headers, 10,000 cookies, multi-MiB JSON
// fields, on every engine.
func TestOversizedInputs(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		cases, err := runInputs(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Logf("%-60s want %-45s got %s (%s)", c.Name, c.Want, c.Got, c.Took.Round(time.Millisecond))
			if c.Failed != "" {
				t.Errorf("%s: %s: got %s, want %s", c.Name, c.Failed, c.Got, c.Want)
			}
		}
	})
}

// TestOldCodeNewSchema applies the additive migration of a new field (and
// rolls it back) while the current example serves mixed load, on every
// engine.
func TestOldCodeNewSchema(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		rep, err := runOldCodeNewSchema(context.Background(), e, 8, 1500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("migrations %v: up %s, down %s; %d requests, %d 2xx; %d sessions verified",
			rep.Migrations, rep.UpTook.Round(time.Millisecond), rep.DownTook.Round(time.Millisecond), rep.Load.Attempted, rep.Load.OK, rep.FinalOK)
		if len(rep.Migrations) == 0 {
			t.Error("no migration planned")
		}
		for _, f := range rep.Failures {
			t.Error(f)
		}
	})
}

// TestIndexConcurrently is the small version of the 1,000,000-row index
// run, on every engine.
func TestIndexConcurrently(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		rep, err := runIndexConcurrently(context.Background(), e, 100_000, 8, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d rows (filled in %s); %s took %s; longest read before %s, during %s (%d reads); longest write during %s (%d writes)",
			rep.Rows, rep.FillTook.Round(time.Millisecond), rep.Migration, rep.IndexTook.Round(time.Millisecond),
			rep.BaselineStall.Round(time.Millisecond), rep.Stall.Round(time.Millisecond), rep.Reads, rep.WriteStall.Round(time.Millisecond), rep.Writes)
		for _, f := range rep.Failures {
			t.Error(f)
		}
	})
}
