// Package sign holds the request-signing primitives shared by the SDK
// client (which signs outgoing requests) and the in-process emulator server
// (which verifies the signatures of incoming requests, including requests
// made by Alibaba Cloud's official SDKs).
//
// Two algorithms are implemented.
//
// RPC signature (SignatureVersion 1.0, HMAC-SHA1). Every parameter except
// Signature, from the query and the form body together, is sorted by key,
// keys and values are percent-encoded per RFC 3986 (see [AppendEscape]) and
// joined as k=v with & into the canonical query ([SortParams],
// [AppendCanonicalQuery]). The string to sign is
//
//	METHOD & %2F & percentEncode(canonicalQuery)
//
// and the signature is base64(HMAC-SHA1(AccessKeySecret+"&", stringToSign)),
// see [RPCSigner] and [AppendRPCStringToSign].
//
// V3 signature (ACS3-HMAC-SHA256, the official SDK's default). The
// canonical request is
//
//	METHOD \n canonicalURI \n canonicalQuery \n
//	name:value\n for every canonical header \n
//	signedHeaders \n hex(SHA-256(body))
//
// where the canonical headers are host, content-type and every x-acs-*
// header, lower-cased, trimmed, merged and sorted ([CanonicalHeaders]), and
// signedHeaders is their names joined by ";" ([AppendSignedHeaders]). The
// string to sign is "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonicalRequest)) and
// the signature is hex(HMAC-SHA256(AccessKeySecret, stringToSign)), sent as
//
//	Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<list>,Signature=<hex>
//
// see [V3Signer], [AppendAuthorization] and [ParseAuthorization].
//
// All Append* functions follow the strconv.Append* convention: they append
// to dst and return the extended slice, so callers can reuse buffers and sign
// requests without allocating in steady state. Nothing in this package puts a
// secret into an error or panic message.
package sign
