package readcache

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// store is a listed service: objects by name, a count of listings, and an
// optional gate each listing waits on (to hold it in flight).
type store struct {
	mu      sync.Mutex
	objects map[string]string
	lists   atomic.Int32
	gate    chan struct{}
	fail    error
}

func (s *store) list(_ context.Context, prefix string) (map[string]string, error) {
	s.lists.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	out := map[string]string{}
	for k, v := range s.objects {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, nil
}

func (s *store) put(name, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[name] = v
}

// TestPrefixed_concurrentReadersShareOneListing: 64 readers refreshed in
// parallel, one listing (run with -race).
func TestPrefixed_concurrentReadersShareOneListing(t *testing.T) {
	s := &store{objects: map[string]string{"a-1": "one", "a-2": "two", "b-1": "other"}, gate: make(chan struct{})}
	p := New(s.list)
	var wg sync.WaitGroup
	results := make([]map[string]string, 64)
	errs := make([]error, 64)
	for i := range 64 {
		wg.Go(func() {
			name := []string{"a-1", "a-2", "a-3"}[i%3]
			results[i], _, errs[i] = p.Get(context.Background(), "a-", []string{name})
		})
	}
	time.Sleep(20 * time.Millisecond) // let the readers pile up on the one listing
	close(s.gate)
	wg.Wait()
	if n := s.lists.Load(); n != 1 {
		t.Fatalf("%d listings, want 1", n)
	}
	for i := range 64 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch i % 3 {
		case 0:
			if results[i]["a-1"] != "one" {
				t.Fatalf("reader %d: %v", i, results[i])
			}
		case 2: // a-3 does not exist: absent, the listing is complete
			if len(results[i]) != 0 {
				t.Fatalf("reader %d: %v, want nothing", i, results[i])
			}
		}
	}
	// A later reader of the prefix is answered without another listing.
	if _, _, err := p.Get(context.Background(), "a-", []string{"a-2"}); err != nil || s.lists.Load() != 1 {
		t.Fatalf("later read: err %v, %d listings", err, s.lists.Load())
	}
}

// TestPrefixed_writtenNamesAreReadDirectly: after Forget, the name is given
// back as unlisted (the caller reads AWS), so a read after a write sees it;
// other names still come from the listing.
func TestPrefixed_writtenNamesAreReadDirectly(t *testing.T) {
	s := &store{objects: map[string]string{"a-1": "old"}}
	p := New(s.list)
	if got, _, _ := p.Get(context.Background(), "a-", []string{"a-1"}); got["a-1"] != "old" {
		t.Fatalf("got %v", got)
	}
	s.put("a-1", "new")
	s.put("a-2", "created")
	p.Forget("a-1", "a-2")
	got, unlisted, err := p.Get(context.Background(), "a-", []string{"a-1", "a-2", "a-3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !slices.Equal(unlisted, []string{"a-1", "a-2"}) {
		t.Fatalf("found %v, unlisted %v: want nothing found, a-1 and a-2 unlisted", got, unlisted)
	}
}

// TestPrefixed_writeDuringListing: a write while the listing is in flight
// (the listing may or may not hold it) keeps the name out of the listing.
func TestPrefixed_writeDuringListing(t *testing.T) {
	s := &store{objects: map[string]string{"a-1": "old"}, gate: make(chan struct{})}
	p := New(s.list)
	done := make(chan []string)
	go func() {
		_, unlisted, _ := p.Get(context.Background(), "a-", []string{"a-1"})
		done <- unlisted
	}()
	for s.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	p.Forget("a-1")
	close(s.gate)
	if unlisted := <-done; !slices.Equal(unlisted, []string{"a-1"}) {
		t.Fatalf("unlisted %v, want a-1", unlisted)
	}
}

// TestPrefixed_failedListingIsAnErrorAndNotKept: every reader waiting for a
// failed listing gets its error; the next reader lists again.
func TestPrefixed_failedListingIsAnErrorAndNotKept(t *testing.T) {
	throttled := errors.New("ThrottlingException")
	s := &store{objects: map[string]string{"a-1": "one"}, fail: throttled}
	p := New(s.list)
	if _, _, err := p.Get(context.Background(), "a-", []string{"a-1"}); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	got, _, err := p.Get(context.Background(), "a-", []string{"a-1"})
	if err != nil || got["a-1"] != "one" || s.lists.Load() != 2 {
		t.Fatalf("after the failure: %v, %v, %d listings", got, err, s.lists.Load())
	}
}

// TestPrefixed_prefixesAreListedSeparately: one listing per prefix.
func TestPrefixed_prefixesAreListedSeparately(t *testing.T) {
	s := &store{objects: map[string]string{"a-1": "one", "b-1": "bee"}}
	p := New(s.list)
	ga, _, _ := p.Get(context.Background(), "a-", []string{"a-1"})
	gb, _, _ := p.Get(context.Background(), "b-", []string{"b-1"})
	if ga["a-1"] != "one" || gb["b-1"] != "bee" || s.lists.Load() != 2 {
		t.Fatalf("a %v, b %v, %d listings", ga, gb, s.lists.Load())
	}
}

// TestPrefixed_nameOutsidePrefix: a name the listing cannot hold is an
// error, not "absent".
func TestPrefixed_nameOutsidePrefix(t *testing.T) {
	p := New((&store{objects: map[string]string{}}).list)
	if _, _, err := p.Get(context.Background(), "a-", []string{"b-1"}); err == nil {
		t.Fatal("no error for a name outside the prefix")
	}
}

// TestPrefixed_waiterGivesUp: a reader whose context ends stops waiting;
// the listing goes on for the others.
func TestPrefixed_waiterGivesUp(t *testing.T) {
	s := &store{objects: map[string]string{"a-1": "one"}, gate: make(chan struct{})}
	p := New(s.list)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, _, err := p.Get(ctx, "a-", []string{"a-1"})
		errc <- err
	}()
	for s.lists.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	other := make(chan map[string]string)
	go func() {
		got, _, _ := p.Get(context.Background(), "a-", []string{"a-1"})
		other <- got
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	close(s.gate)
	if got := <-other; got["a-1"] != "one" {
		t.Fatalf("the other reader got %v", got)
	}
}
