/* TSO/USO segmentation, checksum completion and TCP coalescing for the TUN port with virtio-net
 * headers (the user-space half of what a NIC does for the kernel). */
#include "platform/linux/tun_offload.h"

#include <errno.h>
#include <string.h>

#include "crypto/endian.h"

enum {
	IP_PROTO_TCP = 6,
	IP_PROTO_UDP = 17,
	IPV4_HEADER_MIN = 20,
	IPV6_HEADER_LEN = 40,
	TCP_HEADER_MIN = 20,
	UDP_HEADER_LEN = 8,
	TCP_CHECKSUM_OFFSET = 16,
	UDP_CHECKSUM_OFFSET = 6,
	TCP_FIN = 0x01,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_CWR = 0x80,
	IPV4_DF = 0x40,
	IPV4_MF_OFFSET_MASK = 0x3fff,
};

/* ---- The Internet checksum (RFC 1071), summed in host order: the sum is byte-order independent,
 * and its folded value stored with memcpy lands in network order. ---- */

static uint64_t checksum_add(uint64_t sum, const uint8_t *data, size_t len)
{
	while (len >= 8) {
		uint32_t words[2];

		memcpy(words, data, 8);
		sum += (uint64_t)words[0] + words[1];
		data += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t half;

		memcpy(&half, data, 2);
		sum += half;
		data += 2;
		len -= 2;
	}
	if (len) {
		/* An odd byte is the high half of a last word padded with zero. */
		uint8_t tail[2] = {data[0], 0};
		uint16_t half;

		memcpy(&half, tail, 2);
		sum += half;
	}
	return sum;
}

static uint16_t checksum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void checksum_store(uint8_t *at, uint16_t folded)
{
	memcpy(at, &folded, 2);
}

static uint64_t pseudo_header_sum(const uint8_t *packet, unsigned ip_version, uint8_t protocol, size_t l4_len)
{
	uint8_t tail[4] = {0, protocol, (uint8_t)(l4_len >> 8), (uint8_t)l4_len};
	uint64_t sum = ip_version == 4 ? checksum_add(0, packet + 12, 8) : checksum_add(0, packet + 8, 32);

	return checksum_add(sum, tail, sizeof(tail));
}

static void ipv4_header_checksum(uint8_t *packet, size_t header_len)
{
	packet[10] = 0;
	packet[11] = 0;
	checksum_store(packet + 10, (uint16_t)~checksum_fold(checksum_add(0, packet, header_len)));
}

/* Writes the full checksum of the transport packet at l4 (its field zeroed first). A UDP checksum
 * that comes out 0 is sent as 0xffff (0 means "none"); for TCP the two are the same value. */
static void l4_checksum(uint8_t *packet, unsigned ip_version, size_t ip_header_len, uint8_t protocol,
			size_t l4_len, size_t checksum_offset)
{
	uint8_t *l4 = packet + ip_header_len;
	uint16_t folded;

	l4[checksum_offset] = 0;
	l4[checksum_offset + 1] = 0;
	folded = (uint16_t)~checksum_fold(checksum_add(pseudo_header_sum(packet, ip_version, protocol, l4_len),
						       l4, l4_len));
	checksum_store(l4 + checksum_offset, folded ? folded : 0xffff);
}

/* ---- Splitting what the kernel hands over ---- */

/* A partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM): the field already holds the pseudo-header sum,
 * the rest is the sum from csum_start to the end. */
static bool complete_checksum(const struct virtio_net_hdr *hdr, uint8_t *packet, size_t len)
{
	size_t start = hdr->csum_start, at = start + hdr->csum_offset;
	uint16_t folded;

	if (start >= len || at + 2 > len)
		return false;
	folded = (uint16_t)~checksum_fold(checksum_add(0, packet + start, len - start));
	checksum_store(packet + at, folded ? folded : 0xffff);
	return true;
}

/* The IP header of a packet the kernel asks us to segment: version, its length and the protocol. */
static bool parse_ip(struct wh_tso *tso, const uint8_t *packet, size_t len, uint8_t *protocol)
{
	if (len >= IPV4_HEADER_MIN && packet[0] >> 4 == 4) {
		tso->ip_version = 4;
		tso->ip_header_len = (size_t)(packet[0] & 0x0f) * 4;
		*protocol = packet[9];
		return tso->ip_header_len >= IPV4_HEADER_MIN && tso->ip_header_len <= len &&
		       !(wh_get_be16(packet + 6) & IPV4_MF_OFFSET_MASK);
	}
	if (len >= IPV6_HEADER_LEN && packet[0] >> 4 == 6) {
		/* The kernel's TCP and UDP put no extension headers in front of a GSO packet. */
		tso->ip_version = 6;
		tso->ip_header_len = IPV6_HEADER_LEN;
		*protocol = packet[6];
		return true;
	}
	return false;
}

