package main

import (
	"context"
	"testing"
	"time"
)

// shortFault is the in-test size of a fault run: a few seconds each.
func shortFault(proxy bool) faultOptions {
	return faultOptions{
		Clients:      8,
		QueryTimeout: time.Second,
		Warmup:       time.Second,
		Outage:       2500 * time.Millisecond,
		After:        2500 * time.Millisecond,
		MaxConns:     8,
		UseProxy:     proxy,
	}
}

func checkFault(t *testing.T, e *engine, f faultRun, opt faultOptions) *faultReport {
	t.Helper()
	rep, err := runFault(context.Background(), e, f, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + formatReport(rep))
	for _, f := range rep.Failures {
		t.Error(f)
	}
	if rep.During.C5xx == 0 && rep.During.Attempted > 0 && f.Run != "terminate" {
		t.Errorf("no request failed during the fault: the fault was not injected")
	}
	return rep
}

// forFaults runs the fault runs named run of each engine that has them, a
// subtest per engine and, when an engine has several (MySQL's lock), per
// row.
func forFaults(t *testing.T, run string, opt faultOptions) {
	forEngines(t, func(t *testing.T, e *engine) {
		fs := e.faultsOf(run)
		if len(fs) == 0 {
			t.Skipf("%s has no %s run", e.Title, run)
		}
		for _, f := range fs {
			if len(fs) == 1 {
				checkFault(t, e, f, opt)
				continue
			}
			t.Run(f.ID, func(t *testing.T) { checkFault(t, e, f, opt) })
		}
	})
}

// TestDatabaseOutage is the in-test stand-in for fault 1 on every engine
// with a server: the database vanishes (loopback proxy cut: connections
// reset, connects refused) and returns.
func TestDatabaseOutage(t *testing.T) {
	forEngines(t, func(t *testing.T, e *engine) {
		if e.defaultPort == "" {
			t.Skipf("%s has no server", e.Title)
		}
		checkFault(t, e, faultRun{Run: "outage", ID: "1", Title: "database outage (proxy cut)", Inject: injectProxyCut}, shortFault(true))
	})
}

// TestTerminateBackends is fault 2: every pool connection killed.
func TestTerminateBackends(t *testing.T) { forFaults(t, "terminate", shortFault(false)) }

// TestTableLock is fault 3: the sessions table (PostgreSQL) or every
// session row (MySQL, with a lock wait longer and shorter than
// QueryTimeout) locked for a few seconds.
func TestTableLock(t *testing.T) { forFaults(t, "lock", shortFault(false)) }
