/*
 * Unit tests of src/core/vswitch.c, the virtual switch's forwarding logic
 * (IEEE 802.1D learning and flooding), and of include/trapeze/netmac.h,
 * the MAC address derived from a VM's name: flooding of unknown,
 * broadcast and multicast destinations, learning, forwarding to one port,
 * filtering of frames for their own port, ports going down, ageing, table
 * replacement, size and source checks, and two switches sharing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/vswitch.h"
#include "trapeze/netmac.h"

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0xc };

static struct vswitch sw;
static uint8_t frame[2048];

static size_t mkframe(const uint8_t *dst, const uint8_t *src, size_t len)
{
	memset(frame, 0x5a, sizeof(frame));
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	return len;
}

static uint32_t send(unsigned port, const uint8_t *dst, const uint8_t *src, uint64_t now)
{
	size_t len = mkframe(dst, src, 60);
	return vswitch_route(&sw, port, frame, len, now);
}

/* Three ports, all up. */
static int setup(void **state)
{
	(void)state;
	vswitch_init(&sw);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(vswitch_add_port(&sw), (int)i);
		vswitch_set_up(&sw, i, true);
	}
	return 0;
}

static void test_vswitch_floods_unknown_and_broadcast(void **state)
{
	(void)state;
	assert_int_equal(send(0, MAC_B, MAC_A, 1), 0x6);
	assert_int_equal(send(1, BCAST, MAC_B, 2), 0x5);
	assert_int_equal(send(2, MCAST, MAC_C, 3), 0x3);
	assert_int_equal(sw.stats.flooded, 3);
}

static void test_vswitch_learns_and_forwards_to_one_port(void **state)
{
	(void)state;
	assert_int_equal(send(0, BCAST, MAC_A, 1), 0x6);
	assert_int_equal(vswitch_lookup(&sw, MAC_A, 1), 0);
	assert_int_equal(send(2, MAC_A, MAC_C, 2), 0x1);       /* C -> A: port 0 only */
	assert_int_equal(send(0, MAC_C, MAC_A, 3), 0x4);       /* A -> C: learnt on 2 */
	assert_int_equal(sw.stats.forwarded, 2);
	/* A moves to port 1: the next frame from it teaches that. */
	assert_int_equal(send(1, BCAST, MAC_A, 4), 0x5);
	assert_int_equal(send(2, MAC_A, MAC_C, 5), 0x2);
}

static void test_vswitch_never_returns_to_the_input_port(void **state)
{
	(void)state;
	send(0, BCAST, MAC_A, 1);
	send(0, BCAST, MAC_B, 1);
	/* A and B behind the same port: the switch filters it. */
	assert_int_equal(send(0, MAC_B, MAC_A, 2), 0);
	assert_int_equal(sw.stats.dropped_local, 1);
	for (unsigned p = 0; p < 3; p++)
		assert_false(send(p, BCAST, MAC_C, 3) & (1u << p));
}

static void test_vswitch_drops_runt_oversized_and_group_source(void **state)
{
	(void)state;
	mkframe(BCAST, MAC_A, 0);
	assert_int_equal(vswitch_route(&sw, 0, frame, 13, 1), 0);
	assert_int_equal(vswitch_route(&sw, 0, frame, VSWITCH_FRAME_MAX + 1, 1), 0);
	assert_int_equal(vswitch_route(&sw, 0, frame, 2000, 1), 0);
	assert_int_equal(sw.stats.dropped_size, 3);
	assert_int_equal(vswitch_route(&sw, 0, frame, VSWITCH_FRAME_MIN, 1), 0x6);
	assert_int_equal(vswitch_route(&sw, 0, frame, VSWITCH_FRAME_MAX, 1), 0x6);
	/* A multicast source is never learnt, and the frame goes nowhere. */
	assert_int_equal(send(1, BCAST, MCAST, 2), 0);
	assert_int_equal(sw.stats.dropped_src, 1);
	assert_int_equal(vswitch_lookup(&sw, MCAST, 2), -1);
	/* Nothing was learnt from a dropped frame. */
	mkframe(BCAST, MAC_B, 0);
	vswitch_route(&sw, 2, frame, 10, 3);
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 3), -1);
}

static void test_vswitch_port_down_takes_nothing_and_forgets(void **state)
{
	(void)state;
	send(1, BCAST, MAC_B, 1);
	vswitch_set_up(&sw, 1, false);
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 2), -1);
	assert_int_equal(send(0, MAC_B, MAC_A, 2), 0x4);       /* flooded, not to 1 */
	assert_int_equal(send(1, BCAST, MAC_B, 3), 0);         /* a down port sends nothing */
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 3), -1);
	vswitch_set_up(&sw, 2, false);
	assert_int_equal(send(0, BCAST, MAC_A, 4), 0);         /* nobody else is up */
	vswitch_set_up(&sw, 1, true);
	assert_int_equal(send(0, BCAST, MAC_A, 5), 0x2);
}

