package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessiongen/sessiongen/example/app"
	"github.com/sessiongen/sessiongen/sessionrt"
)

// The scale run (go run ./bench -scale) measures what a sessions table costs
// at size: it loads the generated table with COPY up to -size rows and
// measures, in one run, requests/s and latency at each size (item 1), bytes
// per session (2), the reaper under read load (3), churn under autovacuum's
// defaults and under the recommended per-table settings (4), and several app
// instances on one database (5). Requests go through the real stack: net/http,
// the generated app.SessionStore, sessionrt's middleware.

// scaleOptions are the scale run's own flags; the load (workers, conns,
// duration, rounds) comes from options, as in the other benchmarks.
type scaleOptions struct {
	size        int64         // rows of the largest step
	reapRows    int64         // expired rows the reaper phases delete
	copyBatch   int64         // rows per COPY
	churnCycles int           // cycles per setting
	churnCycle  time.Duration // length of one churn cycle (and the churn sessions' lifetime)
	churnRate   float64       // new sessions per second during churn
	reapEvery   time.Duration // reaper interval during churn
	instances   int           // app processes of item 5
	db          string        // database the run creates
	section     string        // name of the generated section of docs/SCALE.md
}

// Recommended per-table settings, applied with ALTER TABLE in the churn phase
// and compared with autovacuum's defaults.
const (
	recommendedSettings = "fillfactor = 90, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, " +
		"autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02"
	resetSettings = "fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, " +
		"autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor"
)

// Token spaces: loaded live rows are 0..size-1, expired rows start here,
// churn sessions get user ids from churnUIDBase.
const (
	expiredBase  = int64(1) << 40
	churnUIDBase = int64(1) << 41
)

// scaleSizes returns the sizes measured: 10 thousand, 1 million and 10
// million rows below size, then size itself.
func scaleSizes(size int64) []int64 {
	var out []int64
	for _, s := range []int64{10_000, 1_000_000, 10_000_000} {
		if s < size {
			out = append(out, s)
		}
	}
	return append(out, size)
}

// scaleConfig is the sessiongen configuration of the size, reaper and
// instance phases: the loaded sessions live for hours and the touch throttle
// is an hour, so a read is one SELECT as in the other benchmarks (whose 64
// sessions are touched at most once a minute among ~10^5 reads); touches
// under churn are measured in item 4.
func scaleConfig() sessionrt.Config {
	c := sessiongenConfig(0)
	c.IdleTimeout = 8 * time.Hour
	c.Lifetime = 8 * time.Hour
	c.TouchInterval = time.Hour
	return c
}

// churnConfig is the configuration of the churn phase: sessions expire life
// after their last touch (at most 2×life after their creation), touched at
// most every life/4. The absolute lifetime is longer than the idle timeout,
// as in the defaults, so that a touch moves the indexed expires_at.
func churnConfig(life time.Duration) sessionrt.Config {
	c := sessiongenConfig(0)
	c.IdleTimeout = life
	c.Lifetime = 2 * life
	c.TouchInterval = life / 4
	return c
}

// scaleRun is the state of one scale run.
type scaleRun struct {
	o      options
	so     scaleOptions
	say    func(format string, args ...any)
	adm    *admin
	dsn    string        // DSN of the scale database
	pool   *pgxpool.Pool // loading and maintenance
	stats  *pgx.Conn     // statistics queries on the scale database
	key    [16]byte      // secret of this run's deterministic tokens
	loaded int64         // live rows loaded (token indexes 0..loaded-1)
	nextEx int64         // expired rows created so far
	res    *scaleResults
}

// token returns the Cookie header value and the database key of row i: the
// raw token is derived from the run's key and i, so any of millions of rows
// can be requested without keeping its cookie.
func (s *scaleRun) token(i int64) (cookie string, hash [sha256.Size]byte) {
	var buf [24]byte
	copy(buf[:16], s.key[:])
	binary.BigEndian.PutUint64(buf[16:], uint64(i))
	raw := sha256.Sum256(buf[:])
	return sessionrt.DefaultCookieName + "=" + base64.RawURLEncoding.EncodeToString(raw[:]), sha256.Sum256(raw[:])
}

