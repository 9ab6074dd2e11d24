package peers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Tool is an external literal matcher run as a whole process.
type Tool struct {
	Name string // "grep", "rg"
	Path string // executable
	// Args returns the arguments to search input for the patterns in
	// the file patterns, printing only a count.
	Args func(patterns, input string) []string
}

// Grep returns GNU grep -F -c -f as a Tool, or an error when grep is not
// on PATH. It runs with LC_ALL=C (see Run), grep's fastest setting.
func Grep() (Tool, error) {
	p, err := exec.LookPath("grep")
	if err != nil {
		return Tool{}, err
	}
	return Tool{Name: "grep", Path: p, Args: func(pat, in string) []string {
		return []string{"-F", "-c", "-f", pat, in}
	}}, nil
}

// Ripgrep returns rg -F -c -f as a Tool, or an error when rg is not on
// PATH.
func Ripgrep() (Tool, error) {
	p, err := exec.LookPath("rg")
	if err != nil {
		return Tool{}, err
	}
	return Tool{Name: "rg", Path: p, Args: func(pat, in string) []string {
		return []string{"--no-config", "-F", "-c", "--no-filename", "-f", pat, in}
	}}, nil
}

// Version returns the first line of the tool's --version output.
func (t Tool) Version() string {
	out, err := exec.Command(t.Path, "--version").Output()
	if err != nil {
		return "unknown version"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// Run is the outcome of one process run.
type Run struct {
	Wall   time.Duration
	MaxRSS int64 // peak resident set size of the child, bytes
	// CPU is the child's CPU time, user+system, all its threads (0:
	// unknown).
	CPU      time.Duration
	Output   string // standard output, trimmed
	Stderr   string // standard error, trimmed
	TimedOut bool
}

// Run runs the tool on input with the patterns file, with LC_ALL=C, and
// kills it after timeout. Exit status 1 (no line matched, for grep and
// rg) is not an error; a time-out is not an error either but sets
// Run.TimedOut.
func (t Tool) Run(ctx context.Context, patterns, input string, timeout time.Duration) (Run, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return RunProcess(ctx, t.Path, t.Args(patterns, input), []string{"LC_ALL=C"})
}

// RunProcess runs path with args (and env added to the environment),
// standard output and standard error captured, and measures its wall time
// and peak RSS. The context's deadline ends the process (and its process
// group); the Run then has TimedOut set. With EnableRusageHelper called,
// the command runs under the helper so that its peak RSS is its own;
// without, the figure can include the caller's resident size.
func RunProcess(ctx context.Context, path string, args, env []string) (Run, error) {
	name, argv := path, args
	var rpipe, wpipe *os.File
	if helperPath != "" {
		var err error
		if rpipe, wpipe, err = os.Pipe(); err != nil {
			return Run{}, err
		}
		defer rpipe.Close()
		name, argv = helperPath, append([]string{path}, args...)
		env = append(env, helperEnv+"=1")
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if wpipe != nil {
		cmd.ExtraFiles = []*os.File{wpipe}
	}
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	t0 := time.Now()
	err := cmd.Start()
	if wpipe != nil {
		wpipe.Close()
	}
	if err == nil {
		err = cmd.Wait()
	}
	r := Run{Wall: time.Since(t0), Output: strings.TrimSpace(out.String()), Stderr: strings.TrimSpace(errb.String())}
	if rpipe != nil {
		rep, _ := io.ReadAll(rpipe)
		if rss, ok := parseMaxRSS(string(rep)); ok {
			r.MaxRSS = rss
		}
		if cpu, ok := parseCPU(string(rep)); ok {
			r.CPU = cpu
		}
	} else if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
			r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if ctx.Err() == context.DeadlineExceeded {
		r.TimedOut = true
		return r, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("%s: %v: %s", path, err, r.Stderr)
	}
	return r, nil
}
