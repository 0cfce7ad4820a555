package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sessiongen/sessiongen/example/app"
)

// writersOptions sizes the concurrent-writers run.
type writersOptions struct {
	Sessions int           // logged-in sessions
	Writers  int           // goroutines writing to each session at once, all with its cookie
	Duration time.Duration // how long they write
	// CounterPath is the counter endpoint: POST /counter (Update: read and
	// write under the lock), or racyCounterPath, whose read-modify-write
	// at the response commit loses updates, to show that the run catches
	// them.
	CounterPath string
}

// racyCounterPath increments the counter without Update: it reads the
// loaded value and saves value+1 at the response commit, so two requests
// that read the same value both write the same result.
const racyCounterPath = "/test/counter-racy"

// racyRoutes adds racyCounterPath.
func racyRoutes(mux *http.ServeMux, a *app.App) {
	mux.HandleFunc("POST "+racyCounterPath, func(w http.ResponseWriter, r *http.Request) {
		s, err := a.Sessions.FromContext(r.Context())
		if err != nil {
			a.Sessions.HandleError(w, r, err)
			return
		}
		n := s.Counter() + 1
		s.SetCounter(n)
		w.Header().Set("Content-Type", "application/json")
		// The commit runs before the status line and may answer instead.
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]int64{"counter": n})
	})
}

// writersReport is the outcome of the concurrent-writers run.
type writersReport struct {
	Engine      *engine
	Opt         writersOptions
	Load        summary
	CounterAcks int // counter increments answered 200
	CartAcks    int // cart items answered 200
	Lost        int // lost updates (see runWriters)
	LostItems   []string
	Panics      int64
	MaxWrite    time.Duration // slowest answered write
	Unexpect    []string
	Failures    []string
}

// wsession is one session's shared state among its writers.
type wsession struct {
	cookie string

	mu       sync.Mutex
	values   map[int64]bool // counter values answered 200
	failed   int            // counter requests without a 200 (may or may not have counted)
	skus     []string       // cart items answered 200
	lost     []string
	seq      int
	counter  int // counter answers 200
	cartAcks int
}

func (ws *wsession) loss(format string, args ...any) {
	ws.mu.Lock()
	ws.lost = append(ws.lost, fmt.Sprintf(format, args...))
	ws.mu.Unlock()
}

