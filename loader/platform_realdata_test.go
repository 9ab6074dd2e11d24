package loader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealdataPlatforms reads every sample of the platforms' folders of
// ../../shared/realdata/feeds (and the platform feeds of its acceptance
// set) as Load does, by content: each file in its platform's format, with
// the indicators, problems and unsupported records counted here (issue
// 13's closing note has the same table). Nothing is a silent zero.
func TestRealdataPlatforms(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "realdata")
	if _, err := os.Stat(filepath.Join(root, "feeds", "otx")); err != nil {
		t.Skip("no realdata:", err)
	}
	type want struct {
		format      Format
		indicators  int
		skipped     int
		unsupported map[string]int
	}
	for file, w := range map[string]want{
		"feeds/otx/elastic_otx_indicators_export.ndjson":             {FormatOTX, 83, 0, nil},
		"feeds/otx/elastic_otx_pulses_subscribed.ndjson":             {FormatOTX, 6, 0, nil},
		"feeds/recordedfuture/elastic_rf_hash_risklist.csv":          {FormatRecordedFuture, 2, 0, map[string]int{"recordedfuture row: extra empty field": 1}},
		"feeds/recordedfuture/elastic_rf_url_risklist.csv":           {FormatRecordedFuture, 10, 0, map[string]int{"recordedfuture evidence: not JSON": 1}},
		"feeds/recordedfuture/intelmq_rf_iprisk.csv":                 {FormatRecordedFuture, 1, 0, map[string]int{"recordedfuture evidence: not JSON": 1}},
		"feeds/abuseipdb/abuseipdb_api_blacklist_plaintext.txt":      {FormatList, 9979, 0, nil},
		"feeds/abuseipdb/abuseipdb_blacklist.csv":                    {FormatAbuseIPDB, 10001, 0, nil},
		"feeds/abuseipdb/abuseipdb_blacklist_data_array.json":        {FormatAbuseIPDB, 10000, 0, nil},
		"feeds/threatconnect/cb_threatconnect_v2_indicators.json":    {FormatThreatConnect, 14794, 0, map[string]int{"threatconnect type: Unsupported": 2917}},
		"feeds/threatconnect/elastic_tc_v3_indicator.ndjson":         {FormatThreatConnect, 1, 0, nil},
		"feeds/threatconnect/tcex_batch_empty_groups.json":           {FormatThreatConnect, 6, 0, nil},
		"feeds/threatconnect/tcex_batch_large_file.json":             {FormatThreatConnect, 3, 0, map[string]int{"threatconnect group": 6}},
		"feeds/threatconnect/tcex_transformed_indicators.json":       {FormatThreatConnect, 10, 0, nil},
		"feeds/threatconnect/xsoar_feedthreatconnect_indicator.json": {FormatThreatConnect, 1, 0, nil},
		"feeds/other/crowdstrike_falcon_indicators_tcex.json":        {FormatCrowdStrike, 10, 0, nil},
		"feeds/other/elastic_anomali_threatstream_mal_ipv6.json":     {FormatThreatStream, 1, 0, nil},
		"feeds/other/elastic_mandiant_advantage_ipv4_event.json":     {FormatMandiant, 1, 0, nil},
		"feeds/other/opencti_DATA-TEST-STIX2_v2.json":                {FormatSTIX, 3, 0, nil},
		"feeds/other/opencti_indicator_stix.json":                    {FormatSTIX, 2, 0, nil},
		"acceptance/feeds/intelmq_otx_pulses.json":                   {FormatOTX, 92, 0, map[string]int{"otx CVE": 1, "otx URI": 2}},
		"acceptance/feeds/elastic_rf_ip_risklist.csv":                {FormatRecordedFuture, 9, 0, nil},
		"acceptance/feeds/abuseipdb_blacklist_api_v2.json":           {FormatAbuseIPDB, 10000, 0, nil},
		"acceptance/feeds/cb_threatconnect_v2_indicators.json":       {FormatThreatConnect, 14794, 0, map[string]int{"threatconnect type: Unsupported": 2917}},
	} {
		path := filepath.Join(root, filepath.FromSlash(file))
		if _, err := os.Stat(path); err != nil {
			t.Logf("%s: not there: %v", file, err)
			continue
		}
		res, err := Load(path, Options{})
		require.NoError(t, err, file)
		require.Len(t, res.PerFile, 1, file)
		assert.Equal(t, w.format, res.PerFile[0].Format, file)
		assert.Equal(t, w.indicators, res.PerFile[0].Indicators, file)
		assert.Equal(t, w.skipped, res.SkippedTotal(), "%s: %v", file, res.Problems)
		if w.unsupported == nil {
			assert.Empty(t, res.Unsupported, file)
		} else {
			assert.Equal(t, w.unsupported, res.Unsupported, file)
		}
		assert.NotZero(t, len(res.Indicators)+res.UnsupportedTotal()+res.SkippedTotal(), "%s: a silent zero", file)
	}
}
