package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// soakReport is the outcome of the soak.
type soakReport struct {
	Engine     *engine
	Clients    int
	Duration   time.Duration
	Load       summary
	Errors     int // 5xx + hung + no answer + unexpected 4xx
	Excused    int
	FinalOK    int
	Panics     int64
	Start, End memStats
	Samples    []memStats
	Failures   []string
	Unexpect   []string
	Logged     map[string]int // the errors the app logged, by class (errorClass)
	OtherErrs  []string       // a few of those of class "other"
}

// runSoak drives clients browsers mixing every endpoint (bob's clients also
// log out everywhere) for d and checks errors, lost updates, memory and
// goroutines.
func runSoak(ctx context.Context, e *engine, clients int, d time.Duration) (*soakReport, error) {
	rep := &soakReport{Engine: e, Clients: clients, Duration: d}
	db, err := e.create(ctx, "reliability_soak")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	errs := &errorLog{}
	a, err := startApp(ctx, appOptions{PoolURL: db.URL, MaxConns: 16, QueryTimeout: 3 * time.Second, Logger: errs.logger()})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: clients, Deadline: 5 * time.Second, LogoutAll: true, Aggregate: true})
	warm := min(5*time.Second, d/6)
	time.Sleep(warm)
	rep.Start = readMem()
	end := time.Now().Add(d - warm)
	for time.Now().Before(end) {
		time.Sleep(min(10*time.Second, time.Until(end)))
		rep.Samples = append(rep.Samples, readMem())
	}
	rep.End = readMem()
	stop()
	st := lr.wait()
	rep.Load = st.summarize(time.Time{}, time.Time{})
	rep.Errors = rep.Load.C5xx + rep.Load.Hung + rep.Load.Transport + st.oddCount
	rep.Excused = st.excused
	rep.FinalOK = st.finalOK
	rep.Panics = a.Panics.Load()
	rep.Unexpect = st.unexpect
	rep.Logged, rep.OtherErrs = errs.counts()
	if rep.Errors > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d errors (5xx %d, hung %d, no answer %d, unexpected 4xx %d): %v; errors the app logged: %s %q",
			rep.Errors, rep.Load.C5xx, rep.Load.Hung, rep.Load.Transport, st.oddCount, st.unexpect, errorSummary(rep.Logged), rep.OtherErrs))
	}
	if rep.Load.Lost > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d lost updates: %v", rep.Load.Lost, first(st.lost, 5)))
	}
	if rep.Panics > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d panics", rep.Panics))
	}
	// Flat: the end may not exceed the highest count of the run's first
	// half by more than a small margin. Under load the count swings by
	// about a tenth of the clients (connections opening and closing), so a
	// single reading at the start is no baseline; a leak keeps growing
	// through the second half.
	base := rep.Start.Goroutines
	for _, s := range rep.Samples[:len(rep.Samples)/2] {
		base = max(base, s.Goroutines)
	}
	if rep.End.Goroutines > base+clients/4+8 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("goroutines grew from %d (the first half's highest) to %d", base, rep.End.Goroutines))
	}
	if float64(rep.End.HeapAlloc) > 1.5*float64(rep.Start.HeapAlloc)+8<<20 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("heap grew from %s to %s", rep.Start, rep.End))
	}
	return rep, nil
}

// pgbouncer is a PgBouncer process in transaction pooling mode.
type pgbouncer struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	log  *bytes.Buffer
}

