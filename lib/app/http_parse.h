/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * An incremental, zero-allocation HTTP/1.1 message parser (RFC 9112) for requests (server
 * side) and responses (client side).
 *
 * The parser is a byte-driven state machine that keeps no copy of what it read: bytes are
 * fed as they arrive, one mbuf segment at a time, and a message may be split anywhere (in
 * the middle of a header name, between CR and LF, inside a chunk-size). What an application
 * needs from a message is kept in a few fields: method (GET, HEAD, other), status, minor
 * version, Content-Length, chunked, keep-alive, and the number of body bytes seen. Body
 * bytes are counted and skipped, never copied: a body of a gigabyte costs one subtraction
 * per segment.
 *
 * What it checks, and the error it returns (all distinct, see enum sy_http_error):
 * - request-line `method SP request-target SP HTTP-version` (RFC 9112 3), status-line
 *   `HTTP-version SP 3DIGIT SP reason` (RFC 9112 4); HTTP/1.x only;
 * - header fields `name ":" OWS value OWS` with token names, no whitespace before the
 *   colon and no obs-fold (RFC 9112 5.1, 5.2: we take the "reject" option);
 * - the header section (start line included) is at most max_header bytes;
 * - Content-Length: digits only, no overflow, repeated only with the same value
 *   (RFC 9110 8.6); Transfer-Encoding together with Content-Length is rejected
 *   (RFC 9112 6.3 item 3 allows it and it defeats request smuggling);
 * - Transfer-Encoding: chunked with chunk extensions (skipped) and trailer fields (parsed
 *   and ignored) (RFC 9112 7.1); a request whose final coding is not chunked is rejected
 *   (RFC 9112 6.3 item 4);
 * - message length rules of RFC 9112 6.3: responses to HEAD, 1xx, 204 and 304 have no body;
 *   a response without length is read until the connection closes (sy_http_parser_eof());
 * - persistence (RFC 9112 9.3): HTTP/1.1 keeps the connection unless "Connection: close";
 *   HTTP/1.0 closes unless "Connection: keep-alive".
 * Line endings are CRLF; a bare LF is accepted as RFC 9112 2.2 allows; a CR not followed by
 * LF is an error. Empty lines before a request-line are skipped (RFC 9112 2.2).
 *
 * Use:
 *   sy_http_parser_init(&p, SY_HTTP_REQUEST, 8192);
 *   for each segment: while (len > 0) {
 *       int n = sy_http_parser_feed(&p, data, len);
 *       if (n < 0) -> error -n (sticky: every later call returns it again)
 *       data += n; len -= n;
 *       if (sy_http_parser_done(&p)) { use the message; sy_http_parser_next(&p); }
 *   }
 * The feed stops right after a complete message so that pipelined messages are seen one
 * at a time.
 */
#ifndef SY_HTTP_PARSE_H
#define SY_HTTP_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/** What is parsed. */
enum sy_http_kind {
	SY_HTTP_REQUEST = 0,
	SY_HTTP_RESPONSE = 1,
};

/** Request methods the parser names; everything else is SY_HTTP_METHOD_OTHER. */
enum sy_http_method {
	SY_HTTP_METHOD_NONE = 0,
	SY_HTTP_METHOD_GET,
	SY_HTTP_METHOD_HEAD,
	SY_HTTP_METHOD_OTHER,
};

/** Errors, returned negated by sy_http_parser_feed() and sy_http_parser_eof(). */
enum sy_http_error {
	SY_HTTP_OK = 0,
	SY_HTTP_E_REQUEST_LINE = 1,   /**< bad method, request-target or separators */
	SY_HTTP_E_VERSION,            /**< not HTTP/1.x */
	SY_HTTP_E_STATUS,             /**< status-line: not 3 digits in 100..599 */
	SY_HTTP_E_HEADER,             /**< bad field name or value, missing colon, obs-fold */
	SY_HTTP_E_TOO_LARGE,          /**< header section or trailer over max_header */
	SY_HTTP_E_LENGTH,             /**< Content-Length not digits, overflowing, conflicting */
	SY_HTTP_E_CL_AND_TE,          /**< both Content-Length and Transfer-Encoding */
	SY_HTTP_E_TRANSFER_ENCODING,  /**< request whose final coding is not chunked */
	SY_HTTP_E_CHUNK,              /**< bad chunk-size, chunk line, or data not followed by CRLF */
	SY_HTTP_E_EOF,                /**< connection closed inside a message */
	SY_HTTP_E_COUNT
};

/** A short name for an error ("bad_status", ...), for logs and counters. */
const char *sy_http_strerror(int err);

/** Parser state; embed one per connection (48 bytes). Fields are private except where
 * an accessor below reads them. */
