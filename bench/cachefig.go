package main

// The cache figures: revocation latency across two server processes on one
// database, memory per cached session, and the hit ratio and fallback while
// the cache listener is down.
//
//	go run ./bench -cache-figures -revocations 200

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// revocationBound is the target: a logout on one instance stops the token
// on the others within this.
const revocationBound = 100 * time.Millisecond

// cacheFigures are the results of -cache-figures.
type cacheFigures struct {
	revocations            int
	p50, p99, max          time.Duration
	acceptedLate           int // reads on B that began later than revocationBound after the logout returned and were accepted
	bytesPerSession        float64
	hitRatio               float64
	downFor                time.Duration
	downReads, downFellBck int64
}

// serveCacheChild is the child process of -cache-figures: the benchmark's
// sessiongen-cache server on dsn, its address printed on stdout, a
// /cache-stats endpoint, serving until stdin closes.
func serveCacheChild(dsn string) error {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	h, store, stop, err := newSessiongenCache(pool)
	if err != nil {
		return err
	}
	defer stop()
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET /cache-stats", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(store.CacheStats())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Println(ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes stdin to stop us
	return srv.Close()
}

// cacheChild is one server process of -cache-figures.
type cacheChild struct {
	cmd   *exec.Cmd
	stdin io.Closer
	in    *instance
}

// startCacheChild re-executes this binary as a cache server on dsn.
func startCacheChild(dsn, name string) (*cacheChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-serve-cache", dsn)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s: no address: %w", name, err)
	}
	in := &instance{name: name, base: "http://" + strings.TrimSpace(line), client: &http.Client{Timeout: 10 * time.Second}}
	return &cacheChild{cmd: cmd, stdin: stdin, in: in}, nil
}

