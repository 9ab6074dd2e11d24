package age

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// Day is 24 hours, the unit of MISP's lifetimes and of "30d" durations.
const Day = 24 * time.Hour

// Model is a decay model: MISP's polynomial decaying model, whose score
// of an indicator last sighted t ago is
//
//	score = base × (1 − (t/Lifetime)^(1/DecaySpeed))
//
// clamped to [0, 100]: base at t ≤ 0, 0 from t = Lifetime on. Below
// Threshold the indicator is decayed: it does not match.
type Model struct {
	// Name is the model's name ("NIDS Simple Decaying Model").
	Name string
	// Lifetime is τ, the time the score takes to reach 0. It must be > 0.
	Lifetime time.Duration
	// DecaySpeed is δ, > 0: 1 decays linearly, larger values fall fast
	// at first and then slowly.
	DecaySpeed float64
	// Threshold is the score, 0 to 100, below which an indicator is
	// decayed. 0 means never decayed (the score still falls to 0).
	Threshold float64
	// DefaultBase is the base score, 0 to 100, of an indicator whose
	// confidence is unknown; a known confidence is the base score.
	DefaultBase float64

	// The rest is what a MISP model file says besides the parameters,
	// kept for reports; the score does not use it.

	// UUID is the model's MISP uuid, if any.
	UUID string
	// Description is the model's description, if any.
	Description string
	// AttributeTypes are the MISP attribute types the model is meant for
	// ("ip-dst", "domain|ip" …), if the file names them (see Types).
	AttributeTypes []string
	// BaseScoreConfig are MISP's weights of taxonomies in the base score.
	// iocmatch takes the base score from the indicator's confidence (which
	// the MISP loader reads from such tags) instead.
	BaseScoreConfig map[string]float64
}

// Validate reports whether m's parameters are in range.
func (m *Model) Validate() error {
	switch {
	case m.Lifetime <= 0:
		return fmt.Errorf("age: model %q: lifetime %v: must be > 0", m.Name, m.Lifetime)
	case !(m.DecaySpeed > 0) || math.IsInf(m.DecaySpeed, 0):
		return fmt.Errorf("age: model %q: decay speed %v: must be a number > 0", m.Name, m.DecaySpeed)
	case !(m.Threshold >= 0 && m.Threshold <= 100):
		return fmt.Errorf("age: model %q: threshold %v: must be 0 to 100", m.Name, m.Threshold)
	case !(m.DefaultBase >= 0 && m.DefaultBase <= 100):
		return fmt.Errorf("age: model %q: default base score %v: must be 0 to 100", m.Name, m.DefaultBase)
	}
	return nil
}

// Score returns the score, 0 to 100, of an indicator of base score base
// last sighted t ago (t ≤ 0: base, clamped).
func (m *Model) Score(base float64, t time.Duration) float64 {
	base = min(max(base, 0), 100)
	if t <= 0 {
		return base
	}
	if t >= m.Lifetime {
		return 0
	}
	s := base * (1 - math.Pow(float64(t)/float64(m.Lifetime), 1/m.DecaySpeed))
	return min(max(s, 0), 100)
}

// DecayAfter returns how long after its last sighting an indicator of
// base score base falls below the threshold: τ × (1 − threshold/base)^δ,
// 0 when base is already below it (or equal to it, and > 0). ok is false
// when it never does: a threshold of 0.
func (m *Model) DecayAfter(base float64) (d time.Duration, ok bool) {
	if m.Threshold <= 0 {
		return 0, false
	}
	base = min(max(base, 0), 100)
	if base <= m.Threshold {
		return 0, true
	}
	f := math.Pow(1-m.Threshold/base, m.DecaySpeed) * float64(m.Lifetime)
	if !(f < float64(m.Lifetime)) { // and no float-to-int overflow near MaxInt64
		return m.Lifetime, true
	}
	return time.Duration(f), true
}

// Types returns the indicator types of the model's AttributeTypes: each
// MISP type, or each part of a composite one ("domain|ip"), that package
// indicator knows ("ip-dst" is ipv4, ipv6 and cidr; "hostname" is domain;
// "ip-dst|port" is the addresses), in indicator order; MISP types with no
// indicator type ("snort", "port") give none. Nil when the model names no
// attribute types.
func (m *Model) Types() []indicator.Type {
	var has [indicator.NumTypes]bool
	for _, at := range m.AttributeTypes {
		for _, part := range strings.Split(at, "|") {
			t, err := indicator.ParseType(part)
			if err != nil {
				continue
			}
			if t.IsAddress() {
				has[indicator.IPv4], has[indicator.IPv6], has[indicator.CIDR] = true, true, true
			}
			has[t] = true
		}
	}
	var out []indicator.Type
	for _, t := range indicator.Types() {
		if has[t] {
			out = append(out, t)
		}
	}
	return out
}

