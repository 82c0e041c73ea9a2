package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/metrics"
)

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
	_, ref := s.calc.cfgAt(ctx)
	key := ref + "api|" + sp.String() + "|" + string(level) + "|" + only + "|" + district
	out, err := memoize(s.calc, key, func() (*body, error) {
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
		vals := t.Raw
		if only != "" {
			vals = nil
			for _, v := range t.Raw {
				if v.Indicator == only {
					vals = append(vals, v)
				}
			}
		}
		return marshalJSON(metrics.IndicatorsJSON(vals))
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	serveJSON(c, out)
}

// GET /api/v1/assessment?period=P
func (s *Server) apiAssessment(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	_, ref := s.calc.cfgAt(c.Request.Context())
	out, err := memoize(s.calc, ref+"apiA|"+sp.String(), func() (*body, error) {
		a, err := s.calc.assess(c.Request.Context(), sp)
		if err != nil {
			return nil, err
		}
		return marshalJSON(metrics.AssessmentRows(a))
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	serveJSON(c, out)
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

// body is a cached JSON answer: the bytes, gzipped once, and an ETag.
// body is an API answer as kept: gzip-compressed only. The uncompressed
// JSON of the national district level is about 10 MB (745 KB compressed);
// keeping both held tens of MB of the server's heap (docs/operations.md,
// "Values kept once"). Browsers and Go clients accept gzip; a client that
// does not gets it decompressed on the way out.
type body struct {
	gz   []byte
	etag string
}

// gzips are the compressors of marshalJSON, reused: each is about 1 MB, and
// 32 clients asking for 64 cold headlines made 32 of them at once.
var gzips = sync.Pool{New: func() any { zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return zw }}

func marshalJSON(v any) (*body, error) {
	var zb bytes.Buffer
	zw := gzips.Get().(*gzip.Writer)
	defer gzips.Put(zw)
	zw.Reset(&zb)
	h := sha256.New()
	if err := newJSONEncoder(io.MultiWriter(zw, h)).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	return &body{gz: bytes.Clone(zb.Bytes()), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// serveJSON answers a cached body: 304 when the client has it, gzip when it
// accepts it (browsers and curl --compressed do), else decompressed.
func serveJSON(c *gin.Context, b *body) {
	h := c.Writer.Header()
	h.Set("ETag", b.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	if c.GetHeader("If-None-Match") == b.etag {
		c.Status(http.StatusNotModified)
		return
	}
	if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "application/json; charset=utf-8", b.gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(b.gz))
	if err != nil { // cannot happen: b.gz is marshalJSON's own
		c.Status(http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b.gz[len(b.gz)-4:])), 10)) // gzip's trailer: the length (mod 2³², far above any answer)
	c.Status(http.StatusOK)
	io.Copy(c.Writer, zr)
}

// ---- exports (package metrics' writers, the same files as `sgz assess` and `sgz indicators`) ----

func (s *Server) assessmentXLSX(c *gin.Context) { s.assessmentExport(c, "xlsx") }
func (s *Server) assessmentCSV(c *gin.Context)  { s.assessmentExport(c, "csv") }

func (s *Server) assessmentExport(c *gin.Context, format string) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	a, err := s.calc.assess(c.Request.Context(), sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	var buf bytes.Buffer
	if format == "xlsx" {
		err = metrics.WriteAssessmentXLSX(&buf, a)
	} else {
		err = metrics.WriteAssessmentCSV(&buf, a)
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	ctype := xlsxType
	if format == "csv" {
		ctype = "text/csv; charset=utf-8"
	}
	attach(c, "assessment-"+sp.String()+"."+format, ctype, buf.Bytes())
}

// GET /indicators.xlsx|.csv?period=P&level=L
func (s *Server) indicatorsXLSX(c *gin.Context) { s.indicatorsExport(c, "xlsx") }
func (s *Server) indicatorsCSV(c *gin.Context)  { s.indicatorsExport(c, "csv") }

func (s *Server) indicatorsExport(c *gin.Context, format string) {
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
	t, err := s.calc.level(ctx, sp, level)
	if err != nil {
		s.internal(c, err)
		return
	}
	var buf bytes.Buffer
	if format == "xlsx" {
		a, err := s.calc.assess(ctx, sp)
		if err != nil {
			s.internal(c, err)
			return
		}
		cfg, _ := s.calc.cfgAt(ctx)
		err = metrics.WriteIndicatorsXLSX(&buf, t.Raw, metrics.ExportInfo{Span: sp, Level: level, MadeAt: s.opt.Now(), Config: cfg, Returns: a.Returns})
	} else {
		err = metrics.WriteIndicatorsCSV(&buf, t.Raw)
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	ctype := xlsxType
	if format == "csv" {
		ctype = "text/csv; charset=utf-8"
	}
	attach(c, "indicators-"+string(level)+"-"+sp.String()+"."+format, ctype, buf.Bytes())
}

func attach(c *gin.Context, name, ctype string, body []byte) {
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, body)
}
