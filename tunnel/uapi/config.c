/* Plain configuration data: growable peer and allowed-IP arrays, and wiping of the keys they hold. */
#include "uapi/config.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { FIRST_CAPACITY = 4 };

/* The capacity after current, doubling, or false when its size in bytes would not fit a size_t. */
static bool next_capacity(size_t current, size_t element_size, size_t *next)
{
	size_t wanted = current ? current * 2 : FIRST_CAPACITY;

	if (current > SIZE_MAX / 2 || wanted > SIZE_MAX / element_size)
		return false;
	*next = wanted;
	return true;
}

void wh_config_init(struct wh_config *config)
{
	memset(config, 0, sizeof(*config));
}

static void peer_wipe(struct wh_config_peer *peer)
{
	free(peer->allowed_ips);
	sodium_memzero(peer, sizeof(*peer));
}

void wh_config_free(struct wh_config *config)
{
	for (size_t i = 0; i < config->peer_count; i++)
		peer_wipe(&config->peers[i]);
	free(config->peers);
	sodium_memzero(config, sizeof(*config));
}

/* Grows the peer array without realloc(), which could leave preshared keys in the freed block. */
static bool grow_peers(struct wh_config *config)
{
	struct wh_config_peer *peers;
	size_t capacity;

	if (!next_capacity(config->peer_capacity, sizeof(*peers), &capacity))
		return false;
	peers = malloc(capacity * sizeof(*peers));
	if (!peers)
		return false;
	if (config->peer_count) {
		memcpy(peers, config->peers, config->peer_count * sizeof(*peers));
		sodium_memzero(config->peers, config->peer_count * sizeof(*peers));
	}
	free(config->peers);
	config->peers = peers;
	config->peer_capacity = capacity;
	return true;
}

struct wh_config_peer *wh_config_add_peer(struct wh_config *config, const uint8_t public_key[WH_KEY_SIZE])
{
	struct wh_config_peer *peer;

	if (config->peer_count == config->peer_capacity && !grow_peers(config)) {
		errno = ENOMEM;
		return NULL;
	}
	peer = &config->peers[config->peer_count++];
	memset(peer, 0, sizeof(*peer));
	memcpy(peer->public_key, public_key, WH_KEY_SIZE);
	return peer;
}

int wh_config_peer_add_allowed_ip(struct wh_config_peer *peer, int family, const uint8_t *ip, uint8_t cidr)
{
	struct wh_config_allowed_ip *entry;
	size_t ip_len;

	if (family == AF_INET && cidr <= 32)
		ip_len = 4;
	else if (family == AF_INET6 && cidr <= 128)
		ip_len = 16;
	else
		return -EINVAL;
	if (peer->allowed_ip_count == peer->allowed_ip_capacity) {
		struct wh_config_allowed_ip *grown;
		size_t capacity;

		if (!next_capacity(peer->allowed_ip_capacity, sizeof(*grown), &capacity))
			return -ENOMEM;
		grown = realloc(peer->allowed_ips, capacity * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		peer->allowed_ips = grown;
		peer->allowed_ip_capacity = capacity;
	}
	entry = &peer->allowed_ips[peer->allowed_ip_count++];
	memset(entry, 0, sizeof(*entry));
	entry->family = (uint16_t)family;
	entry->cidr = cidr;
	memcpy(entry->ip, ip, ip_len);
	return 0;
}

void wh_config_peer_clear_allowed_ips(struct wh_config_peer *peer)
{
	peer->allowed_ip_count = 0;
}
