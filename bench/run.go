package main

import (
	"context"
	"github.com/jackc/pgx/v5"
	"math/rand/v2"
	"strings"

	"fmt"
	"github.com/sessiongen/sessiongen/example/app"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// sample is one scenario window of one mode in one round.
type sample struct {
	rps       float64
	n, errs   int
	rts       int64
	busy      time.Duration // machine CPU busy time of the window (0: unknown)
	self      time.Duration // CPU time of the benchmark process in the window (0: unknown)
	lost      int64         // lost updates (responses that said 200 minus what persisted)
	attempted int64         // successful (200) state-changing requests whose effect was checked
	firstErr  string
}

// results holds everything a run measured.
type results struct {
	opts      options
	started   time.Time
	elapsed   time.Duration
	machine   string
	goVer     string
	pgVer     string
	sqliteVer string // SQLite library version of the -sqlite modes ("" when none ran)
	mysqlVer  string // server version of the -mysql modes ("" when none ran)
	command   string
	samples   map[string]map[string][]sample        // scenario → mode → rounds
	lat       map[string]map[string][]time.Duration // scenario → mode → all latencies
	xacts     map[string][2]int64                   // mode → {tracer, pg_stat_database}
}

// cpuPerReq is the machine's busy CPU time per request in µs, 0 if unknown.
func (s sample) cpuPerReq() float64 {
	if s.n == 0 {
		return 0
	}
	return float64(s.busy) / float64(time.Microsecond) / float64(s.n)
}

// appPerReq is the benchmark process's CPU time per request in µs (load
// generator, HTTP server, session library, pgx), 0 if unknown.
func (s sample) appPerReq() float64 {
	if s.n == 0 || s.busy == 0 {
		return 0
	}
	return float64(s.self) / float64(time.Microsecond) / float64(s.n)
}

func (r *results) add(sc, mode string, s sample, lat []time.Duration) {
	if r.samples[sc] == nil {
		r.samples[sc] = map[string][]sample{}
		r.lat[sc] = map[string][]time.Duration{}
	}
	r.samples[sc][mode] = append(r.samples[sc][mode], s)
	r.lat[sc][mode] = append(r.lat[sc][mode], lat...)
}

// createDB creates the mode's database, with the emitted migrations applied
// for the sessiongen modes (dbmate runs on its own connection, before the
// pg_stat_database snapshot); the -mysql modes' on the MySQL server of
// myAdm.
func createDB(ctx context.Context, o options, adm *admin, myAdm *mysqlAdmin, name string) (*instance, error) {
	if isSQLite(name) {
		return createSQLite(o, name)
	}
	if isMySQL(name) {
		return createMySQL(ctx, o, myAdm, name)
	}
	in := &instance{name: name, dbName: o.dbPrefix + "_" + sanitize(name), tr: &counter{}}
	if err := adm.recreate(ctx, in.dbName); err != nil {
		return nil, fmt.Errorf("create database %s: %w", in.dbName, err)
	}
	if strings.HasPrefix(name, "sessiongen") {
		dsn, err := dbURL(o.dsn, in.dbName)
		if err != nil {
			return nil, err
		}
		if err := app.Migrate(dsn, io.Discard); err != nil {
			return nil, fmt.Errorf("%s: migrate: %w", name, err)
		}
		if name != "sessiongen-cache" {
			// The example is generated with -cache; a table generated without
			// it has no evict triggers, and pays no NOTIFY per write.
			if err := dropEvictTriggers(ctx, dsn); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return in, nil
}

// dropEvictTriggers removes the example's evict triggers from the database
// at dsn.
func dropEvictTriggers(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP TRIGGER sessions_evict_update ON sessions; DROP TRIGGER sessions_evict_delete ON sessions")
	return err
}

// buildMode connects the mode's pool and starts its server.
func buildMode(ctx context.Context, o options, in *instance) error {
	name := in.name
	if isSQLite(name) {
		return buildSQLite(ctx, o, in)
	}
	if isMySQL(name) {
		return buildMySQL(ctx, o, in)
	}
	dsn, err := dbURL(o.dsn, in.dbName)
	if err != nil {
		return err
	}
	in.pool, err = newPool(ctx, dsn, int32(o.conns), in.tr)
	if err != nil {
		return fmt.Errorf("%s: connect: %w", name, err)
	}
	var h http.Handler
	switch name {
	case "floor":
		h, err = newFloor(ctx, in.pool, false)
	case "floor-idle":
		h, err = newFloor(ctx, in.pool, true)
	case "sessiongen":
		h, err = newSessiongen(in.pool, 0)
	case "sessiongen-touch1s":
		h, err = newSessiongen(in.pool, time.Second)
	case "sessiongen-cache":
		h, _, in.stop, err = newSessiongenCache(in.pool)
	case "scs":
		h, in.stop, err = newSCS(ctx, in.pool, 0)
	case "scs-idle":
		h, in.stop, err = newSCS(ctx, in.pool, 30*time.Minute)
	case "gorilla":
		h, err = newGorilla(ctx, in.pool)
	default:
		err = fmt.Errorf("unknown mode %q", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return in.start(h)
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// run executes the whole benchmark and returns its results.
func run(ctx context.Context, o options, progress io.Writer) (*results, error) {
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[%s] ", time.Now().Format("15:04:05"))
		fmt.Fprintf(progress, format+"\n", args...)
	}
	res := &results{opts: o, started: time.Now(), machine: machine(), goVer: goVersion(),
		samples: map[string]map[string][]sample{}, lat: map[string]map[string][]time.Duration{}, xacts: map[string][2]int64{}}
	adm, err := newAdmin(ctx, o.dsn)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL (%s): %w", o.dsn, err)
	}
	defer adm.close()
	res.pgVer = adm.serverVersion(ctx)
	var myAdm *mysqlAdmin
	if slices.ContainsFunc(o.modes, isMySQL) {
		if myAdm, err = newMySQLAdmin(ctx, o.mysqlURL); err != nil {
			return nil, err
		}
		defer myAdm.close()
		res.mysqlVer = myAdm.version(ctx)
	}

	var ins []*instance
	defer func() {
		for _, in := range ins {
			in.close()
		}
		for _, in := range ins {
			switch {
			case isSQLite(in.name) && o.keep:
				say("kept %s: %s", in.name, in.sqlitePath)
			case isSQLite(in.name):
				os.RemoveAll(filepath.Dir(in.sqlitePath))
			case isMySQL(in.name) && o.keep:
				say("kept %s: database %s on %s", in.name, in.dbName, redactURL(o.mysqlURL))
			case isMySQL(in.name):
				myAdm.drop(context.Background(), in.dbName)
			case !o.keep:
				adm.drop(context.Background(), in.dbName)
			}
		}
	}()
	for _, m := range o.modes {
		say("creating database for %s", m)
		in, err := createDB(ctx, o, adm, myAdm, m)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	// Snapshot pg_stat_database before any traced connection exists: a
	// backend flushes its counters only when idle for 10 s or at exit, so
	// the cross-check covers the pools' whole life (closed at the end).
	settle()
	for _, in := range ins {
		if isSQLite(in.name) || isMySQL(in.name) {
			continue // no pg_stat_database: SQLite is in the process, MySQL another server
		}
		if in.pgXact0, err = adm.xacts(ctx, in.dbName); err != nil {
			return nil, err
		}
	}
	for _, in := range ins {
		say("starting %s", in.name)
		if err := buildMode(ctx, o, in); err != nil {
			return nil, err
		}
		if in.seeds, err = in.loginMany(o.sessions, o.workers, 1); err != nil {
			return nil, err
		}
		if in.sqlite != nil && res.sqliteVer == "" {
			in.sqlite.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&res.sqliteVer)
		}
	}
	// Warm up every mode (connections, statement caches).
	for _, in := range ins {
		say("warming up %s", in.name)
		for _, sc := range []string{"read", "write", "none"} {
			runWindow(in, o, sc, 300*time.Millisecond)
		}
	}

	total := o.rounds * len(o.scenarios) * len(ins)
	done := 0
	for round := 0; round < o.rounds; round++ {
		order := slices.Clone(ins)
		k := round % len(order)
		order = append(order[k:], order[:k]...)
		loginRPS := map[string]float64{}
		for _, sc := range o.scenarios {
			for _, in := range order {
				done++
				s, lat, err := runScenario(in, o, sc, round, loginRPS)
				if err != nil {
					return nil, fmt.Errorf("round %d, %s, %s: %w", round+1, sc, in.name, err)
				}
				if sc == "login" {
					loginRPS[in.name] = s.rps
				}
				res.add(sc, in.name, s, lat)
				extra := ""
				if s.attempted > 0 {
					extra = fmt.Sprintf(", lost %d/%d", s.lost, s.attempted)
				}
				if s.errs > 0 {
					extra += fmt.Sprintf(", %d errors (first: %s)", s.errs, s.firstErr)
				}
				say("[%3d/%d] round %d/%d %-11s %-18s %8.0f req/s, %.2f round trips/req, %5.0f µs CPU/req (app %3.0f)%s",
					done, total, round+1, o.rounds, sc, in.name, s.rps, float64(s.rts)/float64(max(s.n, 1)), s.cpuPerReq(), s.appPerReq(), extra)
			}
		}
	}
	// Cross-check the tracer against pg_stat_database.
	trNow := map[string]int64{}
	for _, in := range ins {
		trNow[in.name] = in.tr.xacts.Load()
		in.close()
	}
	settle()
	for _, in := range ins {
		if isSQLite(in.name) || isMySQL(in.name) {
			continue
		}
		pg, err := adm.xacts(ctx, in.dbName)
		if err != nil {
			return nil, err
		}
		res.xacts[in.name] = [2]int64{trNow[in.name], pg - in.pgXact0}
		say("cross-check %-18s tracer %d transactions, pg_stat_database %d", in.name, trNow[in.name], pg-in.pgXact0)
	}
	res.elapsed = time.Since(res.started)
	return res, nil
}

// runWindow runs one timed scenario (read, write, none, login) for dur.
func runWindow(in *instance, o options, sc string, dur time.Duration) window {
	W := o.workers
	switch sc {
	case "read":
		return in.run(W, dur, func(w, i int) (req, bool) {
			return req{method: "GET", path: "/read", cookie: in.seed(), key: -1}, true
		})
	case "write":
		return in.run(W, dur, func(w, i int) (req, bool) {
			return req{method: "POST", path: themes[i%len(themes)], cookie: in.seed(), key: -1}, true
		})
	case "none":
		return in.run(W, dur, func(w, i int) (req, bool) {
			return req{method: "GET", path: "/none", cookie: in.seed(), key: -1}, true
		})
	case "login":
		return in.run(W, dur, func(w, i int) (req, bool) {
			return req{method: "POST", path: "/login?uid=" + strconv.Itoa(100000+w), key: -1}, true
		})
	}
	panic("runWindow: " + sc)
}

var themes = []string{"/write?v=dark", "/write?v=light", "/write?v=blue", "/write?v=green"}

// runScenario runs scenario sc on in once and checks what persisted.
func runScenario(in *instance, o options, sc string, round int, loginRPS map[string]float64) (sample, []time.Duration, error) {
	var win window
	var s sample
	switch sc {
	case "read", "write", "none", "login":
		win = runWindow(in, o, sc, o.duration)
	case "logout":
		// Prepare (untimed) as many sessions as the mode can log out in
		// about one window, then time logging out each of them once.
		n := int(loginRPS[in.name] * o.duration.Seconds())
		n = min(max(n, 200), 50000)
		cookies, err := in.loginMany(n, o.workers, 200000)
		if err != nil {
			return s, nil, err
		}
		var next atomic.Int64
		win = in.run(o.workers, 0, func(w, i int) (req, bool) {
			k := int(next.Add(1) - 1)
			if k >= len(cookies) {
				return req{}, false
			}
			return req{method: "POST", path: "/logout", cookie: cookies[k], key: -1}, true
		})
	case "incr":
		c, err := in.login(300000 + round)
		if err != nil {
			return s, nil, err
		}
		win = in.run(o.incrWorkers, 0, func(w, i int) (req, bool) {
			return req{method: "POST", path: "/incr", cookie: c, key: 0}, i < o.incrN
		})
		final, _, err := in.state(c)
		if err != nil {
			return s, nil, err
		}
		s.attempted = win.okByKey[0]
		s.lost = s.attempted - final
	case "incr-spread":
		before := make([]int64, len(in.seeds))
		for k, c := range in.seeds {
			v, _, err := in.state(c)
			if err != nil {
				return s, nil, err
			}
			before[k] = v
		}
		S, W := len(in.seeds), o.workers
		win = in.run(W, o.duration, func(w, i int) (req, bool) {
			k := rand.IntN(S)
			return req{method: "POST", path: "/incr", cookie: in.seeds[k], key: k}, true
		})
		for k, c := range in.seeds {
			v, _, err := in.state(c)
			if err != nil {
				return s, nil, err
			}
			s.attempted += win.okByKey[k]
			s.lost += win.okByKey[k] - (v - before[k])
		}
	case "field":
		cookies, err := in.loginMany(o.fieldSessions, o.fieldSessions, 400000)
		if err != nil {
			return s, nil, err
		}
		win = in.run(2*o.fieldSessions, 0, func(w, i int) (req, bool) {
			f := "a"
			if w%2 == 1 {
				f = "b"
			}
			return req{method: "POST", path: "/field?f=" + f, cookie: cookies[w/2], key: w}, i < o.incrN
		})
		for k, c := range cookies {
			a, b, err := in.state(c)
			if err != nil {
				return s, nil, err
			}
			okA, okB := win.okByKey[2*k], win.okByKey[2*k+1]
			s.attempted += okA + okB
			s.lost += (okA - a) + (okB - b)
		}
	default:
		return s, nil, fmt.Errorf("unknown scenario %q", sc)
	}
	s.rps, s.n, s.errs, s.rts, s.busy, s.self, s.firstErr = win.rps(), win.n, win.errs, win.rts, win.busy, win.self, win.firstErr
	return s, win.lat, nil
}
