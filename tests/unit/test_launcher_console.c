/*
 * The launcher's console (tools/launcher/console.c): the framed stream of
 * trapeze/console_proto.h turned into what a reader sees, and the monitor
 * request queue. Bytes "from QEMU" are fed in; the sinks are buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <trapeze/console_proto.h>

#include "console.h"

static char out[4096], sent[512], reply[512];
static size_t out_len, sent_len;
static struct console con;

static void sink_out(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	assert_true(out_len + len < sizeof(out));
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = 0;
}

static void sink_qemu(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	assert_true(sent_len + len < sizeof(sent));
	memcpy(sent + sent_len, buf, len);
	sent_len += len;
	sent[sent_len] = 0;
}

static void got_reply(struct console *c, const struct console_req *r,
		      const char *text, size_t len)
{
	(void)c;
	(void)r;
	memcpy(reply, text, len);
	reply[len] = 0;
}

static void setup_console(bool tty, unsigned nvms)
{
	static const char names[BOOTINFO_MAX_VMS][BOOTINFO_NAME_MAX] = { "a", "b", "c" };

	console_fini(&con);
	out_len = sent_len = 0;
	out[0] = sent[0] = reply[0] = 0;
	memset(&con, 0, sizeof(con));
	con.out = sink_out;
	con.to_qemu = sink_qemu;
	console_init(&con, true, tty, nvms, names);
	con.reply_done = got_reply;
}

static int teardown(void **state)
{
	(void)state;
	console_fini(&con);
	return 0;
}

static void feed(const char *s)
{
	console_from_qemu(&con, s, strlen(s));
}

#define ESC "\x1c"

static void test_lone_vm_passes_through_raw(void **state)
{
	(void)state;
	setup_console(false, 1);
	feed(ESC "v0" "login: " ESC ESC "x");
	assert_string_equal(out, "login: \x1cx");
}

static void test_log_line_never_lands_inside_a_vm_line(void **state)
{
	(void)state;
	setup_console(false, 1);
	/* The VM is destroyed while it prints: Trapeze's line still stands
	 * on its own, and a log line at a line start gets no blank line. */
	feed(ESC "v0" "finisher: boot, " ESC "t" "trapeze: vm rb: stopped\n");
	feed("trapeze: next\n");
	assert_string_equal(out, "finisher: boot, \ntrapeze: vm rb: stopped\ntrapeze: next\n");
}

static void test_log_line_split_across_reads(void **state)
{
	(void)state;
	setup_console(false, 1);
	feed(ESC "t" "trapeze: par");
	feed("tial\n" ESC "v0" "x\n");
	assert_string_equal(out, "trapeze: partial\nx\n");
}

static void test_several_vms_are_labelled_per_line(void **state)
{
	(void)state;
	setup_console(false, 2);
	feed(ESC "v0" "one " ESC "v1" "two\n" ESC "v0" "more\n");
	assert_string_equal(out, "[b] two\n[a] one more\n");
	/* A VM that ends mid-line gets its partial line flushed. */
	feed(ESC "v1" "tail" ESC "x1");
	assert_string_equal(out, "[b] two\n[a] one more\n[b] tail\n");
}

static void test_monitor_requests_go_one_at_a_time(void **state)
{
	(void)state;
	setup_console(false, 1);
	assert_int_equal(console_monitor_request(&con, -1, "list"), 0);
	assert_int_equal(console_monitor_request(&con, -1, "pause a"), 0);
	assert_string_equal(sent, ESC "mlist\n");
	feed(ESC "r" "a running\n" ESC "R");
	assert_string_equal(reply, "a running\n");
	assert_string_equal(sent, ESC "mlist\n" ESC "mpause a\n");
	assert_string_equal(out, "");
}

static void test_monitor_queue_is_bounded(void **state)
{
	(void)state;
	setup_console(false, 1);
	for (unsigned i = 0; i < CONSOLE_MON_QUEUE; i++)
		assert_int_equal(console_monitor_request(&con, -1, "list"), 0);
	assert_int_equal(console_monitor_request(&con, -1, "list"), -1);
}

static void test_unasked_reply_is_shown_on_its_own_line(void **state)
{
	(void)state;
	setup_console(false, 1);
	feed(ESC "v0" "$ " ESC "r" "hello\n" ESC "R");
	assert_string_equal(out, "$ \nhello\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lone_vm_passes_through_raw),
		cmocka_unit_test(test_log_line_never_lands_inside_a_vm_line),
		cmocka_unit_test(test_log_line_split_across_reads),
		cmocka_unit_test(test_several_vms_are_labelled_per_line),
		cmocka_unit_test(test_monitor_requests_go_one_at_a_time),
		cmocka_unit_test(test_monitor_queue_is_bounded),
		cmocka_unit_test(test_unasked_reply_is_shown_on_its_own_line),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
