package dashboard

// Review actions (approve, send back, restore a return) and closing a period
// (考核归档) and reopening it: thin handlers over package review and
// metrics.Close. Who may do what is decided by the routes' roles (Engine);
// the acting user's name comes from actor.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/metrics"
	"sgz/review"
)

// actor is the name of the user making the request, recorded with every
// review action.
func actor(c *gin.Context) string {
	if u := user(c); u != nil {
		return u.Name
	}
	return ""
}

// actorIsAdmin reports whether the user making the request is an
// administrator (may send back an approved return, reopen a period).
func actorIsAdmin(c *gin.Context) bool {
	u := user(c)
	return u != nil && u.Has(auth.Admin)
}

// backTo is the page to return to after a form post (a local path only).
func backTo(c *gin.Context, def string) string {
	back := c.PostForm("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = def
	}
	return back
}

func redirectWith(c *gin.Context, back string, kv ...string) {
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, back+sep+strings.Join(kv, "&"))
}

// failReview answers a refused review action with its message (the state
// did not allow it; nothing was changed).
func (s *Server) failReview(c *gin.Context, err error) {
	code := http.StatusConflict
	if le := (*locale.Error)(nil); errors.As(err, &le) && le.Key == "review.notfound" {
		code = http.StatusNotFound
	}
	s.failWith(c, code, err)
}

// POST /reporting/:id/approve: the return is checked (已审核) and locked.
func (s *Server) approve(c *gin.Context) { s.reviewAction(c, review.ActApprove) }

// POST /reporting/:id/sendback (reason): the return no longer counts.
func (s *Server) sendBack(c *gin.Context) { s.reviewAction(c, review.ActSendBack) }

// POST /reporting/:id/restore: a return sent back counts again (pending).
func (s *Server) restore(c *gin.Context) { s.reviewAction(c, review.ActRestore) }

func (s *Server) reviewAction(c *gin.Context, action string) {
	back := backTo(c, "/reporting")
	if !s.isEvaluator(c) {
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, http.StatusNotFound, "dash.noreturn", c.Param("id"))
		return
	}
	act := review.Act{By: actor(c), Admin: actorIsAdmin(c), Reason: c.PostForm("reason"), At: s.opt.Now()}
	if action == review.ActSendBack && strings.TrimSpace(act.Reason) == "" {
		redirectWith(c, back, "error=rep.reason.missing")
		return
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	ctx := c.Request.Context()
	var ev *review.Event
	switch action {
	case review.ActApprove:
		ev, err = review.Approve(ctx, s.db, id, act)
	case review.ActSendBack:
		ev, err = review.SendBack(ctx, s.db, id, act)
	default:
		ev, err = review.Restore(ctx, s.db, id, act)
	}
	if err != nil {
		s.record(c, action, "return "+strconv.FormatInt(id, 10), auth.Failed, err.Error())
		s.failReview(c, err)
		return
	}
	s.record(c, action, "return "+strconv.FormatInt(id, 10), auth.OK, "district="+ev.District+" period="+ev.Period)
	s.Invalidate()
	s.log.Info("review", "action", action, "return_id", id, "district", ev.District, "period", ev.Period, "event_id", ev.ID)
	redirectWith(c, back, "done="+strconv.FormatInt(id, 10), "what="+action)
}

// postedSpan reads the form's period (a span of at most 20 years); a bad one
// answers 400 and ok is false.
func (s *Server) postedSpan(c *gin.Context) (sp sgz.Span, ok bool) {
	sp, err := sgz.ParseSpan(strings.TrimSpace(c.PostForm("period")))
	if err != nil || sp.Len() > 80 {
		s.fail(c, http.StatusBadRequest, "dash.badperiod", c.PostForm("period"))
		return sp, false
	}
	return sp, true
}

// POST /assessment/close (period, reason): close the period; its assessment
// is recorded now and exported from then on.
func (s *Server) closePeriod(c *gin.Context) {
	if !s.isEvaluator(c) {
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return
	}
	sp, ok := s.postedSpan(c)
	if !ok {
		return
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	a, cl, err := metrics.Close(c.Request.Context(), s.db, sp, s.opt.Config,
		review.Act{By: actor(c), Reason: c.PostForm("reason"), At: s.opt.Now()})
	if err != nil {
		s.record(c, "period.close", "period "+sp.String(), auth.Failed, err.Error())
		s.failReview(c, err)
		return
	}
	s.record(c, "period.close", "period "+sp.String(), auth.OK, "assessment_id="+strconv.FormatInt(a.ID, 10))
	s.Invalidate()
	s.log.Info("period closed", "period", cl.Period, "assessment_id", a.ID)
	redirectWith(c, "/assessment?period="+sp.String(), "done="+strconv.FormatInt(a.ID, 10), "what=close")
}

// POST /assessment/reopen (period, reason): an administrator reopens a
// closed period.
func (s *Server) reopenPeriod(c *gin.Context) {
	if !actorIsAdmin(c) { // the permission table admits administrators only
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return
	}
	sp, ok := s.postedSpan(c)
	if !ok {
		return
	}
	s.writes.Lock()
	defer s.writes.Unlock()
	// The route admits administrators only (roles in Engine): the actor is one.
	ev, err := review.Reopen(c.Request.Context(), s.db, sp, review.Act{By: actor(c), Admin: true, Reason: c.PostForm("reason"), At: s.opt.Now()})
	if err != nil {
		s.record(c, "period.reopen", "period "+sp.String(), auth.Failed, err.Error())
		s.failReview(c, err)
		return
	}
	s.record(c, "period.reopen", "period "+sp.String(), auth.OK, "")
	s.Invalidate()
	s.log.Info("period reopened", "period", ev.Period, "event_id", ev.ID)
	redirectWith(c, "/assessment?period="+sp.String(), "done="+strconv.FormatInt(ev.ID, 10), "what=reopen")
}

// historyRow is one event on a return's page.
type historyRow struct {
	review.Event
	ActionText, BeforeText, AfterText string
}

func historyRows(l locale.Lang, evs []review.Event) []historyRow {
	out := make([]historyRow, len(evs))
	for i, e := range evs {
		out[i] = historyRow{Event: e, ActionText: review.ActionText(l, e.Action),
			BeforeText: review.StateText(l, e.Before), AfterText: review.StateText(l, e.After)}
	}
	return out
}
