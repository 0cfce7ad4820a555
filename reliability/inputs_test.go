package main

import (
	"context"
	"testing"
	"time"
)

// TestOversizedInputs: huge cookie headers, 10,000 cookies, multi-MiB jsonb.
func TestOversizedInputs(t *testing.T) {
	cases, err := runInputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Logf("%-60s want %-45s got %s (%s)", c.Name, c.Want, c.Got, c.Took.Round(time.Millisecond))
		if c.Failed != "" {
			t.Errorf("%s: %s: got %s, want %s", c.Name, c.Failed, c.Got, c.Want)
		}
	}
}

// TestOldCodeNewSchema applies the additive migration of a new field (and
// rolls it back) while the current example serves mixed load.
func TestOldCodeNewSchema(t *testing.T) {
	rep, err := runOldCodeNewSchema(context.Background(), 8, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("migrations %v: up %s, down %s; %d requests, %d 2xx; %d sessions verified",
		rep.Migrations, rep.UpTook.Round(time.Millisecond), rep.DownTook.Round(time.Millisecond), rep.Load.Attempted, rep.Load.OK, rep.FinalOK)
	for _, f := range rep.Failures {
		t.Error(f)
	}
}

// TestIndexConcurrently is the small version of the 1,000,000-row run.
func TestIndexConcurrently(t *testing.T) {
	rep, err := runIndexConcurrently(context.Background(), 100_000, 8, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows (filled in %s); %s took %s; longest read before %s, during %s (%d reads)",
		rep.Rows, rep.FillTook.Round(time.Millisecond), rep.Migration, rep.IndexTook.Round(time.Millisecond),
		rep.BaselineStall.Round(time.Millisecond), rep.Stall.Round(time.Millisecond), rep.Reads)
	for _, f := range rep.Failures {
		t.Error(f)
	}
}
