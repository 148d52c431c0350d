/* TUN offloads: synthetic TSO/USO super-packets (IPv4 with and without options, IPv6) cut into
 * segments whose every checksum is recomputed here with a naive implementation and whose payloads
 * must add up to the original; partial checksums completed; TCP segments coalesced exactly when they
 * may be, and the super-packet cut again must give back the segments byte for byte. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "platform/linux/tun_offload.h"

enum {
	SEGMENT_MAX = 2048,
	SUPER_MAX = 70000,
	TCP_FIN = 0x01,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_CWR = 0x80,
};

/* ---- A checksum written the slow, obvious way: big-endian 16-bit words ---- */

static uint32_t naive_sum(uint32_t sum, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	return sum;
}

static uint16_t naive_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static size_t ip_header_len(const uint8_t *packet)
{
	return packet[0] >> 4 == 4 ? (size_t)(packet[0] & 15) * 4 : 40;
}

static uint32_t naive_pseudo(const uint8_t *packet, uint8_t protocol, size_t l4_len)
{
	uint32_t sum = packet[0] >> 4 == 4 ? naive_sum(0, packet + 12, 8) : naive_sum(0, packet + 8, 32);

	return sum + protocol + (uint32_t)l4_len;
}

/* The transport checksum of packet verifies (sums to 0xffff with its field included). */
static bool naive_l4_ok(const uint8_t *packet, size_t len)
{
	size_t ihl = ip_header_len(packet);
	uint8_t protocol = packet[0] >> 4 == 4 ? packet[9] : packet[6];

	return naive_fold(naive_sum(naive_pseudo(packet, protocol, len - ihl), packet + ihl, len - ihl)) == 0xffff;
}

static bool naive_ipv4_ok(const uint8_t *packet)
{
	return naive_fold(naive_sum(0, packet, ip_header_len(packet))) == 0xffff;
}

static void naive_ipv4_fill(uint8_t *packet)
{
	put16(packet + 10, 0);
	put16(packet + 10, (uint16_t)~naive_fold(naive_sum(0, packet, ip_header_len(packet))));
}

static void naive_l4_fill(uint8_t *packet, size_t len, size_t checksum_offset)
{
	size_t ihl = ip_header_len(packet);
	uint8_t protocol = packet[0] >> 4 == 4 ? packet[9] : packet[6];
	uint8_t *l4 = packet + ihl;

	put16(l4 + checksum_offset, 0);
	put16(l4 + checksum_offset,
	      (uint16_t)~naive_fold(naive_sum(naive_pseudo(packet, protocol, len - ihl), l4, len - ihl)));
}

/* ---- Building packets ---- */

struct shape {
	unsigned version;
	size_t ip_options; /* IPv4 only, a multiple of 4 */
	bool udp;
	size_t tcp_options; /* a multiple of 4 */
	uint16_t source_port;
	uint32_t seq;
	uint8_t flags;
	uint16_t ip_id;
};

/* Writes the headers of shape with lengths for payload bytes; returns the header length. */
static size_t write_headers(uint8_t *packet, const struct shape *shape, size_t payload)
{
	size_t ihl = shape->version == 4 ? 20 + shape->ip_options : 40;
	size_t l4hl = shape->udp ? 8 : 20 + shape->tcp_options;
	size_t len = ihl + l4hl + payload;
	uint8_t *l4 = packet + ihl;

	memset(packet, 0, ihl + l4hl);
	if (shape->version == 4) {
		static const uint8_t source[4] = {198, 51, 100, 1}, destination[4] = {198, 51, 100, 2};

		packet[0] = (uint8_t)(0x40 | ihl / 4);
		packet[1] = 0x10;
		put16(packet + 2, (uint16_t)len);
		put16(packet + 4, shape->ip_id);
		packet[6] = 0x40; /* DF */
		packet[8] = 64;
		packet[9] = shape->udp ? 17 : 6;
		memcpy(packet + 12, source, 4);
		memcpy(packet + 16, destination, 4);
		for (size_t i = 20; i < ihl; i++)
			packet[i] = i + 1 == ihl ? 0 : 1; /* NOPs, then end of options */
	} else {
		packet[0] = 0x60;
		packet[1] = 0x0a; /* flow label */
		put16(packet + 4, (uint16_t)(len - 40));
		packet[6] = shape->udp ? 17 : 6;
		packet[7] = 64;
		packet[8] = 0xfd;
		packet[23] = 1;
		packet[24] = 0xfd;
		packet[39] = 2;
	}
	put16(l4, shape->source_port);
	put16(l4 + 2, 5201);
	if (shape->udp) {
		put16(l4 + 4, (uint16_t)(8 + payload));
		return ihl + l4hl;
	}
	put32(l4 + 4, shape->seq);
	put32(l4 + 8, 0x01020304);
	l4[12] = (uint8_t)((l4hl / 4) << 4);
	l4[13] = shape->flags;
	put16(l4 + 14, 502);
	/* NOP, NOP, a timestamp (kind 8, length 10), then NOPs. */
	memset(l4 + 20, 1, l4hl - 20);
	if (l4hl >= 32) {
		l4[22] = 8;
		l4[23] = 10;
		put32(l4 + 24, 0x11223344);
		put32(l4 + 28, 0x55667788);
	}
	return ihl + l4hl;
}

