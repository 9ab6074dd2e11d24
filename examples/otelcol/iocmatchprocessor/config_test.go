package iocmatchprocessor

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	load := func(name string) (*Config, error) {
		sub, err := cm.Sub(component.MustNewIDWithName(TypeStr, name).String())
		if err != nil {
			t.Fatal(err)
		}
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		if err := sub.Unmarshal(cfg); err != nil {
			return nil, err
		}
		return cfg, confmap.Validate(cfg)
	}

	sub, err := cm.Sub(TypeStr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Feeds: []string{"../../../testdata/feeds/csv", "../../../testdata/feeds/stix/bundle-2.1.json"},
		Allowlists: AllowlistsConfig{
			Reserved: false, Documentation: true, InternalSources: []string{"soc"},
			Warninglists:            []string{"../../../testdata/feeds/misp/warninglists"},
			SuppressAllWarninglists: true,
			Files:                   []string{"../../../testdata/lists/ips.txt"},
		},
		MaxAge: "ip=7d,hash=off", Decay: "NIDS Simple",
		ReloadInterval: 30 * time.Second, RebuildInterval: time.Hour,
		MinConfidence: 40, Attribute: "url.full", DropUnmatched: true, MaxMatches: 10,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("loaded\n%+v\nwant\n%+v", cfg, want)
	}
	if _, err := cfg.allowOptions(); err != nil {
		t.Fatalf("allowOptions: %v", err)
	}

	// An empty section keeps the defaults, and fails for want of feeds.
	if _, err := load("empty"); err == nil || !strings.Contains(err.Error(), "feeds: at least one") {
		t.Errorf("empty section: %v", err)
	}
	// A misspelt key is an error that names it.
	if _, err := load("typo"); err == nil || !strings.Contains(err.Error(), "reload_intervall") {
		t.Errorf("misspelt key: %v", err)
	}
}

func TestValidate(t *testing.T) {
	dir, list := feedDir(t)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // in the error; "" for none
	}{
		{"ok", func(*Config) {}, ""},
		{"no feeds", func(c *Config) { c.Feeds = nil }, "feeds: at least one feed"},
		{"missing feed", func(c *Config) { c.Feeds = append(c.Feeds, filepath.Join(dir, "nope.csv")) }, "feeds[1]: open " + filepath.Join(dir, "nope.csv")},
		{"empty feed path", func(c *Config) { c.Feeds = []string{""} }, "feeds[0]: empty path"},
		{"missing warninglist", func(c *Config) { c.Allowlists.Warninglists = []string{"/nonexistent/wl"} }, "allowlists.warninglists[0]: open /nonexistent/wl"},
		{"missing allowlist", func(c *Config) { c.Allowlists.Files = []string{"/nonexistent/allow.txt"} }, "allowlists.files[0]: open /nonexistent/allow.txt"},
		{"allowlist dir", func(c *Config) { c.Allowlists.Files = []string{dir} }, "allowlists.files[0]: " + dir + " is a directory"},
		{"negative reload", func(c *Config) { c.ReloadInterval = -time.Second }, "reload_interval: -1s is negative"},
		{"negative rebuild", func(c *Config) { c.RebuildInterval = -time.Minute }, "rebuild_interval: -1m0s is negative"},
		{"confidence", func(c *Config) { c.MinConfidence = 101 }, "min_confidence: 101 is not in 0-100"},
		{"max matches", func(c *Config) { c.MaxMatches = 0 }, "max_matches: 0, must be at least 1"},
		{"max age", func(c *Config) { c.MaxAge = "ip=forever" }, "max_age:"},
		{"max age type", func(c *Config) { c.MaxAge = "nosuchtype=7d" }, "max_age:"},
		{"max age off", func(c *Config) { c.MaxAge = "off" }, ""},
		{"decay", func(c *Config) { c.Decay = "No Such Model" }, "decay:"},
		{"decay ok", func(c *Config) { c.Decay = "NIDS Simple" }, ""},
		{"attribute spaces", func(c *Config) { c.Attribute = " url.full" }, `attribute: " url.full" has leading`},
		{"reload off", func(c *Config) { c.ReloadInterval = 0 }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			cfg.Feeds = []string{list}
			tc.edit(cfg)
			err := cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	// Several problems are all reported.
	cfg := createDefaultConfig()
	cfg.MinConfidence, cfg.MaxMatches = -1, -1
	err := cfg.Validate()
	for _, w := range []string{"feeds:", "min_confidence:", "max_matches:"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}
