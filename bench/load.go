package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// instance is one mode started on loopback: its server, pool and tracer.
type instance struct {
	name   string
	dbName string
	pool   *pgxpool.Pool
	tr     *counter // stays zero on SQLite: round trips are not counted there; on MySQL the connector counts them (countingConnector)
	// sqlite is the database of a -sqlite mode (pool is nil), a file at
	// sqlitePath in a temp dir of its own.
	sqlite     *sql.DB
	sqlitePath string
	// mysql is the database of a -mysql mode (pool is nil), dbName on the
	// -mysql server at mysqlURL (dbmate's form).
	mysql    *sql.DB
	mysqlURL string
	srv      *http.Server
	base     string
	client   *http.Client
	stop     func()
	seeds    []string // Cookie header values of the seeded sessions
	// pick, when set, replaces seeds: it returns the Cookie header value of
	// a session picked at random (the scale run's millions of rows).
	pick func() string
	// bases, when set, spreads the workers of run over several servers
	// (the scale run's app instances): worker w sends to bases[w%len].
	bases []string
	// xact cross-check snapshots
	pgXact0, trXact0 int64
}

func (in *instance) start(h http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	in.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	// The connections' goroutines inherit the labels: a -cpuprofile
	// splits by mode and side (pprof -tagfocus mode=NAME).
	pprof.Do(context.Background(), pprof.Labels("mode", in.name, "side", "server"), func(context.Context) {
		go in.srv.Serve(ln)
	})
	in.base = "http://" + ln.Addr().String()
	in.client = newClient()
	return nil
}

// newClient returns the load generator's keep-alive HTTP client.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
		Timeout: 30 * time.Second,
	}
}

func (in *instance) close() {
	if in.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		in.srv.Shutdown(ctx)
		cancel()
	}
	if in.client != nil {
		in.client.CloseIdleConnections()
	}
	if in.stop != nil {
		in.stop()
	}
	if in.pool != nil {
		in.pool.Close()
	}
	if in.sqlite != nil {
		in.sqlite.Close()
	}
	if in.mysql != nil {
		in.mysql.Close()
	}
	in.srv, in.client, in.stop, in.pool, in.sqlite, in.mysql = nil, nil, nil, nil, nil, nil
}

// req is one request of a scenario.
type req struct {
	method, path, cookie string
	key                  int    // index of the session it targets, -1 for none
	base                 string // server to send to; empty: the instance's own
}

// seed returns the Cookie header value of a random seeded session.
func (in *instance) seed() string {
	if in.pick != nil {
		return in.pick()
	}
	return in.seeds[rand.IntN(len(in.seeds))]
}

// do sends one request and returns its status and the session cookie it set.
func (in *instance) do(r req) (int, string, error) {
	base := in.base
	if r.base != "" {
		base = r.base
	}
	hr, err := http.NewRequest(r.method, base+r.path, nil)
	if err != nil {
		return 0, "", err
	}
	if r.cookie != "" {
		hr.Header.Set("Cookie", r.cookie)
	}
	resp, err := in.client.Do(hr)
	if err != nil {
		return 0, "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var set string
	for _, c := range resp.Cookies() {
		if c.Value != "" && c.MaxAge >= 0 {
			set = c.Name + "=" + c.Value
		}
	}
	return resp.StatusCode, set, nil
}

// login creates a session and returns its Cookie header value.
func (in *instance) login(uid int) (string, error) {
	code, c, err := in.do(req{method: "POST", path: fmt.Sprintf("/login?uid=%d", uid)})
	if err != nil {
		return "", err
	}
	if code != 200 || c == "" {
		return "", fmt.Errorf("%s: login answered %d, cookie %q", in.name, code, c)
	}
	return c, nil
}

// loginMany creates n sessions with workers in parallel.
func (in *instance) loginMany(n, workers, uidBase int) ([]string, error) {
	out := make([]string, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				c, err := in.login(uidBase + i)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				out[i] = c
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

// state reads counter and cart quantity of a session.
func (in *instance) state(cookie string) (counter, qty int64, err error) {
	hr, _ := http.NewRequest("GET", in.base+"/state", nil)
	hr.Header.Set("Cookie", cookie)
	resp, err := in.client.Do(hr)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return 0, 0, fmt.Errorf("%s: /state answered %d: %s", in.name, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	_, err = fmt.Sscanf(string(b), `{"counter":%d,"qty":%d}`, &counter, &qty)
	return counter, qty, err
}

// window is the measurement of one scenario run on one mode.
type window struct {
	n, errs  int
	elapsed  time.Duration
	lat      []time.Duration
	rts      int64
	busy     time.Duration // machine CPU busy time during the window; 0 when unknown
	self     time.Duration // CPU time of this process during the window; 0 when unknown
	okByKey  map[int]int64
	firstErr string
}

func (w window) rps() float64 {
	if w.elapsed <= 0 {
		return 0
	}
	return float64(w.n) / w.elapsed.Seconds()
}

// run drives the instance with workers goroutines. gen returns the i-th
// request of worker w, or false when the worker is done. With dur > 0 the
// workers stop after dur; otherwise they stop when gen says so.
func (in *instance) run(workers int, dur time.Duration, gen func(w, i int) (req, bool)) window {
	type wres struct {
		n, errs  int
		lat      []time.Duration
		ok       map[int]int64
		firstErr string
	}
	res := make([]wres, workers)
	var stop atomic.Bool
	var wg sync.WaitGroup
	rt0 := in.tr.roundTrips()
	busy0, busyOK := machineBusy()
	self0, selfOK := processBusy()
	start := time.Now()
	labels := pprof.WithLabels(context.Background(), pprof.Labels("mode", in.name, "side", "client"))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			pprof.SetGoroutineLabels(labels)
			defer wg.Done()
			r := &res[w]
			r.ok = map[int]int64{}
			r.lat = make([]time.Duration, 0, 4096)
			for i := 0; !stop.Load(); i++ {
				q, more := gen(w, i)
				if !more {
					return
				}
				if q.base == "" && len(in.bases) > 0 {
					q.base = in.bases[w%len(in.bases)]
				}
				t := time.Now()
				code, _, err := in.do(q)
				r.lat = append(r.lat, time.Since(t))
				r.n++
				if err != nil || code != 200 {
					r.errs++
					if r.firstErr == "" {
						r.firstErr = fmt.Sprintf("%s %s: %d %v", q.method, q.path, code, err)
					}
					continue
				}
				if q.key >= 0 {
					r.ok[q.key]++
				}
			}
		}(w)
	}
	if dur > 0 {
		time.Sleep(dur)
		stop.Store(true)
	}
	wg.Wait()
	out := window{elapsed: time.Since(start), rts: in.tr.roundTrips() - rt0, okByKey: map[int]int64{}}
	if busy1, ok := machineBusy(); ok && busyOK {
		out.busy = busy1 - busy0
	}
	if self1, ok := processBusy(); ok && selfOK {
		out.self = self1 - self0
	}
	for _, r := range res {
		out.n += r.n
		out.errs += r.errs
		out.lat = append(out.lat, r.lat...)
		for k, v := range r.ok {
			out.okByKey[k] += v
		}
		if out.firstErr == "" {
			out.firstErr = r.firstErr
		}
	}
	return out
}

// percentile returns the p-th percentile (0..1) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