static void test_vswitch_ages_entries(void **state)
{
	(void)state;
	send(1, BCAST, MAC_B, 1000);
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 1000 + VSWITCH_AGE_NS - 1), 1);
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 1000 + VSWITCH_AGE_NS), -1);
	assert_int_equal(send(0, MAC_B, MAC_A, 1000 + VSWITCH_AGE_NS), 0x6);
	/* Seen again: fresh again. */
	send(1, MAC_A, MAC_B, 2 * VSWITCH_AGE_NS);
	assert_int_equal(vswitch_lookup(&sw, MAC_B, 2 * VSWITCH_AGE_NS + 5), 1);
}

static void test_vswitch_full_table_replaces_stalest(void **state)
{
	uint8_t mac[6] = { 0x02, 1, 0, 0, 0, 0 };

	(void)state;
	for (unsigned i = 0; i < VSWITCH_TABLE_SIZE; i++) {
		mac[5] = (uint8_t)i;
		send(i % 3, BCAST, mac, 100 + i);
	}
	mac[5] = 0;
	assert_int_equal(vswitch_lookup(&sw, mac, 200), 0);
	send(2, BCAST, MAC_C, 300);             /* one more: entry 0 (seen at 100) goes */
	assert_int_equal(vswitch_lookup(&sw, mac, 300), -1);
	assert_int_equal(vswitch_lookup(&sw, MAC_C, 300), 2);
	mac[5] = 1;
	assert_int_equal(vswitch_lookup(&sw, mac, 300), 1);
}

static void test_vswitch_switches_are_isolated(void **state)
{
	struct vswitch other;

	(void)state;
	vswitch_init(&other);
	assert_int_equal(vswitch_add_port(&other), 0);
	assert_int_equal(vswitch_add_port(&other), 1);
	vswitch_set_up(&other, 0, true);
	vswitch_set_up(&other, 1, true);
	send(0, BCAST, MAC_A, 1);
	/* The other switch learnt nothing, and names only its own ports. */
	assert_int_equal(vswitch_lookup(&other, MAC_A, 1), -1);
	mkframe(BCAST, MAC_C, 60);
	assert_int_equal(vswitch_route(&other, 0, frame, 60, 2), 0x2);
	assert_int_equal(vswitch_lookup(&sw, MAC_C, 2), -1);
	/* A port number the switch lacks sends nothing. */
	assert_int_equal(vswitch_route(&other, 5, frame, 60, 2), 0);
}

static void test_vswitch_port_limit(void **state)
{
	(void)state;
	while (sw.nports < VSWITCH_PORTS_MAX)
		assert_true(vswitch_add_port(&sw) >= 0);
	assert_int_equal(vswitch_add_port(&sw), -1);
}

static void test_netmac_is_stable_unicast_local(void **state)
{
	uint8_t a[6], a2[6], b[6];

	(void)state;
	netmac_from_name("web", a);
	netmac_from_name("web", a2);
	netmac_from_name("client", b);
	assert_memory_equal(a, a2, 6);
	assert_memory_not_equal(a, b, 6);
	assert_int_equal(a[0], 0x02);           /* unicast, locally administered */
	assert_false(vswitch_mac_is_group(a));
	/* The derivation is fixed: configs and DHCP leases depend on it. */
	static const uint8_t expect[6] = { 0x02, 0xaf, 0x63, 0xdc, 0x4c, 0x86 };
	uint8_t x[6];
	netmac_from_name("a", x);
	assert_memory_equal(x, expect, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vswitch_floods_unknown_and_broadcast, setup),
		cmocka_unit_test_setup(test_vswitch_learns_and_forwards_to_one_port, setup),
		cmocka_unit_test_setup(test_vswitch_never_returns_to_the_input_port, setup),
		cmocka_unit_test_setup(test_vswitch_drops_runt_oversized_and_group_source, setup),
		cmocka_unit_test_setup(test_vswitch_port_down_takes_nothing_and_forgets, setup),
		cmocka_unit_test_setup(test_vswitch_ages_entries, setup),
		cmocka_unit_test_setup(test_vswitch_full_table_replaces_stalest, setup),
		cmocka_unit_test_setup(test_vswitch_switches_are_isolated, setup),
		cmocka_unit_test_setup(test_vswitch_port_limit, setup),
		cmocka_unit_test(test_netmac_is_stable_unicast_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
