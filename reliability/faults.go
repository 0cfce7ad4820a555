package main

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os/exec"
	"slices"
	"strings"
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
	UseProxy     bool // the app reaches the server through a cuttable loopback proxy
}

// faultRun is one fault run on one engine, a row of the table: the
// engines' entries list theirs (postgresFaults, mysqlFaults).
type faultRun struct {
	Run    string // the -only name: restart, terminate, lock
	ID     string // the table's row number
	Title  string // the console's heading
	What   string // the table's "Fault or input" cell
	Test   string // its short test, "" when none
	Inject injector
	// Params are added to the query of the app's pool URL: on MySQL,
	// session variables every connection sets (app.MySQLDSN).
	Params map[string]string
	// QueryTimeout, when set, is the run's sessionrt QueryTimeout instead
	// of -query-timeout.
	QueryTimeout time.Duration
	// check adds the run's own checks to the report of a finished run.
	check func(rep *faultReport, opt faultOptions)
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
	Engine    *engine
	Fault     faultRun
	Total     summary // whole run
	During    summary // requests started while the fault was on
	Panics    int64
	FirstOK   time.Duration // first 2xx after the fault ended (-1: none)
	LastFail  time.Duration // last failure after the fault ended (-1: none)
	FinalOK   int           // sessions verified intact at the end
	Excused   int
	Errors    map[string]int // the errors the app logged, by class (errorClass)
	OtherErrs []string       // a few of those of class "other"
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

// runFault runs steady mixed load against the example on engine e,
// injects the fault f, keeps the load on for opt.After, and checks the
// figures.
func runFault(ctx context.Context, e *engine, f faultRun, opt faultOptions) (*faultReport, error) {
	if f.QueryTimeout > 0 {
		opt.QueryTimeout = f.QueryTimeout
	}
	rep := &faultReport{Name: f.Title, Engine: e, Fault: f}
	db, err := e.create(ctx, "reliability")
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
		addr, err := e.serverAddr(db.URL)
		if err != nil {
			return nil, err
		}
		p, err := newTCPProxy(addr)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		env.proxy = p
		poolURL = withHostPort(db.URL, p.Addr)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Params)) {
		poolURL = withParam(poolURL, k, f.Params[k])
	}
	errs := &errorLog{}
	a, err := startApp(ctx, appOptions{PoolURL: poolURL, MaxConns: opt.MaxConns, QueryTimeout: opt.QueryTimeout, Logger: errs.logger()})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	env.app = a

	lctx, stop := context.WithCancel(ctx)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: opt.Clients, Deadline: opt.QueryTimeout + 2*time.Second})
	time.Sleep(opt.Warmup)
	start, end, ierr := f.Inject(ctx, env)
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
	rep.Errors, rep.OtherErrs = errs.counts()

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
	if rep.Total.Not503 > 0 {
		rep.failf("%d 5xx answers other than 503: a database error the store did not read as unavailable (errors logged: %s)", rep.Total.Not503, errorSummary(rep.Errors))
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
	if f.check != nil {
		f.check(rep, opt)
	}
	return rep, nil
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// injectProxyCut cuts the loopback proxy between the app and the server
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

// postgresFaults are PostgreSQL's fault runs: rows 1-3.
func postgresFaults() []faultRun {
	return []faultRun{
		{Run: "restart", ID: "1", Title: "1. PostgreSQL restarted mid-load (pg_ctlcluster stop, wait, start)",
			What: "PostgreSQL restarted mid-load (`pg_ctlcluster stop`, wait, `start`)", Inject: injectRestart},
		{Run: "terminate", ID: "2", Title: "2. every pool connection killed with pg_terminate_backend",
			What: "Every pool connection killed with `pg_terminate_backend`", Test: "TestTerminateBackends", Inject: injectTerminate},
		{Run: "lock", ID: "3", Title: "3. LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE held mid-load",
			What: "`LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE` held mid-load", Test: "TestTableLock", Inject: injectLock},
	}
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
	peakAll, peakWait := samplePeak(ctx, func(ctx context.Context) (all, waiting int64, err error) {
		err = admin.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity WHERE datname = $1`, e.db.Name).Scan(&all, &waiting)
		return all, waiting, err
	}, e.opt.Outage)
	err = tx.Commit(ctx)
	end := time.Now()
	e.note("lock held %s; peak backends of the app's database: %d, of which waiting on the lock: %d (pool max %d)",
		end.Sub(start).Round(time.Millisecond), peakAll, peakWait, e.opt.MaxConns)
	return start, end, err
}

// samplePeak calls sample every 100ms for d and returns the peaks of its
// two counts.
func samplePeak(ctx context.Context, sample func(context.Context) (all, waiting int64, err error), d time.Duration) (peakAll, peakWait int64) {
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		all, w, err := sample(sctx)
		cancel()
		if err == nil {
			peakAll, peakWait = max(peakAll, all), max(peakWait, w)
		}
		time.Sleep(min(100*time.Millisecond, time.Until(end)))
	}
	return peakAll, peakWait
}

// The MySQL server the restart run stops and starts: Debian's MariaDB, as
// scripts/ensure-mariadb.sh starts it.
const (
	mariadbAdmin  = "mariadb-admin"
	mariadbServer = "/usr/sbin/mariadbd"
)

// lockWaitLong and lockWaitShort are innodb_lock_wait_timeout of the two
// MySQL lock runs, in seconds: longer than -query-timeout (the store's
// QueryTimeout answers first) and shorter than lockShortQueryTimeout (the
// server's error 1205 answers first).
const (
	lockWaitLong          = 50 // the server's default
	lockWaitShort         = 1
	lockShortQueryTimeout = 5 * time.Second
)

// mysqlFaults are MySQL's fault runs: rows 1-3 and 3′.
func mysqlFaults() []faultRun {
	return []faultRun{
		{Run: "restart", ID: "1", Title: "1. MySQL (MariaDB) restarted mid-load (mariadb-admin shutdown, wait, mariadbd started)",
			What: "MariaDB restarted mid-load (`mariadb-admin shutdown`, wait, `mariadbd` started again)", Inject: injectRestartMySQL},
		{Run: "terminate", ID: "2", Title: "2. every pool connection killed with KILL",
			What: "Every pool connection killed with `KILL` (its ids from `information_schema.PROCESSLIST`)", Test: "TestTerminateBackends", Inject: injectKillMySQL},
		{Run: "lock", ID: "3", Title: fmt.Sprintf("3. every session row locked (SELECT … FOR UPDATE) mid-load, innodb_lock_wait_timeout %d s > QueryTimeout", lockWaitLong),
			What:   fmt.Sprintf("Every session row locked by another connection (`SELECT … FOR UPDATE` in an open transaction) mid-load; the app's `innodb_lock_wait_timeout` %d s, longer than `QueryTimeout`", lockWaitLong),
			Test:   "TestTableLock",
			Inject: injectLockMySQL, Params: map[string]string{"innodb_lock_wait_timeout": fmt.Sprint(lockWaitLong)},
			check: checkLockWait(false)},
		{Run: "lock", ID: "3′", Title: fmt.Sprintf("3′. every session row locked mid-load, innodb_lock_wait_timeout %d s < QueryTimeout %s", lockWaitShort, lockShortQueryTimeout),
			What: fmt.Sprintf("The same with the app's `innodb_lock_wait_timeout` %d s, shorter than `QueryTimeout` (%s in this row): the server answers first, with error 1205", lockWaitShort, lockShortQueryTimeout),
			Test: "TestTableLock", Inject: injectLockMySQL, Params: map[string]string{"innodb_lock_wait_timeout": fmt.Sprint(lockWaitShort)},
			QueryTimeout: lockShortQueryTimeout, check: checkLockWait(true)},
	}
}

// checkLockWait checks where a MySQL lock run's 503s came from. With a
// lock wait shorter than QueryTimeout (short): from the server's error
// 1205, so some must be logged and none may have waited for QueryTimeout.
// With a longer one: from QueryTimeout, so none may be 1205.
func checkLockWait(short bool) func(rep *faultReport, opt faultOptions) {
	return func(rep *faultReport, opt faultOptions) {
		n1205 := rep.Errors[errClassLockWait]
		if !short {
			if n1205 > 0 {
				rep.failf("%d requests failed with error 1205 although innodb_lock_wait_timeout (%d s) is longer than QueryTimeout (%s)", n1205, lockWaitLong, opt.QueryTimeout)
			}
			return
		}
		if n1205 == 0 {
			rep.failf("no request failed with error 1205 (lock wait timeout): the server's innodb_lock_wait_timeout of %d s did not answer first", lockWaitShort)
		}
		if rep.During.Max5xx >= opt.QueryTimeout {
			rep.failf("a 5xx during the lock took %s: it waited for QueryTimeout (%s), not for the server's %d s lock wait", rep.During.Max5xx.Round(time.Millisecond), opt.QueryTimeout, lockWaitShort)
		}
	}
}

// mysqlServerAddr is the host and port of the MySQL admin server.
func mysqlServerAddr() (host, port string, err error) {
	u, err := url.Parse(mysqlAdminURL())
	if err != nil {
		return "", "", err
	}
	port = u.Port()
	if port == "" {
		port = "3306"
	}
	return u.Hostname(), port, nil
}

// injectRestartMySQL stops MariaDB with mariadb-admin shutdown, waits
// opt.Outage, starts it again as scripts/ensure-mariadb.sh does and returns
// when it accepts connections.
func injectRestartMySQL(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	host, port, err := mysqlServerAddr()
	if err != nil {
		return time.Now(), time.Now(), err
	}
	u, _ := url.Parse(mysqlAdminURL())
	args := []string{"--protocol=tcp", "-h", host, "-P", port, "-u", u.User.Username()}
	if p, ok := u.User.Password(); ok {
		args = append(args, "-p"+p)
	}
	start := time.Now()
	if out, err := exec.CommandContext(ctx, mariadbAdmin, append(args, "shutdown")...).CombinedOutput(); err != nil {
		return start, time.Now(), fmt.Errorf("%s shutdown: %v: %s", mariadbAdmin, err, out)
	}
	e.note("shutdown took %s", time.Since(start).Round(time.Millisecond))
	time.Sleep(e.opt.Outage)
	t := time.Now()
	if err := startMariaDB(ctx, e.db.URL); err != nil {
		return start, time.Now(), err
	}
	end := time.Now()
	e.note("start took %s until it accepted connections", end.Sub(t).Round(time.Millisecond))
	return start, end, nil
}

// startMariaDB starts mariadbd as scripts/ensure-mariadb.sh does and waits
// until dbURL accepts connections, for up to a minute. It asks again every
// few seconds: start-stop-daemon --oknodo does nothing while the stopped
// server's process is still exiting.
func startMariaDB(ctx context.Context, dbURL string) error {
	db, err := openMySQLSQL(dbURL, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if out, err := exec.CommandContext(ctx, "install", "-d", "-o", "mysql", "-g", "mysql", "/run/mysqld").CombinedOutput(); err != nil {
		return fmt.Errorf("install -d /run/mysqld: %v: %s", err, out)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := exec.CommandContext(ctx, "start-stop-daemon", "--start", "--oknodo", "--background", "--exec", mariadbServer, "--", "--user=mysql").CombinedOutput()
		if err != nil {
			return fmt.Errorf("start-stop-daemon --start %s: %v: %s", mariadbServer, err, out)
		}
		if waitFor(5*time.Second, func() bool {
			pctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			return db.PingContext(pctx) == nil
		}) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("MariaDB did not come back within a minute (see /var/log/mysql/; scripts/ensure-mariadb.sh starts it)")
		}
	}
}

// injectKillMySQL kills every connection of the app's database with KILL.
func injectKillMySQL(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	admin, err := mysqlAdmin(ctx, 0)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer admin.Close()
	start := time.Now()
	n, err := killMySQLConnections(ctx, admin, e.db.Name)
	end := time.Now()
	if err != nil {
		return start, end, err
	}
	e.note("killed %d connections (pool max %d)", n, e.opt.MaxConns)
	return start, end, nil
}

// injectLockMySQL locks every session row from another connection,
// SELECT … FOR UPDATE through the primary key in an open transaction
// (REPEATABLE READ: next-key locks, so new rows wait too), for opt.Outage,
// and samples how many of the app's connections pile up meanwhile.
func injectLockMySQL(ctx context.Context, e *faultEnv) (time.Time, time.Time, error) {
	var wait int
	if err := e.app.DB.MySQL.QueryRowContext(ctx, "SELECT @@SESSION.innodb_lock_wait_timeout").Scan(&wait); err != nil {
		return time.Now(), time.Now(), fmt.Errorf("reading the app's innodb_lock_wait_timeout: %w", err)
	}
	db, err := openMySQLSQL(e.db.URL, false)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer db.Close()
	admin, err := mysqlAdmin(ctx, 0)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer admin.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return time.Now(), time.Now(), err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN"); err != nil {
		return time.Now(), time.Now(), err
	}
	rows, err := c.QueryContext(ctx, "SELECT token_hash FROM sessions FORCE INDEX (PRIMARY) FOR UPDATE")
	if err != nil {
		return time.Now(), time.Now(), err
	}
	locked := 0
	for rows.Next() {
		locked++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return time.Now(), time.Now(), err
	}
	start := time.Now()
	peakAll, peakWait := samplePeak(ctx, func(ctx context.Context) (all, waiting int64, err error) {
		err = admin.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(t.trx_state = 'LOCK WAIT'), 0)
			FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
			WHERE p.DB = ?`, e.db.Name).Scan(&all, &waiting)
		return all, waiting, err
	}, e.opt.Outage)
	_, err = c.ExecContext(ctx, "COMMIT")
	end := time.Now()
	e.note("%d rows locked for %s; the app's innodb_lock_wait_timeout %d s; peak connections of the app's database: %d, of which waiting on a lock: %d (pool max %d)",
		locked, end.Sub(start).Round(time.Millisecond), wait, peakAll, peakWait, e.opt.MaxConns)
	return start, end, err
}

