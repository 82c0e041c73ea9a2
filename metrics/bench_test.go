package metrics

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"sgz"
	"sgz/registry"
	"sgz/review"
	"sgz/store"
)

// nationalDB loads the whole country's registry (2,978 districts, 41,352
// towns, 620,573 villages) and one generated return per district for 2026Q3:
// a station row per town, a room row per village, funds, trainings and the
// workforce sheet, all with INSERT … SELECT over registry_units.
func nationalDB(b *testing.B) *store.DB {
	b.Helper()
	f, err := os.Open("../testdata/china-divisions-2023.csv.gz")
	if err != nil {
		b.Skip("no national registry:", err)
	}
	defer f.Close()
	reg, err := registry.ParseCSV(f, "china-divisions-2023.csv.gz")
	if err != nil {
		b.Fatal(err)
	}
	db := openDB(b)
	ctx := context.Background()
	if err := registry.Save(ctx, db, reg, registry.BasePeriod, "china"); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO returns
		 SELECT row_number() OVER (ORDER BY code), 'gen.xlsx', md5(code), 1000,
		        TIMESTAMP '2026-10-01 09:00:00' + INTERVAL (hash(code) % 30) DAY, 'accepted', 'demo',
		        code, name, '2026Q3', NULL, NULL, NULL, 0, 0, NULL, NULL
		 FROM registry_units WHERE level = 'district'`,
		`INSERT INTO stations
		 SELECT r.return_id, row_number() OVER (PARTITION BY r.return_id ORDER BY u.code)::INT, u.code, u.name,
		        hash(u.code) % 10 > 1, NULL, hash(u.code) % 10 > 4,
		        (hash(u.code) % 6)::INT, (hash(u.code) % 3)::INT, (hash(u.code || 'o') % 5)::INT, (hash(u.code || 'o') % 2)::INT,
		        NULL, NULL, hash(u.code) % 3 = 0
		 FROM registry_units u JOIN returns r ON r.district_code = u.district_code AND r.period = '2026Q3'
		 WHERE u.level = 'town'`,
		`INSERT INTO rooms
		 SELECT r.return_id, row_number() OVER (PARTITION BY r.return_id ORDER BY u.code)::INT, u.code, u.name,
		        hash(u.code) % 10 > 2, NULL, hash(u.code) % 4 = 0
		 FROM registry_units u JOIN returns r ON r.district_code = u.district_code AND r.period = '2026Q3'
		 WHERE u.level = 'village'`,
		`INSERT INTO funds
		 SELECT r.return_id, row_number() OVER (PARTITION BY r.return_id ORDER BY u.code)::INT, u.code,
		        CASE hash(u.code) % 3 WHEN 0 THEN '政府购买服务' WHEN 1 THEN '社区慈善基金' ELSE '社会捐赠' END,
		        ((hash(u.code) % 100000) / 100.0)::DECIMAL(18,4), NULL
		 FROM registry_units u JOIN returns r ON r.district_code = u.district_code AND r.period = '2026Q3'
		 WHERE u.level = 'town'`,
		`INSERT INTO trainings
		 SELECT r.return_id, g.i::INT, 'T', NULL, 1 + hash(r.return_id + g.i) % 16, (1 + hash(r.return_id * g.i) % 80)::INT, NULL, NULL
		 FROM returns r, range(3) g(i)`,
		`INSERT INTO workforce SELECT return_id, (hash(return_id) % 2000)::INT, 0, 0, 0, 0, 0, 0 FROM returns`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	return db
}

// BenchmarkNationalQuarter: every indicator at every level (country, 31
// provinces, cities, 2,978 districts, 41,352 towns) for one quarter.
func BenchmarkNationalQuarter(b *testing.B) {
	db := nationalDB(b)
	ctx := context.Background()
	span := mustSpan("2026Q3")
	var n int
	cpu := cpuTime()
	for b.Loop() {
		vals, err := ComputeLevels(ctx, db, span, OutputLevels, nil)
		if err != nil {
			b.Fatal(err)
		}
		n = len(vals)
	}
	b.ReportMetric(float64(n), "values")
	reportCPU(b, cpu)
}

// cpuTime is the process's CPU time so far (user + system): on a shared
// machine it varies less than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64((cpuTime()-since).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkNationalDistricts: the district level alone (what Assess needs).
func BenchmarkNationalDistricts(b *testing.B) {
	db := nationalDB(b)
	ctx := context.Background()
	span := mustSpan("2026Q3")
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Compute(ctx, db, span, sgz.District, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkNationalAssess: the whole assessment of one quarter.
func BenchmarkNationalAssess(b *testing.B) {
	db := nationalDB(b)
	ctx := context.Background()
	span := mustSpan("2026Q3")
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Assess(ctx, db, span, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkNationalReview: the assessment of a national quarter with the
// default rules (the reference), with "pending_counts": false (half the
// districts approved), and the export of the same quarter once closed
// (decoding the snapshot recorded at closing).
func BenchmarkNationalReview(b *testing.B) {
	db := nationalDB(b)
	ctx := context.Background()
	span := mustSpan("2026Q3")
	if _, err := db.ExecContext(ctx, `INSERT INTO review_events
		SELECT nextval('review_event_seq'), TIMESTAMP '2026-11-01 09:00:00', 'bench', 'approve', return_id, district_code, period,
		       'pending', 'approved', '', NULL
		FROM returns WHERE return_id % 2 = 0`); err != nil {
		b.Fatal(err)
	}
	strict := DefaultConfig()
	f := false
	strict.PendingCounts = &f
	for _, c := range []struct {
		name string
		cfg  *Config
	}{{"default", nil}, {"approved-only", strict}} {
		b.Run(c.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				if _, err := Assess(ctx, db, span, c.cfg); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
	if _, _, err := Close(ctx, db, span, nil, review.Act{By: "bench"}); err != nil {
		b.Fatal(err)
	}
	b.Run("closed-final", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			if _, c, err := Final(ctx, db, span, nil); err != nil || c == nil {
				b.Fatal(err, c)
			}
		}
		reportCPU(b, cpu)
	})
}