// pickLive returns a picker of random live loaded sessions.
func (s *scaleRun) pickLive() func() string {
	n := s.loaded
	return func() string {
		c, _ := s.token(mrand.Int64N(n))
		return c
	}
}

// The loaded rows' jsonb payload: the example payload of the other benchmarks.
const (
	payloadRolesJSON = `["user","admin"]`
	payloadCartJSON  = `[{"sku":"sku-1","qty":2},{"sku":"sku-2","qty":1}]`
)

// copyRows loads n rows with COPY, in batches of copyBatch rows (one
// transaction each). Live rows are the next n token indexes; expired rows
// come from their own token space and expired up to an hour ago.
func (s *scaleRun) copyRows(ctx context.Context, n int64, expired bool) (time.Duration, error) {
	// previous_token_hash and renewed_at stay NULL, as for a session never renewed.
	copyColumns := []string{"token_hash", "created_at", "last_seen_at", "expires_at", "absolute_expires_at", "remember",
		"user_id", "email", "roles", "cart", "theme", "mfa_at", "counter"}
	start := time.Now()
	now := start
	first := s.loaded
	if expired {
		first = expiredBase + s.nextEx
	}
	for done := int64(0); done < n; {
		k := min(s.so.copyBatch, n-done)
		i, end := first+done, first+done+k
		rng := mrand.New(mrand.NewPCG(uint64(i), 15))
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= end {
				return nil, nil
			}
			_, h := s.token(i)
			uid := i/2 + 1
			var created, lastSeen, expires time.Time
			if expired {
				created = now.Add(-9*time.Hour - time.Duration(rng.Int64N(int64(time.Hour))))
				lastSeen = created.Add(time.Duration(rng.Int64N(int64(30 * time.Minute))))
				expires = now.Add(-time.Second - time.Duration(rng.Int64N(int64(time.Hour))))
			} else {
				created = now.Add(-time.Duration(rng.Int64N(int64(time.Hour))))
				lastSeen = now
				expires = now.Add(6*time.Hour + time.Duration(rng.Int64N(int64(time.Hour))))
			}
			var mfa *time.Time
			if i%2 == 0 {
				mfa = &created
			}
			row := []any{h[:], created, lastSeen, expires, created.Add(8 * time.Hour), false,
				uid, emailOf(uid), payloadRolesJSON, payloadCartJSON, "dark", mfa, i % 100}
			i++
			return row, nil
		})
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"sessions"}, copyColumns, src); err != nil {
			return 0, fmt.Errorf("copy rows %d..%d: %w", first+done, end, err)
		}
		done += k
		if expired {
			s.nextEx += k
		} else {
			s.loaded += k
		}
		if done%(10*s.so.copyBatch) == 0 && done < n {
			el := time.Since(start)
			s.say("  copied %d of %d rows (%.0f rows/s)", done, n, float64(done)/el.Seconds())
		}
	}
	return time.Since(start), nil
}

// exec runs a maintenance statement on the scale database and returns how
// long it took.
func (s *scaleRun) exec(ctx context.Context, sql string) (time.Duration, error) {
	t := time.Now()
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return 0, fmt.Errorf("%s: %w", sql, err)
	}
	return time.Since(t), nil
}

// relSizes are the on-disk sizes of the sessions table.
type relSizes struct {
	rows    int64
	heap    int64            // main fork
	rest    int64            // TOAST, free space map and visibility map
	indexes map[string]int64 // per index
	total   int64
}