// formatReport renders a fault report for the console.
func formatReport(r *faultReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s (%s)\n", r.Name, r.Engine.Title)
	t := r.Total
	fmt.Fprintf(&b, "  attempted %d, 2xx %d, 4xx %d, 5xx %d, hung %d, no answer %d, panics %d, lost %d (excused by logout-all %d), sessions verified at end %d\n",
		t.Attempted, t.OK, t.C4xx, t.C5xx, t.Hung, t.Transport, r.Panics, t.Lost, r.Excused, r.FinalOK)
	d := r.During
	fmt.Fprintf(&b, "  during the fault: attempted %d, 2xx %d, 5xx %d (not 503: %d), hung %d, slowest 5xx %s\n",
		d.Attempted, d.OK, d.C5xx, d.Not503, d.Hung, d.Max5xx.Round(time.Millisecond))
	fmt.Fprintf(&b, "  errors the app logged: %s\n", errorSummary(r.Errors))
	for _, o := range r.OtherErrs {
		fmt.Fprintf(&b, "    other: %.300s\n", o)
	}
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

// errorSummary renders errors by class, most frequent first: "812 ×
// QueryTimeout (context deadline exceeded), 3 × connection lost".
func errorSummary(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func fmtDur(d time.Duration) string {
	if d < 0 {
		return "none"
	}
	return "+" + d.Round(time.Millisecond).String()
}