func (c *cacheChild) stop() {
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func (c *cacheChild) stats() (sessionrt.CacheStats, error) {
	var s sessionrt.CacheStats
	resp, err := c.in.client.Get(c.in.base + "/cache-stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// runCacheFigures measures the cache figures on a fresh database.
func runCacheFigures(ctx context.Context, o options, revocations int, progress io.Writer) (*cacheFigures, error) {
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	adm, err := newAdmin(ctx, o.dsn)
	if err != nil {
		return nil, err
	}
	defer adm.close()
	db := o.dbPrefix + "_cachefig"
	if err := adm.recreate(ctx, db); err != nil {
		return nil, err
	}
	if !o.keep {
		defer adm.drop(context.Background(), db)
	}
	dsn, err := dbURL(o.dsn, db)
	if err != nil {
		return nil, err
	}
	if err := app.Migrate(dsn, io.Discard); err != nil {
		return nil, err
	}
	a, err := startCacheChild(dsn, "A")
	if err != nil {
		return nil, err
	}
	defer a.stop()
	b, err := startCacheChild(dsn, "B")
	if err != nil {
		return nil, err
	}
	defer b.stop()
	f := &cacheFigures{revocations: revocations}

	say("revocation: %d logouts on A, each polled on B until rejected", revocations)
	var lat []time.Duration
	for i := range revocations {
		cookie, err := a.in.login(1000 + i)
		if err != nil {
			return nil, err
		}
		for range 2 { // cached on B
			if code, _, err := b.in.do(req{method: "GET", path: "/read", cookie: cookie}); err != nil || code != 200 {
				return nil, fmt.Errorf("read on B: %d %v", code, err)
			}
		}
		var loggedOut atomic.Int64
		var firstRejected time.Time
		var late int
		done := make(chan error, 1)
		go func() {
			for {
				start := time.Now()
				code, _, err := b.in.do(req{method: "GET", path: "/read", cookie: cookie})
				if err != nil {
					done <- err
					return
				}
				at := loggedOut.Load()
				if code == 200 && at != 0 && start.Sub(time.Unix(0, at)) > revocationBound {
					late++
				}
				if code == 401 {
					firstRejected = time.Now()
					done <- nil
					return
				}
			}
		}()
		time.Sleep(2 * time.Millisecond)
		if code, _, err := a.in.do(req{method: "POST", path: "/logout", cookie: cookie}); err != nil || code != 200 {
			return nil, fmt.Errorf("logout on A: %d %v", code, err)
		}
		t := time.Now()
		loggedOut.Store(t.UnixNano())
		if err := <-done; err != nil {
			return nil, err
		}
		lat = append(lat, max(0, firstRejected.Sub(t)))
		f.acceptedLate += late
	}
	slices.Sort(lat)
	f.p50, f.p99, f.max = percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
	say("revocation latency p50 %v p99 %v max %v; accepted later than %v: %d", f.p50, f.p99, f.max, revocationBound, f.acceptedLate)

	say("memory per cached session")
	if f.bytesPerSession, err = cacheMemory(ctx, dsn, 20000); err != nil {
		return nil, err
	}
	say("%.0f bytes per cached session", f.bytesPerSession)

	say("hit ratio, and fallback while B's listener is down")
	if err := listenerDown(ctx, o, dsn, a, b, f); err != nil {
		return nil, err
	}
	return f, nil
}

// cacheMemory fills one store's cache with n sessions and returns the heap
// growth per session.
func cacheMemory(ctx context.Context, dsn string, n int) (float64, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	h, _, stop, err := newSessiongenCache(pool)
	if err != nil {
		return 0, err
	}
	defer stop()
	in := &instance{name: "mem"}
	if err := in.start(h); err != nil {
		return 0, err
	}
	defer in.close()
	cookies, err := in.loginMany(n, 16, 500000)
	if err != nil {
		return 0, err
	}
	read := func() error {
		for _, c := range cookies {
			if code, _, err := in.do(req{method: "GET", path: "/read", cookie: c}); err != nil || code != 200 {
				return fmt.Errorf("read: %d %v", code, err)
			}
		}
		return nil
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	if err := read(); err != nil { // fills the cache
		return 0, err
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	return float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)) / float64(n), nil
}

// listenerDown runs reads on B over 64 sessions for 6 s, terminates B's
// listener connection after 2 s, and reports the hit ratio over the whole
// run, how long B's cache was off, and how many reads fell back to the
// database meanwhile.
func listenerDown(ctx context.Context, o options, dsn string, a, b *cacheChild, f *cacheFigures) error {
	cookies := make([]string, 64)
	for i := range cookies {
		c, err := a.in.login(2000 + i)
		if err != nil {
			return err
		}
		cookies[i] = c
	}
	s0, err := b.stats()
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, _, _ = b.in.do(req{method: "GET", path: "/read", cookie: cookies[i%len(cookies)]})
			}
		})
	}
	time.Sleep(2 * time.Second)
	before, err := b.stats()
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	start := time.Now()
	// Both children's listeners share the application_name; terminate B's
	// by its pid: the one that is not A's... both are killed, and both
	// reconnect; the figures are B's.
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE application_name = 'sessionrt cache listener' AND datname = current_database()`); err != nil {
		return err
	}
	for {
		s, err := b.stats()
		if err != nil {
			return err
		}
		if s.Flushes > before.Flushes+1 && s.On { // off (flush), then on again (flush)
			f.downFor = time.Since(start)
			f.downReads = (s.Bypassed - before.Bypassed) + (s.Hits - before.Hits) + (s.Misses - before.Misses)
			f.downFellBck = s.Bypassed - before.Bypassed
			break
		}
		if time.Since(start) > 30*time.Second {
			return fmt.Errorf("B's cache did not come back")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	s1, err := b.stats()
	if err != nil {
		return err
	}
	total := (s1.Hits - s0.Hits) + (s1.Misses - s0.Misses) + (s1.Bypassed - s0.Bypassed)
	f.hitRatio = float64(s1.Hits-s0.Hits) / float64(max(total, 1))
	return nil
}

// markdown renders the cache table of docs/BENCHMARKS.md: the run's date,
// command and machine, then the figures.
func (f *cacheFigures) markdown(cmd string, started time.Time, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Run of %s\n\n", started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Command: `%s` (took %s)\n", cmd, took.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s\n\n", machine())
	b.WriteString("| figure | value | target |\n|---|---:|---|\n")
	ok := "met"
	if f.p99 > revocationBound || f.acceptedLate > 0 {
		ok = "**missed**"
	}
	fmt.Fprintf(&b, "| revocation latency, logout on process A to the first rejection on process B (%d logouts): p50 / p99 / max | %v / %v / %v | p99 ≤ %v: %s |\n", f.revocations, f.p50.Round(10*time.Microsecond), f.p99.Round(10*time.Microsecond), f.max.Round(10*time.Microsecond), revocationBound, ok)
	fmt.Fprintf(&b, "| reads on B accepted later than %v after the logout returned | %d | 0 |\n", revocationBound, f.acceptedLate)
	fmt.Fprintf(&b, "| memory per cached session (example payload, Go heap) | %.0f bytes | – |\n", f.bytesPerSession)
	fmt.Fprintf(&b, "| hit ratio, 8 workers over 64 sessions for about 6 s, listener killed once | %.3f | – |\n", f.hitRatio)
	fmt.Fprintf(&b, "| listener killed (pg_terminate_backend): cache off, then serving again after | %v | – |\n", f.downFor.Round(time.Millisecond))
	fmt.Fprintf(&b, "| reads from the kill to serving again: answered by the database once the loss was seen / all (the others came from the cache before the loss reached the listener; no session changed in this window) | %d of %d | – |\n", f.downFellBck, f.downReads)
	return b.String()
}
