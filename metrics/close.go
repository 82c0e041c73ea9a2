package metrics

import (
	"context"
	"encoding/json"
	"fmt"

	"sgz"
	"sgz/locale"
	"sgz/review"
	"sgz/store"
)

// Close closes a span (考核归档): it assesses the span now with cfg, records
// that assessment (metrics_assessments, made_by "close") and closes the span
// in one transaction. From then on Final gives this assessment for the span,
// whatever the rules or the data, until an administrator reopens it.
func Close(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config, a review.Act) (*Assessment, *review.Closure, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if c, err := review.ClosedSpan(ctx, db, span); err != nil || c != nil {
		if err == nil {
			err = locale.Errorf("review.close.already", span.String())
		}
		return nil, nil, err
	}
	as, err := Assess(ctx, db, span, cfg)
	if err != nil {
		return nil, nil, err
	}
	c, err := review.Close(ctx, db, span, a, func(w *store.Writer) (int64, []byte, error) {
		if err := RecordIn(w, as, "close"); err != nil {
			return 0, nil, err
		}
		snap, err := json.Marshal(as)
		return as.ID, snap, err
	})
	if err != nil {
		return nil, nil, err
	}
	return as, c, nil
}

// Final is the assessment of a span to show and export: for a closed span the
// one recorded when it was closed (closure non-nil), else the one computed now
// with cfg.
func Final(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) (*Assessment, *review.Closure, error) {
	snap, c, err := review.Snapshot(ctx, db, span)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		a, err := Assess(ctx, db, span, cfg)
		return a, nil, err
	}
	var a Assessment
	if err := json.Unmarshal(snap, &a); err != nil {
		return nil, nil, fmt.Errorf("closed %s: assessment %d: %w", c.Period, c.AssessmentID, err)
	}
	a.Span = span
	return &a, c, nil
}

// CheckRules refuses rules (--config) for a closed span that differ from the
// rules its assessment was recorded with at closing: a rule change does not
// touch a closed period.
func CheckRules(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) error {
	if cfg == nil {
		return nil
	}
	c, err := review.ClosedSpan(ctx, db, span)
	if err != nil || c == nil {
		return err
	}
	rec, err := RecordedConfig(ctx, db, c.AssessmentID)
	if err != nil {
		return err
	}
	if rec.SHA256() != cfg.SHA256() {
		return locale.Errorf("metrics.closed.rules", span.String(), c.At.Format("2006-01-02 15:04"), rec.SHA256()[:12], cfg.SHA256()[:12])
	}
	return nil
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.closed.rules": {"%s 已于 %s 考核归档，其考核结果按归档时的规则（SHA-256 %s）导出；所给规则（SHA-256 %s）不同，不能改变已归档期间的结果；如需按新规则考核，请管理员先重新开放",
			"%s was closed on %s: its assessment is exported with the rules recorded at closing (SHA-256 %s); the rules given (SHA-256 %s) differ and cannot change a closed period; an administrator must reopen it first"},
	})
}