func (s *scaleRun) sizes(ctx context.Context, rows int64) (relSizes, error) {
	r := relSizes{rows: rows, indexes: map[string]int64{}}
	var table int64
	if err := s.stats.QueryRow(ctx, "SELECT pg_relation_size('sessions'), pg_table_size('sessions'), pg_total_relation_size('sessions')").
		Scan(&r.heap, &table, &r.total); err != nil {
		return r, fmt.Errorf("table size: %w", err)
	}
	r.rest = table - r.heap
	rows2, err := s.stats.Query(ctx, "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'sessions'::regclass")
	if err != nil {
		return r, fmt.Errorf("index sizes: %w", err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var name string
		var n int64
		if err := rows2.Scan(&name, &n); err != nil {
			return r, fmt.Errorf("index sizes: %w", err)
		}
		r.indexes[name] = n
	}
	if err := rows2.Err(); err != nil {
		return r, fmt.Errorf("index sizes: %w", err)
	}
	return r, nil
}

// tableStats is a snapshot of pg_stat_user_tables for sessions.
type tableStats struct {
	live, dead, autovacuums, vacuums, upd, hot, del int64
}

func (s *scaleRun) tableStats(ctx context.Context) (tableStats, error) {
	var t tableStats
	if _, err := s.stats.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return t, fmt.Errorf("clear statistics snapshot: %w", err)
	}
	err := s.stats.QueryRow(ctx, `SELECT n_live_tup, n_dead_tup, autovacuum_count, vacuum_count, n_tup_upd, n_tup_hot_upd, n_tup_del
FROM pg_stat_user_tables WHERE relid = 'sessions'::regclass`).Scan(&t.live, &t.dead, &t.autovacuums, &t.vacuums, &t.upd, &t.hot, &t.del)
	if err != nil {
		return t, fmt.Errorf("table statistics: %w", err)
	}
	return t, nil
}

// countExpired counts the rows the reaper would delete now.
func (s *scaleRun) countExpired(ctx context.Context) (int64, error) {
	var n int64
	if err := s.stats.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE expires_at <= now()").Scan(&n); err != nil {
		return 0, fmt.Errorf("count expired sessions: %w", err)
	}
	return n, nil
}

// sizeStep is item 1 and 2 at one size.
type sizeStep struct {
	rows          int64
	copyTook      time.Duration
	copied        int64
	vacuumTook    time.Duration
	read, write   []window
	sz            relSizes
	readP, writeP latencySummary
	upd, hot      int64 // updates and HOT updates during the windows (the writes: reads do not touch)
}

// latencySummary summarises windows: median requests/s over them, pooled
// percentiles, totals.
type latencySummary struct {
	rps      float64
	p50, p99 time.Duration
	n, errs  int
	firstErr string
}

func summarise(ws []window) latencySummary {
	var s latencySummary
	var rps []float64
	var lat []time.Duration
	for _, w := range ws {
		rps = append(rps, w.rps())
		lat = append(lat, w.lat...)
		s.n += w.n
		s.errs += w.errs
		if s.firstErr == "" {
			s.firstErr = w.firstErr
		}
	}
	slices.Sort(lat)
	s.rps = median(rps)
	s.p50, s.p99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return s
}

// reapStep is item 3.
type reapStep struct {
	rows, deleted    int64
	copyTook         time.Duration
	took, vacuumTook time.Duration
	before, during   latencySummary
	remaining        int64
}

// churnCycle is one cycle of item 4.
type churnCycle struct {
	setting          string
	cycle            int
	logins, writes   int64 // answered 200
	expiredWrites    int64 // writes that found their session expired (401, or 409 when it expired mid-request)
	errs             int64
	firstErr         string // the first error, for diagnosis
	reaped           int64
	pending          int64 // expired rows not reaped at the end of the cycle
	st, prev         tableStats
	sz               relSizes
	elapsed          time.Duration
	autovacuumInside bool
}

// instStep is item 5 for one instance count.
type instStep struct {
	n           int
	read, write latencySummary
}

// reapShare is what one instance's Reap reported.
type reapShare struct {
	deleted int64
	took    time.Duration
	err     string
}

// multiReap is the concurrent reap of item 5.
type multiReap struct {
	expired   int64 // expired rows before
	shares    []reapShare
	total     int64
	nTupDel   int64 // change of n_tup_del over the reap
	remaining int64
	took      time.Duration
}

