package query

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// cell makes a driver value JSON-ready: numbers stay numbers (decimals and
// huge integers as exact json.Number), times become text in the
// column's form, blobs hex, nested values recursively.
func cell(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, string, int8, int16, int32, int64, uint8, uint16, uint32, int, uint:
		return x
	case uint64:
		if x > math.MaxInt64 {
			return json.Number(fmt.Sprint(x))
		}
		return x
	case float32:
		return floatCell(float64(x))
	case float64:
		return floatCell(x)
	case duckdb.Decimal:
		return json.Number(x.String()) // exact, and a number in JSON
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return json.Number(x.String())
	case time.Time:
		return timeText(x, typ)
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %s", x.Months, x.Days, time.Duration(x.Micros)*time.Microsecond)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cell(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cell(e, "")
		}
		return out
	case duckdb.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(cell(k, ""))] = cell(e, "")
		}
		return out
	case duckdb.Union:
		return map[string]any{x.Tag: cell(x.Value, "")}
	}
	return fmt.Sprint(v)
}

func floatCell(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprint(f)
	}
	return f
}

func timeText(t time.Time, typ string) string {
	switch {
	case typ == "DATE":
		return t.Format("2006-01-02")
	case strings.HasPrefix(typ, "TIME") && !strings.HasPrefix(typ, "TIMESTAMP"):
		return t.Format("15:04:05.999999")
	case strings.Contains(typ, "TIME ZONE") || typ == "TIMESTAMPTZ":
		return t.Format(time.RFC3339Nano)
	}
	return t.Format("2006-01-02 15:04:05.999999")
}

// text is a cell as CSV or terminal text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	case []any, map[string]any:
		b, _ := jsonMarshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
