/* In-memory TUN links and a simulated UDP network: bounded, impairable queues of copied packets. */
#include "platform/memory/memport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	EPHEMERAL_PORT_FIRST = 49152,
};

struct queue_item {
	struct wh_endpoint endpoint;
	size_t len;
	uint8_t data[];
};

/* A bounded FIFO of packets between threads: a ring of items under one mutex. */
struct packet_queue {
	pthread_mutex_t lock;
	pthread_cond_t readable;
	struct queue_item **items;
	unsigned head;
	unsigned count;
	unsigned limit;
	bool closed;
	struct wh_memory_loss loss;
	uint64_t random_state;
	uint64_t offered; /* packets seen by the loss knobs, for drop_every */
	struct wh_memory_queue_stats stats;
};

static int queue_init(struct packet_queue *queue, unsigned limit)
{
	pthread_condattr_t attributes;

	memset(queue, 0, sizeof(*queue));
	queue->limit = limit ? limit : WH_MEMORY_DEFAULT_QUEUE;
	queue->items = calloc(queue->limit, sizeof(*queue->items));
	if (!queue->items)
		return -ENOMEM;
	pthread_mutex_init(&queue->lock, NULL);
	/* Timed waits measure on the monotonic clock, immune to changes of the wall clock. */
	pthread_condattr_init(&attributes);
	pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
	pthread_cond_init(&queue->readable, &attributes);
	pthread_condattr_destroy(&attributes);
	return 0;
}

static void queue_destroy(struct packet_queue *queue)
{
	if (!queue->items)
		return;
	for (unsigned i = 0; i < queue->count; i++)
		free(queue->items[(queue->head + i) % queue->limit]);
	free(queue->items);
	pthread_mutex_destroy(&queue->lock);
	pthread_cond_destroy(&queue->readable);
}

static struct queue_item **queue_slot(struct packet_queue *queue, unsigned index)
{
	return &queue->items[(queue->head + index) % queue->limit];
}

/* splitmix64: small, seedable, and good enough to decide which packets a test loses. */
static double queue_random(struct packet_queue *queue)
{
	uint64_t z = (queue->random_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

static void queue_set_loss(struct packet_queue *queue, const struct wh_memory_loss *loss)
{
	pthread_mutex_lock(&queue->lock);
	memset(&queue->loss, 0, sizeof(queue->loss));
	if (loss)
		queue->loss = *loss;
	queue->random_state = queue->loss.seed;
	queue->offered = 0;
	pthread_mutex_unlock(&queue->lock);
}

/* Under the lock: whether the loss knobs eat the next packet. */
static bool queue_loses(struct packet_queue *queue)
{
	queue->offered++;
	if (queue->loss.drop_every && queue->offered % queue->loss.drop_every == 0)
		return true;
	return queue->loss.drop_probability > 0 && queue_random(queue) < queue->loss.drop_probability;
}

/* Copies a packet in: 0, or -ENOBUFS (full), -ENOMEM. Packets the loss knobs eat count as sent. */
static int queue_put(struct packet_queue *queue, const struct wh_endpoint *endpoint, const void *data, size_t len)
{
	struct queue_item *item = malloc(sizeof(*item) + len);
	int ret = 0;

	if (!item)
		return -ENOMEM;
	memset(&item->endpoint, 0, sizeof(item->endpoint));
	if (endpoint)
		item->endpoint = *endpoint;
	item->len = len;
	if (len)
		memcpy(item->data, data, len);
	pthread_mutex_lock(&queue->lock);
	if (queue_loses(queue)) {
		queue->stats.dropped_loss++;
	} else if (queue->count == queue->limit) {
		queue->stats.dropped_full++;
		ret = -ENOBUFS;
	} else {
		*queue_slot(queue, queue->count++) = item;
		item = NULL;
		queue->stats.queued++;
		if (queue->count >= 2 && queue->loss.reorder_probability > 0 &&
		    queue_random(queue) < queue->loss.reorder_probability) {
			struct queue_item **last = queue_slot(queue, queue->count - 1);
			struct queue_item **before = queue_slot(queue, queue->count - 2);
			struct queue_item *swap = *last;

			*last = *before;
			*before = swap;
			queue->stats.reordered++;
		}
		pthread_cond_signal(&queue->readable);
	}
	pthread_mutex_unlock(&queue->lock);
	free(item);
	return ret;
}

/* Under the lock, with an item queued. */
static struct queue_item *queue_pop(struct packet_queue *queue)
{
	struct queue_item *item = queue->items[queue->head];

	queue->head = (queue->head + 1) % queue->limit;
	queue->count--;
	return item;
}

/* A port's read: blocks for the first packet, then takes up to count without waiting. */
static int queue_read(struct packet_queue *queue, struct wh_packet **packets, unsigned count)
{
	unsigned got = 0;

	pthread_mutex_lock(&queue->lock);
	while (!got && count) {
		while (!queue->count && !queue->closed)
			pthread_cond_wait(&queue->readable, &queue->lock);
		if (queue->closed)
			break;
		while (got < count && queue->count) {
			struct queue_item *item = queue_pop(queue);
			struct wh_packet *packet = packets[got];

			if (item->len > packet->capacity) {
				queue->stats.dropped_too_big++;
			} else {
				memcpy(packet->data, item->data, item->len);
				packet->len = (uint32_t)item->len;
				packet->endpoint = item->endpoint;
				got++;
			}
			free(item);
		}
	}
	pthread_mutex_unlock(&queue->lock);
	return (int)got;
}

static void queue_close(struct packet_queue *queue)
{
	pthread_mutex_lock(&queue->lock);
	queue->closed = true;
	pthread_cond_broadcast(&queue->readable);
	pthread_mutex_unlock(&queue->lock);
}

static void queue_get_stats(struct packet_queue *queue, struct wh_memory_queue_stats *stats)
{
	pthread_mutex_lock(&queue->lock);
	*stats = queue->stats;
	pthread_mutex_unlock(&queue->lock);
}

/* ---- TUN link ---- */

struct wh_memory_link {
	struct packet_queue to_device;
	struct packet_queue to_host;
	unsigned mtu;
};

static int link_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct wh_memory_link *link = ctx;

	return queue_read(&link->to_device, packets, count);
}

static int link_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct wh_memory_link *link = ctx;
	unsigned written = 0;
	int error = 0;

	for (unsigned i = 0; i < count; i++) {
		int ret = queue_put(&link->to_host, NULL, packets[i]->data, packets[i]->len);

		if (!ret)
			written++;
		else if (!error)
			error = ret;
	}
	return written || !error ? (int)written : error;
}

