package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadOptions configures the mixed client load.
type loadOptions struct {
	Clients   int
	Deadline  time.Duration // client-side deadline: QueryTimeout + 2s; a request past it is "hung"
	LogoutAll bool          // bob's clients also call POST /logout-all (soak)
	MaxCart   int           // a client logs out and in again when its cart reaches this size; 0: 40
	Aggregate bool          // count results instead of keeping each one
}

// result is one finished request.
type result struct {
	start, end time.Time
	op         string
	status     int // 0: transport error or hung
	hung       bool
}

// loadStats are the figures of one run.
type loadStats struct {
	mu        sync.Mutex
	results   []result
	lost      []string // descriptions of acknowledged data found missing
	excused   int      // losses explained by another client's logout-all
	unexpect  []string // first few unexpected answers
	oddCount  int      // unexpected 4xx answers
	finalOK   int      // sessions verified after the run
	finalSkip int      // clients not logged in at the end
	aggregate bool     // keep only counters (soak: flat memory)
	agg       summary
}

// summary is the row of the results table.
type summary struct {
	Attempted, OK, C4xx, C5xx, Hung, Transport, Lost int
	Not503                                           int // 5xx answers other than 503 (a 500: an error the store did not read as "unavailable")
	Max5xx, P99                                      time.Duration
}

func (s *loadStats) add(r result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.aggregate {
		s.results = append(s.results, r)
		return
	}
	a := &s.agg
	a.Attempted++
	d := r.end.Sub(r.start)
	a.P99 = max(a.P99, d) // aggregate mode: the maximum, not the 99th percentile
	switch {
	case r.hung:
		a.Hung++
	case r.status == 0:
		a.Transport++
	case r.status < 300:
		a.OK++
	case r.status < 500:
		a.C4xx++
	default:
		a.C5xx++
		a.Max5xx = max(a.Max5xx, d)
		if r.status != http.StatusServiceUnavailable {
			a.Not503++
		}
	}
}

func (s *loadStats) loss(format string, args ...any) {
	s.mu.Lock()
	s.lost = append(s.lost, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *loadStats) odd(format string, args ...any) {
	s.mu.Lock()
	s.oddCount++
	if len(s.unexpect) < 20 {
		s.unexpect = append(s.unexpect, fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
}

// summarize counts the results whose start is in [from, to) (zero: all).
func (s *loadStats) summarize(from, to time.Time) summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aggregate {
		out := s.agg
		out.Lost = len(s.lost)
		return out
	}
	var out summary
	var lat []time.Duration
	for _, r := range s.results {
		if !from.IsZero() && r.start.Before(from) || !to.IsZero() && !r.start.Before(to) {
			continue
		}
		out.Attempted++
		d := r.end.Sub(r.start)
		lat = append(lat, d)
		switch {
		case r.hung:
			out.Hung++
		case r.status == 0:
			out.Transport++
		case r.status < 300:
			out.OK++
		case r.status < 500:
			out.C4xx++
		default:
			out.C5xx++
			out.Max5xx = max(out.Max5xx, d)
			if r.status != http.StatusServiceUnavailable {
				out.Not503++
			}
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		out.P99 = lat[len(lat)*99/100]
	}
	out.Lost = len(s.lost)
	return out
}

// recovery reports, for requests started at or after t: the end of the
// first 2xx answer and of the last failed one (5xx, transport error or
// hung), relative to t; -1 when there is none.
func (s *loadStats) recovery(t time.Time) (firstOK, lastFail time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	firstOK, lastFail = -1, -1
	for _, r := range s.results {
		if r.start.Before(t) {
			continue
		}
		d := r.end.Sub(t)
		if r.status >= 200 && r.status < 300 && r.op != "GET /healthz" {
			if firstOK < 0 || d < firstOK {
				firstOK = d
			}
		}
		if r.hung || r.status == 0 || r.status >= 500 {
			lastFail = max(lastFail, d)
		}
	}
	return firstOK, lastFail
}

// failedBetween counts failed requests that started in [from, to).
func (s *loadStats) failedBetween(from, to time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.results {
		if !r.start.Before(from) && r.start.Before(to) && (r.hung || r.status == 0 || r.status >= 500) {
			n++
		}
	}
	return n
}

// loadRun drives Clients browsers against base until ctx ends, then checks
// that every session still holds what the server acknowledged.
type loadRun struct {
	base     string
	opt      loadOptions
	stats    *loadStats
	gen      atomic.Int64 // bumped before and after each logout-all request
	inflight atomic.Int64 // logout-all requests in flight
	clients  []*vclient
	finished chan struct{}
}

func startLoad(ctx context.Context, base string, opt loadOptions) *loadRun {
	if opt.MaxCart == 0 {
		opt.MaxCart = 40
	}
	lr := &loadRun{
		base:     base,
		opt:      opt,
		stats:    &loadStats{aggregate: opt.Aggregate},
		finished: make(chan struct{}),
	}
	var wg sync.WaitGroup
	for i := 0; i < opt.Clients; i++ {
		c := &vclient{id: i, lr: lr, tr: clientTransport(), rnd: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
		c.user = "alice@example.com"
		c.userID = 1
		if i%2 == 1 {
			c.user, c.userID = "bob@example.com", 2
		}
		c.reset()
		lr.clients = append(lr.clients, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.loop(ctx)
		}()
	}
	go func() {
		wg.Wait()
		close(lr.finished)
	}()
	return lr
}

// wait waits for the clients to stop (after ctx ended) and runs the final
// verification of every logged-in session.
func (lr *loadRun) wait() *loadStats {
	<-lr.finished
	var wg sync.WaitGroup
	for _, c := range lr.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.verifyFinal()
		}()
	}
	wg.Wait()
	for _, c := range lr.clients {
		c.tr.CloseIdleConnections()
	}
	return lr.stats
}

// clientTransport is one client's connection to the app. A client sends
// one request at a time, so it keeps one keep-alive connection
// (MaxConnsPerHost 1) and waits for it rather than dialing another while
// the last answer's connection is still on its way back to the idle pool,
// which a shared transport does under CPU pressure: the count of
// connections, and of their goroutines, which the soak watches for leaks,
// is then the number of clients whatever the scheduling.
func clientTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     30 * time.Second,
	}
}

