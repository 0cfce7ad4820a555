package sessionimpl_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// The in-memory engine runs the lifecycle suite (TestLifecycle); this
// covers what only it does.

// TestMemoryNoCache: the in-memory engine has no cache; asking for one
// fails at start with sessionrt.ErrNoCache.
func TestMemoryNoCache(t *testing.T) {
	mem := sessionimpl.NewMemory(backend{}.New)
	cfg := sessionrt.Config{Cache: sessionrt.CacheConfig{MaxEntries: 10}}
	if _, err := sessionimpl.NewManager(mem, backend{}, cfg); !errors.Is(err, sessionrt.ErrNoCache) {
		t.Fatalf("NewManager with a cache on the in-memory engine = %v, want sessionrt.ErrNoCache", err)
	}
	e := newMemEnv(t, sessionrt.Config{})
	if err := e.M.RunCacheListener(context.Background()); err == nil {
		t.Fatal("RunCacheListener without a cache returned nil")
	}
	if s := e.M.CacheStats(); s != (sessionrt.CacheStats{}) {
		t.Fatalf("CacheStats = %+v", s)
	}
}