// The models MISP ships (github.com/MISP/misp-decaying-models, models/),
// with their default parameters.
var shipped = []Model{
	{
		Name: "NIDS Simple Decaying Model", UUID: "073fae4a-2377-4cfa-bd34-2516830d33c3",
		Lifetime: 120 * Day, DecaySpeed: 2, Threshold: 30, DefaultBase: 80,
		Description:    "Simple decaying model for Network Intrusion Detection System (NIDS).",
		AttributeTypes: []string{"domain", "domain|ip", "hostname", "hostname|port", "ip-dst", "ip-dst|port", "ip-src", "ip-src|port", "url", "snort", "suricata", "zeek", "bro"},
	},
	{
		Name: "Phishing model", UUID: "dbbd7ba7-6559-48fc-ab58-cc499d1b1143",
		Lifetime: 3 * Day, DecaySpeed: 2.3, Threshold: 30, DefaultBase: 80,
		Description:    "Simple model to rapidly decay phishing website.",
		AttributeTypes: []string{"domain", "domain|ip", "hostname", "hostname|port", "ip-dst", "ip-dst|port", "ip-src", "ip-src|port", "url"},
	},
	{
		Name: "Vishing model", UUID: "1097c0fe-06eb-4741-94d9-8098301d92f4",
		Lifetime: 10 * Day, DecaySpeed: 2.3, Threshold: 30, DefaultBase: 80,
		Description:    "Simple model to rapidly decay voice scamming, vishing relying on phone-numbers.",
		AttributeTypes: []string{"phone-number", "prtn"},
	},
}

// modelAliases are the other names of the shipped models, normalised.
var modelAliases = map[string]int{
	"nids simple": 0, "nids": 0, "nids simple model": 0, "nids simple decaying model": 0,
	"phishing": 1, "phishing model": 1,
	"vishing": 2, "vishing model": 2,
}