// scaleResults holds everything the scale run measured.
type scaleResults struct {
	started  time.Time
	elapsed  time.Duration
	command  string
	machine  string
	goVer    string
	pgVer    string
	settings map[string]string
	o        options
	so       scaleOptions
	steps    []*sizeStep
	reap     *reapStep
	churn    []churnCycle
	inst     []instStep
	mreap    *multiReap
}

// runScale executes the scale run.
func runScale(ctx context.Context, o options, so scaleOptions, progress io.Writer) (*scaleResults, error) {
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "[%s] ", time.Now().Format("15:04:05"))
		fmt.Fprintf(progress, format+"\n", args...)
	}
	res := &scaleResults{started: time.Now(), machine: machine(), goVer: goVersion(), o: o, so: so, settings: map[string]string{}}
	s := &scaleRun{o: o, so: so, say: say, res: res}
	if _, err := rand.Read(s.key[:]); err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	adm, err := newAdmin(ctx, o.dsn)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL (%s): %w", o.dsn, err)
	}
	defer adm.close()
	s.adm = adm
	res.pgVer = adm.serverVersion(ctx)
	for _, name := range []string{"autovacuum", "shared_buffers", "autovacuum_naptime", "autovacuum_vacuum_cost_limit", "autovacuum_vacuum_cost_delay", "synchronous_commit", "max_wal_size"} {
		var v string
		if err := adm.conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err == nil {
			res.settings[name] = v
		}
	}
	say("creating database %s", so.db)
	if err := adm.recreate(ctx, so.db); err != nil {
		return nil, fmt.Errorf("create database %s: %w", so.db, err)
	}
	if !o.keep {
		defer adm.drop(context.Background(), so.db)
	}
	if s.dsn, err = dbURL(o.dsn, so.db); err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if err := app.Migrate(s.dsn, io.Discard); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", so.db, err)
	}
	if s.pool, err = newPool(ctx, s.dsn, 2, &counter{}); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", so.db, err)
	}
	defer s.pool.Close()
	if s.stats, err = pgx.Connect(ctx, s.dsn); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", so.db, err)
	}
	defer s.stats.Close(context.Background())

	if err := s.runSizes(ctx); err != nil {
		return nil, err
	}
	if err := s.runReap(ctx); err != nil {
		return nil, err
	}
	if err := s.runChurn(ctx); err != nil {
		return nil, err
	}
	if err := s.runInstances(ctx); err != nil {
		return nil, err
	}
	res.elapsed = time.Since(res.started)
	return res, nil
}

// serve starts an in-process sessiongen server over a pool of its own.
func (s *scaleRun) serve(ctx context.Context, name string, cfg sessionrt.Config) (*instance, *app.SessionStore, error) {
	in := &instance{name: name, dbName: s.so.db, tr: &counter{}}
	var err error
	if in.pool, err = newPool(ctx, s.dsn, int32(s.o.conns), in.tr); err != nil {
		return nil, nil, fmt.Errorf("%s: connect: %w", name, err)
	}
	h, store, err := newSessiongenWith(in.pool, cfg)
	if err != nil {
		in.close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := in.start(h); err != nil {
		in.close()
		return nil, nil, fmt.Errorf("%s: listen: %w", name, err)
	}
	return in, store, nil
}

// measure runs rounds of read and write windows on in.
func (s *scaleRun) measure(in *instance) (read, write []window) {
	for _, sc := range []string{"read", "write"} {
		runWindow(in, s.o, sc, 300*time.Millisecond) // warm-up
	}
	for r := 0; r < s.o.rounds; r++ {
		read = append(read, runWindow(in, s.o, "read", s.o.duration))
		write = append(write, runWindow(in, s.o, "write", s.o.duration))
	}
	return read, write
}

// runSizes is items 1 and 2: load up to each size, vacuum, measure.
func (s *scaleRun) runSizes(ctx context.Context) error {
	in, _, err := s.serve(ctx, "sessiongen", scaleConfig())
	if err != nil {
		return err
	}
	defer in.close()
	for _, size := range scaleSizes(s.so.size) {
		st := &sizeStep{rows: size, copied: size - s.loaded}
		s.say("loading %d rows with COPY (to %d)", st.copied, size)
		if st.copyTook, err = s.copyRows(ctx, st.copied, false); err != nil {
			return err
		}
		s.say("  %.0f rows/s; VACUUM ANALYZE", float64(st.copied)/st.copyTook.Seconds())
		if st.vacuumTook, err = s.exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
			return err
		}
		if st.sz, err = s.sizes(ctx, size); err != nil {
			return err
		}
		in.pick = s.pickLive()
		st0, err := s.tableStats(ctx)
		if err != nil {
			return err
		}
		st.read, st.write = s.measure(in)
		st1, err := s.tableStats(ctx)
		if err != nil {
			return err
		}
		st.upd, st.hot = st1.upd-st0.upd, st1.hot-st0.hot
		st.readP, st.writeP = summarise(st.read), summarise(st.write)
		s.say("  %d rows: read %.0f req/s p99 %s, write %.0f req/s p99 %s, %.0f bytes/session",
			size, st.readP.rps, ms(st.readP.p99), st.writeP.rps, ms(st.writeP.p99), float64(st.sz.total)/float64(size))
		s.res.steps = append(s.res.steps, st)
	}
	return nil
}

