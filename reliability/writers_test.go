package main

import (
	"context"
	"testing"
	"time"
)

// TestConcurrentWriters: clients sharing a session's cookie write its
// counter and cart at once; no update may be lost and no write may fail
// (on SQLite: no 5xx from SQLITE_BUSY), on every engine.
func TestConcurrentWriters(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		rep, err := runWriters(context.Background(), e, writersOptions{Sessions: 2, Writers: 8, Duration: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		l := rep.Load
		t.Logf("%d requests, %d 2xx, %d 5xx; %d increments and %d cart items acknowledged; %d lost; slowest write %s",
			l.Attempted, l.OK, l.C5xx, rep.CounterAcks, rep.CartAcks, rep.Lost, rep.MaxWrite.Round(time.Millisecond))
		for _, f := range rep.Failures {
			t.Error(f)
		}
	})
}

// TestConcurrentWritersCatchLostUpdates points the writers run at a counter
// that reads and writes without Update: the run must report lost updates,
// or its clean results above would prove nothing.
func TestConcurrentWritersCatchLostUpdates(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		rep, err := runWriters(context.Background(), e, writersOptions{Sessions: 1, Writers: 8, Duration: time.Second, CounterPath: racyCounterPath})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("racy counter: %d increments acknowledged, %d lost updates: %v", rep.CounterAcks, rep.Lost, first(rep.LostItems, 3))
		if rep.Lost == 0 {
			t.Errorf("the racy counter lost no update in %d acknowledged increments: the run cannot see lost updates", rep.CounterAcks)
		}
	})
}
