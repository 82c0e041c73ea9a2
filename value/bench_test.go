package value

import "testing"

var sinkI int64

func BenchmarkInt(b *testing.B) {
	for _, in := range []string{"1234", "1,234", "3.20581001001E+11"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkI, _ = Int(in)
			}
		})
	}
}

func BenchmarkScaled(b *testing.B) {
	for _, in := range []string{"12.34", "12.340000000000002"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkI, _ = Scaled(in, 4, true)
			}
		})
	}
}

func BenchmarkCode(b *testing.B) {
	for _, in := range []string{"320581001001", "320581001.0", "3.20581001001E+11"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Code(in)
			}
		})
	}
}

func BenchmarkDate(b *testing.B) {
	for _, in := range []string{"2024-05-01", "2024/5/1 10:30:00", "2024年5月1日", "２０２４－０５－０１"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Date(in)
			}
		})
	}
}

func BenchmarkSerialDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		SerialDate("45413.5", false)
	}
}