static void fill_payload(uint8_t *payload, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)((seed + i) * 2654435761u >> 24);
}

/* A super-packet as the kernel hands it over with TSO/USO: the checksum field holds the
 * pseudo-header sum (CHECKSUM_PARTIAL). */
static size_t super_packet(uint8_t *packet, struct virtio_net_hdr *hdr, const struct shape *shape, size_t payload,
			   uint16_t mss)
{
	size_t headers = write_headers(packet, shape, payload);
	size_t len = headers + payload;
	size_t ihl = ip_header_len(packet);
	size_t checksum_offset = shape->udp ? 6 : 16;

	fill_payload(packet + headers, payload, shape->seq);
	if (shape->version == 4)
		naive_ipv4_fill(packet);
	put16(packet + ihl + checksum_offset,
	      naive_fold(naive_pseudo(packet, shape->udp ? 17 : 6, len - ihl)));
	memset(hdr, 0, sizeof(*hdr));
	hdr->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr->gso_type = shape->udp ? VIRTIO_NET_HDR_GSO_UDP_L4
				   : shape->version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	hdr->gso_size = mss;
	hdr->hdr_len = (uint16_t)headers;
	hdr->csum_start = (uint16_t)ihl;
	hdr->csum_offset = (uint16_t)checksum_offset;
	return len;
}

/* ---- Segmentation ---- */

static void check_split(const struct shape *shape, size_t payload, uint16_t mss)
{
	static uint8_t packet[SUPER_MAX], original[SUPER_MAX], joined[SUPER_MAX];
	uint8_t segment[SEGMENT_MAX];
	struct virtio_net_hdr hdr;
	struct wh_tso tso;
	size_t len = super_packet(packet, &hdr, shape, payload, mss);
	size_t headers = hdr.hdr_len, ihl = ip_header_len(packet), joined_len = 0;
	unsigned expected = (unsigned)((payload + mss - 1) / mss);

	memcpy(original, packet, len);
	g_assert_cmpint(wh_tso_parse(&tso, &hdr, packet, len), ==, 0);
	g_assert_cmpuint(tso.segments, ==, expected);
	for (unsigned i = 0; i < tso.segments; i++) {
		ssize_t n = wh_tso_segment(&tso, i, segment, sizeof(segment));
		size_t share = i + 1 < expected ? mss : payload - (size_t)mss * (expected - 1);
		const uint8_t *l4 = segment + ihl;

		g_assert_cmpint(n, ==, (ssize_t)(headers + share));
		g_assert_true(naive_l4_ok(segment, (size_t)n));
		if (shape->version == 4) {
			g_assert_true(naive_ipv4_ok(segment));
			g_assert_cmpuint(get16(segment + 2), ==, n);
			g_assert_cmpuint(get16(segment + 4), ==, (uint16_t)(shape->ip_id + i));
			/* Options travel in every segment. */
			g_assert_cmpmem(segment + 20, ihl - 20, original + 20, ihl - 20);
		} else {
			g_assert_cmpuint(get16(segment + 4), ==, n - 40);
			g_assert_cmpmem(segment, 4, original, 4);
		}
		if (shape->udp) {
			g_assert_cmpuint(get16(l4 + 4), ==, 8 + share);
		} else {
			uint8_t flags = shape->flags;

			g_assert_cmpuint(get32(l4 + 4), ==, shape->seq + (uint32_t)(i * mss));
			if (i)
				flags &= (uint8_t)~TCP_CWR;
			if (i + 1 < expected)
				flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
			g_assert_cmpuint(l4[13], ==, flags);
			g_assert_cmpmem(l4 + 20, headers - ihl - 20, original + ihl + 20, headers - ihl - 20);
		}
		memcpy(joined + joined_len, segment + headers, share);
		joined_len += share;
	}
	g_assert_cmpmem(joined, joined_len, original + headers, payload);
	/* A buffer one byte short of the first segment is refused, not overrun. */
	g_assert_cmpint(wh_tso_segment(&tso, 0, segment, headers + (payload < mss ? payload : mss) - 1), ==, -ENOSPC);
}

