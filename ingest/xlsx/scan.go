package xlsx

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"unicode/utf8"
)

// A minimal streaming XML tokenizer for the large parts (sheets, shared
// strings). It understands start/end/empty tags with quoted attributes, text,
// CDATA, comments, processing instructions and declarations; it does not
// check well-formedness beyond what the readers need, and never expands
// entities other than the predefined and numeric ones.

const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText  // raw text (entities not decoded); may be delivered in pieces
	tokCDATA // CDATA content, literal
)

const (
	scanBufSize  = 64 << 10
	maxTokenSize = 16 << 20 // longest tag, comment or CDATA section
	textChunk    = 4 << 10  // text runs without '<' longer than this are delivered in pieces
	maxValueSize = 32 << 20 // longest cell value / shared string
)

var (
	errTokenTooLarge = errors.New("XML tag longer than 16 MiB")
	errUnexpectedEOF = errors.New("XML ends inside a tag")
	errNoProgress    = errors.New("reader returns no data")
)

type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error // first non-EOF error: read error or malformed XML

	// current token
	name  []byte // local name (prefix stripped) for tokStart/tokEnd
	attrs []byte // raw attribute text for tokStart
	empty bool   // tokStart was self-closing
	text  []byte // tokText / tokCDATA
}

var bufPool = sync.Pool{New: func() any { return new([scanBufSize]byte) }}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: bufPool.Get().(*[scanBufSize]byte)[:]}
}

// release returns the buffer to the pool; the scanner must not be used after.
func (s *scanner) release() {
	if len(s.buf) == scanBufSize {
		bufPool.Put((*[scanBufSize]byte)(s.buf))
	}
	s.buf, s.name, s.attrs, s.text = nil, nil, nil, nil
}

// more compacts the buffer, grows it if it is full, and reads. It reports
// whether new bytes arrived.
func (s *scanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTokenSize {
			s.err = errTokenTooLarge
			return false
		}
		nb := make([]byte, min(2*len(s.buf), maxTokenSize))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if err == io.EOF {
				s.eof = true
			} else {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = errNoProgress
	return false
}

// need is called when the current token is incomplete in the buffer.
// It reads more, or records an error when the input ended.
func (s *scanner) need() bool {
	if s.more() {
		return true
	}
	if s.err == nil {
		s.err = errUnexpectedEOF
	}
	return false
}

func localName(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			return b[i+1:]
		}
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return trimRightSpace(b)
}

// tagEnd returns the index of the '>' closing the tag that starts at b[0],
// skipping '>' inside quoted attribute values, or -1.
func tagEnd(b []byte) int {
	for k := 1; k < len(b); k++ {
		switch c := b[k]; c {
		case '>':
			return k
		case '"', '\'':
			e := bytes.IndexByte(b[k+1:], c)
			if e < 0 {
				return -1
			}
			k += e + 1
		}
	}
	return -1
}

// next advances to the next token and returns its kind. At tokEOF, s.err
// tells whether the input ended cleanly.
func (s *scanner) next() int {
	for {
		if s.pos >= s.end {
			if !s.more() {
				return tokEOF
			}
			continue
		}
		b := s.buf[s.pos:s.end]
		if b[0] != '<' {
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				if len(b) < textChunk && !s.eof && s.err == nil {
					if s.more() {
						continue
					}
					if s.err != nil {
						return tokEOF
					}
					b = s.buf[s.pos:s.end]
				}
				i = len(b)
			}
			s.text = b[:i]
			s.pos += i
			return tokText
		}
		if len(b) < 2 {
			if !s.need() {
				return tokEOF
			}
			continue
		}
		switch b[1] {
		case '/':
			j := 2
			for j < len(b) && b[j] != '>' {
				j++
			}
			if j == len(b) {
				if !s.need() {
					return tokEOF
				}
				continue
			}
			s.name = localName(trimRightSpace(b[2:j]))
			s.pos += j + 1
			return tokEnd
		case '?':
			j := bytes.Index(b, []byte("?>"))
			if j < 0 {
				if !s.need() {
					return tokEOF
				}
				continue
			}
			s.pos += j + 2
			continue
		case '!':
			if len(b) < 9 && !s.eof {
				if !s.more() && s.err != nil {
					return tokEOF
				}
				continue
			}
			switch {
			case bytes.HasPrefix(b, []byte("<!--")):
				j := bytes.Index(b[4:], []byte("-->"))
				if j < 0 {
					if !s.need() {
						return tokEOF
					}
					continue
				}
				s.pos += 4 + j + 3
				continue
			case bytes.HasPrefix(b, []byte("<![CDATA[")):
				j := bytes.Index(b[9:], []byte("]]>"))
				if j < 0 {
					if !s.need() {
						return tokEOF
					}
					continue
				}
				s.text = b[9 : 9+j]
				s.pos += 9 + j + 3
				return tokCDATA
			}
			j := bytes.IndexByte(b, '>')
			if j < 0 {
				if !s.need() {
					return tokEOF
				}
				continue
			}
			s.pos += j + 1
			continue
		}
		j := tagEnd(b)
		if j < 0 {
			if !s.need() {
				return tokEOF
			}
			continue
		}
		t := b[1:j]
		s.empty = len(t) > 0 && t[len(t)-1] == '/'
		if s.empty {
			t = t[:len(t)-1]
		}
		k := 0
		for k < len(t) && !isSpace(t[k]) {
			k++
		}
		s.name = localName(t[:k])
		s.attrs = t[k:]
		s.pos += j + 1
		return tokStart
	}
}