// vclient is one browser with its own cookie jar, its connection and its
// memory of what the server acknowledged.
type vclient struct {
	id     int
	lr     *loadRun
	tr     *http.Transport
	rnd    *rand.Rand
	user   string
	userID int64
	hc     *http.Client

	loggedIn bool
	gen      int64    // logout-all generation at login
	acked    []string // cart SKUs answered 200
	counter  int64    // last counter value answered 200
	seq      int
}

func (c *vclient) reset() {
	jar, _ := cookiejar.New(nil)
	c.hc = &http.Client{Jar: jar, Transport: c.tr, Timeout: c.lr.opt.Deadline}
	c.loggedIn = false
	c.acked = nil
	c.counter = 0
}

// excused reports whether a missing session is explained by a logout-all.
func (c *vclient) excused() bool { return c.lr.inflight.Load() > 0 || c.lr.gen.Load() != c.gen }

// lostf records a loss unless a logout-all explains it; either way the
// client starts over.
func (c *vclient) lostf(format string, args ...any) {
	if c.excused() {
		c.lr.stats.mu.Lock()
		c.lr.stats.excused++
		c.lr.stats.mu.Unlock()
	} else {
		c.lr.stats.loss("client %d (%s): "+format, append([]any{c.id, c.user}, args...)...)
	}
	c.reset()
}

// do sends one request and records it. It returns the status (0 on a
// transport error or timeout) and the body.
func (c *vclient) do(method, path, body string) (int, []byte) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.lr.base+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	r := result{start: time.Now(), op: method + " " + path}
	resp, err := c.hc.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			r.status = resp.StatusCode
		}
	}
	r.end = time.Now()
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			r.hung = true
		}
		r.status = 0
	}
	c.lr.stats.add(r)
	return r.status, data
}

func (c *vclient) login() {
	// The generation when the login starts: a logout-all racing with the
	// login (its DELETE after our INSERT, its answer before ours) must
	// excuse this session's disappearance too.
	gen := c.lr.gen.Load()
	st, body := c.do("POST", "/login", `{"email":"`+c.user+`","password":"wonderland"}`)
	if st != 200 {
		if st != 0 && st < 500 {
			c.lr.stats.odd("login %d: %.200s", st, body)
		}
		c.reset()
		return
	}
	c.loggedIn = true
	c.gen = gen
	c.acked = nil
	c.counter = 0
}

func (c *vclient) loop(ctx context.Context) {
	for ctx.Err() == nil {
		if !c.loggedIn {
			c.login()
			continue
		}
		c.step()
	}
}