static unsigned link_mtu(void *ctx)
{
	struct wh_memory_link *link = ctx;

	return link->mtu;
}

static void link_close(void *ctx)
{
	struct wh_memory_link *link = ctx;

	queue_close(&link->to_device);
}

static const struct wh_tun_port_ops memory_link_ops = {
	.read = link_read,
	.write = link_write,
	.mtu = link_mtu,
	.close = link_close,
};

struct wh_memory_link *wh_memory_link_new(unsigned queue_limit, unsigned mtu)
{
	struct wh_memory_link *link = calloc(1, sizeof(*link));

	if (!link)
		return NULL;
	if (queue_init(&link->to_device, queue_limit) || queue_init(&link->to_host, queue_limit)) {
		wh_memory_link_free(link);
		return NULL;
	}
	link->mtu = mtu;
	return link;
}

void wh_memory_link_free(struct wh_memory_link *link)
{
	if (!link)
		return;
	queue_destroy(&link->to_device);
	queue_destroy(&link->to_host);
	free(link);
}

struct wh_tun_port wh_memory_link_tun_port(struct wh_memory_link *link)
{
	return (struct wh_tun_port){.ops = &memory_link_ops, .ctx = link};
}

int wh_memory_link_inject(struct wh_memory_link *link, const void *packet, size_t len)
{
	return queue_put(&link->to_device, NULL, packet, len);
}

ssize_t wh_memory_link_collect(struct wh_memory_link *link, void *buffer, size_t capacity, int timeout_ms)
{
	struct packet_queue *queue = &link->to_host;
	struct queue_item *item = NULL;
	struct timespec deadline;
	ssize_t len = -ETIMEDOUT;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&queue->lock);
	while (!queue->count) {
		if (timeout_ms < 0)
			pthread_cond_wait(&queue->readable, &queue->lock);
		else if (pthread_cond_timedwait(&queue->readable, &queue->lock, &deadline) == ETIMEDOUT)
			break;
	}
	if (queue->count)
		item = queue_pop(queue);
	pthread_mutex_unlock(&queue->lock);
	if (item) {
		memcpy(buffer, item->data, item->len < capacity ? item->len : capacity);
		len = (ssize_t)item->len;
		free(item);
	}
	return len;
}

static struct packet_queue *link_queue(struct wh_memory_link *link, enum wh_memory_direction direction)
{
	return direction == WH_MEMORY_TO_DEVICE ? &link->to_device : &link->to_host;
}

void wh_memory_link_set_loss(struct wh_memory_link *link, enum wh_memory_direction direction,
			     const struct wh_memory_loss *loss)
{
	queue_set_loss(link_queue(link, direction), loss);
}

