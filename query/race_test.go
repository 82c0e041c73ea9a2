//go:build race

package query

// The race detector's shadow memory does not fit a worker's memory ceiling.
const raceEnabled = true
