/* netaddr.c - IP addresses and networks as text (see netaddr.h). */
#include "common/netaddr.h"

#include <arpa/inet.h>
#include <string.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An address alone into 16 bytes; *v4 says it was IPv4. */
static bool parse_address(const char *text, unsigned char out[16], bool *v4)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, text, &a4) == 1) {
		memcpy(out, v4_mapped, 12);
		memcpy(out + 12, &a4, 4);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, text, out) == 1;
}

bool netaddr_parse(const char *text, struct netaddr *out)
{
	char addr[NETADDR_TEXT_SIZE + 8];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof addr)
		return false;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	bool v4;
	if (!parse_address(addr, out->bytes, &v4))
		return false;
	unsigned max = v4 ? 32 : 128;
	unsigned bits = max;
	if (slash) {
		const char *p = slash + 1;
		if (!*p || strlen(p) > 3)
			return false;
		bits = 0;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return false;
			bits = bits * 10 + (unsigned)(*p - '0');
		}
		if (bits > max)
			return false;
	}
	out->prefix = v4 ? 96 + bits : bits;
	return true;
}

static bool inside(const struct netaddr *net, const unsigned char a[16])
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->bytes, a, full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->bytes[full] & mask) == (a[full] & mask);
}

bool netaddr_list_parse(const char *text, struct netaddr_list *out, char *bad, size_t n)
{
	out->count = 0;
	if (bad && n)
		bad[0] = '\0';
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, ",");
		size_t end = len;
		while (end && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		char item[NETADDR_TEXT_SIZE + 8];
		bool ok = end > 0 && end < sizeof item && out->count < NETADDR_LIST_MAX;
		if (ok) {
			memcpy(item, p, end);
			item[end] = '\0';
			ok = netaddr_parse(item, &out->nets[out->count]);
		}
		if (!ok) {
			if (bad && n) {
				size_t k = end < n - 1 ? end : n - 1;
				memcpy(bad, p, k);
				bad[k] = '\0';
			}
			out->count = 0;
			return false;
		}
		out->count++;
		p += len;
		if (*p == ',') {
			p++;
			if (!*p) { /* a trailing comma names nothing */
				out->count = 0;
				return false;
			}
		}
	}
	return true;
}

bool netaddr_list_has(const struct netaddr_list *l, const char *text)
{
	unsigned char a[16];
	bool v4;
	if (!text || !parse_address(text, a, &v4))
		return false;
	for (size_t i = 0; i < l->count; i++)
		if (inside(&l->nets[i], a))
			return true;
	return false;
}

bool netaddr_canonical(const char *text, char out[NETADDR_TEXT_SIZE])
{
	unsigned char a[16];
	bool v4;
	out[0] = '\0';
	if (!text || !parse_address(text, a, &v4))
		return false;
	if (memcmp(a, v4_mapped, 12) == 0)
		return inet_ntop(AF_INET, a + 12, out, NETADDR_TEXT_SIZE) != NULL;
	return inet_ntop(AF_INET6, a, out, NETADDR_TEXT_SIZE) != NULL;
}
