/* Wirehop tunnel engine: public API (keys, clock and randomness injection, the protocol engine). */
#ifndef WIREHOP_TUNNEL_H
#define WIREHOP_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	WH_KEY_SIZE = 32,
	/* Base64 of a key with its '=' padding, without the terminating NUL. */
	WH_KEY_BASE64_LEN = 44,
};

/* Time as the engine sees it. monotonic_ns drives timers; realtime_ns (nanoseconds since the Unix
 * epoch) is only used for TAI64N handshake timestamps and reported handshake times. */
struct wh_clock {
	uint64_t (*monotonic_ns)(void *ctx);
	uint64_t (*realtime_ns)(void *ctx);
	void *ctx;
};

/* Source of randomness: fills len bytes. Tests inject a deterministic one. */
struct wh_rng {
	void (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};

/* Initialises libsodium; call once before anything else. Returns 0, or -1 when it cannot start. */
int wh_init(void);

/* The engine's version, e.g. "0.1.0". */
const char *wh_version(void);

/* The system clock (CLOCK_MONOTONIC and CLOCK_REALTIME) and the system RNG (libsodium). */
const struct wh_clock *wh_clock_system(void);
const struct wh_rng *wh_rng_system(void);

/* Generates a new clamped private key from rng (NULL: the system RNG). */
void wh_key_generate_private(uint8_t private_key[WH_KEY_SIZE], const struct wh_rng *rng);

/* Derives the public key of a private key; false for the all-zero key. */
bool wh_key_public_from_private(uint8_t public_key[WH_KEY_SIZE], const uint8_t private_key[WH_KEY_SIZE]);

/* Writes the standard base64 form of a key and a terminating NUL into out. */
void wh_key_to_base64(char out[WH_KEY_BASE64_LEN + 1], const uint8_t key[WH_KEY_SIZE]);

/* Parses the base64 form of a key (exactly 44 characters with one '='); false, with key wiped, on
 * anything else. */
bool wh_key_from_base64(uint8_t key[WH_KEY_SIZE], const char *base64);

/* ---- The protocol engine -------------------------------------------------------------------------
 * A WireGuard device without I/O: it turns received datagrams into plaintext packets and replies, and
 * plaintext packets into datagrams, runs handshakes and timers, and tells the embedder through
 * callbacks what to send and what to deliver. The threaded device drives it with real ports; tests
 * drive two of them in memory with a fake clock. Not thread-safe: one caller at a time. */

struct wh_engine;
struct wh_peer;

/* A UDP endpoint: family is AF_INET or AF_INET6, port in host order, addr holds 4 or 16 bytes. */
struct wh_endpoint {
	uint16_t family;
	uint16_t port;
	uint32_t scope_id;
	uint8_t addr[16];
};

enum {
	/* Bytes a packet passed to wh_engine_send() must have free before it (the data header). */
	WH_ENGINE_HEADROOM = 16,
	/* Bytes it must have free after it: padding to 16 and the authentication tag. */
	WH_ENGINE_TAILROOM = 32,
};

struct wh_engine_callbacks {
	/* Sends an encrypted datagram to an endpoint. */
	void (*send_datagram)(void *ctx, const struct wh_endpoint *to, const uint8_t *data, size_t len);
	/* Delivers a decrypted IP packet from peer towards the TUN side; packet may be changed in place. */
	void (*deliver_packet)(void *ctx, struct wh_peer *peer, uint8_t *packet, size_t len);
};

struct wh_engine_config {
	struct wh_engine_callbacks callbacks;
	void *callback_ctx;
	const struct wh_clock *clock; /* NULL: the system clock */
	const struct wh_rng *rng;     /* NULL: the system RNG */
	size_t mtu;                   /* tunnel MTU for padding; 0: pad to 16 only */
};

/* What wh_engine_receive() did with a datagram; negative values are drops. */
enum wh_receive_result {
	WH_RECEIVE_HANDSHAKE = 0,       /* a handshake message was consumed (replies were sent) */
	WH_RECEIVE_COOKIE_REPLY_SENT,   /* under load: answered with a cookie reply instead */
	WH_RECEIVE_COOKIE_CONSUMED,     /* a cookie reply to our handshake was taken */
	WH_RECEIVE_DATA,                /* a packet was delivered */
	WH_RECEIVE_KEEPALIVE,           /* an authenticated empty data message */
	WH_RECEIVE_BAD_LENGTH = -1,     /* wrong size for its type */
	WH_RECEIVE_BAD_TYPE = -2,       /* unknown type or non-zero reserved bytes */
	WH_RECEIVE_BAD_MAC = -3,        /* mac1 does not verify */
	WH_RECEIVE_BAD_HANDSHAKE = -4,  /* does not decrypt, unknown peer, stale timestamp, flood */
	WH_RECEIVE_UNKNOWN_INDEX = -5,  /* no session or handshake with that receiver index */
	WH_RECEIVE_BAD_DATA = -6,       /* authentication tag fails */
	WH_RECEIVE_REPLAYED = -7,       /* counter already seen or behind the window */
	WH_RECEIVE_KEY_EXPIRED = -8,    /* the session is too old or exhausted */
	WH_RECEIVE_BAD_PACKET = -9,     /* the plaintext is not an IPv4/IPv6 packet */
	WH_RECEIVE_NOT_ALLOWED = -10,   /* the inner source address is not among the peer's allowed IPs */
	WH_RECEIVE_NO_IDENTITY = -11,   /* no private key set */
	WH_RECEIVE_RATE_LIMITED = -12,  /* under load: a cookie, but its address is over its rate */
};

/* What wh_engine_send() did with a packet; negative values are drops (as -errno). */
enum wh_send_result {
	WH_SEND_SENT = 0,   /* encrypted and handed to send_datagram */
	WH_SEND_STAGED = 1, /* kept until a handshake completes (which was started) */
};

/* Traffic and handshake figures of one peer. */
struct wh_peer_stats {
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t last_handshake_realtime_ns; /* 0: never */
	uint16_t persistent_keepalive_interval;
	bool has_endpoint;
	struct wh_endpoint endpoint;
};

/* Creates an engine without a private key or peers; NULL on allocation failure. */
struct wh_engine *wh_engine_new(const struct wh_engine_config *config);
/* Removes every peer, wipes every key and frees the engine (NULL is fine). */
void wh_engine_free(struct wh_engine *engine);

/* Sets (or with NULL removes) our private key; sessions keyed to the old one are dropped. -EINVAL
 * for an all-zero key. */
int wh_engine_set_private_key(struct wh_engine *engine, const uint8_t private_key[WH_KEY_SIZE]);
/* Our private key (for `wg showconf`); false when none is set. */
bool wh_engine_get_private_key(const struct wh_engine *engine, uint8_t private_key[WH_KEY_SIZE]);
/* Our public key; false when no private key is set. */
bool wh_engine_get_public_key(const struct wh_engine *engine, uint8_t public_key[WH_KEY_SIZE]);
/* Says whether the embedder is under load: handshakes then need a cookie (mac2). */
void wh_engine_set_under_load(struct wh_engine *engine, bool under_load);

/* Adds a peer; NULL with errno EEXIST (already there), EINVAL (our own key) or ENOMEM. */
struct wh_peer *wh_engine_add_peer(struct wh_engine *engine, const uint8_t public_key[WH_KEY_SIZE]);
/* The peer with this public key, or NULL. */
struct wh_peer *wh_engine_find_peer(const struct wh_engine *engine, const uint8_t public_key[WH_KEY_SIZE]);
/* Removes a peer and wipes its keys. */
void wh_engine_remove_peer(struct wh_engine *engine, struct wh_peer *peer);
/* Calls fn for each peer in the order they were added; stops when fn returns non-zero. */
int wh_engine_for_each_peer(struct wh_engine *engine, int (*fn)(void *ctx, struct wh_peer *peer), void *ctx);

/* The peer's public key. */
const uint8_t *wh_peer_public_key(const struct wh_peer *peer);
/* Sets the preshared key (NULL: none). */
void wh_peer_set_preshared_key(struct wh_peer *peer, const uint8_t preshared_key[WH_KEY_SIZE]);
/* Sets where to send (NULL: unknown; nothing is sent until one is set or the peer reaches us). */
void wh_peer_set_endpoint(struct wh_peer *peer, const struct wh_endpoint *endpoint);
/* Sets the persistent keepalive interval in seconds (0: off). */
void wh_peer_set_persistent_keepalive(struct wh_peer *peer, uint16_t interval);
/* Sends a keepalive now; without a session this starts a handshake (how a client brings a tunnel
 * up before any traffic flows). */
void wh_peer_send_keepalive(struct wh_peer *peer);
/* Routes ip/cidr to this peer (AF_INET or AF_INET6); 0 or -errno. */
int wh_peer_add_allowed_ip(struct wh_peer *peer, int family, const uint8_t *ip, uint8_t cidr);
/* Calls fn for each allowed IP of peer, in address order; stops when fn returns non-zero (and
 * returns that value). */
int wh_engine_walk_allowed_ips(struct wh_engine *engine, struct wh_peer *peer,
			       int (*fn)(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *peer),
			       void *ctx);
/* The preshared key (all zero: none). */
void wh_peer_get_preshared_key(const struct wh_peer *peer, uint8_t preshared_key[WH_KEY_SIZE]);
/* Removes every allowed IP of this peer. */
void wh_peer_clear_allowed_ips(struct wh_peer *peer);
/* Fills in the peer's figures. */
void wh_peer_get_stats(struct wh_peer *peer, struct wh_peer_stats *stats);

/* Handles one datagram of len bytes from source, in place: handshake replies go out through
 * send_datagram, decrypted packets through deliver_packet. */
enum wh_receive_result wh_engine_receive(struct wh_engine *engine, uint8_t *datagram, size_t len,
					 const struct wh_endpoint *source);

/* Sends one plaintext IP packet of len bytes at packet, which has WH_ENGINE_HEADROOM bytes free
 * before it and WH_ENGINE_TAILROOM after len; it is encrypted in place. Returns an
 * enum wh_send_result or -EHOSTUNREACH (no peer for the destination), -EDESTADDRREQ (the peer has
 * no endpoint), -EINVAL (not an IP packet), -ENOMEM. */
int wh_engine_send(struct wh_engine *engine, uint8_t *packet, size_t len);

/* Runs every timer that has fallen due; returns the next deadline (monotonic ns) or 0 for none. */
uint64_t wh_engine_tick(struct wh_engine *engine);

/* ---- The device ------------------------------------------------------------------------------
 * An engine driven by threads: it reads plaintext packets from a TUN port and datagrams from a bind
 * port (wirehop/port.h), encrypts and decrypts them in place on a pool of workers, and keeps each
 * peer's packets in order. One control thread runs handshakes and timers. Configure it between
 * wh_device_lock() and wh_device_unlock() with the wh_engine_ and wh_peer_ calls above, except that
 * peers are added and removed with wh_device_add_peer() and wh_device_remove_peer(). */

struct wh_device;
struct wh_tun_port;
struct wh_bind_port;

struct wh_device_config {
	const struct wh_tun_port_ops *tun_ops;
	void *tun_ctx;
	const struct wh_bind_port_ops *bind_ops;
	void *bind_ctx;
	const struct wh_clock *clock; /* NULL: the system clock */
	const struct wh_rng *rng;     /* NULL: the system RNG */
	unsigned workers;             /* crypto threads; 0: one per core */
};

/* Starts a device on two ports (which it closes, not frees, when it stops); NULL on failure. */
struct wh_device *wh_device_new(const struct wh_device_config *config);
/* Stops every thread, wipes every key and frees the device (NULL is fine). */
void wh_device_free(struct wh_device *device);

/* Takes the configuration lock and returns the engine to configure. */
struct wh_engine *wh_device_lock(struct wh_device *device);
/* Publishes the configuration to the data path and releases the lock. */
void wh_device_unlock(struct wh_device *device);

/* While locked: adds a peer (NULL with errno as wh_engine_add_peer), removes one (waiting until no
 * packet in flight refers to it). */
struct wh_peer *wh_device_add_peer(struct wh_device *device, const uint8_t public_key[WH_KEY_SIZE]);
void wh_device_remove_peer(struct wh_device *device, struct wh_peer *peer);

/* While locked: listens on port (0: any free one); 0 or -errno. */
int wh_device_set_listen_port(struct wh_device *device, uint16_t port);
uint16_t wh_device_listen_port(struct wh_device *device);
/* While locked: marks outgoing datagrams (0: none); 0 or -errno. */
int wh_device_set_fwmark(struct wh_device *device, uint32_t mark);
uint32_t wh_device_fwmark(struct wh_device *device);

/* Packets dropped so far (no route, no room, failed checks). */
uint64_t wh_device_dropped_packets(struct wh_device *device);

#ifdef __cplusplus
}
#endif

#endif