// runWriters logs in opt.Sessions sessions and has opt.Writers goroutines
// per session send POST /counter and POST /cart with that session's cookie
// at once, for opt.Duration. Each session's writes meet on the engine's
// lock (PostgreSQL: the row, FOR UPDATE; SQLite: the database's one write
// lock, BEGIN IMMEDIATE). A lost update is: two 200 answers with the same
// counter value; a final counter below the number of 200 answers plus one;
// an acknowledged cart item missing from the cart (in a later answer of the
// same writer, or at the end). The run fails on any lost update, 5xx,
// hung request, request without an answer, unexpected 4xx or panic.
func runWriters(ctx context.Context, e *engine, opt writersOptions) (*writersReport, error) {
	if opt.CounterPath == "" {
		opt.CounterPath = "/counter"
	}
	rep := &writersReport{Engine: e, Opt: opt}
	db, err := e.create(ctx, "reliability_writers")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	a, err := startApp(ctx, appOptions{PoolURL: db.URL, QueryTimeout: 3 * time.Second, Extra: racyRoutes})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: opt.Sessions*opt.Writers + 4,
	}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	stats := &loadStats{}
	var sessions []*wsession
	for i := range opt.Sessions {
		user := []string{"alice@example.com", "bob@example.com"}[i%2]
		jar := newJarClient()
		if code := jar.post(a.URL+"/login", fmt.Sprintf(`{"email":%q,"password":%q}`, user, app.DemoPassword)); code != 200 {
			return nil, fmt.Errorf("login %d: %d", i, code)
		}
		sessions = append(sessions, &wsession{cookie: jar.cookieFor(a.URL), values: map[int64]bool{}})
	}

	var errMu sync.Mutex
	var errSample []string // the first 5xx answers
	// send posts to path with the session's cookie and records the answer.
	send := func(ws *wsession, path, body string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, a.URL+path, strings.NewReader(body))
		req.Header.Set("Cookie", ws.cookie)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		r := result{start: time.Now(), op: "POST " + path}
		resp, err := hc.Do(req)
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
			r.hung = errors.As(err, &ne) && ne.Timeout()
		}
		stats.add(r)
		switch {
		case r.status >= 500:
			errMu.Lock()
			if len(errSample) < 3 {
				errSample = append(errSample, fmt.Sprintf("%s: %d %.200s", r.op, r.status, strings.TrimSpace(string(data))))
			}
			errMu.Unlock()
		case r.status != 0 && r.status != 200:
			stats.odd("%s: %d %.200s", r.op, r.status, data)
		}
		return r.status, data
	}
	lctx, stop := context.WithTimeout(ctx, opt.Duration)
	defer stop()
	var wg sync.WaitGroup
	for si, ws := range sessions {
		for w := range opt.Writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []string // this writer's acknowledged items: every later answer holds them
				for i := 0; lctx.Err() == nil; i++ {
					if i%4 == 3 {
						ws.mu.Lock()
						ws.seq++
						sku := fmt.Sprintf("s%d-w%d-%d", si, w, ws.seq)
						ws.mu.Unlock()
						st, body := send(ws, "/cart", `{"sku":"`+sku+`","qty":1}`)
						if st != 200 {
							continue
						}
						var cb cartBody
						if err := json.Unmarshal(body, &cb); err != nil {
							ws.loss("POST /cart answered %.100s", body)
							continue
						}
						have := map[string]bool{}
						for _, it := range cb.Items {
							have[it.SKU] = true
						}
						mine = append(mine, sku)
						for _, s := range mine {
							if !have[s] {
								ws.loss("POST /cart answer lacks %s, acknowledged earlier", s)
							}
						}
						ws.mu.Lock()
						ws.skus = append(ws.skus, sku)
						ws.cartAcks++
						ws.mu.Unlock()
						continue
					}
					st, body := send(ws, opt.CounterPath, "")
					var v struct{ Counter int64 }
					if st != 200 || json.Unmarshal(body, &v) != nil {
						ws.mu.Lock()
						ws.failed++
						ws.mu.Unlock()
						continue
					}
					ws.mu.Lock()
					if ws.values[v.Counter] {
						ws.lost = append(ws.lost, fmt.Sprintf("counter %d answered twice", v.Counter))
					}
					ws.values[v.Counter] = true
					ws.counter++
					ws.mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()

	// The end: every acknowledged item is in the cart, and the counter
	// counted every acknowledged increment.
	for si, ws := range sessions {
		st, body := send(ws, opt.CounterPath, "")
		var v struct{ Counter int64 }
		if st != 200 || json.Unmarshal(body, &v) != nil {
			ws.loss("session %d: final POST %s: %d %.100s", si, opt.CounterPath, st, body)
		} else if v.Counter < int64(ws.counter)+1 {
			ws.loss("session %d: the counter is %d after %d acknowledged increments (+1 now): %d increments lost", si, v.Counter, ws.counter, int64(ws.counter)+1-v.Counter)
		} else if v.Counter > int64(ws.counter+ws.failed)+1 {
			ws.loss("session %d: the counter is %d, more than the %d increments sent", si, v.Counter, ws.counter+ws.failed+1)
		}
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/cart", nil)
		req.Header.Set("Cookie", ws.cookie)
		resp, err := hc.Do(req)
		if err != nil {
			ws.loss("session %d: final GET /cart: %v", si, err)
			continue
		}
		var cb cartBody
		err = json.NewDecoder(resp.Body).Decode(&cb)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			ws.loss("session %d: final GET /cart: %d %v", si, resp.StatusCode, err)
			continue
		}
		have := map[string]bool{}
		for _, it := range cb.Items {
			have[it.SKU] = true
		}
		var miss []string
		for _, s := range ws.skus {
			if !have[s] {
				miss = append(miss, s)
			}
		}
		if len(miss) > 0 {
			ws.loss("session %d: %d acknowledged cart items missing at the end: %v", si, len(miss), first(miss, 5))
		}
	}

	rep.Load = stats.summarize(time.Time{}, time.Time{})
	rep.Panics = a.Panics.Load()
	rep.Unexpect = stats.unexpect
	rep.MaxWrite, _ = stats.maxOp(time.Time{}, time.Now(), false)
	for _, ws := range sessions {
		rep.CounterAcks += ws.counter
		rep.CartAcks += ws.cartAcks
		rep.Lost += len(ws.lost)
		rep.LostItems = append(rep.LostItems, ws.lost...)
	}
	slices.Sort(rep.LostItems)
	rep.Load.Lost = rep.Lost
	l := rep.Load
	if n := l.C5xx + l.Hung + l.Transport + stats.oddCount; n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d errors (5xx %d, hung %d, no answer %d, unexpected 4xx %d): %v",
			n, l.C5xx, l.Hung, l.Transport, stats.oddCount, append(errSample, first(stats.unexpect, 5)...)))
	}
	if rep.Lost > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d lost updates: %v", rep.Lost, first(rep.LostItems, 5)))
	}
	if rep.Panics > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d panics", rep.Panics))
	}
	if rep.CounterAcks == 0 {
		rep.Failures = append(rep.Failures, "no write succeeded")
	}
	return rep, nil
}
