// Package sgz names the domain of the social work station assessment once:
// reporting periods, administrative levels and division codes. Every other
// package (ingest, metrics, dashboard, store) speaks in these types.
package sgz

import (
	_ "time/tzdata" // the bureau's time zone must resolve on machines without zoneinfo
)

// Level is the administrative level of a unit in the master registry (区划名录).
type Level string

const (
	Province Level = "province" // 省级
	City     Level = "city"     // 地级
	District Level = "district" // 县级: 区/县/县级市 — the unit that sends a return
	Town     Level = "town"     // 乡级: 乡镇/街道 — should have a station (社工站)
	Village  Level = "village"  // 村级: 村/社区 — should have a room (社工室)
)

// Levels lists the levels from the top down.
var Levels = []Level{Province, City, District, Town, Village}

// CodeLen is the length of a statistical division code at each level
// (2 digits province, 2 city, 2 district, 3 town, 3 village).
func (l Level) CodeLen() int {
	switch l {
	case Province:
		return 2
	case City:
		return 4
	case District:
		return 6
	case Town:
		return 9
	case Village:
		return 12
	}
	return 0
}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l.CodeLen() > 0 }

// LevelOfCode guesses the level from a code's length ("" when none fits).
func LevelOfCode(code string) Level {
	for _, l := range Levels {
		if len(code) == l.CodeLen() {
			return l
		}
	}
	return ""
}
