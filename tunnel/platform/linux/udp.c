/* The Linux bind port: IPv4 and IPv6 UDP sockets on one port, batched with recvmmsg and sendmmsg, with
 * UDP segmentation (UDP_SEGMENT) on send and receive offload (UDP_GRO) where the kernel has them. */
#include "platform/linux/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "platform/linux/switches.h"

enum {
	UDP_BATCH = 64,                   /* datagrams per recvmmsg or sendmmsg */
	UDP_SOCKET_BUFFER = 7 << 20,      /* as wireguard-go */
	UDP_PORT_TRIES = 100,             /* picking a port free for both families, as wireguard-go */
	UDP_SEND_WAIT_MS = 50,            /* how long one write may wait for room in the send buffers */
	UDP_GSO_MAX_SEGMENTS = 64,        /* the kernel's UDP_MAX_SEGMENTS */
	UDP_GSO_MAX_BYTES = 65507,        /* the largest IPv4 UDP payload: one send's limit */
	UDP_GRO_MESSAGES = 16,            /* coalesced messages per recvmmsg */
	UDP_GRO_MESSAGE_MAX = 65536,      /* a coalesced message's limit */
};

union udp_address {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct linux_udp {
	pthread_mutex_t lock; /* serialises open, set_mark and free against each other */
	/* -1 until the first open; from then on the number stays the same (see wh_linux_udp_new). */
	atomic_int fd4;
	atomic_int fd6;
	uint16_t port; /* under lock */
	uint32_t mark; /* under lock */
	int wake_fd;   /* an eventfd written by close and by open, waking a blocked read */
	atomic_bool closed;
	unsigned read_turn; /* which family the reader serves first, alternating for fairness */
	unsigned batch;     /* datagrams per recvmmsg or sendmmsg: UDP_BATCH, or 1 with WIREHOP_BATCH=0 */
	atomic_bool gso;    /* off by WIREHOP_UDP_GSO=0, or for good once the kernel refuses it */
	struct gro_state *gro; /* NULL with WIREHOP_UDP_GRO=0 */
	atomic_uint_fast64_t rx_truncated;
	atomic_uint_fast64_t tx_dropped;
	atomic_uint_fast64_t tx_segmented;
	atomic_uint_fast64_t rx_coalesced;
};

/* Coalesced messages received and not yet handed out whole (reader only). */
struct gro_message {
	uint32_t len;
	uint32_t segment; /* each datagram's size but the last's (the GRO cmsg), or len */
	union udp_address address;
};

struct gro_state {
	uint8_t *buffers; /* UDP_GRO_MESSAGES of UDP_GRO_MESSAGE_MAX bytes */
	struct gro_message messages[UDP_GRO_MESSAGES];
	unsigned count;   /* received */
	unsigned next;    /* the first one not handed out whole */
	uint32_t offset;  /* into next */
};

static void endpoint_from_address(struct wh_endpoint *endpoint, const union udp_address *address)
{
	memset(endpoint, 0, sizeof(*endpoint));
	if (address->sa.sa_family == AF_INET) {
		endpoint->family = AF_INET;
		endpoint->port = ntohs(address->in4.sin_port);
		memcpy(endpoint->addr, &address->in4.sin_addr, 4);
	} else if (address->sa.sa_family == AF_INET6) {
		endpoint->family = AF_INET6;
		endpoint->port = ntohs(address->in6.sin6_port);
		endpoint->scope_id = address->in6.sin6_scope_id;
		memcpy(endpoint->addr, &address->in6.sin6_addr, 16);
	}
}

/* The socket address for an endpoint and the family of socket to send it from (an IPv4-mapped IPv6
 * endpoint goes out as IPv4, since the IPv6 socket is IPv6-only); 0 for an unknown family. */
static int address_from_endpoint(union udp_address *address, const struct wh_endpoint *endpoint)
{
	static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(address, 0, sizeof(*address));
	if (endpoint->family == AF_INET6 && memcmp(endpoint->addr, v4_mapped_prefix, 12) != 0) {
		address->in6.sin6_family = AF_INET6;
		address->in6.sin6_port = htons(endpoint->port);
		address->in6.sin6_scope_id = endpoint->scope_id;
		memcpy(&address->in6.sin6_addr, endpoint->addr, 16);
		return AF_INET6;
	}
	if (endpoint->family != AF_INET && endpoint->family != AF_INET6)
		return 0;
	address->in4.sin_family = AF_INET;
	address->in4.sin_port = htons(endpoint->port);
	memcpy(&address->in4.sin_addr, endpoint->family == AF_INET ? endpoint->addr : endpoint->addr + 12, 4);
	return AF_INET;
}

static void raise_buffer(int fd, int force_option, int option)
{
	int size = UDP_SOCKET_BUFFER;

	/* Beyond net.core.[rw]mem_max only with CAP_NET_ADMIN; otherwise as much as the limit allows. */
	if (setsockopt(fd, SOL_SOCKET, force_option, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, option, &size, sizeof(size));
}

/* A non-blocking socket of family bound to port on the wildcard address; *bound gets the port. */
static int open_socket(int family, uint16_t port, uint32_t mark, bool gro, int *fd_out, uint16_t *bound)
{
	union udp_address address = {0};
	socklen_t address_len = family == AF_INET ? sizeof(address.in4) : sizeof(address.in6);
	int one = 1, ret = 0;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);

	if (fd < 0)
		return -errno;
	address.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET)
		address.in4.sin_port = htons(port);
	else
		address.in6.sin6_port = htons(port);
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		ret = -errno;
	raise_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	raise_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	/* A kernel without UDP_GRO (before 5.0) just hands over datagrams one by one. */
	if (gro)
		(void)setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one));
	if (!ret && mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		ret = -errno;
	if (!ret && bind(fd, &address.sa, address_len) < 0)
		ret = -errno;
	if (!ret && getsockname(fd, &address.sa, &address_len) < 0)
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	*bound = ntohs(family == AF_INET ? address.in4.sin_port : address.in6.sin6_port);
	*fd_out = fd;
	return 0;
}

