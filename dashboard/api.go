package dashboard

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

// apiValue is one (unit, indicator): exactly the shape of interfaces.md.
type apiValue struct {
	UnitCode  string   `json:"unit_code"`
	UnitName  string   `json:"unit_name"`
	Level     string   `json:"level"`
	Period    string   `json:"period"`
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"`
	Numerator *float64 `json:"numerator"`
	Denom     *float64 `json:"denominator"`
}

// apiAssessed is one district of the assessment (interfaces.md).
type apiAssessed struct {
	UnitCode string             `json:"unit_code"`
	UnitName string             `json:"unit_name"`
	Period   string             `json:"period"`
	Scores   map[string]float64 `json:"scores"`
	Total    float64            `json:"total"`
	Rank     int                `json:"rank"`
}

// GET /api/v1/indicators?period=P&level=city|district|town[&indicator=ID][&district=CODE]
func (s *Server) apiIndicators(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	level, err := metrics.ParseLevel(c.DefaultQuery("level", "district"))
	if err != nil {
		s.fail(c, http.StatusBadRequest, "dash.badlevel", c.Query("level"))
		return
	}
	ctx := c.Request.Context()
	only, district := c.Query("indicator"), c.Query("district")
	key := "api|" + sp.String() + "|" + string(level) + "|" + only + "|" + district
	body, err := memoize(s.calc, key, func() ([]byte, error) {
		var t *table
		var err error
		if level == sgz.Town && district != "" {
			t, err = s.calc.towns(ctx, sp, district)
		} else {
			t, err = s.calc.level(ctx, sp, level)
		}
		if err != nil {
			return nil, err
		}
		out := make([]apiValue, 0, len(t.Raw))
		for _, v := range t.Raw {
			if only != "" && v.Indicator != only {
				continue
			}
			out = append(out, apiValue{v.UnitCode, v.UnitName, string(v.Level), v.Period, v.Indicator, v.Value, v.Numerator, v.Denominator})
		}
		return marshalJSON(out)
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// GET /api/v1/assessment?period=P
func (s *Server) apiAssessment(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	body, err := memoize(s.calc, "apiA|"+sp.String(), func() ([]byte, error) {
		a, err := s.calc.assess(c.Request.Context(), sp)
		if err != nil {
			return nil, err
		}
		out := make([]apiAssessed, 0, len(a.Districts))
		for _, d := range a.Districts {
			x := apiAssessed{UnitCode: d.UnitCode, UnitName: d.UnitName, Period: d.Period, Scores: map[string]float64{}, Total: d.Total, Rank: d.Rank}
			for _, sc := range d.Scores {
				x.Scores[sc.Indicator] = sc.Score
			}
			out = append(out, x)
		}
		return marshalJSON(out)
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// GET /api/v1/periods: the quarters with accepted returns.
func (s *Server) apiPeriods(c *gin.Context) {
	ps, err := s.calc.periods(c.Request.Context())
	if err != nil {
		s.internal(c, err)
		return
	}
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	c.JSON(http.StatusOK, out)
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := newJSONEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ---- assessment exports ----

func (s *Server) assessmentTable(c *gin.Context) (sgz.Span, [][]any, bool) {
	sp, ok := s.span(c)
	if !ok {
		return sp, nil, false
	}
	l := lang(c)
	a, err := s.calc.assess(c.Request.Context(), sp)
	if err != nil {
		s.internal(c, err)
		return sp, nil, false
	}
	rows := assessRows(a)
	header := []any{locale.T(l, "col.rank"), locale.T(l, "col.code"), locale.T(l, "col.district"), locale.T(l, "col.period")}
	inds := s.calc.scored()
	for _, ind := range inds {
		header = append(header, indName(l, ind.ID), indName(l, ind.ID)+" "+locale.T(l, "col.score"))
	}
	header = append(header, locale.T(l, "col.total"))
	out := [][]any{header}
	for _, r := range rows {
		row := []any{r.Rank, r.UnitCode, r.UnitName, r.Period}
		for _, ind := range inds {
			if v := r.Vals[ind.ID]; v != nil {
				row = append(row, *v)
			} else {
				row = append(row, locale.T(l, "val.missing"))
			}
			row = append(row, r.Scores[ind.ID])
		}
		row = append(row, r.Total)
		out = append(out, row)
	}
	return sp, out, true
}

func (s *Server) assessmentXLSX(c *gin.Context) {
	sp, rows, ok := s.assessmentTable(c)
	if !ok {
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := locale.T(lang(c), "nav.assessment")
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		s.internal(c, err)
		return
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			s.internal(c, err)
			return
		}
	}
	info := len(rows) + 2
	ref, _ := excelize.CoordinatesToCellName(1, info)
	sw.SetRow(ref, []any{locale.T(lang(c), "asmt.rules"), s.opt.Config.Name, "SHA-256", s.opt.Config.SHA256()})
	if err := sw.Flush(); err != nil {
		s.internal(c, err)
		return
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		s.internal(c, err)
		return
	}
	attach(c, "assessment-"+sp.String()+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func (s *Server) assessmentCSV(c *gin.Context) {
	sp, rows, ok := s.assessmentTable(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel reads UTF-8 CSV with a BOM
	w := csv.NewWriter(&buf)
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				rec[i] = csvSafe(fmt.Sprint(x))
			}
		}
		w.Write(rec)
	}
	w.Flush()
	attach(c, "assessment-"+sp.String()+".csv", "text/csv; charset=utf-8", buf.Bytes())
}

// csvSafe defuses spreadsheet formulas in text cells.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func attach(c *gin.Context, name, ctype string, body []byte) {
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, body)
}
