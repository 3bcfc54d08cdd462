package jsonread

// maxDepth bounds the nesting of objects and arrays. The service's bodies nest
// at most three levels deep; the bound keeps hostile input from driving a
// recursive decoder deep. The open containers are recorded one bit each in a
// uint64, so maxDepth cannot exceed 64.
const maxDepth = 64

// Reader reads one JSON document held in a string. The zero value is not
// usable; call Reset first. A Reader may be reused for another document by
// calling Reset again. It is not safe for concurrent use.
//
// Errors are sticky: after the first error every method returns a zero value
// and Err reports the error.
type Reader struct {
	data  string
	pos   int    // offset of the next byte to read
	err   error  // first error met
	depth int    // number of open objects and arrays
	stack uint64 // bit i is set when the container at depth i+1 is an object
	first bool   // no member or element of the innermost container read yet
}

// Reset makes the reader read data from the beginning, forgetting any error.
func (r *Reader) Reset(data string) {
	*r = Reader{data: data}
}

// Err returns the first error met (a *SyntaxError or *TypeError), or nil.
func (r *Reader) Err() error {
	return r.err
}

// push opens a container whose opening bracket is at the reader's position.
func (r *Reader) push(object bool) bool {
	if r.depth >= maxDepth {
		r.syntax(r.pos, msgTooDeep)
		return false
	}
	if object {
		r.stack |= 1 << uint(r.depth)
	} else {
		r.stack &^= 1 << uint(r.depth)
	}
	r.depth++
	r.pos++
	r.first = true
	return true
}

// inObject reports whether the innermost open container is an object.
func (r *Reader) inObject() bool {
	return r.depth > 0 && r.stack&(1<<uint(r.depth-1)) != 0
}

// inArray reports whether the innermost open container is an array.
func (r *Reader) inArray() bool {
	return r.depth > 0 && r.stack&(1<<uint(r.depth-1)) == 0
}

// Object reads the next value as an object: it returns true and positions the
// reader at the first member, to be read with Member. It returns false for
// null, with no error, and false with a *TypeError for any other value.
func (r *Reader) Object() bool {
	if r.err != nil {
		return false
	}
	switch k := r.peek(); k {
	case kindObject:
		return r.push(true)
	case kindNull:
		r.scanLiteral("null")
	case kindNone:
	default:
		r.typeErr(r.pos, "object", k)
	}
	return false
}

// PeekObject reports whether the next value is an object, consuming
// nothing: a caller can then Skip a value of another kind instead of failing
// on it with Object.
func (r *Reader) PeekObject() bool {
	if r.err != nil {
		return false
	}
	r.skipWS()
	return r.pos < len(r.data) && r.data[r.pos] == '{'
}

// Member reads the key of the next member of the current object and positions
// the reader at its value. It returns ok=false at the end of the object, having
// consumed the closing '}', or on error. The key is a substring of the input
// when it holds no escape sequences. Typical use:
//
//	if r.Object() {
//		for key, ok := r.Member(); ok; key, ok = r.Member() {
//			switch key {
//			case "A":
//				x = r.Int()
//			default:
//				r.Skip()
//			}
//		}
//	}
//
// The caller must consume each member's value with exactly one value method
// (String, Int, Bool, Object, Array) or Skip before calling Member again.
func (r *Reader) Member() (key string, ok bool) {
	if r.err != nil {
		return "", false
	}
	if !r.inObject() {
		r.syntax(r.pos, msgNotInObject)
		return "", false
	}
	r.skipWS()
	if r.pos >= len(r.data) {
		r.syntax(r.pos, msgEOF)
		return "", false
	}
	c := r.data[r.pos]
	if c == '}' {
		r.pos++
		r.depth--
		r.first = false
		return "", false
	}
	if !r.first {
		if c != ',' {
			r.syntax(r.pos, msgObjectSep)
			return "", false
		}
		r.pos++
	}
	r.first = false
	raw, escaped := r.key()
	if r.err != nil {
		return "", false
	}
	if escaped {
		return unescape(raw), true
	}
	return raw, true
}