/* Opens both sockets on port, or with port 0 on a port that is free for both (the IPv4 socket picks
 * it, and if the IPv6 one finds it taken, try again, as wireguard-go does). A family the kernel lacks
 * (EAFNOSUPPORT) is left out, as long as one remains. */
static int open_sockets(uint16_t port, uint32_t mark, bool gro, int *fd4, int *fd6, uint16_t *bound)
{
	for (unsigned tries = 0;; tries++) {
		uint16_t port4 = 0, port6 = 0;
		int ret4, ret6;

		*fd4 = -1;
		*fd6 = -1;
		ret4 = open_socket(AF_INET, port, mark, gro, fd4, &port4);
		if (ret4 && ret4 != -EAFNOSUPPORT)
			return ret4;
		ret6 = open_socket(AF_INET6, ret4 ? port : port4, mark, gro, fd6, &port6);
		if (!port && !ret4 && ret6 == -EADDRINUSE && tries < UDP_PORT_TRIES) {
			close(*fd4);
			continue;
		}
		if (ret6 && (ret6 != -EAFNOSUPPORT || ret4)) {
			if (*fd4 >= 0)
				close(*fd4);
			return ret6;
		}
		*bound = ret4 ? port6 : port4;
		return 0;
	}
}

/* Puts a new socket in place of slot's: the first time by storing its number, later by making the
 * old number refer to it, so no other thread can ever hold a number that was closed. */
