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

func checkFault(t *testing.T, name string, opt faultOptions, inj injector) *faultReport {
	t.Helper()
	rep, err := runFault(context.Background(), name, opt, inj)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + formatReport(rep))
	for _, f := range rep.Failures {
		t.Error(f)
	}
	if rep.During.C5xx == 0 && rep.During.Attempted > 0 && name != "terminate" {
		t.Errorf("no request failed during the fault: the fault was not injected")
	}
	return rep
}

// TestDatabaseOutage is fault 1 in the default run: the database vanishes
// (loopback proxy cut: connections reset, connects refused) and returns.
func TestDatabaseOutage(t *testing.T) {
	checkFault(t, "database outage (proxy cut)", shortFault(true), injectProxyCut)
}

// TestTerminateBackends is fault 2: every pool connection killed.
func TestTerminateBackends(t *testing.T) {
	checkFault(t, "terminate", shortFault(false), injectTerminate)
}

// TestTableLock is fault 3: the sessions table locked for a few seconds.
func TestTableLock(t *testing.T) {
	checkFault(t, "table lock", shortFault(false), injectLock)
}
