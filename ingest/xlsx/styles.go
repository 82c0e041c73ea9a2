package xlsx

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// maxStyles bounds the cellXfs table (Excel allows 64,000 formats).
const maxStyles = 1 << 20

// parseStyles reads xl/styles.xml and returns, per cellXfs index, whether the
// cell format uses a date/time number format.
func parseStyles(name string, b []byte) ([]bool, error) {
	d := newDecoder(b)
	custom := map[int]string{}
	var xfFmt []int
	depth, xfsDepth := 0, -1
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, corrupt(name, "bad XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "numFmt":
				id, code, ok := -1, "", false
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "numFmtId":
						if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
							id = n
						}
					case "formatCode":
						code, ok = a.Value, true
					}
				}
				if id >= 0 && ok {
					custom[id] = code
				}
			case "cellXfs":
				if xfsDepth < 0 {
					xfsDepth = depth
				}
			case "xf":
				if xfsDepth >= 0 && depth == xfsDepth+1 {
					if len(xfFmt) >= maxStyles {
						return nil, corrupt(name, "more than %d cell formats", maxStyles)
					}
					id := 0
					for _, a := range t.Attr {
						if a.Name.Local == "numFmtId" {
							if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
								id = n
							}
						}
					}
					xfFmt = append(xfFmt, id)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" && depth == xfsDepth {
				xfsDepth = -2 // only the first cellXfs counts
			}
			depth--
		}
	}
	isDate := make(map[int]bool, len(custom))
	out := make([]bool, len(xfFmt))
	for i, id := range xfFmt {
		v, seen := isDate[id]
		if !seen {
			if code, ok := custom[id]; ok {
				v = isDateFormat(code)
			} else {
				v = builtinDate(id)
			}
			isDate[id] = v
		}
		out[i] = v
	}
	return out, nil
}

// builtinDate reports whether a built-in number format id is a date/time
// format: 14-22, 27-36, 45-47 and the CJK built-ins 50-58.
func builtinDate(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat reports whether a custom number format code formats a date or
// a time: after removing quoted text, backslash-escaped characters, the
// characters after _ (padding) and * (fill) and [..] sections (colours,
// conditions, locales such as [$-804]), it contains any of y m d h s, in
// either case. Elapsed-time sections [h], [mm], [ss] count as time.
// "General" and pure number codes are not dates.
func isDateFormat(code string) bool {
	if code == "" || strings.EqualFold(code, "General") {
		return false
	}
	for i := 0; i < len(code); {
		c := code[i]
		switch c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 2
			continue
		case '\\', '_', '*':
			i += 2
			continue
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			if elapsed(code[i+1 : i+1+j]) {
				return true
			}
			i += j + 2
			continue
		}
		switch c | 0x20 {
		case 'y', 'm', 'd', 'h', 's':
			return true
		}
		i++
	}
	return false
}

// elapsed reports whether a bracketed section is an elapsed-time token such
// as h, hh, mm, ss.
func elapsed(s string) bool {
	if s == "" {
		return false
	}
	c := s[0] | 0x20
	if c != 'h' && c != 'm' && c != 's' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i]|0x20 != c {
			return false
		}
	}
	return true
}
