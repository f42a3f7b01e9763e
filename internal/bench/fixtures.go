package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// dataBucket creates the bucket the endpoints' model data lives in, as a
// platform team would have it before the first endpoint: SSE-KMS by
// default under a rotating key, and a TLS-only policy. The endpoint refuses
// a model bucket that does not exist (SS-DATA-2), and the bench may use
// only the sagesafe provider and Terraform's built-ins, so the bucket is
// made here, with the SDK, once per bench (it is not measured). The
// emulator is stopped after the bench, so nothing is removed.
func dataBucket(ctx context.Context, endpoint string) (string, error) {
	c, diags := awsclient.New(ctx, awsclient.Config{
		Region: region, EndpointURL: endpoint, AccessKey: "testing", SecretKey: "testing", MaxRetries: 3,
		// moto closes every connection after its answer; a fresh one per
		// request avoids the SDK's retry of a closed one.
		WrapTransport: func(next http.RoundTripper) http.RoundTripper { return closing{next} },
	})
	if diags.HasError() {
		return "", fmt.Errorf("AWS clients for the bench's bucket: %v", diags)
	}
	b := fixtures.New(c, map[string]string{"sagesafe-bench": "true"})
	key, err := b.Key(ctx, "sagesafe bench model data", true)
	if err != nil {
		return "", fmt.Errorf("the bench bucket's key: %w", err)
	}
	name := "bench-models-" + strconv.FormatInt(time.Now().UnixNano()%1e8, 36)
	if _, err := b.DataBucket(ctx, name, key); err != nil {
		return "", fmt.Errorf("the bench's model bucket: %w", err)
	}
	// The topic the stack's alarms notify (config.go): SS-MON-2 reads it,
	// so it exists, with a confirmed subscriber, as a real one would.
	if _, err := b.OnCallTopic(ctx, benchTopic); err != nil {
		return "", fmt.Errorf("the bench's alarm topic: %w", err)
	}
	return name, nil
}

type closing struct{ next http.RoundTripper }

func (t closing) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Close = true
	return t.next.RoundTrip(r)
}
