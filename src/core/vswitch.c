#include "core/vswitch.h"

#include "core/lib/string.h"

void vswitch_init(struct vswitch *sw)
{
	memset(sw, 0, sizeof(*sw));
	sw->age_ns = VSWITCH_AGE_NS;
}

int vswitch_add_port(struct vswitch *sw)
{
	if (sw->nports == VSWITCH_PORTS_MAX)
		return -1;
	return (int)sw->nports++;
}

void vswitch_set_up(struct vswitch *sw, unsigned port, bool up)
{
	if (port >= sw->nports)
		return;
	if (up) {
		sw->up |= 1u << port;
		return;
	}
	sw->up &= ~(1u << port);
	for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++)
		if (sw->table[i].used && sw->table[i].port == port)
			sw->table[i].used = false;
}

static bool vswitch_fresh(const struct vswitch *sw, const struct vswitch_entry *e, uint64_t now)
{
	/* A clock that went backwards (another hart's) counts as fresh. */
	return e->used && (now < e->seen || now - e->seen < sw->age_ns);
}

static struct vswitch_entry *vswitch_find(struct vswitch *sw, const uint8_t *mac, uint64_t now)
{
	for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++) {
		struct vswitch_entry *e = &sw->table[i];
		if (vswitch_fresh(sw, e, now) && memcmp(e->mac, mac, VSWITCH_ETH_ALEN) == 0)
			return e;
	}
	return NULL;
}

int vswitch_lookup(const struct vswitch *sw, const uint8_t *mac, uint64_t now)
{
	const struct vswitch_entry *e = vswitch_find((struct vswitch *)sw, mac, now);

	return e ? e->port : -1;
}

/* 802.1D 7.8: the source address is behind in_port from now on. A full
 * table gives up its stalest entry. */
static void vswitch_learn(struct vswitch *sw, unsigned port, const uint8_t *mac, uint64_t now)
{
	struct vswitch_entry *e = vswitch_find(sw, mac, now), *victim = NULL;

	if (e == NULL) {
		for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++) {
			struct vswitch_entry *c = &sw->table[i];
			if (!vswitch_fresh(sw, c, now)) {
				victim = c;
				break;
			}
			if (victim == NULL || c->seen < victim->seen)
				victim = c;
		}
		e = victim;
		memcpy(e->mac, mac, VSWITCH_ETH_ALEN);
		e->used = true;
	}
	e->port = (uint8_t)port;
	e->seen = now;
}

uint32_t vswitch_route(struct vswitch *sw, unsigned in_port, const uint8_t *frame, size_t len,
		       uint64_t now)
{
	const uint8_t *dst = frame, *src = frame + VSWITCH_ETH_ALEN;

	if (in_port >= sw->nports || !(sw->up & (1u << in_port))) {
		sw->stats.dropped_local++;
		return 0;
	}
	if (len < VSWITCH_FRAME_MIN || len > VSWITCH_FRAME_MAX) {
		sw->stats.dropped_size++;
		return 0;
	}
	if (vswitch_mac_is_group(src)) {
		sw->stats.dropped_src++;
		return 0;
	}
	vswitch_learn(sw, in_port, src, now);
	uint32_t others = sw->up & ~(1u << in_port);
	if (!vswitch_mac_is_group(dst)) {
		const struct vswitch_entry *e = vswitch_find(sw, dst, now);
		if (e != NULL) {
			/* Behind the port it came from (or a port gone down):
			 * 802.1D filters it. */
			if (!(others & (1u << e->port))) {
				sw->stats.dropped_local++;
				return 0;
			}
			sw->stats.forwarded++;
			return 1u << e->port;
		}
	}
	if (others == 0) {
		sw->stats.dropped_local++;
		return 0;
	}
	sw->stats.flooded++;
	return others;
}