int wh_tso_parse(struct wh_tso *tso, const struct virtio_net_hdr *hdr, uint8_t *packet, size_t len)
{
	unsigned gso_type = hdr->gso_type & (unsigned)~VIRTIO_NET_HDR_GSO_ECN;
	uint8_t protocol = 0;
	size_t payload;

	memset(tso, 0, sizeof(*tso));
	tso->packet = packet;
	tso->len = len;
	tso->segments = 1;
	if (gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if ((hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !complete_checksum(hdr, packet, len))
			return -EINVAL;
		return 0;
	}
	if (!hdr->gso_size || !parse_ip(tso, packet, len, &protocol))
		return -EINVAL;
	switch (gso_type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (protocol != IP_PROTO_TCP || tso->ip_version != (gso_type == VIRTIO_NET_HDR_GSO_TCPV4 ? 4u : 6u) ||
		    len < tso->ip_header_len + TCP_HEADER_MIN)
			return -EINVAL;
		tso->l4_header_len = (size_t)(packet[tso->ip_header_len + 12] >> 4) * 4;
		if (tso->l4_header_len < TCP_HEADER_MIN)
			return -EINVAL;
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (protocol != IP_PROTO_UDP)
			return -EINVAL;
		tso->udp = true;
		tso->l4_header_len = UDP_HEADER_LEN;
		break;
	default:
		return -EINVAL;
	}
	if (tso->ip_header_len + tso->l4_header_len >= len)
		return -EINVAL;
	payload = len - tso->ip_header_len - tso->l4_header_len;
	tso->segment_payload = hdr->gso_size;
	tso->segments = (unsigned)((payload + tso->segment_payload - 1) / tso->segment_payload);
	return 0;
}

ssize_t wh_tso_segment(const struct wh_tso *tso, unsigned index, uint8_t *out, size_t capacity)
{
	size_t headers = tso->ip_header_len + tso->l4_header_len;
	size_t offset, payload, len;
	uint8_t *l4 = out + tso->ip_header_len;

	if (!tso->ip_version) {
		if (tso->len > capacity)
			return -ENOSPC;
		memcpy(out, tso->packet, tso->len);
		return (ssize_t)tso->len;
	}
	offset = (size_t)index * tso->segment_payload;
	payload = tso->len - headers - offset;
	if (payload > tso->segment_payload)
		payload = tso->segment_payload;
	len = headers + payload;
	if (len > capacity)
		return -ENOSPC;
	memcpy(out, tso->packet, headers);
	memcpy(out + headers, tso->packet + headers + offset, payload);

	if (tso->ip_version == 4) {
		wh_put_be16(out + 2, (uint16_t)len);
		wh_put_be16(out + 4, (uint16_t)(wh_get_be16(out + 4) + index));
		ipv4_header_checksum(out, tso->ip_header_len);
	} else {
		wh_put_be16(out + 4, (uint16_t)(len - IPV6_HEADER_LEN));
	}
	if (tso->udp) {
		wh_put_be16(l4 + 4, (uint16_t)(UDP_HEADER_LEN + payload));
		l4_checksum(out, tso->ip_version, tso->ip_header_len, IP_PROTO_UDP, len - tso->ip_header_len,
			    UDP_CHECKSUM_OFFSET);
		return (ssize_t)len;
	}
	wh_put_be32(l4 + 4, wh_get_be32(l4 + 4) + (uint32_t)offset);
	/* CWR belongs to the first segment only, FIN and PSH to the last, as the kernel's own TSO. */
	if (index)
		l4[13] &= (uint8_t)~TCP_CWR;
	if (index + 1 < tso->segments)
		l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	l4_checksum(out, tso->ip_version, tso->ip_header_len, IP_PROTO_TCP, len - tso->ip_header_len,
		    TCP_CHECKSUM_OFFSET);
	return (ssize_t)len;
}

/* ---- Checking ---- */

bool wh_ipv4_checksum_valid(const uint8_t *packet, size_t len)
{
	size_t header_len;

	if (len < IPV4_HEADER_MIN || packet[0] >> 4 != 4)
		return false;
	header_len = (size_t)(packet[0] & 0x0f) * 4;
	return header_len >= IPV4_HEADER_MIN && header_len <= len &&
	       checksum_fold(checksum_add(0, packet, header_len)) == 0xffff;
}

bool wh_l4_checksum_valid(const uint8_t *packet, size_t len)
{
	struct wh_tso ip;
	uint8_t protocol;
	size_t l4_len;

	memset(&ip, 0, sizeof(ip));
	if (!parse_ip(&ip, packet, len, &protocol) || (protocol != IP_PROTO_TCP && protocol != IP_PROTO_UDP))
		return false;
	l4_len = len - ip.ip_header_len;
	if (l4_len < (protocol == IP_PROTO_TCP ? (size_t)TCP_HEADER_MIN : (size_t)UDP_HEADER_LEN))
		return false;
	return checksum_fold(checksum_add(pseudo_header_sum(packet, ip.ip_version, protocol, l4_len),
					  packet + ip.ip_header_len, l4_len)) == 0xffff;
}

/* ---- Coalescing what we hand to the kernel ---- */

/* A TCP segment as the coalescer sees it. */
struct tcp_segment {
	bool tcp;      /* an IPv4 or IPv6 TCP packet whose flow we know */
	bool mergeable; /* may lead or join a group */
	unsigned ip_version;
	size_t ip_header_len;
	size_t tcp_header_len;
	size_t payload;
	uint32_t seq;
	uint8_t flags;
};

static void parse_segment(struct tcp_segment *segment, const uint8_t *packet, size_t len)
{
	const uint8_t *tcp;

	memset(segment, 0, sizeof(*segment));
	if (len >= IPV4_HEADER_MIN + TCP_HEADER_MIN && packet[0] >> 4 == 4 && packet[9] == IP_PROTO_TCP) {
		segment->ip_version = 4;
		segment->ip_header_len = (size_t)(packet[0] & 0x0f) * 4;
	} else if (len >= IPV6_HEADER_LEN + TCP_HEADER_MIN && packet[0] >> 4 == 6 && packet[6] == IP_PROTO_TCP) {
		segment->ip_version = 6;
		segment->ip_header_len = IPV6_HEADER_LEN;
	} else {
		return;
	}
	if (segment->ip_header_len < IPV4_HEADER_MIN || segment->ip_header_len + TCP_HEADER_MIN > len)
		return;
	tcp = packet + segment->ip_header_len;
	segment->tcp = true;
	segment->tcp_header_len = (size_t)(tcp[12] >> 4) * 4;
	if (segment->tcp_header_len < TCP_HEADER_MIN || segment->ip_header_len + segment->tcp_header_len > len)
		return;
	segment->payload = len - segment->ip_header_len - segment->tcp_header_len;
	segment->seq = wh_get_be32(tcp + 4);
	segment->flags = tcp[13];
	if (segment->ip_version == 4) {
		/* Options and fragments would need rewriting per segment: those go as they are. */
		if (segment->ip_header_len != IPV4_HEADER_MIN || wh_get_be16(packet + 2) != len ||
		    (wh_get_be16(packet + 6) & IPV4_MF_OFFSET_MASK))
			return;
	} else if ((size_t)wh_get_be16(packet + 4) + IPV6_HEADER_LEN != len) {
		return;
	}
	segment->mergeable = segment->payload && (segment->flags & (uint8_t)~TCP_PSH) == TCP_ACK &&
			     wh_l4_checksum_valid(packet, len);
}

static bool same_flow(const struct tcp_segment *a, const uint8_t *pa, const struct tcp_segment *b,
		      const uint8_t *pb)
{
	if (a->ip_version != b->ip_version)
		return false;
	if (a->ip_version == 4 ? memcmp(pa + 12, pb + 12, 8) : memcmp(pa + 8, pb + 8, 32))
		return false;
	return memcmp(pa + a->ip_header_len, pb + b->ip_header_len, 4) == 0;
}

/* Whether packet p carries on group g, whose first packet is h and last t (same flow already). */
static bool can_join(const struct wh_coalesce_group *g, const struct tcp_segment *h, const uint8_t *ph,
		     const struct tcp_segment *t, const struct tcp_segment *p, const uint8_t *pp)
{
	const uint8_t *th = ph + h->ip_header_len, *tp = pp + p->ip_header_len;
	size_t limit = WH_COALESCE_MAX_LEN + (h->ip_version == 6 ? IPV6_HEADER_LEN : 0);

	if (!p->mergeable || (t->flags & TCP_PSH) || t->payload != g->segment_payload ||
	    p->payload > g->segment_payload || g->len + p->payload > limit || p->seq != t->seq + (uint32_t)t->payload)
		return false;
	if (h->ip_version == 4) {
		if (ph[1] != pp[1] || ph[8] != pp[8] || (ph[6] & IPV4_DF) != (pp[6] & IPV4_DF))
			return false;
	} else if (memcmp(ph, pp, 4) || ph[7] != pp[7]) {
		return false;
	}
	/* ACK number, then header length, window and options; the flags differ at most in PSH. */
	return h->tcp_header_len == p->tcp_header_len && memcmp(th + 8, tp + 8, 5) == 0 &&
	       memcmp(th + 14, tp + 14, 2) == 0 &&
	       memcmp(th + TCP_HEADER_MIN, tp + TCP_HEADER_MIN, h->tcp_header_len - TCP_HEADER_MIN) == 0;
}

void wh_tcp_coalesce(struct wh_coalesce *coalesce, uint8_t *const *packets, const uint32_t *lens, unsigned count)
{
	struct tcp_segment segments[WH_COALESCE_BATCH];

	if (count > WH_COALESCE_BATCH)
		count = WH_COALESCE_BATCH;
	coalesce->group_count = 0;
	for (unsigned i = 0; i < count; i++) {
		struct tcp_segment *p = &segments[i];
		struct wh_coalesce_group *group;
		bool joined = false;

		coalesce->next[i] = -1;
		parse_segment(p, packets[i], lens[i]);
		/* The newest open group of the flow takes it, or must take nothing more after it. */
		for (unsigned k = coalesce->group_count; p->tcp && k-- > 0;) {
			struct wh_coalesce_group *g = &coalesce->groups[k];
			const struct tcp_segment *h = &segments[g->first];

			if (!g->open || !same_flow(h, packets[g->first], p, packets[i]))
				continue;
			if (can_join(g, h, packets[g->first], &segments[g->last], p, packets[i])) {
				coalesce->next[g->last] = (int16_t)i;
				g->last = i;
				g->count++;
				g->len += (uint32_t)p->payload;
				joined = true;
			} else {
				g->open = false;
			}
			break;
		}
		if (joined)
			continue;
		group = &coalesce->groups[coalesce->group_count++];
		group->first = i;
		group->last = i;
		group->count = 1;
		group->len = lens[i];
		group->header_len = (uint16_t)(p->ip_header_len + p->tcp_header_len);
		group->segment_payload = (uint16_t)p->payload;
		group->open = p->mergeable;
	}
}

void wh_coalesce_finish(const struct wh_coalesce_group *group, uint8_t *const *packets, struct virtio_net_hdr *hdr)
{
	uint8_t *packet = packets[group->first];
	bool ipv4 = packet[0] >> 4 == 4;
	size_t ip_header_len = ipv4 ? IPV4_HEADER_MIN : IPV6_HEADER_LEN;
	uint8_t *tcp = packet + ip_header_len;

	memset(hdr, 0, sizeof(*hdr));
	if (group->count == 1)
		return;
	if (ipv4) {
		wh_put_be16(packet + 2, (uint16_t)group->len);
		ipv4_header_checksum(packet, ip_header_len);
	} else {
		wh_put_be16(packet + 4, (uint16_t)(group->len - IPV6_HEADER_LEN));
	}
	tcp[13] |= packets[group->last][ip_header_len + 13] & TCP_PSH;
	/* The kernel finishes the checksum of each segment it cuts: it wants the pseudo-header sum. */
	checksum_store(tcp + TCP_CHECKSUM_OFFSET,
		       checksum_fold(pseudo_header_sum(packet, ipv4 ? 4 : 6, IP_PROTO_TCP, group->len - ip_header_len)));
	hdr->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr->gso_type = ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	hdr->hdr_len = group->header_len;
	hdr->gso_size = group->segment_payload;
	hdr->csum_start = (uint16_t)ip_header_len;
	hdr->csum_offset = TCP_CHECKSUM_OFFSET;
}