// runReap is item 3: COPY reapRows expired rows beside the live ones, then
// read p99 without reaping, then Reap while the same read load runs.
func (s *scaleRun) runReap(ctx context.Context) error {
	if s.so.reapRows <= 0 {
		return nil
	}
	in, store, err := s.serve(ctx, "sessiongen", scaleConfig())
	if err != nil {
		return err
	}
	defer in.close()
	in.pick = s.pickLive()
	r := &reapStep{rows: s.so.reapRows}
	s.say("reaper: loading %d expired rows", r.rows)
	if r.copyTook, err = s.copyRows(ctx, r.rows, true); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
		return err
	}
	runWindow(in, s.o, "read", 300*time.Millisecond)
	var before []window
	for i := 0; i < s.o.rounds; i++ {
		before = append(before, runWindow(in, s.o, "read", s.o.duration))
	}
	r.before = summarise(before)
	s.say("reaper: reaping under read load")
	var done atomic.Bool
	var reapErr error
	start := time.Now()
	go func() {
		defer done.Store(true)
		r.deleted, reapErr = store.Reap(ctx, 0)
		r.took = time.Since(start)
	}()
	w := in.run(s.o.workers, 0, func(w, i int) (req, bool) {
		return req{method: "GET", path: "/read", cookie: in.seed(), key: -1}, !done.Load()
	})
	for !done.Load() {
		time.Sleep(10 * time.Millisecond)
	}
	if reapErr != nil {
		return fmt.Errorf("reap: %w", reapErr)
	}
	r.during = summarise([]window{w})
	if r.remaining, err = s.countExpired(ctx); err != nil {
		return err
	}
	s.say("  deleted %d in %s (%.0f rows/s); read p99 %s without, %s during; VACUUM",
		r.deleted, r.took.Round(time.Millisecond), float64(r.deleted)/r.took.Seconds(), ms(r.before.p99), ms(r.during.p99))
	if r.vacuumTook, err = s.exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
		return err
	}
	s.res.reap = r
	return nil
}

// cookieRing keeps the most recent churn sessions' cookies.
type cookieRing struct {
	mu   sync.Mutex
	buf  []string
	next int
	full bool
}

func (c *cookieRing) add(v string) {
	c.mu.Lock()
	c.buf[c.next] = v
	c.next++
	if c.next == len(c.buf) {
		c.next, c.full = 0, true
	}
	c.mu.Unlock()
}

// recent returns one of the most recent half of the cookies, "" if none.
func (c *cookieRing) recent() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.next
	if c.full {
		n = len(c.buf)
	}
	if n == 0 {
		return ""
	}
	back := 1 + mrand.IntN(max(n/2, 1))
	return c.buf[(c.next-back+len(c.buf))%len(c.buf)]
}

