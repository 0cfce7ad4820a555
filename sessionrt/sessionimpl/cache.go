package sessionimpl

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// recentEvictions is how many evicted keys the cache remembers, so that a
// database read that started before an eviction is not cached after it.
const recentEvictions = 4096

// cache is the per-process session cache. A nil *cache is off.
type cache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration // MaxStaleness
	touch   time.Duration // sessionrt.Config.TouchInterval
	entries map[[sha256.Size]byte]*list.Element
	lru     *list.List // front: most recently used *cacheEntry
	on      bool       // the listener is connected, listening and has flushed
	seq     uint64     // bumped by every eviction and flush
	floor   uint64     // reads begun before this seq are not cached (flush, or the ring lost their evictions)
	ring    [recentEvictions]evicted
	next    int

	hits, misses, bypassed, evictions, flushes atomic.Int64
}

// evicted is one remembered eviction.
type evicted struct {
	key [sha256.Size]byte
	seq uint64
}

// cacheEntry is one cached session: a snapshot of the record as read (never
// changed: requests copy it), its lifecycle, and deadlines on the monotonic
// clock computed from the database clock at the read.
type cacheEntry struct {
	key     [sha256.Size]byte
	rec     Record
	meta    sessionrt.Meta
	until   time.Time // not served from this instant: expiry or MaxStaleness
	touchAt time.Time // a touch is due from this instant
}

// newCache returns the cache cfg asks for, or nil when it is off; touch is
// sessionrt.Config.TouchInterval.
func newCache(cfg sessionrt.CacheConfig, touch time.Duration) *cache {
	if cfg.MaxEntries <= 0 {
		return nil
	}
	return &cache{
		max:     cfg.MaxEntries,
		ttl:     cfg.MaxStaleness,
		touch:   touch,
		entries: make(map[[sha256.Size]byte]*list.Element, min(cfg.MaxEntries, 1<<16)),
		lru:     list.New(),
	}
}

// get returns the live entry for key.
func (c *cache) get(key [sha256.Size]byte) (*cacheEntry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on {
		c.bypassed.Add(1)
		return nil, false
	}
	el, ok := c.entries[key]
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if !time.Now().Before(e.until) {
		c.remove(el)
		c.misses.Add(1)
		return nil, false
	}
	c.lru.MoveToFront(el)
	c.hits.Add(1)
	return e, true
}

// begin is called before a database read whose row may be cached: it
// returns the sequence number put needs, and whether caching is on.
func (c *cache) begin() (uint64, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq, c.on
}

// put caches a copy of rec, read from the database as l, unless the key
// was evicted (or the cache flushed or turned off) since begin returned
// seq: the read may predate the change that evicted it.
func (c *cache) put(key [sha256.Size]byte, be Backend, rec Record, l Loaded, seq uint64) {
	if c == nil {
		return
	}
	now := time.Now()
	life := min(l.Meta.ExpiresAt.Sub(l.Now), c.ttl)
	if life <= 0 {
		return
	}
	// Both deadlines are differences of database-clock times, run on the
	// monotonic clock: skew between the clocks does not move them.
	touchIn := time.Duration(0)
	if !l.TouchDue {
		touchIn = max(0, c.touch-l.Now.Sub(l.Meta.LastSeenAt))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on || seq < c.floor {
		return
	}
	// Evictions since the read began are the newest ring entries.
	for i, n := c.next, 0; n < recentEvictions; n++ {
		i = (i + recentEvictions - 1) % recentEvictions
		ev := c.ring[i]
		if ev.seq <= seq {
			break
		}
		if ev.key == key {
			return
		}
	}
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	snap := be.New(nil)
	snap.Absorb(rec)
	e := &cacheEntry{key: key, rec: snap, meta: l.Meta, until: now.Add(life), touchAt: now.Add(touchIn)}
	c.entries[key] = c.lru.PushFront(e)
	for c.lru.Len() > c.max {
		c.remove(c.lru.Back())
	}
}

// evict removes key and remembers the eviction for reads in flight.
func (c *cache) evict(key [sha256.Size]byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if old := c.ring[c.next]; old.seq > c.floor {
		// The ring forgets this eviction: reads begun before it can no
		// longer be checked against it, so they are not cached.
		c.floor = old.seq
	}
	c.ring[c.next] = evicted{key: key, seq: c.seq}
	c.next = (c.next + 1) % recentEvictions
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.evictions.Add(1)
}

// flush empties the cache; reads begun before it are not cached.
func (c *cache) flush() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushLocked()
}

func (c *cache) flushLocked() {
	c.seq++
	c.floor = c.seq
	clear(c.entries)
	c.lru.Init()
	c.flushes.Add(1)
}

// setOn turns serving on (after LISTEN and a flush) or off (listener lost:
// the cache is flushed and bypassed).
func (c *cache) setOn(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushLocked()
	c.on = on
}

// remove drops one entry; the cache is locked.
func (c *cache) remove(el *list.Element) {
	delete(c.entries, el.Value.(*cacheEntry).key)
	c.lru.Remove(el)
}

// stats reports the counters.
func (c *cache) stats() sessionrt.CacheStats {
	if c == nil {
		return sessionrt.CacheStats{}
	}
	c.mu.Lock()
	n, on := c.lru.Len(), c.on
	c.mu.Unlock()
	return sessionrt.CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Bypassed: c.bypassed.Load(),
		Evictions: c.evictions.Load(), Flushes: c.flushes.Load(), Entries: n, On: on}
}

// CacheStats reports what the session cache did (all zero when it is off).
func (m *Manager) CacheStats() sessionrt.CacheStats { return m.cache.stats() }