static int install_socket(atomic_int *slot, int fd)
{
	int old = atomic_load(slot);
	int ret = 0;

	if (old < 0) {
		atomic_store(slot, fd);
		return 0;
	}
	if (dup3(fd, old, O_CLOEXEC) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void wake_reader(struct linux_udp *udp)
{
	uint64_t one = 1;
	ssize_t ignored = write(udp->wake_fd, &one, sizeof(one));

	(void)ignored; /* only fails when the counter is already near its limit: the reader is awake */
}

static int udp_open(void *ctx, uint16_t port, uint16_t *bound)
{
	struct linux_udp *udp = ctx;
	int fd4, fd6, ret;
	uint16_t chosen;

	pthread_mutex_lock(&udp->lock);
	if (port && port == udp->port) {
		*bound = port;
		pthread_mutex_unlock(&udp->lock);
		return 0;
	}
	ret = open_sockets(port, udp->mark, udp->gro != NULL, &fd4, &fd6, &chosen);
	/* A family that was there before and is gone now: keep the old sockets rather than lose one. */
	if (!ret && ((fd4 < 0 && atomic_load(&udp->fd4) >= 0) || (fd6 < 0 && atomic_load(&udp->fd6) >= 0))) {
		if (fd4 >= 0)
			close(fd4);
		if (fd6 >= 0)
			close(fd6);
		ret = -EAFNOSUPPORT;
	}
	if (!ret && fd4 >= 0)
		ret = install_socket(&udp->fd4, fd4);
	if (fd6 >= 0) {
		if (!ret)
			ret = install_socket(&udp->fd6, fd6);
		else
			close(fd6);
	}
	if (!ret) {
		udp->port = chosen;
		*bound = chosen;
	}
	pthread_mutex_unlock(&udp->lock);
	wake_reader(udp);
	return ret;
}

/* Receives up to count datagrams from fd into packets, each straight into its buffer; returns how
 * many were kept, 0 when none waited, or -errno. */
static int receive_batch(struct linux_udp *udp, int fd, struct wh_packet **packets, unsigned count)
{
	struct mmsghdr messages[UDP_BATCH];
	struct iovec vectors[UDP_BATCH];
	union udp_address addresses[UDP_BATCH];
	unsigned kept = 0;
	int received;

	if (count > udp->batch)
		count = udp->batch;
	memset(messages, 0, count * sizeof(messages[0]));
	for (unsigned i = 0; i < count; i++) {
		vectors[i].iov_base = packets[i]->data;
		vectors[i].iov_len = packets[i]->capacity;
		messages[i].msg_hdr.msg_iov = &vectors[i];
		messages[i].msg_hdr.msg_iovlen = 1;
		messages[i].msg_hdr.msg_name = &addresses[i];
		messages[i].msg_hdr.msg_namelen = sizeof(addresses[i]);
	}
	do
		received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
	while (received < 0 && errno == EINTR);
	if (received < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (unsigned i = 0; i < (unsigned)received; i++) {
		struct wh_packet *packet = packets[kept];

		if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) {
			atomic_fetch_add(&udp->rx_truncated, 1);
			continue;
		}
		/* Only after a truncated datagram: close the gap it left (rare, so a copy is fine). */
		if (kept != i) {
			if (messages[i].msg_len > packet->capacity) {
				atomic_fetch_add(&udp->rx_truncated, 1);
				continue;
			}
			memcpy(packet->data, packets[i]->data, messages[i].msg_len);
		}
		packet->len = messages[i].msg_len;
		endpoint_from_address(&packet->endpoint, &addresses[i]);
		kept++;
	}
	return (int)kept;
}

/* Hands out datagrams of coalesced messages already received, each copied into a device buffer. */
static unsigned gro_take(struct linux_udp *udp, struct wh_packet **packets, unsigned count)
{
	struct gro_state *gro = udp->gro;
	unsigned got = 0;

	while (got < count && gro->next < gro->count) {
		const struct gro_message *message = &gro->messages[gro->next];
		const uint8_t *data = gro->buffers + (size_t)gro->next * UDP_GRO_MESSAGE_MAX + gro->offset;
		uint32_t len = message->len - gro->offset;
		struct wh_packet *packet = packets[got];

		if (len > message->segment)
			len = message->segment;
		gro->offset += len;
		if (gro->offset >= message->len) {
			gro->next++;
			gro->offset = 0;
		}
		if (!len)
			continue; /* truncated, or an empty datagram: nothing WireGuard sends */
		if (len > packet->capacity) {
			atomic_fetch_add(&udp->rx_truncated, 1);
			continue;
		}
		memcpy(packet->data, data, len);
		packet->len = len;
		endpoint_from_address(&packet->endpoint, &message->address);
		got++;
	}
	return got;
}

/* The segment size the kernel reports for a coalesced message, or 0. */
static uint32_t gro_segment_size(struct msghdr *header)
{
	for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(header); cmsg; cmsg = CMSG_NXTHDR(header, cmsg)) {
		if (cmsg->cmsg_level == SOL_UDP && cmsg->cmsg_type == UDP_GRO) {
			int size;

			memcpy(&size, CMSG_DATA(cmsg), sizeof(size));
			return size > 0 ? (uint32_t)size : 0;
		}
	}
	return 0;
}

/* Receives up to UDP_GRO_MESSAGES (coalesced) messages into the port's buffers: how many, 0 when
 * none waited, or -errno. */
static int gro_receive(struct linux_udp *udp, int fd)
{
	struct gro_state *gro = udp->gro;
	struct mmsghdr messages[UDP_GRO_MESSAGES];
	struct iovec vectors[UDP_GRO_MESSAGES];
	struct {
		_Alignas(struct cmsghdr) char buffer[CMSG_SPACE(sizeof(int))];
	} control[UDP_GRO_MESSAGES];
	unsigned count = udp->batch < UDP_GRO_MESSAGES ? udp->batch : UDP_GRO_MESSAGES;
	int received;

	memset(messages, 0, sizeof(messages));
	for (unsigned i = 0; i < count; i++) {
		vectors[i].iov_base = gro->buffers + (size_t)i * UDP_GRO_MESSAGE_MAX;
		vectors[i].iov_len = UDP_GRO_MESSAGE_MAX;
		messages[i].msg_hdr.msg_iov = &vectors[i];
		messages[i].msg_hdr.msg_iovlen = 1;
		messages[i].msg_hdr.msg_name = &gro->messages[i].address;
		messages[i].msg_hdr.msg_namelen = sizeof(gro->messages[i].address);
		messages[i].msg_hdr.msg_control = control[i].buffer;
		messages[i].msg_hdr.msg_controllen = sizeof(control[i].buffer);
	}
	do
		received = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
	while (received < 0 && errno == EINTR);
	if (received < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (unsigned i = 0; i < (unsigned)received; i++) {
		struct gro_message *message = &gro->messages[i];

		message->len = messages[i].msg_len;
		message->segment = gro_segment_size(&messages[i].msg_hdr);
		if (!message->segment || message->segment >= message->len)
			message->segment = message->len;
		else
			atomic_fetch_add_explicit(&udp->rx_coalesced, (message->len + message->segment - 1) / message->segment,
						  memory_order_relaxed);
		if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) {
			atomic_fetch_add(&udp->rx_truncated, 1);
			message->len = 0;
		}
	}
	gro->count = (unsigned)received;
	gro->next = 0;
	gro->offset = 0;
	return received;
}

/* With UDP_GRO: what is left of earlier messages first, then more from fd. */
static int receive_coalesced(struct linux_udp *udp, int fd, struct wh_packet **packets, unsigned count)
{
	unsigned got = gro_take(udp, packets, count);
	int ret;

	if (got == count)
		return (int)got;
	ret = gro_receive(udp, fd);
	if (ret < 0)
		return got ? (int)got : ret;
	return (int)(got + gro_take(udp, packets + got, count - got));
}

/* One non-blocking round over both sockets, starting with a different one each time. */
static int receive_round(struct linux_udp *udp, struct wh_packet **packets, unsigned count)
{
	int fds[2] = {atomic_load(&udp->fd4), atomic_load(&udp->fd6)};
	unsigned got = 0;
	int error = 0;

	udp->read_turn ^= 1;
	for (unsigned i = 0; i < 2 && got < count; i++) {
		int fd = fds[(udp->read_turn + i) & 1];
		int ret;

		if (fd < 0)
			continue;
		if (udp->gro)
			ret = receive_coalesced(udp, fd, packets + got, count - got);
		else
			ret = receive_batch(udp, fd, packets + got, count - got);
		if (ret < 0)
			error = ret;
		else
			got += (unsigned)ret;
	}
	return got || !error ? (int)got : error;
}

static int udp_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	struct linux_udp *udp = ctx;

	while (!atomic_load(&udp->closed)) {
		struct pollfd fds[3] = {
			{.fd = udp->wake_fd, .events = POLLIN},
			{.fd = atomic_load(&udp->fd4), .events = POLLIN},
			{.fd = atomic_load(&udp->fd6), .events = POLLIN},
		};
		int ret = receive_round(udp, packets, count);

		if (ret != 0)
			return ret;
		/* Negative descriptors (a family not open yet) are ignored by poll. */
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			return -errno;
		if (fds[0].revents && !atomic_load(&udp->closed)) {
			uint64_t counter;
			ssize_t ignored = read(udp->wake_fd, &counter, sizeof(counter));

			(void)ignored; /* re-opened: the next round polls the new sockets */
		}
	}
	return 0;
}

