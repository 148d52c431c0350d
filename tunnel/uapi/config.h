/* A device configuration as plain data: a change a `set=1` request asks for, or a `get=1` snapshot. */
#ifndef WH_UAPI_CONFIG_H
#define WH_UAPI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirehop/tunnel.h"

/* One allowed-IPs prefix: family AF_INET (4 bytes of ip used, cidr 0..32) or AF_INET6 (16, 0..128). */
struct wh_config_allowed_ip {
	uint16_t family;
	uint8_t cidr;
	uint8_t ip[16];
};

/* One peer. In a change, peers are applied in order (a key may appear twice); fields without their
 * has_ flag stay as they are on the device. In a snapshot every field is the peer's current value:
 * has_endpoint says whether it has one, preshared_key is all zero for none, and has_preshared_key,
 * has_persistent_keepalive, remove, update_only and replace_allowed_ips are ignored. */
struct wh_config_peer {
	uint8_t public_key[WH_KEY_SIZE];
	/* Remove this peer; every other field is then to be ignored (wireguard-go still validates them). */
	bool remove;
	/* Change the peer only if it exists; never create it. */
	bool update_only;
	bool has_preshared_key;
	uint8_t preshared_key[WH_KEY_SIZE]; /* all zero: no preshared key */
	bool has_endpoint;
	struct wh_endpoint endpoint;
	bool has_persistent_keepalive;
	uint16_t persistent_keepalive_interval; /* seconds; 0: off */
	/* Drop the peer's allowed IPs before adding allowed_ips (which then are the whole set). */
	bool replace_allowed_ips;
	struct wh_config_allowed_ip *allowed_ips;
	size_t allowed_ip_count;
	size_t allowed_ip_capacity;
	/* Snapshots only. */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	int64_t last_handshake_time_sec; /* since the Unix epoch; 0 with nsec 0: never */
	uint32_t last_handshake_time_nsec;
};

/* The device. In a snapshot, has_private_key, has_listen_port and has_fwmark say whether it has one
 * and replace_peers is ignored. */
struct wh_config {
	bool has_private_key;
	uint8_t private_key[WH_KEY_SIZE]; /* all zero: remove the private key */
	bool has_listen_port;
	uint16_t listen_port; /* 0: any free port */
	bool has_fwmark;
	uint32_t fwmark; /* 0: none */
	/* Remove every peer before applying peers. */
	bool replace_peers;
	struct wh_config_peer *peers;
	size_t peer_count;
	size_t peer_capacity;
};

/* Makes config empty: nothing set, no peers. */
void wh_config_init(struct wh_config *config);

/* Wipes every key, frees both arrays and leaves config empty (as wh_config_init). */
void wh_config_free(struct wh_config *config);

/* Appends a peer with public_key and nothing else set. Returns it, or NULL (ENOMEM) when memory or
 * the array's size runs out. The pointer, and those to earlier peers, stay valid only until the
 * next call: the array may move (its old copy is wiped first, it holds preshared keys). */
struct wh_config_peer *wh_config_add_peer(struct wh_config *config, const uint8_t public_key[WH_KEY_SIZE]);

/* Appends ip/cidr to peer's allowed IPs as given (no masking). Returns 0, -EINVAL for a family
 * other than AF_INET/AF_INET6 or a cidr too long for it, -ENOMEM. */
int wh_config_peer_add_allowed_ip(struct wh_config_peer *peer, int family, const uint8_t *ip, uint8_t cidr);

/* Forgets peer's allowed IPs (keeping the array for reuse). */
void wh_config_peer_clear_allowed_ips(struct wh_config_peer *peer);

#endif