void wh_memory_link_get_stats(struct wh_memory_link *link, enum wh_memory_direction direction,
			      struct wh_memory_queue_stats *stats)
{
	queue_get_stats(link_queue(link, direction), stats);
}

/* ---- Simulated UDP network ---- */

struct wh_memory_network {
	pthread_mutex_t lock; /* the list of binds and their ports; taken before any bind's queue */
	struct wh_memory_bind *binds;
	unsigned queue_limit;
	uint16_t next_port;
};

struct wh_memory_bind {
	struct wh_memory_network *network;
	struct wh_memory_bind *next; /* under the network's lock */
	bool has_ipv4;
	bool has_ipv6;
	uint8_t ipv4[4];
	uint8_t ipv6[16];
	uint16_t port; /* under the network's lock; 0 until opened */
	atomic_uint_least32_t mark;
	struct packet_queue incoming;
	atomic_uint_fast64_t tx_sent;
	atomic_uint_fast64_t tx_unroutable;
	atomic_uint_fast64_t tx_dropped;
};

/* This bind's address of family, or NULL. */
static const uint8_t *bind_address(const struct wh_memory_bind *bind, int family)
{
	if (family == AF_INET && bind->has_ipv4)
		return bind->ipv4;
	if (family == AF_INET6 && bind->has_ipv6)
		return bind->ipv6;
	return NULL;
}

static size_t address_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool binds_share_address(const struct wh_memory_bind *a, const struct wh_memory_bind *b)
{
	return (a->has_ipv4 && b->has_ipv4 && !memcmp(a->ipv4, b->ipv4, 4)) ||
	       (a->has_ipv6 && b->has_ipv6 && !memcmp(a->ipv6, b->ipv6, 16));
}

/* Under the network's lock. */
static bool port_taken(const struct wh_memory_bind *self, uint16_t port)
{
	for (const struct wh_memory_bind *other = self->network->binds; other; other = other->next)
		if (other != self && other->port == port && binds_share_address(self, other))
			return true;
	return false;
}

/* Under the network's lock: the bind listening at endpoint, or NULL. */
static struct wh_memory_bind *find_listener(struct wh_memory_network *network, const struct wh_endpoint *endpoint)
{
	for (struct wh_memory_bind *bind = network->binds; bind; bind = bind->next) {
		const uint8_t *address = bind_address(bind, endpoint->family);

		if (bind->port && bind->port == endpoint->port && address &&
		    !memcmp(address, endpoint->addr, address_len(endpoint->family)))
			return bind;
	}
	return NULL;
}

static int bind_open(void *ctx, uint16_t port, uint16_t *bound)
{
	struct wh_memory_bind *bind = ctx;
	struct wh_memory_network *network = bind->network;
	int ret = 0;

	pthread_mutex_lock(&network->lock);
	if (port) {
		if (port_taken(bind, port))
			ret = -EADDRINUSE;
	} else {
		unsigned tries = 65536 - EPHEMERAL_PORT_FIRST;

		do {
			port = network->next_port;
			network->next_port = port == 65535 ? EPHEMERAL_PORT_FIRST : (uint16_t)(port + 1);
		} while (port_taken(bind, port) && --tries);
		if (!tries)
			ret = -EADDRINUSE;
	}
	if (!ret) {
		bind->port = port;
		*bound = port;
	}
	pthread_mutex_unlock(&network->lock);
	return ret;
}

static int bind_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct wh_memory_bind *bind = ctx;

	return queue_read(&bind->incoming, packets, count);
}

/* Under the network's lock: one datagram from bind towards its endpoint; 0 or -errno. */
static int bind_send(struct wh_memory_bind *bind, const struct wh_packet *packet)
{
	const uint8_t *address = bind_address(bind, packet->endpoint.family);
	struct wh_endpoint source = {.family = packet->endpoint.family, .port = bind->port};
	struct wh_memory_bind *listener;

	if (!bind->port)
		return -ENOTCONN;
	if (!address)
		return -EAFNOSUPPORT;
	memcpy(source.addr, address, address_len(source.family));
	atomic_fetch_add(&bind->tx_sent, 1);
	listener = find_listener(bind->network, &packet->endpoint);
	if (!listener) {
		atomic_fetch_add(&bind->tx_unroutable, 1);
		return 0;
	}
	/* A full queue or an allocation failure at the far end is loss on the wire, as with UDP. */
	queue_put(&listener->incoming, &source, packet->data, packet->len);
	return 0;
}