static uint64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* One message of a sendmmsg: a single datagram, or with UDP_SEGMENT a run of datagrams to one
 * endpoint, all of one size but the last, which may be shorter. */
struct send_message {
	unsigned first;    /* into the batch's vectors */
	unsigned datagrams;
	uint32_t segment;  /* the size of the first datagram */
	uint32_t bytes;
	union udp_address address;
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t))];
};

/* Datagrams of one family on their way into one sendmmsg. */
struct send_batch {
	int fd;
	unsigned count; /* datagrams */
	unsigned message_count;
	struct mmsghdr messages[UDP_BATCH];
	struct send_message message[UDP_BATCH];
	struct iovec vectors[UDP_BATCH];
};

struct send_state {
	struct linux_udp *udp;
	uint64_t wait_until_ms; /* 0 until the first wait for room */
	unsigned sent;
	int error;
};

static void drop_datagrams(struct send_state *state, unsigned count, int error)
{
	atomic_fetch_add(&state->udp->tx_dropped, count);
	if (!state->error)
		state->error = error;
}

/* Waits for room in the send buffer within this write's budget; false once it is spent. */
static bool wait_writable(struct send_state *state, int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	uint64_t now = monotonic_ms();

	if (!state->wait_until_ms)
		state->wait_until_ms = now + UDP_SEND_WAIT_MS;
	if (now >= state->wait_until_ms)
		return false;
	return poll(&pfd, 1, (int)(state->wait_until_ms - now)) > 0;
}