// key reads an object key and the colon after it, leaving the reader at the
// member's value. It returns the key's raw text as scanString does.
func (r *Reader) key() (raw string, escaped bool) {
	r.skipWS()
	if r.pos >= len(r.data) {
		r.syntax(r.pos, msgEOF)
		return "", false
	}
	if r.data[r.pos] != '"' {
		r.syntax(r.pos, msgKey)
		return "", false
	}
	// The common case, a key without escapes and a colon right after it,
	// read in one step.
	if i := skipPlain(r.data, r.pos+1); i+1 < len(r.data) && r.data[i] == '"' && r.data[i+1] == ':' {
		raw = r.data[r.pos+1 : i]
		r.pos = i + 2
		return raw, false
	}
	raw, escaped = r.scanString()
	if r.err != nil {
		return "", false
	}
	r.skipWS()
	if r.pos >= len(r.data) {
		r.syntax(r.pos, msgEOF)
		return "", false
	}
	if r.data[r.pos] != ':' {
		r.syntax(r.pos, msgColon)
		return "", false
	}
	r.pos++
	return raw, escaped
}

// Array reads the next value as an array and positions the reader at its first
// element, to be reached with Next. It returns false for null, with no error,
// and false with a *TypeError for any other value. Typical use:
//
//	if r.Array() {
//		for r.Next() {
//			// read exactly one element
//		}
//	}
func (r *Reader) Array() bool {
	if r.err != nil {
		return false
	}
	switch k := r.peek(); k {
	case kindArray:
		return r.push(false)
	case kindNull:
		r.scanLiteral("null")
	case kindNone:
	default:
		r.typeErr(r.pos, "array", k)
	}
	return false
}

// Next reports whether another element of the current array follows, and if so
// positions the reader at it, consuming the ',' before it. At the end of the
// array it consumes the closing ']' and returns false; it returns false on
// error too. The caller must consume each element with exactly one value
// method or Skip before calling Next again.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	if !r.inArray() {
		r.syntax(r.pos, msgNotInArray)
		return false
	}
	r.skipWS()
	if r.pos >= len(r.data) {
		r.syntax(r.pos, msgEOF)
		return false
	}
	c := r.data[r.pos]
	if c == ']' {
		r.pos++
		r.depth--
		r.first = false
		return false
	}
	if !r.first {
		if c != ',' {
			r.syntax(r.pos, msgArraySep)
			return false
		}
		r.pos++
	}
	r.first = false
	return true
}

// Skip consumes any one value, including nested objects and arrays, checking
// its syntax. Nesting deeper than 64 levels in all (counting the objects and
// arrays the reader is already in) is a *SyntaxError.
func (r *Reader) Skip() {
	if r.err != nil {
		return
	}
	base := r.depth
	for {
		// Read one value, or open a container and go on with its first entry.
		switch k := r.peek(); k {
		case kindNone:
			return
		case kindObject, kindArray:
			closing := byte('}')
			if k == kindArray {
				closing = ']'
			}
			if !r.push(k == kindObject) {
				return
			}
			r.skipWS()
			if r.pos < len(r.data) && r.data[r.pos] == closing {
				r.pos++
				r.depth--
				break
			}
			if k == kindObject {
				if r.key(); r.err != nil {
					return
				}
			}
			continue
		case kindString:
			r.scanString()
		case kindNumber:
			r.scanNumber()
		case kindTrue:
			r.scanLiteral("true")
		case kindFalse:
			r.scanLiteral("false")
		case kindNull:
			r.scanLiteral("null")
		}
		// A value is complete: close the containers it completes, and stop
		// when back at the depth Skip started from.
		for {
			if r.err != nil || r.depth == base {
				r.first = false
				return
			}
			r.skipWS()
			if r.pos >= len(r.data) {
				r.syntax(r.pos, msgEOF)
				return
			}
			c := r.data[r.pos]
			object := r.inObject()
			if c == ',' {
				r.pos++
				if object {
					r.key()
				}
				break
			}
			if (object && c == '}') || (!object && c == ']') {
				r.pos++
				r.depth--
				continue
			}
			if object {
				r.syntax(r.pos, msgObjectSep)
			} else {
				r.syntax(r.pos, msgArraySep)
			}
			return
		}
		if r.err != nil {
			return
		}
	}
}

// End checks that only white space follows the top-level value, and records a
// *SyntaxError otherwise. Call it after reading the document to reject
// trailing data.
func (r *Reader) End() {
	if r.err != nil {
		return
	}
	if r.depth != 0 {
		r.syntax(r.pos, msgUnclosed)
		return
	}
	r.skipWS()
	if r.pos < len(r.data) {
		r.syntax(r.pos, msgTrailing)
	}
}