static void test_split_tcp4(void)
{
	struct shape shape = {.version = 4, .source_port = 40000, .seq = 0xfffff000, .flags = TCP_ACK | TCP_PSH | TCP_CWR,
			      .ip_id = 0xfffe, .tcp_options = 12};

	check_split(&shape, 65000, 1368); /* the sequence number and the IP ID wrap */
	check_split(&shape, 1368 * 3, 1368);
	check_split(&shape, 1, 1368);
	shape.flags = TCP_ACK | TCP_FIN;
	check_split(&shape, 5001, 1000);
}

static void test_split_tcp4_options(void)
{
	struct shape shape = {.version = 4, .ip_options = 12, .source_port = 40001, .seq = 7, .flags = TCP_ACK | TCP_PSH,
			      .ip_id = 100, .tcp_options = 12};

	check_split(&shape, 40000, 1356);
	shape.ip_options = 40;
	check_split(&shape, 3333, 1328);
}

static void test_split_tcp6(void)
{
	struct shape shape = {.version = 6, .source_port = 40002, .seq = 123456, .flags = TCP_ACK | TCP_PSH | TCP_CWR,
			      .tcp_options = 12};

	check_split(&shape, 65000, 1348);
	check_split(&shape, 1349, 1348);
}

static void test_split_udp(void)
{
	struct shape shape = {.version = 4, .udp = true, .source_port = 40003, .ip_id = 9};

	check_split(&shape, 30001, 1372);
	shape.version = 6;
	check_split(&shape, 30001, 1352);
}

static void test_partial_checksum(void)
{
	static uint8_t packet[SEGMENT_MAX];
	struct shape shapes[] = {
		{.version = 4, .source_port = 1, .seq = 5, .flags = TCP_ACK, .tcp_options = 12},
		{.version = 6, .source_port = 2, .seq = 5, .flags = TCP_ACK},
		{.version = 4, .udp = true, .source_port = 3},
		{.version = 6, .udp = true, .source_port = 4},
	};

	for (size_t s = 0; s < G_N_ELEMENTS(shapes); s++) {
		for (size_t payload = 0; payload < 40; payload += 13) {
			struct virtio_net_hdr hdr;
			struct wh_tso tso;
			uint8_t out[SEGMENT_MAX];
			size_t len = super_packet(packet, &hdr, &shapes[s], payload, 1000);

			hdr.gso_type = VIRTIO_NET_HDR_GSO_NONE;
			hdr.gso_size = 0;
			g_assert_false(naive_l4_ok(packet, len) && payload);
			g_assert_cmpint(wh_tso_parse(&tso, &hdr, packet, len), ==, 0);
			g_assert_cmpuint(tso.segments, ==, 1);
			g_assert_cmpint(wh_tso_segment(&tso, 0, out, sizeof(out)), ==, (ssize_t)len);
			g_assert_true(naive_l4_ok(out, len));
			g_assert_true(wh_l4_checksum_valid(out, len));
		}
	}
}

static void test_malformed(void)
{
	static uint8_t packet[SUPER_MAX];
	struct shape shape = {.version = 4, .source_port = 9, .seq = 1, .flags = TCP_ACK};
	struct virtio_net_hdr hdr, bad;
	struct wh_tso tso;
	size_t len = super_packet(packet, &hdr, &shape, 5000, 1000);

	bad = hdr;
	bad.gso_size = 0;
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
	bad = hdr;
	bad.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
	bad = hdr;
	bad.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
	bad = hdr;
	bad.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* UFO: fragments, never asked for */
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
	/* Headers only, or less. */
	g_assert_cmpint(wh_tso_parse(&tso, &hdr, packet, 40), ==, -EINVAL);
	g_assert_cmpint(wh_tso_parse(&tso, &hdr, packet, 30), ==, -EINVAL);
	g_assert_cmpint(wh_tso_parse(&tso, &hdr, packet, 10), ==, -EINVAL);
	/* A partial checksum pointing outside the packet. */
	bad = hdr;
	bad.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	bad.csum_start = (uint16_t)len;
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
	bad.csum_start = (uint16_t)(len - 10);
	bad.csum_offset = 9;
	g_assert_cmpint(wh_tso_parse(&tso, &bad, packet, len), ==, -EINVAL);
}

