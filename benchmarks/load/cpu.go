package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat times.
const clockTicks = 100

// procCPU returns the CPU seconds process pid has used, with those of its
// children it waited for (0 when it cannot be read).
func procCPU(pid int) float64 {
	f := procStat(pid)
	if len(f) < 15 {
		return 0
	}
	var ticks float64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		n, _ := strconv.ParseFloat(f[i], 64)
		ticks += n
	}
	return ticks / clockTicks
}

// procStat returns the fields of /proc/PID/stat after the command name
// (field 3, the state, is f[0]).
func procStat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	return strings.Fields(s)
}

// treeCPU returns the CPU seconds of process root and its live children
// (a PostgreSQL postmaster and its backends).
func treeCPU(root int) float64 {
	if root <= 0 {
		return 0
	}
	total := procCPU(root)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == root {
			continue
		}
		if f := procStat(pid); len(f) > 1 && f[1] == strconv.Itoa(root) {
			total += procCPU(pid)
		}
	}
	return total
}

// selfCPU returns the CPU seconds this process (the load's clients) used.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// postmasterPID returns the pid of the PostgreSQL server whose data
// directory is dir (0 when it does not run).
func postmasterPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}
