package ingest

import (
	"time"

	"sgz"
	"sgz/locale"
)

// Return is a district's return as read from its workbook, after validation.
type Return struct {
	District     string // 6-digit code from 基本信息
	DistrictName string // 填报单位 as written
	Period       sgz.Period
	Reporter     string
	Phone        string
	FilledOn     string
	Stations     []Station
	Rooms        []Room
	Funds        []Fund
	Trainings    []Training
	Workforce    Workforce
	Projects     []Project
}

// Station is one row of 乡镇街道社工站.
type Station struct {
	Row          int
	Code, Name   string
	Built        bool
	BuiltOn      time.Time // zero when not built
	Standard     bool
	Resident     int64
	ResidentCert int64
	Outreach     int64
	OutreachCert int64
	Operation    string
	Operator     string
	CharityFund  bool
}

// Room is one row of 村社区社工室.
type Room struct {
	Row         int
	Code, Name  string
	Built       bool
	BuiltOn     time.Time
	CharityFund bool
}

// Fund is one row of 资金投入. Amount is exact: 万元 × 10⁴ (that is, yuan).
type Fund struct {
	Row      int
	Unit     string
	Category string
	Amount   int64
	Note     string
}

// Training is one row of 培训.
type Training struct {
	Row          int
	Name         string
	StartOn      time.Time // zero when not given
	Hours        float64
	Participants int64
	Category     string
	Cost         int64 // 万元 × 10⁴; -1 when not given
}

// Workforce is the 人才队伍 sheet.
type Workforce struct {
	CertifiedTotal, Assistant, Intermediate, Senior int64
	Organisations, OrgStaff, Supervisors            int64
}

// Project is one row of 服务项目.
type Project struct {
	Row           int
	Name          string
	Town          string
	Field         string
	Served        int64 // -1 when not given
	Demonstration *bool
}

// Severity of an issue.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Issue is one problem found in a return, located by sheet and cell.
type Issue struct {
	Severity Severity
	Sheet    string // "" when about the whole file
	Cell     string // "E14"; "" when about a whole sheet
	Msg      locale.Msg
}

// Where is "乡镇街道社工站!E14", "乡镇街道社工站" or "".
func (i Issue) Where() string {
	switch {
	case i.Sheet == "":
		return ""
	case i.Cell == "":
		return i.Sheet
	}
	return i.Sheet + "!" + i.Cell
}

// Result is the outcome of checking one file.
type Result struct {
	File     string // path as given
	Size     int64
	SHA256   string
	Data     []byte  // the original bytes (nil when the file could not be read at all)
	Return   *Return // what was read; partial when there are errors
	Errors   []Issue
	Warnings []Issue
	notBuilt []unitCell // units reported not built, for the regression warning
	// Unchanged, set when recorded, is the id of the return that already
	// counts for the district and period when its bytes are identical to
	// these: nothing was stored (returns.md, revised).
	Unchanged int64
}

type unitCell struct{ code, sheet, cell string }

// OK reports whether the return can be accepted.
func (r *Result) OK() bool { return len(r.Errors) == 0 && r.Return != nil }
