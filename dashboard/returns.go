package dashboard

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/ingest"
	"sgz/locale"
	"sgz/review"
)

// rowTable is a table of a return's rows, for display.
type rowTable struct {
	ID   string // anchor
	Name string
	Cols []colHead
	Rows [][]string
	More bool
}

// colHead is a column of a return's table: its header in the contract
// (ingest's sheets: what the workbook says), and the stored column.
type colHead struct {
	Head, Field string
}

// returnTables are the sheets of a return as stored, with the columns shown
// (each a field of the contract's sheet, or row_num).
var returnTables = []struct {
	id    string
	sheet *ingest.Sheet
	query string
}{
	{"stations", &ingest.StationSheet, `SELECT row_num, town_code, town_name, built, built_on, standard, resident, resident_cert, outreach, outreach_cert, operation, operator, charity_fund FROM stations WHERE return_id = ? ORDER BY row_num`},
	{"rooms", &ingest.RoomSheet, `SELECT row_num, village_code, village_name, built, built_on, charity_fund FROM rooms WHERE return_id = ? ORDER BY row_num`},
	{"funds", &ingest.FundSheet, `SELECT row_num, unit_code, category, amount, note FROM funds WHERE return_id = ? ORDER BY row_num`},
	{"trainings", &ingest.TrainingSheet, `SELECT row_num, name, start_on, hours, participants, category, cost FROM trainings WHERE return_id = ? ORDER BY row_num`},
	{"workforce", &ingest.WorkforceSheet, `SELECT certified_total, assistant, intermediate, senior, organisations, org_staff, supervisors FROM workforce WHERE return_id = ?`},
	{"projects", &ingest.ProjectSheet, `SELECT row_num, name, town_code, field, served, demonstration FROM projects WHERE return_id = ? ORDER BY row_num`},
}

const maxRows = 3000

func (s *Server) rowsOf(ctx context.Context, l locale.Lang, id int64) ([]rowTable, error) {
	var out []rowTable
	for _, rt := range returnTables {
		rows, err := s.db.QueryContext(ctx, rt.query+fmt.Sprintf(" LIMIT %d", maxRows+1), id)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		t := rowTable{ID: rt.id, Name: rt.sheet.Name}
		for _, col := range cols {
			t.Cols = append(t.Cols, colHead{Head: colHeader(l, rt.sheet, col), Field: col})
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			if len(t.Rows) == maxRows {
				t.More = true
				break
			}
			rec := make([]string, len(cols))
			for i, v := range vals {
				rec[i] = cellText(l, v)
			}
			t.Rows = append(t.Rows, rec)
		}
		rows.Close()
		if len(t.Rows) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// colHeader is a stored column's header as the return's sheet writes it
// (行号 for the row of the workbook); in English with the field's name.
func colHeader(l locale.Lang, sh *ingest.Sheet, field string) string {
	head := field
	if field == "row_num" {
		head = locale.T(l, "ret.col.row")
	} else if c := sh.Col(field); c != nil {
		head = c.Header
	}
	if l == locale.EN && field != "row_num" {
		head += " (" + field + ")"
	}
	return head
}

func cellText(l locale.Lang, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return locale.T(l, "val.yes")
		}
		return locale.T(l, "val.no")
	case time.Time:
		return x.Format("2006-01-02")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

type returnData struct {
	R         *returnInfo
	Errors    []issueRow
	Warnings  []issueRow
	Tables    []rowTable
	Evaluator bool
	History   []historyRow    // review events, oldest first
	Closed    *review.Closure // the return's quarter is closed
	// 填报人 and 联系电话: personal, shown only to those who may read the
	// return (evaluators, admins, the district's clerks: mayRead).
	Reporter, Phone string
	Markable        bool // the file is a workbook: the marked workbook is offered
}

// returnViewData is what a return's page shows of it to everyone who may
// read it (not the reporter and phone: those depend on who asks).
type returnViewData struct {
	Errors, Warnings []issueRow
	Markable         bool
	Tables           []rowTable
	History          []historyRow
	Closed           *review.Closure
}

// returnView reads a return's issues, rows and review history once per
// database generation (memoGen).
func (s *Server) returnView(ctx context.Context, l locale.Lang, r *returnInfo) (*returnViewData, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	return memoGen(s.calc, "RV|"+strconv.FormatInt(r.ID, 10)+"|"+string(l), func() (*returnViewData, error) {
		d := &returnViewData{}
		var err error
		if d.Errors, d.Warnings, err = s.issues(ctx, l, r.ID); err != nil {
			return nil, err
		}
		if d.Markable, err = s.markable(ctx, r.ID); err != nil {
			return nil, err
		}
		if d.Tables, err = s.rowsOf(ctx, l, r.ID); err != nil {
			return nil, err
		}
		evs, err := review.History(ctx, s.db, r.ID)
		if err != nil {
			return nil, err
		}
		d.History = historyRows(l, evs)
		if p, err := sgz.ParsePeriod(r.Period); err == nil {
			if d.Closed, err = s.closedFor(ctx, p); err != nil {
				return nil, err
			}
		}
		return d, nil
	})
}

// GET /returns/:id: a return, its errors and warnings, and its rows.
func (s *Server) returnPage(c *gin.Context) {
	r := s.returnFor(c)
	if r == nil {
		return
	}
	l := lang(c)
	ctx := c.Request.Context()
	d := &returnData{R: r, Evaluator: s.isEvaluator(c)}
	var err error
	if s.mayRead(c, r) {
		if err = s.db.QueryRowContext(ctx, `SELECT coalesce(reporter, ''), coalesce(phone, '') FROM returns WHERE return_id = ?`, r.ID).Scan(&d.Reporter, &d.Phone); err != nil {
			s.internal(c, err)
			return
		}
	}
	v, err := s.returnView(ctx, l, r)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Errors, d.Warnings, d.Markable, d.Tables, d.History, d.Closed = v.Errors, v.Warnings, v.Markable, v.Tables, v.History, v.Closed
	s.render(c, "return", "reporting", locale.T(l, "ret.title", r.ID), spanZero, d, nil)
}