// runChurn is item 4: cycles of churn-rate logins per second, as many writes
// of one field to recent sessions, sessions expiring churn-cycle after their
// last touch and the reaper every reap-every; first under autovacuum's
// defaults, then under the recommended settings (ALTER TABLE).
func (s *scaleRun) runChurn(ctx context.Context) error {
	if s.so.churnCycles <= 0 {
		return nil
	}
	life := s.so.churnCycle
	in, store, err := s.serve(ctx, "churn", churnConfig(life))
	if err != nil {
		return err
	}
	defer in.close()
	ring := &cookieRing{buf: make([]string, max(int(s.so.churnRate*life.Seconds()), 16))}
	var uid atomic.Int64
	for _, setting := range []string{"defaults", "recommended"} {
		stmt := "ALTER TABLE sessions RESET (" + resetSettings + ")"
		if setting == "recommended" {
			stmt = "ALTER TABLE sessions SET (" + recommendedSettings + ")"
		}
		if _, err := s.exec(ctx, stmt); err != nil {
			return err
		}
		prev, err := s.tableStats(ctx)
		if err != nil {
			return err
		}
		for k := 1; k <= s.so.churnCycles; k++ {
			c, err := s.churnCycle(ctx, in, store, ring, &uid)
			if err != nil {
				return fmt.Errorf("churn %s cycle %d: %w", setting, k, err)
			}
			c.setting, c.cycle, c.prev = setting, k, prev
			if c.st, err = s.tableStats(ctx); err != nil {
				return err
			}
			if c.sz, err = s.sizes(ctx, c.st.live); err != nil {
				return err
			}
			if c.pending, err = s.countExpired(ctx); err != nil {
				return err
			}
			prev = c.st
			s.say("churn %-11s cycle %d: %d logins, %d writes, reaped %d, heap %s, dead %d, autovacuums %d, HOT %.0f%%",
				setting, k, c.logins, c.writes, c.reaped, mb(c.sz.heap), c.st.dead, c.st.autovacuums-c.prev.autovacuums, hotPct(c))
			s.res.churn = append(s.res.churn, c)
		}
	}
	// Remove the churn sessions so that item 5 starts from the loaded rows.
	if _, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE user_id >= $1", churnUIDBase); err != nil {
		return fmt.Errorf("delete churn sessions: %w", err)
	}
	if _, err := s.exec(ctx, "ALTER TABLE sessions RESET ("+resetSettings+")"); err != nil {
		return err
	}
	_, err = s.exec(ctx, "VACUUM ANALYZE sessions")
	return err
}

func hotPct(c churnCycle) float64 {
	if d := c.st.upd - c.prev.upd; d > 0 {
		return 100 * float64(c.st.hot-c.prev.hot) / float64(d)
	}
	return 0
}

// churnCycle runs one churn cycle.
func (s *scaleRun) churnCycle(ctx context.Context, in *instance, store *app.SessionStore, ring *cookieRing, uid *atomic.Int64) (churnCycle, error) {
	var c churnCycle
	cctx, cancel := context.WithCancel(ctx)
	var reaped atomic.Int64
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		t := time.NewTicker(s.so.reapEvery)
		defer t.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
			}
			n, _ := store.Reap(cctx, 0)
			reaped.Add(n)
		}
	}()
	var seq, logins, writes, expiredW, errs atomic.Int64
	var firstErr atomic.Value
	fail := func(what string, code int, err error) {
		if errs.Add(1) == 1 {
			firstErr.Store(fmt.Sprintf("%s: status %d, %v", what, code, err))
		}
	}
	// Three slots per two new sessions: login, login, write.
	period := time.Duration(float64(time.Second) / (1.5 * s.so.churnRate))
	start := time.Now()
	end := start.Add(s.so.churnCycle)
	var wg sync.WaitGroup
	for w := 0; w < s.o.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := seq.Add(1) - 1
				at := start.Add(time.Duration(k) * period)
				if at.After(end) {
					return
				}
				time.Sleep(time.Until(at))
				if k%3 != 2 {
					code, ck, err := in.do(req{method: "POST", path: "/login?uid=" + strconv.FormatInt(churnUIDBase+uid.Add(1), 10)})
					if err != nil || code != 200 || ck == "" {
						fail("login", code, err)
						continue
					}
					logins.Add(1)
					ring.add(ck)
					continue
				}
				ck := ring.recent()
				if ck == "" {
					continue
				}
				code, _, err := in.do(req{method: "POST", path: themes[k%int64(len(themes))], cookie: ck})
				switch {
				case err == nil && code == 200:
					writes.Add(1)
				case err == nil && (code == 401 || code == 409):
					// 401: expired before the load; 409: expired between the
					// load and the save (ErrSessionGone, never re-created).
					expiredW.Add(1)
				default:
					fail("write", code, err)
				}
			}
		}()
	}
	wg.Wait()
	c.elapsed = time.Since(start)
	cancel()
	rwg.Wait()
	c.logins, c.writes, c.expiredWrites, c.errs, c.reaped = logins.Load(), writes.Load(), expiredW.Load(), errs.Load(), reaped.Load()
	c.firstErr, _ = firstErr.Load().(string)
	return c, nil
}