type cartBody struct {
	Items []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"items"`
}

// missing returns the acknowledged SKUs absent from body.
func (c *vclient) missing(body []byte) ([]string, error) {
	var cb cartBody
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, it := range cb.Items {
		have[it.SKU] = true
	}
	var miss []string
	for _, s := range c.acked {
		if !have[s] {
			miss = append(miss, s)
		}
	}
	return miss, nil
}

func (c *vclient) step() {
	n := c.rnd.IntN(100)
	switch {
	case n < 18:
		st, body := c.do("GET", "/me", "")
		switch st {
		case 200:
			var me struct {
				UserID int64 `json:"user_id"`
			}
			if json.Unmarshal(body, &me) != nil || me.UserID != c.userID {
				c.lostf("GET /me answered %s", body)
			}
		case 401:
			c.lostf("GET /me: 401, the logged-in session is gone")
		default:
			c.check(st, "GET /me", body)
		}
	case n < 38:
		if len(c.acked) >= c.lr.opt.MaxCart {
			c.logout()
			return
		}
		c.seq++
		sku := fmt.Sprintf("c%d-%d", c.id, c.seq)
		st, body := c.do("POST", "/cart", `{"sku":"`+sku+`","qty":1}`)
		switch st {
		case 200:
			miss, err := c.missing(body)
			if err != nil || len(miss) > 0 {
				c.lostf("POST /cart answer lacks acknowledged items %v (%v)", miss, err)
				return
			}
			c.acked = append(c.acked, sku)
		case 409:
			c.lostf("POST /cart: 409, session gone")
		default:
			c.check(st, "POST /cart", body)
		}
	case n < 53:
		st, body := c.do("GET", "/cart", "")
		if st == 200 {
			if miss, err := c.missing(body); err != nil || len(miss) > 0 {
				c.lostf("GET /cart lacks acknowledged items %v (%v)", miss, err)
			}
			return
		}
		c.check(st, "GET /cart", body)
	case n < 73:
		st, body := c.do("POST", "/counter", "")
		switch st {
		case 200:
			var v struct{ Counter int64 }
			if json.Unmarshal(body, &v) != nil || v.Counter <= c.counter {
				c.lostf("POST /counter answered %s after acknowledging %d", body, c.counter)
				return
			}
			c.counter = v.Counter
		case 409:
			c.lostf("POST /counter: 409, session gone")
		default:
			c.check(st, "POST /counter", body)
		}
	case n < 83:
		st, body := c.do("GET", "/sessions", "")
		if st == 401 {
			c.lostf("GET /sessions: 401, the logged-in session is gone")
			return
		}
		c.check(st, "GET /sessions", body)
	case n < 93:
		st, body := c.do("GET", "/healthz", "")
		c.check(st, "GET /healthz", body)
	case n < 97 || !c.lr.opt.LogoutAll || c.userID != 2:
		c.logout()
	default:
		// Bumped before and after: a bob login that completes while the
		// logout-all is in flight is excused too.
		c.lr.inflight.Add(1)
		c.lr.gen.Add(1)
		st, body := c.do("POST", "/logout-all", "")
		c.lr.gen.Add(1)
		c.lr.inflight.Add(-1)
		if st == 401 {
			c.lostf("POST /logout-all: 401, the logged-in session is gone")
			return
		}
		c.check(st, "POST /logout-all", body)
		c.reset() // its own session went with the others
	}
}

// check records an unexpected non-5xx, non-2xx answer.
func (c *vclient) check(st int, op string, body []byte) {
	if st == 0 || st >= 500 || (st >= 200 && st < 300) {
		return
	}
	c.lr.stats.odd("%s: %d %.200s", op, st, body)
}

func (c *vclient) logout() {
	st, body := c.do("POST", "/logout", "")
	if st != 204 {
		c.check(st, "POST /logout", body)
	}
	// Whatever the answer, this session is abandoned: a logout that failed
	// in transit may or may not have happened, and a session ended by its
	// own logout is not lost.
	c.reset()
}

// verifyFinal checks after the run that the session still holds every
// acknowledged cart item and counter value. It retries while the server
// answers 5xx (the database may still be coming back).
func (c *vclient) verifyFinal() {
	if !c.loggedIn {
		c.lr.stats.mu.Lock()
		c.lr.stats.finalSkip++
		c.lr.stats.mu.Unlock()
		return
	}
	hc := &http.Client{Jar: c.hc.Jar, Transport: c.tr, Timeout: 10 * time.Second}
	get := func(method, path string) (int, []byte) {
		for i := 0; ; i++ {
			req, _ := http.NewRequest(method, c.lr.base+path, nil)
			resp, err := hc.Do(req)
			if err == nil {
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 500 || i >= 40 {
					return resp.StatusCode, data
				}
			} else if i >= 40 {
				return 0, []byte(err.Error())
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	st, body := get("GET", "/cart")
	if st != 200 {
		c.lostf("final GET /cart: %d %.200s", st, body)
		return
	}
	if miss, err := c.missing(body); err != nil || len(miss) > 0 {
		c.lostf("final GET /cart lacks acknowledged items %v (%v)", miss, err)
		return
	}
	st, body = get("POST", "/counter")
	var v struct{ Counter int64 }
	if st != 200 || json.Unmarshal(body, &v) != nil || v.Counter <= c.counter {
		c.lostf("final POST /counter: %d %s after acknowledging %d", st, bytes.TrimSpace(body), c.counter)
		return
	}
	c.lr.stats.mu.Lock()
	c.lr.stats.finalOK++
	c.lr.stats.mu.Unlock()
}