struct sy_http_parser {
	uint64_t content_length;   /**< valid when flags has SY_HTTP_F_CL */
	uint64_t remaining;        /**< body or chunk bytes still to come; scratch before */
	uint64_t body_bytes;       /**< body bytes of this message seen so far */
	uint32_t hdr_bytes;        /**< bytes of the header section (or trailer) so far */
	uint32_t max_header;
	uint16_t status;
	uint16_t flags;
	uint8_t kind;
	uint8_t state;
	uint8_t method;
	uint8_t minor;             /**< HTTP/1.<minor> */
	uint8_t hdr;               /**< known header being read */
	uint8_t idx;               /**< position inside the current name or token (saturates) */
	uint8_t mask;              /**< candidate names or tokens still matching */
	uint8_t sub;               /**< per-state sub-step */
	uint8_t error;             /**< sticky enum sy_http_error */
	uint8_t cr;                /**< a CR was read: LF must follow */
};

/* flags */
#define SY_HTTP_F_CL          0x0001  /**< Content-Length seen */
#define SY_HTTP_F_TE          0x0002  /**< Transfer-Encoding seen */
#define SY_HTTP_F_CHUNKED     0x0004  /**< the final transfer coding is chunked */
#define SY_HTTP_F_CLOSE       0x0008  /**< Connection: close */
#define SY_HTTP_F_KEEP_ALIVE  0x0010  /**< Connection: keep-alive */
#define SY_HTTP_F_NO_BODY     0x0020  /**< response to HEAD: no body whatever the headers say */
#define SY_HTTP_F_TRAILER     0x0040  /**< reading trailer fields */
#define SY_HTTP_F_UNTIL_EOF   0x0080  /**< response body delimited by the connection close */
#define SY_HTTP_F_HEADERS     0x0100  /**< the header section is complete */

/** Default bound of a header section. */
#define SY_HTTP_MAX_HEADER_DEFAULT 8192

/** Longest chunk-size line (size and extensions) accepted. */
#define SY_HTTP_MAX_CHUNK_LINE 1024

/**
 * Prepares @p p for the first message of a connection.
 * @param max_header  bound of the header section in bytes (start line included), > 0
 */
void sy_http_parser_init(struct sy_http_parser *p, enum sy_http_kind kind, uint32_t max_header);

/** Prepares @p p for the next message on the same connection (after a complete one). */
void sy_http_parser_next(struct sy_http_parser *p);

/**
 * Consumes up to @p len bytes. Stops after the end of a message (sy_http_parser_done()).
 * @return bytes consumed (0 when the parser is done and not reset), or -enum sy_http_error;
 *   after an error every call returns the same error.
 */
int32_t sy_http_parser_feed(struct sy_http_parser *p, const void *data, uint32_t len);

/**
 * The peer closed the connection: ends a response read until close.
 * @return 1 when that completed a message, 0 when no message was in progress,
 *   -SY_HTTP_E_EOF when a message was cut short (or the sticky error).
 */
int sy_http_parser_eof(struct sy_http_parser *p);

/** Marks the response to come as an answer to HEAD (no body, RFC 9110 9.3.2). */
static inline void
sy_http_parser_expect_no_body(struct sy_http_parser *p)
{
	p->flags |= SY_HTTP_F_NO_BODY;
}

/** True when a complete message was read. */
bool sy_http_parser_done(const struct sy_http_parser *p);

/** True when no byte of the next message was read yet (a clean point to close). */
bool sy_http_parser_idle(const struct sy_http_parser *p);

/** True once the header section of the current message is complete. */
static inline bool
sy_http_parser_headers_done(const struct sy_http_parser *p)
{
	return (p->flags & SY_HTTP_F_HEADERS) != 0;
}

/** True when the connection stays open after this message (RFC 9112 9.3). */
static inline bool
sy_http_parser_keep_alive(const struct sy_http_parser *p)
{
	if (p->flags & (SY_HTTP_F_CLOSE | SY_HTTP_F_UNTIL_EOF))
		return false;
	return p->minor >= 1 || (p->flags & SY_HTTP_F_KEEP_ALIVE);
}

static inline enum sy_http_method
sy_http_parser_method(const struct sy_http_parser *p)
{
	return (enum sy_http_method)p->method;
}

static inline uint16_t sy_http_parser_status(const struct sy_http_parser *p) { return p->status; }
static inline uint8_t sy_http_parser_minor(const struct sy_http_parser *p) { return p->minor; }
static inline bool
sy_http_parser_chunked(const struct sy_http_parser *p)
{
	return (p->flags & SY_HTTP_F_CHUNKED) != 0;
}
static inline bool
sy_http_parser_has_length(const struct sy_http_parser *p)
{
	return (p->flags & SY_HTTP_F_CL) != 0;
}
static inline uint64_t
sy_http_parser_content_length(const struct sy_http_parser *p)
{
	return p->content_length;
}
static inline uint64_t
sy_http_parser_body_bytes(const struct sy_http_parser *p)
{
	return p->body_bytes;
}

#endif /* SY_HTTP_PARSE_H */