/* ---- Coalescing ---- */

struct batch {
	uint8_t storage[WH_COALESCE_BATCH][SEGMENT_MAX];
	uint8_t copy[WH_COALESCE_BATCH][SEGMENT_MAX];
	uint8_t *packets[WH_COALESCE_BATCH];
	uint32_t lens[WH_COALESCE_BATCH];
	unsigned count;
};

/* Appends one complete TCP segment (valid checksums) of shape with payload bytes. */
static unsigned add_segment(struct batch *batch, const struct shape *shape, size_t payload)
{
	unsigned i = batch->count++;
	uint8_t *packet = batch->storage[i];
	size_t headers = write_headers(packet, shape, payload);

	fill_payload(packet + headers, payload, shape->seq);
	if (shape->version == 4)
		naive_ipv4_fill(packet);
	naive_l4_fill(packet, headers + payload, shape->udp ? 6 : 16);
	batch->packets[i] = packet;
	batch->lens[i] = (uint32_t)(headers + payload);
	memcpy(batch->copy[i], packet, headers + payload);
	return i;
}

/* A run of count segments of one flow, mss bytes each, consecutive sequence numbers and IP IDs;
 * the shape moves on past them. */
static void add_run(struct batch *batch, struct shape *shape, unsigned count, size_t mss)
{
	for (unsigned i = 0; i < count; i++) {
		add_segment(batch, shape, mss);
		shape->seq += (uint32_t)mss;
		shape->ip_id++;
	}
}

/* As add_run, with other TCP flags for these segments only. */
static void add_run_flagged(struct batch *batch, struct shape *shape, unsigned count, size_t mss, uint8_t flags)
{
	uint8_t usual = shape->flags;

	shape->flags = flags;
	add_run(batch, shape, count, mss);
	shape->flags = usual;
}

/* Which group each packet landed in, as a string like "0 0 0 1 2 2". */
static char *group_map(const struct wh_coalesce *coalesce, unsigned count)
{
	int owner[WH_COALESCE_BATCH];
	GString *map = g_string_new(NULL);

	for (unsigned g = 0; g < coalesce->group_count; g++) {
		unsigned walked = 0;

		for (int k = (int)coalesce->groups[g].first; k >= 0; k = coalesce->next[k]) {
			owner[k] = (int)g;
			walked++;
		}
		g_assert_cmpuint(walked, ==, coalesce->groups[g].count);
	}
	for (unsigned i = 0; i < count; i++)
		g_string_append_printf(map, i ? " %d" : "%d", owner[i]);
	return g_string_free(map, FALSE);
}

/* Builds each group's super-packet as the TUN port writes it, cuts it again as the kernel would, and
 * compares the pieces with the packets that went in. */
