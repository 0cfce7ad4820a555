package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// faultOptions sizes one fault-under-load run.
type faultOptions struct {
	Clients      int
	QueryTimeout time.Duration
	Warmup       time.Duration // steady load before the fault
	Outage       time.Duration // how long the fault lasts
	After        time.Duration // load after the fault ends
	MaxConns     int32
	UseProxy     bool // the app reaches PostgreSQL through a cuttable loopback proxy
}

// faultEnv is what an injector may act on.
type faultEnv struct {
	db    *testDB
	proxy *tcpProxy
	app   *appServer
	opt   faultOptions
	notes []string
}

func (e *faultEnv) note(format string, args ...any) {
	e.notes = append(e.notes, fmt.Sprintf(format, args...))
}

// faultReport is one row of the results table.
type faultReport struct {
	Name      string
	Command   string
	Total     summary // whole run
	During    summary // requests started while the fault was on
	Panics    int64
	FirstOK   time.Duration // first 2xx after the fault ended (-1: none)
	LastFail  time.Duration // last failure after the fault ended (-1: none)
	FinalOK   int           // sessions verified intact at the end
	Excused   int
	Notes     []string
	Failures  []string
	Unexpect  []string
	LostItems []string
}

func (r *faultReport) failf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

// injector applies the fault and returns when it is over: faultStart is
// when it took effect, faultEnd when the database was usable again.
type injector func(ctx context.Context, e *faultEnv) (faultStart, faultEnd time.Time, err error)

// runFault runs steady mixed load against the example, injects the fault,
// keeps the load on for opt.After, and checks the figures.
func runFault(ctx context.Context, name string, opt faultOptions, inject injector) (*faultReport, error) {
	rep := &faultReport{Name: name}
	db, err := createDB(ctx, "reliability")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := db.drop(); err != nil {
			rep.Notes = append(rep.Notes, "drop database: "+err.Error())
		}
	}()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	env := &faultEnv{db: db, opt: opt}
	poolURL := db.URL
	if opt.UseProxy {
		u, _ := pgx.ParseConfig(db.URL)
		p, err := newTCPProxy(fmt.Sprintf("%s:%d", u.Host, u.Port))
		if err != nil {
			return nil, err
		}
		defer p.Close()
		env.proxy = p
		poolURL = withHostPort(db.URL, p.Addr)
	}
	a, err := startApp(ctx, appOptions{PoolURL: poolURL, MaxConns: opt.MaxConns, QueryTimeout: opt.QueryTimeout})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	env.app = a

	lctx, stop := context.WithCancel(ctx)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: opt.Clients, Deadline: opt.QueryTimeout + 2*time.Second})
	time.Sleep(opt.Warmup)
	start, end, ierr := inject(ctx, env)
	if ierr == nil {
		time.Sleep(opt.After)
	}
	stop()
	st := lr.wait()
	if ierr != nil {
		return rep, ierr
	}
	rep.Notes = append(rep.Notes, env.notes...)
	rep.Total = st.summarize(time.Time{}, time.Time{})
	rep.During = st.summarize(start, end)
	rep.Panics = a.Panics.Load()
	rep.FirstOK, rep.LastFail = st.recovery(end)
	rep.FinalOK = st.finalOK
	rep.Excused = st.excused
	rep.Unexpect = st.unexpect
	rep.LostItems = st.lost

	deadline := opt.QueryTimeout + 2*time.Second
	if rep.Total.Hung > 0 {
		rep.failf("%d requests hung past the %s client deadline", rep.Total.Hung, deadline)
	}
	if rep.Total.Transport > 0 {
		rep.failf("%d requests got no HTTP answer", rep.Total.Transport)
	}
	if rep.Panics > 0 {
		rep.failf("%d handler panics", rep.Panics)
	}
	if rep.Total.Lost > 0 {
		rep.failf("%d sessions lost acknowledged data: %v", rep.Total.Lost, first(st.lost, 5))
	}
	if rep.Total.C4xx > 0 {
		rep.failf("%d unexpected 4xx answers: %v", rep.Total.C4xx, st.unexpect)
	}
	if rep.Total.Max5xx > deadline {
		rep.failf("a 5xx took %s, longer than the %s deadline", rep.Total.Max5xx.Round(time.Millisecond), deadline)
	}
	if rep.FirstOK < 0 {
		rep.failf("no successful request after the fault ended")
	}
	if rep.LastFail > 2*time.Second {
		rep.failf("requests still failed %s after the database was back (want ≤ 2s)", rep.LastFail.Round(time.Millisecond))
	}
	if rep.FinalOK == 0 {
		rep.failf("no session could be verified at the end")
	}
	return rep, nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// injectProxyCut cuts the loopback proxy between the app and PostgreSQL