/* Fills in the sendmmsg entries from the messages queued. */
static void send_prepare(struct send_batch *batch)
{
	for (unsigned i = 0; i < batch->message_count; i++) {
		struct send_message *message = &batch->message[i];
		struct msghdr *header = &batch->messages[i].msg_hdr;

		memset(&batch->messages[i], 0, sizeof(batch->messages[i]));
		header->msg_iov = &batch->vectors[message->first];
		header->msg_iovlen = message->datagrams;
		header->msg_name = &message->address;
		header->msg_namelen = message->address.sa.sa_family == AF_INET ? sizeof(message->address.in4)
										: sizeof(message->address.in6);
		if (message->datagrams > 1) {
			struct cmsghdr *cmsg;
			uint16_t segment = (uint16_t)message->segment;

			header->msg_control = message->control;
			header->msg_controllen = sizeof(message->control);
			cmsg = CMSG_FIRSTHDR(header);
			cmsg->cmsg_level = SOL_UDP;
			cmsg->cmsg_type = UDP_SEGMENT;
			cmsg->cmsg_len = CMSG_LEN(sizeof(segment));
			memcpy(CMSG_DATA(cmsg), &segment, sizeof(segment));
		}
	}
}

/* A run the kernel would not segment (a device or path without checksum offload: EIO; a kernel
 * without UDP_SEGMENT: EINVAL): send its datagrams one by one, and stop asking for segmentation. */