static void check_round_trip(struct batch *batch, const struct wh_coalesce *coalesce)
{
	static uint8_t super[SUPER_MAX];

	for (unsigned g = 0; g < coalesce->group_count; g++) {
		const struct wh_coalesce_group *group = &coalesce->groups[g];
		struct virtio_net_hdr hdr;
		struct wh_tso tso;
		size_t len;
		unsigned index = 0;

		wh_coalesce_finish(group, batch->packets, &hdr);
		memcpy(super, batch->packets[group->first], batch->lens[group->first]);
		len = batch->lens[group->first];
		for (int k = coalesce->next[group->first]; k >= 0; k = coalesce->next[k]) {
			memcpy(super + len, batch->packets[k] + group->header_len, batch->lens[k] - group->header_len);
			len += batch->lens[k] - group->header_len;
		}
		g_assert_cmpuint(len, ==, group->len);
		if (group->count == 1) {
			g_assert_cmpuint(hdr.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
			g_assert_cmpuint(hdr.flags, ==, 0);
			g_assert_cmpmem(super, len, batch->copy[group->first], batch->lens[group->first]);
			continue;
		}
		g_assert_cmpuint(hdr.flags, ==, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		g_assert_cmpuint(hdr.gso_size, ==, group->segment_payload);
		if (super[0] >> 4 == 4)
			g_assert_true(naive_ipv4_ok(super));
		g_assert_cmpint(wh_tso_parse(&tso, &hdr, super, len), ==, 0);
		g_assert_cmpuint(tso.segments, ==, group->count);
		for (int k = (int)group->first; k >= 0; k = coalesce->next[k], index++) {
			uint8_t out[SEGMENT_MAX];
			ssize_t n = wh_tso_segment(&tso, index, out, sizeof(out));

			g_assert_cmpmem(out, n, batch->copy[k], batch->lens[k]);
		}
	}
}

static void check_groups(struct batch *batch, const char *expected)
{
	struct wh_coalesce coalesce;
	g_autofree char *map = NULL;

	wh_tcp_coalesce(&coalesce, batch->packets, batch->lens, batch->count);
	map = group_map(&coalesce, batch->count);
	g_assert_cmpstr(map, ==, expected);
	check_round_trip(batch, &coalesce);
}

static void test_coalesce_one_flow(void)
{
	static struct batch batch;
	struct shape v4 = {.version = 4, .source_port = 1000, .seq = 0xffffff00, .flags = TCP_ACK, .ip_id = 7,
			   .tcp_options = 12};
	struct shape v6 = {.version = 6, .source_port = 1000, .seq = 50, .flags = TCP_ACK, .tcp_options = 12};

	batch.count = 0;
	add_run(&batch, &v4, 5, 1368);
	check_groups(&batch, "0 0 0 0 0");

	/* A short last segment closes the group; PSH on the last one is carried over. */
	batch.count = 0;
	add_run(&batch, &v4, 3, 1368);
	add_run_flagged(&batch, &v4, 1, 500, TCP_ACK | TCP_PSH);
	add_run(&batch, &v4, 2, 1368);
	check_groups(&batch, "0 0 0 0 1 1");

	batch.count = 0;
	add_run(&batch, &v6, 4, 1348);
	add_run(&batch, &v6, 1, 100);
	add_run(&batch, &v6, 1, 1348);
	check_groups(&batch, "0 0 0 0 0 1");

	/* 64 KiB at most: 47 segments of 1368 bytes do not fit in one. */
	batch.count = 0;
	add_run(&batch, &v4, 50, 1368);
	{
		struct wh_coalesce coalesce;

		wh_tcp_coalesce(&coalesce, batch.packets, batch.lens, batch.count);
		g_assert_cmpuint(coalesce.group_count, ==, 2);
		g_assert_cmpuint(coalesce.groups[0].len, <=, WH_COALESCE_MAX_LEN);
		g_assert_cmpuint(coalesce.groups[0].count, ==, (WH_COALESCE_MAX_LEN - 52) / 1368);
		check_round_trip(&batch, &coalesce);
	}
}

static void test_coalesce_flows(void)
{
	static struct batch batch;
	struct shape a = {.version = 4, .source_port = 1000, .seq = 1, .flags = TCP_ACK, .ip_id = 1};
	struct shape b = {.version = 4, .source_port = 1001, .seq = 9000, .flags = TCP_ACK, .ip_id = 500};
	struct shape c = {.version = 6, .source_port = 1000, .seq = 1, .flags = TCP_ACK};

	/* Interleaved flows each coalesce on their own, in their own order. */
	batch.count = 0;
	add_run(&batch, &a, 2, 1000);
	add_run(&batch, &b, 1, 1000);
	add_run(&batch, &c, 1, 1000);
	add_run(&batch, &a, 1, 1000);
	add_run(&batch, &b, 2, 1000);
	add_run(&batch, &c, 1, 1000);
	check_groups(&batch, "0 0 1 2 0 1 1 2");

	/* A gap in the sequence starts a new group; the old one takes nothing more after it. */
	batch.count = 0;
	add_run(&batch, &a, 2, 1000);
	a.seq += 1000;
	add_run(&batch, &a, 2, 1000);
	check_groups(&batch, "0 0 1 1");

	/* A retransmission (going back) does not join either. */
	batch.count = 0;
	add_run(&batch, &a, 2, 1000);
	a.seq -= 2000;
	add_run(&batch, &a, 2, 1000);
	check_groups(&batch, "0 0 1 1");
}

/* A run of before IPv4 segments, then one that carries on their stream but differs in the byte at
 * offset (checksums made valid again): the groups must come out as expected. */
static void check_differing_byte(struct shape *shape, unsigned before, size_t offset, const char *expected)
{
	static struct batch batch;
	unsigned i;

	batch.count = 0;
	add_run(&batch, shape, before, 1000);
	i = add_segment(&batch, shape, 1000);
	batch.packets[i][offset] ^= 4;
	naive_ipv4_fill(batch.packets[i]);
	naive_l4_fill(batch.packets[i], batch.lens[i], 16);
	memcpy(batch.copy[i], batch.packets[i], batch.lens[i]);
	check_groups(&batch, expected);
}

static void test_coalesce_refuses(void)
{
	static struct batch batch;
	struct shape a = {.version = 4, .source_port = 1000, .seq = 1, .flags = TCP_ACK, .ip_id = 1, .tcp_options = 12};
	unsigned i;

	/* Flags other than ACK and PSH (here FIN, URG, CWR) never coalesce, and close the flow's group. */
	batch.count = 0;
	add_run(&batch, &a, 2, 1000);
	add_run_flagged(&batch, &a, 1, 1000, TCP_ACK | TCP_FIN);
	add_run(&batch, &a, 1, 1000);
	check_groups(&batch, "0 0 1 2");

	batch.count = 0;
	add_run_flagged(&batch, &a, 2, 1000, TCP_ACK | TCP_CWR);
	add_run_flagged(&batch, &a, 1, 1000, TCP_ACK | TCP_URG);
	check_groups(&batch, "0 1 2");

	/* PSH ends a group. */
	batch.count = 0;
	add_run_flagged(&batch, &a, 1, 1000, TCP_ACK | TCP_PSH);
	add_run(&batch, &a, 1, 1000);
	check_groups(&batch, "0 1");

	/* Pure ACKs (no payload) go alone. */
	batch.count = 0;
	add_run(&batch, &a, 1, 0);
	add_run(&batch, &a, 1, 0);
	check_groups(&batch, "0 1");

	/* A different ACK number, window, TCP option (timestamp) or TTL splits. */
	check_differing_byte(&a, 2, 20 + 11, "0 0 1");
	check_differing_byte(&a, 1, 20 + 14, "0 1");
	check_differing_byte(&a, 1, 20 + 27, "0 1");
	check_differing_byte(&a, 1, 8, "0 1");

	/* A bad TCP checksum: the kernel must see it and drop it, so it goes alone. */
	batch.count = 0;
	add_run(&batch, &a, 1, 1000);
	i = add_segment(&batch, &a, 1000);
	batch.packets[i][batch.lens[i] - 1] ^= 0x80;
	memcpy(batch.copy[i], batch.packets[i], batch.lens[i]);
	a.seq += 1000;
	add_run(&batch, &a, 1, 1000);
	check_groups(&batch, "0 1 2");

	/* IPv4 with options goes as it is. */
	batch.count = 0;
	a.ip_options = 8;
	add_run(&batch, &a, 3, 1000);
	check_groups(&batch, "0 1 2");
	a.ip_options = 0;

	/* A segment longer than the first does not join. */
	batch.count = 0;
	add_run(&batch, &a, 1, 1000);
	add_run(&batch, &a, 1, 1200);
	check_groups(&batch, "0 1");

	/* UDP and other protocols are left alone. */
	batch.count = 0;
	a.udp = true;
	add_run(&batch, &a, 2, 1000);
	check_groups(&batch, "0 1");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/offload/split/tcp4", test_split_tcp4);
	g_test_add_func("/offload/split/tcp4-ip-options", test_split_tcp4_options);
	g_test_add_func("/offload/split/tcp6", test_split_tcp6);
	g_test_add_func("/offload/split/udp", test_split_udp);
	g_test_add_func("/offload/partial-checksum", test_partial_checksum);
	g_test_add_func("/offload/malformed", test_malformed);
	g_test_add_func("/offload/coalesce/one-flow", test_coalesce_one_flow);
	g_test_add_func("/offload/coalesce/flows", test_coalesce_flows);
	g_test_add_func("/offload/coalesce/refuses", test_coalesce_refuses);
	return g_test_run();
}
