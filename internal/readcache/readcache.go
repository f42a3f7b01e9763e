// Package readcache shares list reads between the resources that one
// Terraform command refreshes. Terraform refreshes resources in parallel and
// each sagesafe workload would otherwise read its own alarms, log group and
// scalable target with a call of its own; CloudWatch's DescribeAlarms and
// CloudWatch Logs' DescribeLogGroups allow only a few requests per second
// per account and Region, so 500 endpoints would be minutes of throttling on
// every plan (issue 16). Instead, the first read of a name lists every object
// under the name's prefix (one paginated call), and every other read of that
// prefix in the same command answers from that listing.
//
// The listing is live, made in this command: nothing is carried between
// commands, and a failed listing is an error for every reader that waited for
// it (it is not kept: the next reader lists again). An object written after
// its prefix was listed (Forget) is never answered from the listing again:
// the caller reads it directly, so a read after a write sees the write.
package readcache

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
)

// Lister returns every object whose name starts with prefix, by name. It must
// return all of them (every page): a name missing from its answer is taken
// as "does not exist".
type Lister[V any] func(ctx context.Context, prefix string) (map[string]V, error)

// Prefixed answers reads of objects by name from one listing per name prefix,
// taken at most once per Prefixed (one provider configuration, one Terraform
// command). It is safe for concurrent use: concurrent first readers of a
// prefix wait for one listing (golang.org/x/sync/singleflight).
type Prefixed[V any] struct {
	list  Lister[V]
	group singleflight.Group

	mu       sync.Mutex
	listings map[string]map[string]V // by prefix
	// written are names changed since (or while) their prefix was listed;
	// they stay out of the listings for the rest of the command.
	written map[string]bool
}

// New returns a Prefixed that lists with list.
func New[V any](list Lister[V]) *Prefixed[V] {
	return &Prefixed[V]{list: list, listings: map[string]map[string]V{}, written: map[string]bool{}}
}

// Get returns the objects of names that exist (found) and the names the
// listing of prefix cannot answer because they were written in this command
// (unlisted, in the order given): the caller reads those directly. Every name
// must start with prefix. A name neither in found nor in unlisted does not
// exist. The first Get of a prefix lists it; an error of that listing is
// returned to every Get that waited for it.
func (p *Prefixed[V]) Get(ctx context.Context, prefix string, names []string) (found map[string]V, unlisted []string, err error) {
	for _, n := range names {
		if !strings.HasPrefix(n, prefix) {
			return nil, nil, fmt.Errorf("readcache: %q is not under the prefix %q", n, prefix)
		}
	}
	listing, err := p.listing(ctx, prefix)
	if err != nil {
		return nil, nil, err
	}
	found = make(map[string]V, len(names))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range names {
		if p.written[n] {
			unlisted = append(unlisted, n)
			continue
		}
		if v, ok := listing[n]; ok {
			found[n] = v
		}
	}
	return found, unlisted, nil
}

// Forget records that the named objects were created, changed or deleted:
// reads of them are no longer answered from a listing (one taken before the
// write, or during it, may hold the old object or miss the new one).
func (p *Prefixed[V]) Forget(names ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range names {
		p.written[n] = true
	}
}

// listing returns the listing of prefix, taking it when there is none. The
// listing runs on a context that a waiter giving up does not cancel (other
// readers may be waiting for it); each waiter stops waiting when its own ctx
// ends.
func (p *Prefixed[V]) listing(ctx context.Context, prefix string) (map[string]V, error) {
	p.mu.Lock()
	l, ok := p.listings[prefix]
	p.mu.Unlock()
	if ok {
		return l, nil
	}
	ch := p.group.DoChan(prefix, func() (any, error) {
		p.mu.Lock()
		l, ok := p.listings[prefix]
		p.mu.Unlock()
		if ok {
			return l, nil
		}
		l, err := p.list(context.WithoutCancel(ctx), prefix)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		p.listings[prefix] = l
		p.mu.Unlock()
		return l, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		l, _ := res.Val.(map[string]V) // the only type the function above returns
		return l, nil
	}
}
