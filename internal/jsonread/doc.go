// Package jsonread is a small, allocation-free pull reader for the JSON response
// bodies of the PolarDB license API.
//
// The service answers with flat objects of scalars, at most one array of flat
// objects (Items), and in error bodies an occasional nested object
// (AccessDeniedDetail). A [Reader] walks such a body member by member without
// building any intermediate tree: strings without escape sequences are returned
// as substrings of the input, numbers as their literal text, so decoding a whole
// response allocates nothing per field. Only strings holding escape sequences
// are copied.
//
// A substring keeps the whole input alive. Values that outlive the document
// are read with [Reader.OwnedString] instead, which shares nothing with the
// input; its [Interner] makes known values (constants the caller names),
// one-byte strings and values repeated within a document cost no allocation.
//
// The reader checks the JSON grammar strictly (RFC 8259) but converts scalars
// tolerantly, the way the service is loose: Int accepts "12" as well as 12,
// Bool accepts "true", "1" and 1, and String accepts numbers and booleans. See
// the value methods for the exact rules.
//
// Typical use:
//
//	var r jsonread.Reader
//	r.Reset(body)
//	if r.Object() {
//		for key, ok := r.Member(); ok; key, ok = r.Member() {
//			switch key {
//			case "RequestId":
//				out.RequestID = r.String()
//			case "TotalRecordCount":
//				out.Total = r.Int()
//			default:
//				r.Skip()
//			}
//		}
//	}
//	r.End()
//	if err := r.Err(); err != nil {
//		return err
//	}
//
// Errors are sticky: after the first one every method returns a zero value and
// [Reader.Err] reports it, so a decoder needs to check only once, at the end.
// Error messages carry byte offsets and kind words, never the values read,
// because response bodies may hold secrets.
package jsonread