// runInstances is item 5: one app process, then -instances app processes
// on the same database, each with its own pool, the load spread over them;
// then Reap in all of them at once.
func (s *scaleRun) runInstances(ctx context.Context) error {
	if s.so.instances <= 0 {
		return nil
	}
	counts := []int{1}
	if s.so.instances > 1 {
		counts = append(counts, s.so.instances)
	}
	for _, n := range counts {
		s.say("instances: starting %d app process(es)", n)
		kids, err := startChildren(ctx, s.dsn, s.o.conns, n)
		if err != nil {
			return err
		}
		in := &instance{name: fmt.Sprintf("%d instances", n), tr: &counter{}, pick: s.pickLive()}
		in.client = newClient()
		in.bases = kids.bases()
		in.base = in.bases[0]
		read, write := s.measure(in)
		step := instStep{n: n, read: summarise(read), write: summarise(write)}
		s.say("  %d instance(s): read %.0f req/s, write %.0f req/s", n, step.read.rps, step.write.rps)
		s.res.inst = append(s.res.inst, step)
		if n == counts[len(counts)-1] && s.so.reapRows > 0 {
			err = s.reapEverywhere(ctx, kids)
		}
		in.close()
		kids.stop()
		if err != nil {
			return err
		}
	}
	return nil
}

// reapEverywhere loads reapRows expired rows and runs Reap in every child at
// once; it counts what each deleted, and n_tup_del over the whole reap.
func (s *scaleRun) reapEverywhere(ctx context.Context, kids *children) error {
	m := &multiReap{}
	s.say("instances: loading %d expired rows, reaping in %d processes at once", s.so.reapRows, len(kids.procs))
	if _, err := s.copyRows(ctx, s.so.reapRows, true); err != nil {
		return err
	}
	if _, err := s.exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
		return err
	}
	var err error
	if m.expired, err = s.countExpired(ctx); err != nil {
		return err
	}
	// Close the maintenance connections so that their backends flush every
	// pending statistic (the churn's DELETE included) before the snapshot.
	s.pool.Reset()
	settle()
	st0, err := s.tableStats(ctx)
	if err != nil {
		return err
	}
	m.shares = make([]reapShare, len(kids.procs))
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range kids.procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.shares[i] = p.reap(ctx)
		}()
	}
	wg.Wait()
	m.took = time.Since(start)
	for _, sh := range m.shares {
		if sh.err != "" {
			return fmt.Errorf("reap in a child: %s", sh.err)
		}
		m.total += sh.deleted
	}
	if m.remaining, err = s.countExpired(ctx); err != nil {
		return err
	}
	kids.stop() // the children's backends exit and flush their statistics
	settle()
	st1, err := s.tableStats(ctx)
	if err != nil {
		return err
	}
	m.nTupDel = st1.del - st0.del
	s.say("  expired %d, deleted %d (%v), n_tup_del %+d, remaining %d", m.expired, m.total, m.shares, m.nTupDel, m.remaining)
	s.res.mreap = m
	_, err = s.exec(ctx, "VACUUM ANALYZE sessions")
	return err
}
