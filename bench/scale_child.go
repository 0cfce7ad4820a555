package main

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
	"strconv"
	"strings"
	"time"
)

// Item 5 of the scale run starts app instances as child processes: the
// bench binary (or the test binary) re-executed with these variables set.
// Each child connects its own pool, serves the benchmark's endpoints through
// the generated store, answers POST /reap with what its Reap deleted,
// prints its base URL on stdout and exits when its stdin closes.
const (
	childDSNEnv   = "SGBENCH_SCALE_CHILD_DSN"
	childConnsEnv = "SGBENCH_SCALE_CHILD_CONNS"
)

// childMode runs the process as an app instance if the environment asks for
// it and reports whether it did.
func childMode() (bool, error) {
	dsn := os.Getenv(childDSNEnv)
	if dsn == "" {
		return false, nil
	}
	conns, err := strconv.Atoi(os.Getenv(childConnsEnv))
	if err != nil {
		return true, fmt.Errorf("%s: %w", childConnsEnv, err)
	}
	return true, serveChild(context.Background(), dsn, conns, os.Stdin, os.Stdout)
}

// serveChild is an app instance: it serves until stdin reaches EOF.
func serveChild(ctx context.Context, dsn string, conns int, stdin io.Reader, stdout io.Writer) error {
	pool, err := newPool(ctx, dsn, int32(conns), &counter{})
	if err != nil {
		return fmt.Errorf("child: connect: %w", err)
	}
	defer pool.Close()
	h, store, err := newSessiongenWith(pool, scaleConfig())
	if err != nil {
		return fmt.Errorf("child: store: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reap", func(w http.ResponseWriter, r *http.Request) {
		t := time.Now()
		n, err := store.Reap(r.Context(), 0)
		out := map[string]any{"deleted": n, "ms": time.Since(t).Milliseconds()}
		if err != nil {
			out["error"] = err.Error()
		}
		b, _ := json.Marshal(out)
		writeBody(w, http.StatusOK, b)
	})
	mux.Handle("/", h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("child: listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	io.Copy(io.Discard, stdin)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("child: shut down: %w", err)
	}
	return nil
}

// child is one app instance process.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	base   string
	client *http.Client
}

// reap asks the child to run Reap and returns what it reported.
func (c *child) reap(ctx context.Context) reapShare {
	hr, err := http.NewRequestWithContext(ctx, "POST", c.base+"/reap", nil)
	if err != nil {
		return reapShare{err: err.Error()}
	}
	resp, err := c.client.Do(hr)
	if err != nil {
		return reapShare{err: err.Error()}
	}
	defer resp.Body.Close()
	var out struct {
		Deleted int64  `json:"deleted"`
		MS      int64  `json:"ms"`
		Error   string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return reapShare{err: err.Error()}
	}
	return reapShare{deleted: out.Deleted, took: time.Duration(out.MS) * time.Millisecond, err: out.Error}
}

// children is a set of app instance processes.
type children struct{ procs []*child }

// startChildren starts n app instances on the database at dsn.
func startChildren(ctx context.Context, dsn string, conns, n int) (*children, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the bench executable: %w", err)
	}
	cs := &children{}
	for i := 0; i < n; i++ {
		cmd := exec.CommandContext(ctx, exe)
		cmd.Env = append(os.Environ(), childDSNEnv+"="+dsn, childConnsEnv+"="+strconv.Itoa(conns))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			cs.stop()
			return nil, fmt.Errorf("child %d: %w", i, err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			cs.stop()
			return nil, fmt.Errorf("child %d: %w", i, err)
		}
		if err := cmd.Start(); err != nil {
			cs.stop()
			return nil, fmt.Errorf("start child %d: %w", i, err)
		}
		c := &child{cmd: cmd, stdin: stdin, client: &http.Client{Timeout: 30 * time.Minute}}
		cs.procs = append(cs.procs, c)
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			cs.stop()
			return nil, fmt.Errorf("child %d did not start: %w", i, err)
		}
		c.base = strings.TrimSpace(line)
	}
	return cs, nil
}

// bases returns the children's base URLs.
func (cs *children) bases() []string {
	var out []string
	for _, c := range cs.procs {
		out = append(out, c.base)
	}
	return out
}

// stop closes the children's stdin and waits for them to exit; it may be
// called more than once.
func (cs *children) stop() {
	for _, c := range cs.procs {
		c.stdin.Close()
	}
	for _, c := range cs.procs {
		c.cmd.Wait()
	}
	cs.procs = nil
}