static int bind_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct wh_memory_bind *bind = ctx;
	unsigned sent = 0;
	int error = 0;

	pthread_mutex_lock(&bind->network->lock);
	for (unsigned i = 0; i < count; i++) {
		int ret = bind_send(bind, packets[i]);

		if (!ret) {
			sent++;
			continue;
		}
		atomic_fetch_add(&bind->tx_dropped, 1);
		if (!error)
			error = ret;
	}
	pthread_mutex_unlock(&bind->network->lock);
	return sent || !error ? (int)sent : error;
}

static int bind_set_mark(void *ctx, uint32_t mark)
{
	struct wh_memory_bind *bind = ctx;

	atomic_store(&bind->mark, mark);
	return 0;
}

static void bind_close(void *ctx)
{
	struct wh_memory_bind *bind = ctx;

	queue_close(&bind->incoming);
}

static const struct wh_bind_port_ops memory_bind_ops = {
	.open = bind_open,
	.read = bind_read,
	.write = bind_write,
	.set_mark = bind_set_mark,
	.close = bind_close,
};

struct wh_memory_network *wh_memory_network_new(unsigned queue_limit)
{
	struct wh_memory_network *network = calloc(1, sizeof(*network));

	if (!network)
		return NULL;
	pthread_mutex_init(&network->lock, NULL);
	network->queue_limit = queue_limit;
	network->next_port = EPHEMERAL_PORT_FIRST;
	return network;
}

void wh_memory_network_free(struct wh_memory_network *network)
{
	if (!network)
		return;
	pthread_mutex_destroy(&network->lock);
	free(network);
}

struct wh_memory_bind *wh_memory_bind_new(struct wh_memory_network *network, const char *ipv4, const char *ipv6)
{
	struct wh_memory_bind *bind;

	if (!ipv4 && !ipv6)
		return NULL;
	bind = calloc(1, sizeof(*bind));
	if (!bind)
		return NULL;
	bind->has_ipv4 = ipv4 != NULL;
	bind->has_ipv6 = ipv6 != NULL;
	if ((ipv4 && inet_pton(AF_INET, ipv4, bind->ipv4) != 1) ||
	    (ipv6 && inet_pton(AF_INET6, ipv6, bind->ipv6) != 1) ||
	    queue_init(&bind->incoming, network->queue_limit)) {
		queue_destroy(&bind->incoming);
		free(bind);
		return NULL;
	}
	bind->network = network;
	atomic_init(&bind->mark, 0);
	atomic_init(&bind->tx_sent, 0);
	atomic_init(&bind->tx_unroutable, 0);
	atomic_init(&bind->tx_dropped, 0);
	pthread_mutex_lock(&network->lock);
	bind->next = network->binds;
	network->binds = bind;
	pthread_mutex_unlock(&network->lock);
	return bind;
}

void wh_memory_bind_free(struct wh_memory_bind *bind)
{
	struct wh_memory_bind **link;

	if (!bind)
		return;
	pthread_mutex_lock(&bind->network->lock);
	for (link = &bind->network->binds; *link != bind; link = &(*link)->next)
		;
	*link = bind->next;
	pthread_mutex_unlock(&bind->network->lock);
	queue_destroy(&bind->incoming);
	free(bind);
}

struct wh_bind_port wh_memory_bind_port(struct wh_memory_bind *bind)
{
	return (struct wh_bind_port){.ops = &memory_bind_ops, .ctx = bind};
}

bool wh_memory_bind_endpoint(struct wh_memory_bind *bind, int family, struct wh_endpoint *endpoint)
{
	const uint8_t *address = bind_address(bind, family);
	uint16_t port;

	pthread_mutex_lock(&bind->network->lock);
	port = bind->port;
	pthread_mutex_unlock(&bind->network->lock);
	if (!address || !port)
		return false;
	memset(endpoint, 0, sizeof(*endpoint));
	endpoint->family = (uint16_t)family;
	endpoint->port = port;
	memcpy(endpoint->addr, address, address_len(family));
	return true;
}

uint32_t wh_memory_bind_mark(struct wh_memory_bind *bind)
{
	return atomic_load(&bind->mark);
}

void wh_memory_bind_set_loss(struct wh_memory_bind *bind, const struct wh_memory_loss *loss)
{
	queue_set_loss(&bind->incoming, loss);
}

void wh_memory_bind_get_stats(struct wh_memory_bind *bind, struct wh_memory_bind_stats *stats)
{
	queue_get_stats(&bind->incoming, &stats->rx);
	stats->tx_sent = atomic_load(&bind->tx_sent);
	stats->tx_unroutable = atomic_load(&bind->tx_unroutable);
	stats->tx_dropped = atomic_load(&bind->tx_dropped);
}
