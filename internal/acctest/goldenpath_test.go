package acctest

import (
	"regexp"
	"slices"
	"testing"
)

// The provider configuration the golden-path tests put around the module:
// the example's provider block and exactly the example's variables the
// module does not declare (a variable declared twice would not load).
func TestGoldenPathProvider(t *testing.T) {
	got := GoldenPathProvider(t)
	if !providerBlock.MatchString(got) {
		t.Fatalf("no provider block:\n%s", got)
	}
	var names []string
	for _, m := range variableBlock.FindAllStringSubmatch(got, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	if want := []string{"alarm_topic_arn", "cost_center", "endpoint_url", "region", "team"}; !slices.Equal(names, want) {
		t.Errorf("variables %v, want %v", names, want)
	}
	if !regexp.MustCompile(`alarm_actions\s*=\s*\[var\.alarm_topic_arn\]`).MatchString(got) {
		t.Errorf("the provider block is not the example's:\n%s", got)
	}
}
