package sessionimpl_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// TestReap deletes 100,000 expired rows in batches with two concurrent
// reapers while requests keep reading a live session.
func TestReap(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	tok := e.Create("live")
	ctx := context.Background()
	const expired = 100000
	if _, err := e.Admin.Exec(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT sha256(i::text::bytea), now() - interval '1 hour' - i * interval '1 millisecond', now() - interval '1 hour'
		FROM generate_series(1, $1) AS i`, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Admin.Exec(ctx, "ANALYZE sessions"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var reads, readErrs atomic.Int64
	var readers sync.WaitGroup
	for i := 0; i < 2; i++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				e.Serve(func(w http.ResponseWriter, r *http.Request) {
					st, err := e.M.Load(r.Context())
					if err != nil || st.IsNew() {
						readErrs.Add(1)
					}
					reads.Add(1)
				}, tok)
			}
		}()
	}
	start := time.Now()
	var total atomic.Int64
	var reapers sync.WaitGroup
	for i := 0; i < 2; i++ {
		reapers.Add(1)
		go func() {
			defer reapers.Done()
			n, err := e.M.Reap(ctx, 1000)
			if err != nil {
				t.Error(err)
			}
			total.Add(n)
		}()
	}
	reapers.Wait()
	elapsed := time.Since(start)
	close(stop)
	readers.Wait()
	t.Logf("reaped %d rows in %s with 2 reapers; %d concurrent reads meanwhile", total.Load(), elapsed, reads.Load())
	if total.Load() != expired {
		t.Errorf("reaped %d, want %d", total.Load(), expired)
	}
	if n := e.Rows(); n != 1 {
		t.Errorf("rows left = %d, want the live one", n)
	}
	if readErrs.Load() != 0 || reads.Load() == 0 {
		t.Errorf("reads = %d, failed = %d", reads.Load(), readErrs.Load())
	}
	if n, err := e.M.Count(ctx); err != nil || n != 1 {
		t.Errorf("Count = %d, %v", n, err)
	}
}

// TestRunReaper proves the loop reaps and stops with its context.
func TestRunReaper(t *testing.T) {
	e := newEnv(t, sessionrt.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.M.RunReaper(ctx, 20*time.Millisecond, 10)
		close(done)
	}()
	if _, err := e.Admin.Exec(context.Background(), `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at)
		SELECT sha256(i::text::bytea), now() - interval '1 minute', now() FROM generate_series(1, 25) AS i`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.Rows() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("RunReaper did not delete the expired rows")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunReaper did not stop")
	}
}