static void send_unsegmented(struct send_state *state, struct send_batch *batch, const struct mmsghdr *entry,
			     unsigned datagrams)
{
	atomic_store(&state->udp->gso, false);
	for (unsigned i = 0; i < datagrams; i++) {
		struct msghdr header = {
			.msg_name = entry->msg_hdr.msg_name,
			.msg_namelen = entry->msg_hdr.msg_namelen,
			.msg_iov = &entry->msg_hdr.msg_iov[i],
			.msg_iovlen = 1,
		};
		ssize_t sent;

		do
			sent = sendmsg(batch->fd, &header, MSG_DONTWAIT);
		while ((sent < 0 && errno == EINTR) || (sent < 0 && errno == EAGAIN && wait_writable(state, batch->fd)));
		if (sent < 0)
			drop_datagrams(state, 1, -errno);
		else
			state->sent++;
	}
}

static void send_flush(struct send_state *state, struct send_batch *batch)
{
	unsigned done = 0;

	send_prepare(batch);
	while (done < batch->message_count) {
		int sent = sendmmsg(batch->fd, batch->messages + done, batch->message_count - done, MSG_DONTWAIT);
		unsigned datagrams = batch->message[done].datagrams;

		if (sent > 0) {
			for (unsigned i = 0; i < (unsigned)sent; i++) {
				unsigned count = batch->message[done + i].datagrams;

				state->sent += count;
				if (count > 1)
					atomic_fetch_add_explicit(&state->udp->tx_segmented, count, memory_order_relaxed);
			}
			done += (unsigned)sent;
			continue;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && errno == EAGAIN && wait_writable(state, batch->fd))
			continue;
		if (sent < 0 && datagrams > 1 && (errno == EIO || errno == EINVAL))
			send_unsegmented(state, batch, &batch->messages[done], datagrams);
		else /* unreachable, refused, no room: drop this message and go on with the rest */
			drop_datagrams(state, datagrams, sent < 0 ? -errno : -EIO);
		done++;
	}
	batch->count = 0;
	batch->message_count = 0;
}

/* Whether a datagram of len bytes to address can join the batch's last message as one more segment. */
static bool joins_last_message(const struct send_batch *batch, const union udp_address *address, uint32_t len)
{
	const struct send_message *last = &batch->message[batch->message_count - 1];
	const uint32_t last_len = (uint32_t)batch->vectors[batch->count - 1].iov_len;

	return len <= last->segment && last_len == last->segment && last->datagrams < UDP_GSO_MAX_SEGMENTS &&
	       last->bytes + len <= UDP_GSO_MAX_BYTES && memcmp(&last->address, address, sizeof(*address)) == 0;
}

static void send_queue(struct send_state *state, struct send_batch *batch, const struct wh_packet *packet,
		       const union udp_address *address, bool gso)
{
	struct send_message *message;
	bool joins = gso && batch->message_count && joins_last_message(batch, address, packet->len);
	unsigned i = batch->count++;

	batch->vectors[i].iov_base = packet->data;
	batch->vectors[i].iov_len = packet->len;
	if (joins) {
		message = &batch->message[batch->message_count - 1];
		message->datagrams++;
		message->bytes += packet->len;
	} else {
		message = &batch->message[batch->message_count++];
		message->first = i;
		message->datagrams = 1;
		message->segment = packet->len;
		message->bytes = packet->len;
		message->address = *address;
	}
	if (batch->count == state->udp->batch)
		send_flush(state, batch);
}

static int udp_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct linux_udp *udp = ctx;
	struct send_state state = {.udp = udp};
	struct send_batch batches[2]; /* IPv4, IPv6: order is kept within each, so per endpoint */
	bool gso = atomic_load_explicit(&udp->gso, memory_order_relaxed);

	batches[0].fd = atomic_load(&udp->fd4);
	batches[0].count = 0;
	batches[0].message_count = 0;
	batches[1].fd = atomic_load(&udp->fd6);
	batches[1].count = 0;
	batches[1].message_count = 0;
	for (unsigned i = 0; i < count; i++) {
		union udp_address address;
		int family = address_from_endpoint(&address, &packets[i]->endpoint);
		struct send_batch *batch = &batches[family == AF_INET6];

		if (!family || batch->fd < 0) {
			drop_datagrams(&state, 1, -EAFNOSUPPORT);
			continue;
		}
		send_queue(&state, batch, packets[i], &address, gso);
	}
	send_flush(&state, &batches[0]);
	send_flush(&state, &batches[1]);
	return state.sent || !state.error ? (int)state.sent : state.error;
}

