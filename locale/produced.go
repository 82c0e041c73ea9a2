package locale

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Tests check that every key is produced by at least one test (see
// locale/keytest): while recording is on, T and M note each key they are
// given. Off in production (one atomic load per call).
var (
	recording atomic.Bool
	producedM sync.Mutex
	produced  = map[string]bool{}
)

// Record starts noting the keys T and M are given (for tests).
func Record() { recording.Store(true) }

func produce(key string) {
	if !recording.Load() {
		return
	}
	producedM.Lock()
	produced[key] = true
	producedM.Unlock()
}

// Produced reports whether key was given to T or M since Record.
func Produced(key string) bool {
	producedM.Lock()
	defer producedM.Unlock()
	return produced[key]
}

// KeysOf lists the keys registered by package pkg (an import path, or "main"
// for a command), sorted, with the file of each key's locale.Add call.
func KeysOf(pkg string) (keys []string, file map[string]string) {
	file = map[string]string{}
	for k, o := range owners {
		if o.pkg == pkg {
			keys = append(keys, k)
			file[k] = o.file
		}
	}
	sort.Strings(keys)
	return keys, file
}

// CallerPackage is the package of the function that called the caller of
// CallerPackage (for locale/keytest).
func CallerPackage() string {
	pkg, _ := caller(3)
	return pkg
}