// startPgBouncer runs Debian's pgbouncer as the postgres user from a
// temporary config on a spare loopback port, installing it if missing.
func startPgBouncer(ctx context.Context, install bool) (*pgbouncer, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil && install {
		out, ierr := exec.CommandContext(ctx, "sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer").CombinedOutput()
		if ierr != nil {
			return nil, fmt.Errorf("apt-get install pgbouncer: %v: %s", ierr, out)
		}
		// The outer err, not a shadow: a successful install must clear it.
		bin, err = exec.LookPath("pgbouncer")
	}
	if err != nil {
		return nil, fmt.Errorf("pgbouncer not installed (apt-get install -y pgbouncer): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir, err := os.MkdirTemp("", "reliability-pgbouncer-")
	if err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=5432 user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,default_query_exec_mode
logfile = %s
pidfile = %s
`, port, filepath.Join(dir, "pgbouncer.log"), filepath.Join(dir, "pgbouncer.pid"))
	path := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	if os.Geteuid() == 0 { // pgbouncer refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		cmd = exec.Command("runuser", "-u", "postgres", "--", bin, path)
	} else {
		cmd = exec.Command(bin, path)
	}
	b := &pgbouncer{Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd, dir: dir, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = b.log, b.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if !waitFor(10*time.Second, func() bool {
		c, err := net.Dial("tcp", b.Addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		b.Close()
		return nil, fmt.Errorf("pgbouncer did not listen on %s: %s", b.Addr, b.log)
	}
	return b, nil
}

// Close stops the pgbouncer process this run started: the daemon (pid from
// its pidfile, written by the process we started) and runuser around it.
func (b *pgbouncer) Close() {
	if data, err := os.ReadFile(filepath.Join(b.dir, "pgbouncer.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Signal(syscall.SIGTERM)
			}
		}
	}
	if b.cmd.Process != nil {
		done := make(chan struct{})
		go func() { _ = b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = b.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(b.dir)
}

// bouncerMode is one pgx query execution mode tried through PgBouncer.
type bouncerMode struct {
	Mode    string
	Refused error // NewManager refused the mode at start (ErrUnsafeExecMode)
	Load    summary
	Errors  int      // 5xx, hung, no answer, unexpected 4xx, lost and panics
	Panics  int64    // handler panics recovered
	Sample  []string // first unexpected answers
	Losses  []string // first acknowledged data found missing
}

// runPgBouncerLoad serves the example through PgBouncer with the given
// pgx default_query_exec_mode ("" = pgx's default, cache_statement) and
// sessionrt.Config.TransactionPooler set to txPooler. A mode the runtime
// refuses at start is reported in Refused, not as an error.
func runPgBouncerLoad(ctx context.Context, b *pgbouncer, mode string, txPooler bool, clients int, d time.Duration) (*bouncerMode, error) {
	db, err := createDB(ctx, "reliability_bouncer")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	u := withHostPort(db.URL, b.Addr)
	if mode != "" {
		u = withParam(u, "default_query_exec_mode", mode)
	}
	r := &bouncerMode{Mode: mode}
	if r.Mode == "" {
		r.Mode = "cache_statement (pgx default)"
	}
	a, err := startApp(ctx, appOptions{PoolURL: u, MaxConns: 16, QueryTimeout: 2 * time.Second, TxPooler: txPooler})
	if errors.Is(err, sessionrt.ErrUnsafeExecMode) {
		r.Refused = err
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	lctx, stop := context.WithTimeout(ctx, d)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: clients, Deadline: 4 * time.Second})
	<-lctx.Done()
	st := lr.wait()
	a.Close()
	r.Load = st.summarize(time.Time{}, time.Time{})
	r.Panics = a.Panics.Load()
	r.Errors = r.Load.C5xx + r.Load.Hung + r.Load.Transport + st.oddCount + r.Load.Lost + int(r.Panics)
	r.Sample = first(st.unexpect, 3)
	r.Losses = first(st.lost, 3)
	return r, nil
}

// runContractThroughBouncer runs the example's own test suite with its
// databases reached through PgBouncer.
func runContractThroughBouncer(ctx context.Context, b *pgbouncer, repo, mode string) (string, error) {
	u := withHostPort(adminURL(), b.Addr)
	u = withParam(u, "default_query_exec_mode", mode)
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "./example/app/")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "SESSIONGEN_TEST_DATABASE_URL="+u)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// cacheBouncerRun is the session cache with queries through PgBouncer and
// the listener on a direct connection.
type cacheBouncerRun struct {
	Load         summary
	Errors       int
	Revocations  int
	Slowest      time.Duration // logout on A to the first rejection on B
	AcceptedLate int           // reads on B accepted more than 100 ms after the logout
	Hits         int64         // B's cache hits during the load
}

// runCacheThroughBouncer starts two app instances whose pools go through
// PgBouncer (cache_describe, TransactionPooler) and whose cache listeners
// connect directly, runs the load on both, and measures revocation: a
// logout on A, polled on B until rejected.
func runCacheThroughBouncer(ctx context.Context, b *pgbouncer, clients int, d time.Duration) (*cacheBouncerRun, error) {
	db, err := createDB(ctx, "reliability_bouncer_cache")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	u := withParam(withHostPort(db.URL, b.Addr), "default_query_exec_mode", "cache_describe")
	opt := appOptions{PoolURL: u, MaxConns: 16, QueryTimeout: 2 * time.Second, TxPooler: true, Cache: 10000, ListenURL: db.URL}
	a, err := startApp(ctx, opt)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	bb, err := startApp(ctx, opt)
	if err != nil {
		return nil, err
	}
	defer bb.Close()
	r := &cacheBouncerRun{}
	h0 := bb.App.Sessions.CacheStats().Hits
	lctx, stop := context.WithTimeout(ctx, d)
	defer stop()
	la := startLoad(lctx, a.URL, loadOptions{Clients: clients / 2, Deadline: 4 * time.Second})
	lb := startLoad(lctx, bb.URL, loadOptions{Clients: clients / 2, Deadline: 4 * time.Second})
	<-lctx.Done()
	for _, l := range []*loadRun{la, lb} {
		st := l.wait()
		sum := st.summarize(time.Time{}, time.Time{})
		r.Load.Attempted += sum.Attempted
		r.Load.OK += sum.OK
		r.Load.C5xx += sum.C5xx
		r.Load.Lost += sum.Lost
		r.Errors += sum.C5xx + sum.Hung + sum.Transport + st.oddCount + sum.Lost
	}
	r.Hits = bb.App.Sessions.CacheStats().Hits - h0
	r.Errors += int(a.Panics.Load() + bb.Panics.Load())

	// Revocation across the two instances.
	for i := range 50 {
		jar := newJarClient()
		if code := jar.post(a.URL+"/login", fmt.Sprintf(`{"email":"%s","password":"%s"}`, "alice@example.com", app.DemoPassword)); code != 200 {
			return nil, fmt.Errorf("login %d on A: %d", i, code)
		}
		for range 2 {
			if code := jar.get(bb.URL + "/me"); code != 200 {
				return nil, fmt.Errorf("read %d on B: %d", i, code)
			}
		}
		cookie := jar.cookieFor(bb.URL)
		if code := jar.post(a.URL+"/logout", ""); code != 204 && code != 200 {
			return nil, fmt.Errorf("logout %d on A: %d", i, code)
		}
		out := time.Now()
		for {
			start := time.Now()
			code := getWithCookie(bb.URL+"/me", cookie)
			if code == 401 {
				r.Slowest = max(r.Slowest, time.Since(out))
				break
			}
			if start.Sub(out) > 100*time.Millisecond {
				r.AcceptedLate++
			}
			if time.Since(out) > 5*time.Second {
				return nil, fmt.Errorf("B still accepts the token 5 s after the logout on A")
			}
		}
		r.Revocations++
	}
	return r, nil
}

// jarClient is one browser for the revocation check: a cookie jar.
type jarClient struct{ c *http.Client }

func newJarClient() *jarClient {
	jar, _ := cookiejar.New(nil)
	return &jarClient{c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (j *jarClient) post(url, body string) int {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return j.send(req)
}

func (j *jarClient) get(url string) int {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	return j.send(req)
}

func (j *jarClient) send(req *http.Request) int {
	resp, err := j.c.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// cookieFor returns the jar's Cookie header value for base.
func (j *jarClient) cookieFor(base string) string {
	u, _ := neturl.Parse(base)
	var parts []string
	for _, c := range j.c.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// getWithCookie sends a GET with the Cookie header value cookie.
func getWithCookie(url, cookie string) int {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
