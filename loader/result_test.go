package loader

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResultMerge(t *testing.T) {
	a, err := ReadList(strings.NewReader("198.51.100.1\nnot an indicator !\n"), "page1", Options{})
	require.NoError(t, err)
	b, err := ReadList(strings.NewReader("198.51.100.2\nevil.example\n$$$\n"), "page2", Options{})
	require.NoError(t, err)
	var r Result
	r.Merge(a)
	r.Merge(b)
	assert.Len(t, r.Indicators, 3)
	assert.Equal(t, "198.51.100.2", r.Indicators[1].Value)
	assert.Equal(t, a.SkippedTotal()+b.SkippedTotal(), r.SkippedTotal())
	assert.Len(t, r.Problems, len(a.Problems)+len(b.Problems))
	assert.Equal(t, 2, r.Files)
	assert.Equal(t, []string{"page1", "page2"}, []string{r.PerFile[0].Path, r.PerFile[1].Path})

	// The bounds hold: problems and unsupported kinds.
	var big Result
	for i := 0; i < MaxProblems+300; i++ {
		big.Merge(Result{Problems: []Problem{{Path: "p", Line: i}}, Unsupported: map[string]int{fmt.Sprint("kind ", i): 1}})
	}
	assert.Len(t, big.Problems, MaxProblems)
	assert.Len(t, big.Unsupported, maxUnsupportedKinds+1)
	assert.Equal(t, MaxProblems+300-maxUnsupportedKinds, big.Unsupported[unsupportedOther])
	assert.Equal(t, MaxProblems+300, big.UnsupportedTotal())
}
