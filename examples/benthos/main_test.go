package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestLintConfigs lints every example config with Benthos's own linter,
// the iocmatch processor's spec included: no lint at all.
func TestLintConfigs(t *testing.T) {
	all, err := filepath.Glob("config/*.yaml")
	require.NoError(t, err)
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, "_benthos_test.yaml") { // Benthos config tests (TestBenthosConfigTests)
			files = append(files, f)
		}
	}
	require.GreaterOrEqual(t, len(files), 2)
	linter := service.GlobalEnvironment().FullConfigSchema("", "").NewStreamConfigLinter()
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		lints, err := linter.LintYAML(b)
		require.NoError(t, err, f)
		assert.Empty(t, lints, f)
	}
	// and the linter does see a bad iocmatch field
	lints, err := linter.LintYAML([]byte("pipeline:\n  processors:\n    - iocmatch: {feeds: [x], mode: drop, nosuch: 1}\n"))
	require.NoError(t, err)
	assert.Len(t, lints, 2, "%v", lints)
}

// TestStdinConfig runs config/stdin.yaml as it is but for its input and
// output (the sample logs instead of stdin, a file
// instead of stdout): the lines with matches come out, enriched.
func TestStdinConfig(t *testing.T) {
	b, err := os.ReadFile("config/stdin.yaml")
	require.NoError(t, err)
	var conf map[string]any
	require.NoError(t, yaml.Unmarshal(b, &conf))
	out := filepath.Join(t.TempDir(), "out.jsonl")
	clean := filepath.Join(t.TempDir(), "clean.log")
	require.NoError(t, os.WriteFile(clean, []byte("nothing here\nnor here 8.8.8.8\n"), 0o644))
	conf["input"] = map[string]any{"file": map[string]any{"paths": []string{"../../testdata/logs/*.log", clean}, "scanner": map[string]any{"lines": map[string]any{}}}}
	conf["output"] = map[string]any{"file": map[string]any{"path": out, "codec": "lines"}}
	conf["logger"] = map[string]any{"level": "OFF"}
	y, err := yaml.Marshal(conf)
	require.NoError(t, err)

	sb := service.NewStreamBuilder()
	require.NoError(t, sb.SetYAML(string(y)))
	s, err := sb.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, s.Run(ctx), "the stream ends with its input")

	var all string
	logs, _ := filepath.Glob("../../testdata/logs/*.log")
	logs = append(logs, clean)
	for _, l := range logs {
		b, err := os.ReadFile(l)
		require.NoError(t, err)
		all += string(b)
	}
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev struct {
			Message string `json:"message"`
			Threat  struct {
				Enrichments []struct {
					Matched struct{ Atomic, Field string }
				}
			}
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), sc.Text())
		require.NotEmpty(t, ev.Threat.Enrichments, sc.Text())
		for _, e := range ev.Threat.Enrichments {
			assert.Equal(t, "message", e.Matched.Field)
			assert.NotEmpty(t, e.Matched.Atomic)
		}
		assert.Contains(t, all, ev.Message+"\n", "a line of the sample logs")
		n++
	}
	total := strings.Count(all, "\n")
	assert.Greater(t, n, 0)
	assert.Less(t, n, total, "mode filter: the lines without a match are dropped")
	t.Logf("%d of %d lines matched", n, total)

	// the events are ECS: the shared validator accepts them, when it is there
	validator := "/work/shared/schemas/validate.py"
	py, err := exec.LookPath("python3")
	if _, serr := os.Stat(validator); serr != nil || err != nil {
		t.Skip("no ECS validator or python3")
	}
	res, err := exec.Command(py, validator, "ecs", out, "--allow-prefix", "threat.enrichments.iocmatch",
		"--require", "threat.enrichments.matched.atomic", "--require", "message").CombinedOutput()
	require.NoError(t, err, "%s", res)
	assert.Contains(t, string(res), " 0 problems")
}

// TestBenthosConfigTests runs Benthos's own config unit tests
// (config/*_benthos_test.yaml) through its CLI, in this process: the
// same as "go run . test ./config/...".
func TestBenthosConfigTests(t *testing.T) {
	code, err := service.RunCLIToCode(context.Background(), service.CLIOptSetArgs("benthos", "test", "./config/..."))
	require.NoError(t, err)
	assert.Equal(t, 0, code, "benthos test ./config/... failed (its report is on stdout)")
}
