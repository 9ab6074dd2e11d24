package peers

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// helperEnv marks a process started as the rusage helper.
const helperEnv = "IOCBENCH_RUSAGE_HELPER"

// helperPath is the executable RunProcess starts as the helper, or "".
var helperPath string

// EnableRusageHelper makes the program its own peak-RSS helper; call it
// first thing in main (or TestMain). When the process was started as the
// helper, it runs the command in its arguments, writes the command's
// rusage to file descriptor 3 and exits with its status: it never returns.
// Otherwise it returns, and RunProcess starts measured commands through a
// copy of this executable.
//
// Why: Go starts children with vfork semantics, so a child's ru_maxrss
// starts at the parent's resident size when it calls exec; a benchmark
// that holds gigabytes would inflate every child's figure. The helper is
// small, so a command it starts has an honest peak RSS (plus the few MB
// of the helper's own image at fork, at most).
func EnableRusageHelper() {
	if os.Getenv(helperEnv) == "" {
		if p, err := os.Executable(); err == nil {
			helperPath = p
		}
		return
	}
	os.Exit(helperMain(os.Args[1:]))
}

func helperMain(args []string) int {
	report := os.NewFile(3, "rusage")
	if len(args) == 0 || report == nil {
		fmt.Fprintln(os.Stderr, "rusage helper: no command")
		return 125
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, helperEnv+"=") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rusage helper:", err)
		return 126
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Fprintf(report, "maxrss_kb=%d\ncpu_ns=%d\n", ru.Maxrss, ru.Utime.Nano()+ru.Stime.Nano())
	}
	report.Close()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// parseCPU reads the child's CPU time (user+system) from the helper's
// report.
func parseCPU(s string) (time.Duration, bool) {
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "cpu_ns="); ok {
			ns, err := strconv.ParseInt(v, 10, 64)
			return time.Duration(ns), err == nil
		}
	}
	return 0, false
}

// parseMaxRSS reads the helper's report.
func parseMaxRSS(s string) (int64, bool) {
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "maxrss_kb="); ok {
			kb, err := strconv.ParseInt(v, 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}
