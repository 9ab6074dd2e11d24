package platform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBase(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"", "https://api.example", ""},
		{"https://api.example/", "https://api.example", ""},
		{"https://api.example/v1/", "https://api.example/v1", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://[::1]:80/x", "http://[::1]:80/x", ""},
		{"http://localhost", "http://localhost", ""},
		{"http://api.example", "", "plain http would send the API credentials in clear"},
		{"http://10.0.0.5", "", "plain http would send the API credentials in clear"},
		{"ftp://api.example", "", "is not an http or https URL"},
		{"https://u:p@api.example", "", `"https://u:xxxxx@api.example" has user info`},
		{"https://api.example/?k=1", "", "has a query or fragment"},
		{"api.example", "", "is not an http or https URL"},
	} {
		u, err := parseBase("otx", tc.in, "https://api.example")
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, u.String(), tc.in)
	}
}
