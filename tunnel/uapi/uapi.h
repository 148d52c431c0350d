/* The cross-platform configuration protocol `wg` speaks to a userspace WireGuard over
 * /var/run/wireguard/IFNAME.sock (https://www.wireguard.com/xplatform/): framing of get=1 and set=1
 * requests, the set parser and the get writer. Text and struct wh_config both ways; no sockets, no
 * device. */
#ifndef WH_UAPI_UAPI_H
#define WH_UAPI_UAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "uapi/config.h"

/* Bounds against a client that sends too much; wireguard-go has only its 64 KiB line limit. The
 * longest line wg(8) writes is under 100 bytes; 16 MiB holds tens of thousands of peers. */
enum wh_uapi_limits {
	WH_UAPI_MAX_LINE = 1024,                /* bytes in one line, without its '\n' */
	WH_UAPI_MAX_REQUEST = 16 * 1024 * 1024, /* bytes in one request, its blank line included */
	WH_UAPI_MAX_PEERS = 65536,              /* public_key lines in one set */
	WH_UAPI_MAX_ALLOWED_IPS = 262144,       /* allowed_ip lines in one set, all peers together */
	WH_UAPI_ERROR_SIZE = 256,               /* enough for any message wh_uapi_parse_set writes */
};

/* Error codes, as wireguard-go's device/uapi.go and ipc/uapi_unix.go give them. A server answers
 * with "errno=" and the negative number itself (wireguard-go writes errno=-22; wg(8) negates it):
 *   -EINVAL  a value that does not parse, an unknown key, a device key among peer keys or the other
 *            way round, protocol_version other than 1, "get=1" followed by anything but '\n';
 *   -EPROTO  a line without '=', text that is not a request (wireguard-go closes the connection
 *            without an answer there);
 *   -EIO     a line over WH_UAPI_MAX_LINE or a request over WH_UAPI_MAX_REQUEST (wireguard-go's
 *            answer when a line overflows its reader);
 *   -ENOMEM  more than WH_UAPI_MAX_PEERS peers or WH_UAPI_MAX_ALLOWED_IPS allowed IPs (what the
 *            kernel answers past its peer limit), or memory ran out. */

enum wh_uapi_operation {
	WH_UAPI_GET = 1,
	WH_UAPI_SET,
};

/* Where one request lies in the bytes read so far. */
struct wh_uapi_request {
	enum wh_uapi_operation operation;
	size_t body_offset; /* set: the first key=value line, right after "set=1\n" */
	size_t body_len;    /* set: the lines up to (not including) the blank line; get: 0 */
	size_t length;      /* bytes the whole request takes, blank line included: consume these */
};

/* Looks for one request at the start of the len bytes at buf: "get=1\n\n", or "set=1\n", lines and a
 * blank line ("\r\n" counts as one, as wireguard-go's line reader drops a '\r' before '\n'). Returns 1
 * with *request filled in when a whole request is there, 0 when more bytes are needed (or, with
 * end_of_stream, when len is 0), or -EPROTO, -EINVAL, -EIO as above. With end_of_stream, a set
 * request cut short of its blank line is whole (wireguard-go applies it too); any other partial
 * request is -EPROTO. Scans from buf every time; stateless. */
int wh_uapi_frame(const char *buf, size_t len, bool end_of_stream, struct wh_uapi_request *request);

/* Parses the body of a set request (the len bytes from body_offset: key=value lines; a trailing blank
 * line is allowed, anything after one is -EPROTO) into *out, which it initialises. Everything is
 * checked before this returns, so the device can apply *out in one go or not at all. Keys are 64 hex
 * digits in either case; a private key is clamped as wireguard-go clamps it (all zero stays zero:
 * remove). Allowed IPs are stored with their host bits cleared, which is what wireguard-go's trie
 * does on insert, so `get` shows the same prefix either way. Every key wireguard-go takes is taken:
 * private_key, listen_port, fwmark, replace_peers before the first public_key; update_only, remove,
 * preshared_key, endpoint, persistent_keepalive_interval, replace_allowed_ips, allowed_ip,
 * protocol_version (=1) after it. Returns 0, or a negative errno (above) with *out wiped and empty and
 * a message in error (when error_len > 0): "line N: key: problem", where line 1 is the "set=1" line
 * before the body. Messages quote bad values but never the value of a key line, nor a line without
 * '='. The caller still holds the keys in text: wipe it. */
int wh_uapi_parse_set(const char *text, size_t len, struct wh_config *out, char *error, size_t error_len);

/* Writes the body of the answer to get=1 for snapshot, as wireguard-go writes it, without the
 * "errno=0\n\n" that ends it: private_key, listen_port, fwmark (each only when set and non-zero),
 * then per peer public_key, preshared_key (64 zeros for none), protocol_version=1, endpoint (when
 * known), last_handshake_time_sec, last_handshake_time_nsec, tx_bytes, rx_bytes,
 * persistent_keepalive_interval and an allowed_ip line per prefix, in array order. Keys in lower-case
 * hex. Returns 0 with a NUL-terminated *out of *out_len bytes (free it with wh_uapi_free_text: it holds
 * the private and preshared keys), or -ENOMEM. */
int wh_uapi_format_get(const struct wh_config *snapshot, char **out, size_t *out_len);

/* Wipes len bytes of text and frees it (NULL is fine). */
void wh_uapi_free_text(char *text, size_t len);

#endif