// normName lower-cases s, makes '-' and '_' spaces and collapses spaces.
func normName(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// Models returns the models MISP ships, with MISP's default parameters:
// "NIDS Simple Decaying Model" (τ 120 days, δ 2, threshold 30, default
// base 80), "Phishing model" (τ 3 days, δ 2.3, threshold 30, default base
// 80) and "Vishing model" (τ 10 days, δ 2.3, threshold 30, default base
// 80). The slice is a copy.
func Models() []Model {
	out := make([]Model, len(shipped))
	copy(out, shipped)
	return out
}

// LookupModel returns the shipped model named name, case-insensitively,
// with '-', '_' and spaces alike: its MISP name ("NIDS Simple Decaying
// Model"), its file's name ("nids-simple-model"), or a short name ("NIDS
// Simple", "nids", "phishing", "vishing").
func LookupModel(name string) (Model, bool) {
	n := normName(name)
	i, ok := modelAliases[n]
	if !ok {
		return Model{}, false
	}
	m := shipped[i]
	m.AttributeTypes = append([]string(nil), m.AttributeTypes...)
	return m, true
}

// maxModelFile bounds a model file ReadModelFile reads: 1 MiB (MISP's are
// about 1.5 KB).
const maxModelFile = 1 << 20

// ReadModelFile reads a MISP decaying-model JSON file (see ParseModel);
// errors name the file. A model without a name is named after the file.
func ReadModelFile(path string) (Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return Model{}, fmt.Errorf("age: decay model: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxModelFile+1)); err != nil {
		return Model{}, fmt.Errorf("age: decay model %s: %w", path, err)
	}
	if buf.Len() > maxModelFile {
		return Model{}, fmt.Errorf("age: decay model %s: larger than %d bytes: not a model file", path, maxModelFile)
	}
	m, err := parseModel(buf.Bytes())
	if err != nil {
		return Model{}, fmt.Errorf("age: decay model %s: %w", path, err)
	}
	if m.Name == "" {
		m.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return m, nil
}

// ParseModel parses a MISP decaying-model JSON document, as MISP exports
// it and as github.com/MISP/misp-decaying-models holds them: an object
// with name, uuid, description, formula ("Polynomial", the only one
// supported; absent means it), attribute_types and parameters: lifetime
// (days, > 0, may have a fraction), decay_speed (> 0), threshold (0 to
// 100), default_base_score (0 to 100) and base_score_config. Numbers may
// be JSON strings, as MISP's API sometimes gives them. An object wrapped
// as {"DecayingModel": {…}} (MISP's API) is unwrapped. Other fields are
// ignored. Errors quote the bad field and value.
func ParseModel(data []byte) (Model, error) {
	m, err := parseModel(data)
	if err != nil {
		return Model{}, fmt.Errorf("age: decay model: %w", err)
	}
	return m, nil
}

// modelJSON is a MISP decaying model file.
type modelJSON struct {
	Name           *string         `json:"name"`
	UUID           *string         `json:"uuid"`
	Description    *string         `json:"description"`
	Formula        *string         `json:"formula"`
	AttributeTypes json.RawMessage `json:"attribute_types"`
	Parameters     json.RawMessage `json:"parameters"`
	DecayingModel  json.RawMessage `json:"DecayingModel"`
}

type paramsJSON struct {
	Lifetime        json.RawMessage `json:"lifetime"`
	DecaySpeed      json.RawMessage `json:"decay_speed"`
	Threshold       json.RawMessage `json:"threshold"`
	DefaultBase     json.RawMessage `json:"default_base_score"`
	BaseScoreConfig json.RawMessage `json:"base_score_config"`
}

func parseModel(data []byte) (Model, error) {
	var doc modelJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return Model{}, fmt.Errorf("not a MISP decaying model (a JSON object): %v", err)
	}
	if len(doc.DecayingModel) > 0 && doc.Parameters == nil {
		var inner modelJSON
		if err := json.Unmarshal(doc.DecayingModel, &inner); err != nil {
			return Model{}, fmt.Errorf("DecayingModel: not an object: %v", err)
		}
		doc = inner
	}
	var m Model
	if doc.Name != nil {
		m.Name = strings.TrimSpace(*doc.Name)
	}
	if doc.UUID != nil {
		m.UUID = strings.TrimSpace(*doc.UUID)
	}
	if doc.Description != nil {
		m.Description = strings.TrimSpace(*doc.Description)
	}
	if doc.Formula != nil && !strings.EqualFold(strings.TrimSpace(*doc.Formula), "polynomial") {
		return Model{}, fmt.Errorf("formula %q: only MISP's Polynomial formula is supported", *doc.Formula)
	}
	if len(doc.AttributeTypes) > 0 && string(doc.AttributeTypes) != "null" {
		if err := json.Unmarshal(doc.AttributeTypes, &m.AttributeTypes); err != nil {
			return Model{}, fmt.Errorf("attribute_types %.60s: want an array of strings", doc.AttributeTypes)
		}
	}
	if len(doc.Parameters) == 0 || string(doc.Parameters) == "null" {
		return Model{}, fmt.Errorf("no parameters object")
	}
	var p paramsJSON
	if err := json.Unmarshal(doc.Parameters, &p); err != nil {
		return Model{}, fmt.Errorf("parameters %.60s: want an object", doc.Parameters)
	}
	days, err := number("lifetime", p.Lifetime, true)
	if err != nil {
		return Model{}, err
	}
	if !(days > 0) || days > 100*365 {
		return Model{}, fmt.Errorf("parameters.lifetime %s: must be > 0 days and at most 100 years", p.Lifetime)
	}
	m.Lifetime = time.Duration(days * float64(Day))
	if m.DecaySpeed, err = number("decay_speed", p.DecaySpeed, true); err != nil {
		return Model{}, err
	}
	if !(m.DecaySpeed > 0) || m.DecaySpeed > 1e6 {
		return Model{}, fmt.Errorf("parameters.decay_speed %s: must be > 0 (and at most 1e6)", p.DecaySpeed)
	}
	if m.Threshold, err = number("threshold", p.Threshold, true); err != nil {
		return Model{}, err
	}
	if !(m.Threshold >= 0 && m.Threshold <= 100) {
		return Model{}, fmt.Errorf("parameters.threshold %s: must be 0 to 100", p.Threshold)
	}
	if m.DefaultBase, err = number("default_base_score", p.DefaultBase, true); err != nil {
		return Model{}, err
	}
	if !(m.DefaultBase >= 0 && m.DefaultBase <= 100) {
		return Model{}, fmt.Errorf("parameters.default_base_score %s: must be 0 to 100", p.DefaultBase)
	}
	if len(p.BaseScoreConfig) > 0 && string(p.BaseScoreConfig) != "null" {
		var raw map[string]json.RawMessage
		if json.Unmarshal(p.BaseScoreConfig, &raw) != nil {
			// MISP gives [] for an empty config
			var empty []json.RawMessage
			if json.Unmarshal(p.BaseScoreConfig, &empty) != nil || len(empty) > 0 {
				return Model{}, fmt.Errorf("parameters.base_score_config %.60s: want an object of weights", p.BaseScoreConfig)
			}
		}
		for k, v := range raw {
			w, err := number("base_score_config."+k, v, true)
			if err != nil {
				return Model{}, err
			}
			if m.BaseScoreConfig == nil {
				m.BaseScoreConfig = map[string]float64{}
			}
			m.BaseScoreConfig[k] = w
		}
	}
	return m, m.Validate()
}

// number parses the parameter name: a JSON number, or a string holding
// one.
func number(name string, raw json.RawMessage, required bool) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return 0, fmt.Errorf("parameters.%s: missing", name)
		}
		return 0, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("parameters.%s %.60s: not a number", name, raw)
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("parameters.%s %.60s: not a number", name, raw)
	}
	return v, nil
}