// nextAttr parses the first attribute of a, returning its (possibly prefixed)
// name, its raw value and the rest. ok is false when no attribute remains.
func nextAttr(a []byte) (name, val, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isSpace(a[i]) {
		i++
	}
	n := i
	for n < len(a) && a[n] != '=' {
		n++
	}
	if n >= len(a) {
		return nil, nil, nil, false
	}
	name = trimRightSpace(a[i:n])
	j := n + 1
	for j < len(a) && isSpace(a[j]) {
		j++
	}
	if j >= len(a) || (a[j] != '"' && a[j] != '\'') {
		return nil, nil, nil, false
	}
	q := a[j]
	e := j + 1
	for e < len(a) && a[e] != q {
		e++
	}
	if e >= len(a) {
		return nil, nil, nil, false
	}
	return name, a[j+1 : e], a[e+1:], true
}

// textBuf accumulates element text: raw text (entities decoded on flush) and
// CDATA (kept literally).
type textBuf struct {
	b   []byte
	dec int // b[:dec] is decoded
}

func (t *textBuf) reset() { t.b, t.dec = t.b[:0], 0 }

func (t *textBuf) raw(p []byte) bool {
	if len(t.b)+len(p) > maxValueSize {
		return false
	}
	t.b = append(t.b, p...)
	return true
}

func (t *textBuf) cdata(p []byte) bool {
	t.flush()
	if !t.raw(p) {
		return false
	}
	t.dec = len(t.b)
	return true
}

// flush decodes the pending raw text in place and returns the whole value.
func (t *textBuf) flush() []byte {
	if t.dec < len(t.b) {
		n := decodeEntities(t.b[t.dec:])
		t.b = t.b[:t.dec+n]
		t.dec = len(t.b)
	}
	return t.b
}

// decodeEntities decodes &amp; &lt; &gt; &quot; &apos; &#NNN; and &#xHH;
// in place and returns the new length. Unknown or malformed references are
// kept literally.
func decodeEntities(b []byte) int {
	i := bytes.IndexByte(b, '&')
	if i < 0 {
		return len(b)
	}
	w := i
	for i < len(b) {
		// b[i] == '&'
		lim := min(len(b), i+12)
		semi := bytes.IndexByte(b[i+1:lim], ';')
		var r rune = -1
		if semi > 0 {
			ent := b[i+1 : i+1+semi]
			switch string(ent) {
			case "amp":
				r = '&'
			case "lt":
				r = '<'
			case "gt":
				r = '>'
			case "quot":
				r = '"'
			case "apos":
				r = '\''
			default:
				if ent[0] == '#' {
					r = parseCharRef(ent[1:])
				}
			}
		}
		if r >= 0 {
			w += utf8.EncodeRune(b[w:], r)
			i += semi + 2
		} else {
			b[w] = '&'
			w++
			i++
		}
		j := bytes.IndexByte(b[i:], '&')
		if j < 0 {
			j = len(b) - i
		}
		w += copy(b[w:], b[i:i+j])
		i += j
	}
	return w
}

// parseCharRef parses the digits of a numeric character reference ("65",
// "x41") and returns the rune, or -1.
func parseCharRef(d []byte) rune {
	base := rune(10)
	if len(d) > 0 && (d[0] == 'x' || d[0] == 'X') {
		base, d = 16, d[1:]
	}
	if len(d) == 0 || len(d) > 8 {
		return -1
	}
	var r rune
	for _, c := range d {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return -1
		}
		r = r*base + v
		if r > utf8.MaxRune {
			return -1
		}
	}
	if r == 0 || !utf8.ValidRune(r) {
		return -1
	}
	return r
}

// decodeXEscapes decodes Excel's _xHHHH_ escapes (e.g. _x000D_ for a carriage
// return, _x005F_ for '_') in place and returns the new length. Surrogate
// pairs written as two escapes are combined; a lone surrogate is kept as
// written.
func decodeXEscapes(b []byte) int {
	i := bytes.Index(b, []byte("_x"))
	if i < 0 {
		return len(b)
	}
	w := i
	for i < len(b) {
		if r, ok := xEscape(b[i:]); ok {
			n := 7
			if utf8.ValidRune(r) {
				w += utf8.EncodeRune(b[w:], r)
				i += n
			} else if r >= 0xD800 && r <= 0xDBFF {
				if lo, ok2 := xEscape(b[i+7:]); ok2 && lo >= 0xDC00 && lo <= 0xDFFF {
					w += utf8.EncodeRune(b[w:], (r-0xD800)<<10+(lo-0xDC00)+0x10000)
					i += 14
				} else {
					w += copy(b[w:], b[i:i+n])
					i += n
				}
			} else {
				w += copy(b[w:], b[i:i+n])
				i += n
			}
		} else {
			b[w] = b[i]
			w++
			i++
		}
		j := bytes.Index(b[i:], []byte("_x"))
		if j < 0 {
			j = len(b) - i
		}
		w += copy(b[w:], b[i:i+j])
		i += j
	}
	return w
}

// xEscape parses "_xHHHH_" at the start of b.
func xEscape(b []byte) (rune, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}