// (open connections reset, new ones refused) for opt.Outage: the in-test
// stand-in for a database restart, safe while other test packages share
// the server.
func injectProxyCut(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	start := time.Now()
	e.proxy.Cut()
	time.Sleep(e.opt.Outage)
	if err := e.proxy.Restore(); err != nil {
		return start, time.Now(), err
	}
	return start, time.Now(), nil
}

// injectRestart stops the PostgreSQL cluster, waits opt.Outage, starts it
// and returns when it accepts connections.
func injectRestart(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	start := time.Now()
	if out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "stop").CombinedOutput(); err != nil {
		return start, time.Now(), fmt.Errorf("pg_ctlcluster stop: %v: %s", err, out)
	}
	e.note("stop took %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(e.opt.Outage)
	t := time.Now()
	if out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start").CombinedOutput(); err != nil {
		return start, time.Now(), fmt.Errorf("pg_ctlcluster start: %v: %s", err, out)
	}
	ok := waitFor(30*time.Second, func() bool {
		c, err := pgx.Connect(ctx, e.db.URL)
		if err != nil {
			return false
		}
		c.Close(ctx)
		return true
	})
	end := time.Now()
	if !ok {
		return start, end, fmt.Errorf("PostgreSQL did not come back")
	}
	e.note("start took %s until it accepted connections", end.Sub(t).Round(time.Millisecond))
	return start, end, nil
}

// injectTerminate kills every backend of the app's database with
// pg_terminate_backend.
func injectTerminate(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer conn.Close(context.Background())
	start := time.Now()
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, e.db.Name).Scan(&n)
	end := time.Now()
	if err != nil {
		return start, end, err
	}
	e.note("terminated %d backends (pool max %d)", n, e.opt.MaxConns)
	return start, end, nil
}

// injectLock holds LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE for
// opt.Outage and samples how many of the app's backends pile up meanwhile.
func injectLock(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	conn, err := pgx.Connect(ctx, e.db.URL)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer conn.Close(context.Background())
	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer admin.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE"); err != nil {
		return time.Now(), time.Now(), err
	}
	start := time.Now()
	var peakWait, peakAll atomic.Int64
	sampler, stopSampler := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sampler.Err() == nil {
			var w, all int64
			if err := admin.QueryRow(sampler, `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity WHERE datname = $1`, e.db.Name).Scan(&w, &all); err == nil {
				peakWait.Store(max(peakWait.Load(), w))
				peakAll.Store(max(peakAll.Load(), all))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	time.Sleep(e.opt.Outage)
	err = tx.Commit(ctx)
	end := time.Now()
	stopSampler()
	<-done
	e.note("lock held %s; peak backends of the app's database: %d, of which waiting on the lock: %d (pool max %d)",
		end.Sub(start).Round(time.Millisecond), peakAll.Load(), peakWait.Load(), e.opt.MaxConns)
	return start, end, err
}

// formatReport renders a fault report for the console.
func formatReport(r *faultReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", r.Name)
	t := r.Total
	fmt.Fprintf(&b, "  attempted %d, 2xx %d, 4xx %d, 5xx %d, hung %d, no answer %d, panics %d, lost %d (excused by logout-all %d), sessions verified at end %d\n",
		t.Attempted, t.OK, t.C4xx, t.C5xx, t.Hung, t.Transport, r.Panics, t.Lost, r.Excused, r.FinalOK)
	d := r.During
	fmt.Fprintf(&b, "  during the fault: attempted %d, 2xx %d, 5xx %d, hung %d, slowest 5xx %s\n",
		d.Attempted, d.OK, d.C5xx, d.Hung, d.Max5xx.Round(time.Millisecond))
	fmt.Fprintf(&b, "  after the fault: first 2xx at %s, last failure at %s\n", fmtDur(r.FirstOK), fmtDur(r.LastFail))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	for _, u := range r.Unexpect {
		fmt.Fprintf(&b, "  unexpected: %s\n", u)
	}
	if len(r.Failures) == 0 {
		b.WriteString("  PASS\n")
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  FAIL: %s\n", f)
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	if d < 0 {
		return "none"
	}
	return "+" + d.Round(time.Millisecond).String()
}
