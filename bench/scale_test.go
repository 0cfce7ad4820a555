package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestScaleSmoke runs the scale command at a small size with sub-second
// phases so that it can never break unnoticed; the real run is
// go run ./bench -scale. It checks what the run must get right whatever the
// machine: no errors, every expired row reaped, and the concurrent reap of
// the instances deleting each expired row exactly once. It asserts no
// timing.
func TestScaleSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	o := options{
		dsn:      envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		duration: 200 * time.Millisecond, rounds: 1, workers: 4, conns: 2,
	}
	so := scaleOptions{
		size: 20_000, reapRows: 3_000, copyBatch: 5_000,
		churnCycles: 1, churnCycle: 700 * time.Millisecond, churnRate: 200, reapEvery: 200 * time.Millisecond,
		instances: 2, db: "sgbench_scale_smoke", section: "scale",
	}
	ctx := context.Background()
	adm, err := newAdmin(ctx, o.dsn)
	if err != nil {
		t.Fatalf("PostgreSQL not available (start it with scripts/ensure-postgres.sh): %v", err)
	}
	adm.close()
	res, err := runScale(ctx, o, so, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.steps) != 2 || res.steps[0].rows != 10_000 || res.steps[1].rows != 20_000 {
		t.Fatalf("sizes measured: %d steps, want 10,000 and 20,000 rows", len(res.steps))
	}
	for _, st := range res.steps {
		for name, l := range map[string]latencySummary{"read": st.readP, "write": st.writeP} {
			if l.n == 0 || l.errs > 0 {
				t.Errorf("%d rows, %s: %d requests, %d errors (first: %s)", st.rows, name, l.n, l.errs, l.firstErr)
			}
		}
		if st.sz.heap == 0 || len(st.sz.indexes) != 4 {
			t.Errorf("%d rows: sizes %+v, want a heap and 4 indexes", st.rows, st.sz)
		}
	}
	if r := res.reap; r == nil || r.deleted != so.reapRows || r.remaining != 0 || r.during.errs > 0 {
		t.Errorf("reaper phase: %+v, want %d deleted, 0 left, no read errors", r, so.reapRows)
	}
	if len(res.churn) != 2 {
		t.Errorf("churn: %d cycles, want 1 per setting", len(res.churn))
	}
	for _, c := range res.churn {
		if c.logins == 0 || c.errs > 0 {
			t.Errorf("churn %s cycle %d: %d logins, %d errors (first: %s)", c.setting, c.cycle, c.logins, c.errs, c.firstErr)
		}
	}
	if len(res.inst) != 2 {
		t.Fatalf("instances: %d steps, want 1 and 2 instances", len(res.inst))
	}
	for _, st := range res.inst {
		if st.read.n == 0 || st.read.errs+st.write.errs > 0 {
			t.Errorf("%d instances: %d reads, %d errors (first: %s%s)", st.n, st.read.n, st.read.errs+st.write.errs, st.read.firstErr, st.write.firstErr)
		}
	}
	if m := res.mreap; m == nil || m.expired != so.reapRows || m.total != m.expired || m.nTupDel != m.expired || m.remaining != 0 {
		t.Errorf("concurrent reap: %+v, want %d expired rows deleted once each", m, so.reapRows)
	}
	md := res.markdown()
	for _, want := range []string{"#### 1.", "#### 2.", "#### 3.", "#### 4.", "#### 5.", "| 20 thousand |", "exactly once: yes"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
