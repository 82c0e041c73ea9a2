package query

import (
	"context"
	"sync"

	"sgz/locale"
)

// scheduler decides which console query runs next: at most total at once,
// at most perUser of one user at once, at most queue more of one user
// waiting, and users served in turn (round robin), so that one analyst's
// burst of queries does not keep another's waiting.
type scheduler struct {
	mu      sync.Mutex
	total   int
	perUser int
	queue   int
	running int
	users   map[string]*userQueue
	ring    []string          // users with waiting queries, in order of arrival
	served  map[string]uint64 // when each user was last given a turn (tick)
	tick    uint64
}

type userQueue struct {
	running int
	waiting []*ticket
}

type ticket struct {
	ready   chan struct{}
	granted bool
}

func newScheduler(total, perUser, queue int) *scheduler {
	return &scheduler{total: max(total, 1), perUser: max(perUser, 1), queue: max(queue, 0), users: map[string]*userQueue{}, served: map[string]uint64{}}
}

// acquire waits for a turn of user's query within ctx. The release function
// must be called once the query is over.
func (s *scheduler) acquire(ctx context.Context, user string) (func(), error) {
	s.mu.Lock()
	u := s.users[user]
	if u == nil {
		u = &userQueue{}
		s.users[user] = u
	}
	if u.running+len(u.waiting) >= s.perUser+s.queue {
		n := u.running + len(u.waiting)
		s.mu.Unlock()
		return nil, &Error{Code: "busy", Msg: locale.M("query.busy", n)}
	}
	t := &ticket{ready: make(chan struct{})}
	u.waiting = append(u.waiting, t)
	if len(u.waiting) == 1 {
		s.ring = append(s.ring, user)
	}
	s.dispatch()
	s.mu.Unlock()
	release := func() { s.release(user) }
	select {
	case <-t.ready:
		return release, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	if t.granted {
		// Granted while giving up: hand the turn on.
		s.mu.Unlock()
		s.release(user)
		return nil, ctx.Err()
	}
	defer s.mu.Unlock()
	for i, w := range u.waiting {
		if w == t {
			u.waiting = append(u.waiting[:i], u.waiting[i+1:]...)
			break
		}
	}
	if len(u.waiting) == 0 {
		s.dropFromRing(user)
	}
	s.forget(user, u)
	return nil, ctx.Err()
}

func (s *scheduler) release(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[user]
	u.running--
	s.running--
	s.dispatch()
	s.forget(user, u)
}

// dispatch grants turns while there is room, users taking turns.
// s.mu is held.
func (s *scheduler) dispatch() {
	for s.running < s.total {
		// The user served longest ago (or never) among those who may run
		// one more; on a tie, the one waiting longest.
		best := -1
		for i, name := range s.ring {
			if s.users[name].running >= s.perUser {
				continue
			}
			if best < 0 || s.served[name] < s.served[s.ring[best]] {
				best = i
			}
		}
		if best < 0 {
			return
		}
		name := s.ring[best]
		u := s.users[name]
		t := u.waiting[0]
		u.waiting = u.waiting[1:]
		t.granted = true
		close(t.ready)
		u.running++
		s.running++
		s.tick++
		if len(s.served) > 10000 {
			s.served = map[string]uint64{}
		}
		s.served[name] = s.tick
		s.ring = append(s.ring[:best], s.ring[best+1:]...)
		if len(u.waiting) > 0 {
			s.ring = append(s.ring, name)
		}
	}
}

func (s *scheduler) dropFromRing(user string) {
	for i, n := range s.ring {
		if n == user {
			s.ring = append(s.ring[:i], s.ring[i+1:]...)
			return
		}
	}
}

func (s *scheduler) forget(user string, u *userQueue) {
	if u.running == 0 && len(u.waiting) == 0 {
		delete(s.users, user)
	}
}

// stats are the scheduler's counts (tests).
func (s *scheduler) stats(user string) (running, waiting, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[user]; u != nil {
		running, waiting = u.running, len(u.waiting)
	}
	return running, waiting, s.running
}
