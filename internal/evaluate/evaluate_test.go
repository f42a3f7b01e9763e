package evaluate

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

type recordingFetcher struct {
	asked []facts.Request
	err   error
}

func (r *recordingFetcher) Fetch(_ context.Context, req facts.Request) (facts.Facts, error) {
	r.asked = append(r.asked, req)
	out := facts.Facts{Keys: map[string]facts.KeyFact{}}
	for _, k := range req.KeyRefs {
		out.Keys[k] = facts.KeyFact{Ref: k, Found: true, Manager: "AWS"}
	}
	return out, r.err
}

func TestRequest(t *testing.T) {
	s := &guardrail.Subject{
		SubnetIDs: facts.Known([]string{"subnet-a", "", "subnet-a", "subnet-b"}),
		KMSKeyARN: facts.Known("k1"), OutputKMSKeyARN: facts.Known("k1"), VolumeKMSKeyARN: facts.Unknown[string](),
		RoleARN: facts.Null[string](),
		S3:      []guardrail.S3Location{{URI: facts.Known("s3://data/x")}, {URI: facts.Known("https://no")}, {URI: facts.Unknown[string]()}},
	}
	got := Request(s)
	want := facts.Request{SubnetIDs: []string{"subnet-a", "subnet-b"}, KeyRefs: []string{"k1"}, Buckets: []string{"data"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Request = %+v, want %+v", got, want)
	}
}

func TestObservedAsksOnlyForTheRest(t *testing.T) {
	inner := &recordingFetcher{}
	own := facts.KeyFact{Ref: "own", Found: true, Manager: "CUSTOMER"}
	f := Observed(inner, facts.Facts{Keys: map[string]facts.KeyFact{"own": own}})

	got, err := f.Fetch(context.Background(), facts.Request{KeyRefs: []string{"own", "other"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inner.asked) != 1 || !reflect.DeepEqual(inner.asked[0].KeyRefs, []string{"other"}) {
		t.Errorf("asked %+v, want only the key not observed", inner.asked)
	}
	if got.Keys["own"] != own || !got.Keys["other"].Found {
		t.Errorf("facts = %+v", got.Keys)
	}

	// Everything observed: the inner fetcher is not called at all.
	inner.asked = nil
	if _, err := f.Fetch(context.Background(), facts.Request{KeyRefs: []string{"own"}}); err != nil || len(inner.asked) != 0 {
		t.Errorf("asked %+v (err %v), want no lookup", inner.asked, err)
	}

	// A nil fetcher answers from the observed facts only.
	got, err = Observed(nil, facts.Facts{Keys: map[string]facts.KeyFact{"own": own}}).Fetch(context.Background(), facts.Request{KeyRefs: []string{"own", "other"}})
	if _, asked := got.Keys["other"]; err != nil || asked || got.Keys["own"] != own {
		t.Errorf("nil fetcher: %+v, %v", got.Keys, err)
	}

	// Errors of the inner fetcher are passed on with what was observed.
	inner.err = errors.New("throttled")
	got, err = f.Fetch(context.Background(), facts.Request{KeyRefs: []string{"own", "other"}})
	if err == nil || got.Keys["own"] != own {
		t.Errorf("error case: %+v, %v", got.Keys, err)
	}
}
