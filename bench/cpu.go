package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machineBusy returns how much CPU time the whole machine has spent busy
// since boot: user, nice, system, irq and softirq of the "cpu" line of
// /proc/stat (idle, iowait and steal are not work done here). It covers the
// benchmark process and every PostgreSQL process alike, so the busy time of
// a window divided by its requests is the machine's CPU cost per request, a
// figure far less sensitive than requests/s to how the two cores happened to
// be scheduled. ok is false where /proc/stat does not exist.
func machineBusy() (busy time.Duration, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, false
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, false
	}
	// Fields after "cpu": user nice system idle iowait irq softirq steal ...
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		n, err := strconv.ParseInt(fields[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	// /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space.
	return time.Duration(ticks) * 10 * time.Millisecond, true
}

// processBusy returns the CPU time (user and system) this process has used
// so far: the load generator, the HTTP servers and the drivers of every
// mode. The rest of machineBusy is PostgreSQL (and the kernel work it
// causes).
func processBusy() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