static int udp_set_mark(void *ctx, uint32_t mark)
{
	struct linux_udp *udp = ctx;
	int ret = 0;

	pthread_mutex_lock(&udp->lock);
	if (mark != udp->mark) {
		int fds[2] = {atomic_load(&udp->fd4), atomic_load(&udp->fd6)};

		for (unsigned i = 0; i < 2 && !ret; i++)
			if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
				ret = -errno;
		if (!ret)
			udp->mark = mark;
	}
	pthread_mutex_unlock(&udp->lock);
	return ret;
}

static void udp_close(void *ctx)
{
	struct linux_udp *udp = ctx;

	if (!atomic_exchange(&udp->closed, true))
		wake_reader(udp);
}

static const struct wh_bind_port_ops linux_udp_ops = {
	.open = udp_open,
	.read = udp_read,
	.write = udp_write,
	.set_mark = udp_set_mark,
	.close = udp_close,
};

/* The buffers coalesced messages land in; NULL (GRO off) when there is no memory for them. */
static struct gro_state *gro_new(void)
{
	struct gro_state *gro = calloc(1, sizeof(*gro));

	if (gro)
		gro->buffers = malloc((size_t)UDP_GRO_MESSAGES * UDP_GRO_MESSAGE_MAX);
	if (gro && !gro->buffers) {
		free(gro);
		gro = NULL;
	}
	return gro;
}

int wh_linux_udp_new(struct wh_bind_port *port)
{
	struct linux_udp *udp = calloc(1, sizeof(*udp));

	if (!udp)
		return -ENOMEM;
	udp->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (udp->wake_fd < 0) {
		int ret = -errno;

		free(udp);
		return ret;
	}
	pthread_mutex_init(&udp->lock, NULL);
	atomic_init(&udp->fd4, -1);
	atomic_init(&udp->fd6, -1);
	atomic_init(&udp->closed, false);
	atomic_init(&udp->rx_truncated, 0);
	atomic_init(&udp->tx_dropped, 0);
	atomic_init(&udp->tx_segmented, 0);
	atomic_init(&udp->rx_coalesced, 0);
	udp->batch = wh_linux_switch_on("WIREHOP_BATCH") ? UDP_BATCH : 1;
	atomic_init(&udp->gso, wh_linux_switch_on("WIREHOP_UDP_GSO"));
	if (wh_linux_switch_on("WIREHOP_UDP_GRO"))
		udp->gro = gro_new();
	port->ops = &linux_udp_ops;
	port->ctx = udp;
	return 0;
}

void wh_linux_udp_get_stats(const struct wh_bind_port *port, struct wh_linux_udp_stats *stats)
{
	struct linux_udp *udp = port->ctx;

	stats->rx_truncated = atomic_load(&udp->rx_truncated);
	stats->tx_dropped = atomic_load(&udp->tx_dropped);
	stats->tx_segmented = atomic_load(&udp->tx_segmented);
	stats->rx_coalesced = atomic_load(&udp->rx_coalesced);
}

void wh_linux_udp_describe(const struct wh_bind_port *port, bool *gso, bool *gro, unsigned *batch)
{
	struct linux_udp *udp = port->ctx;

	*gso = atomic_load(&udp->gso);
	*gro = udp->gro != NULL;
	*batch = udp->batch;
}

void wh_linux_udp_free(struct wh_bind_port *port)
{
	struct linux_udp *udp = port->ctx;

	if (!udp)
		return;
	if (atomic_load(&udp->fd4) >= 0)
		close(atomic_load(&udp->fd4));
	if (atomic_load(&udp->fd6) >= 0)
		close(atomic_load(&udp->fd6));
	close(udp->wake_fd);
	pthread_mutex_destroy(&udp->lock);
	if (udp->gro)
		free(udp->gro->buffers);
	free(udp->gro);
	free(udp);
	port->ctx = NULL;
	port->ops = NULL;
}
