package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunWritesSpansAndMetrics(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ""))
	text := out.String()

	// The output is a stream of JSON documents: spans, then metrics.
	type span struct {
		Name        string
		SpanContext struct{ TraceID, SpanID string }
		Parent      struct{ SpanID string }
		Events      []struct{ Name string }
		Status      struct{ Code string }
	}
	var spans []span
	var metricNames []string
	dec := json.NewDecoder(strings.NewReader(text))
	for {
		var doc map[string]json.RawMessage
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if _, ok := doc["SpanContext"]; ok {
			raw, _ := json.Marshal(doc)
			var s span
			require.NoError(t, json.Unmarshal(raw, &s))
			spans = append(spans, s)
			continue
		}
		var rm struct {
			ScopeMetrics []struct{ Metrics []struct{ Name string } }
		}
		raw, _ := json.Marshal(doc)
		require.NoError(t, json.Unmarshal(raw, &rm))
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				metricNames = append(metricNames, m.Name)
			}
		}
	}

	require.Len(t, spans, 3)
	byName := map[string]span{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	parent := byName["check-licenses"]
	for _, name := range []string{"polardb/DescribeLicenseOrders", "polardb/DescribeActivationCodes"} {
		s, ok := byName[name]
		require.True(t, ok, name)
		assert.Equal(t, parent.SpanContext.TraceID, s.SpanContext.TraceID)
		assert.Equal(t, parent.SpanContext.SpanID, s.Parent.SpanID)
		assert.Equal(t, "Ok", s.Status.Code)
	}
	assert.Len(t, byName["polardb/DescribeLicenseOrders"].Events, 2, "a 503, then the answer")
	assert.Len(t, byName["polardb/DescribeActivationCodes"].Events, 1)
	assert.Contains(t, metricNames, "rpc.client.duration")
	assert.Contains(t, metricNames, "polarlicense.client.attempts")
	assert.NotContains(t, text, "Signature", "no request parameter or header reaches the telemetry")
}
