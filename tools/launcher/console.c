/* The launcher's console, monitor prompt and monitor socket: see console.h. */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trapeze/console_proto.h>


#define CHAN_LOG        (-1)
#define CHAN_REPLY      (-2)
#define MON_PROMPT      "(trapeze) "

/* ---- output: the framed stream to what the user sees ------------------- */

static void put(struct console *c, const char *s, size_t n)
{
	if (n == 0)
		return;
	c->out(c->ctx, s, n);
	c->at_bol = s[n - 1] == '\n';
}

static void puts_(struct console *c, const char *s)
{
	put(c, s, strlen(s));
}

void console_init(struct console *c, bool framed, bool tty, unsigned nvms,
		  const char names[][BOOTINFO_NAME_MAX])
{
	console_sink_fn out = c->out, to_qemu = c->to_qemu;
	void *ctx = c->ctx;

	memset(c, 0, sizeof(*c));
	c->out = out;
	c->to_qemu = to_qemu;
	c->ctx = ctx;
	c->framed = framed;
	c->tty = tty;
	c->nvms = nvms > BOOTINFO_MAX_VMS ? BOOTINFO_MAX_VMS : nvms;
	for (unsigned i = 0; i < c->nvms; i++)
		snprintf(c->vms[i].name, sizeof(c->vms[i].name), "%s", names[i]);
	c->chan = CHAN_LOG;
	c->at_bol = true;
}

void console_fini(struct console *c)
{
	free(c->reply);
	c->reply = NULL;
	c->reply_len = c->reply_cap = 0;
}

/* Labelled lines are needed once a second VM can interleave. */
static bool labelled(const struct console *c, unsigned vm)
{
	if (c->tty)
		return vm != c->focus;
	return c->nvms > 1;
}

/* A whole line from elsewhere must not land inside the focused VM's
 * partial line: it goes on a line of its own, and on a terminal the
 * partial line (a prompt) is printed again after it. */
static void put_line(struct console *c, const char *label, int colour,
		     const char *s, size_t n)
{
	char esc[16];

	if (!c->at_bol)
		puts_(c, "\n");
	if (label) {
		if (c->tty && colour) {
			snprintf(esc, sizeof(esc), "\033[%dm", colour);
			puts_(c, esc);
		}
		puts_(c, "[");
		puts_(c, label);
		puts_(c, "] ");
		if (c->tty && colour)
			puts_(c, "\033[0m");
	}
	put(c, s, n);
	if (n == 0 || s[n - 1] != '\n')
		puts_(c, "\n");
	if (c->tty && c->focus_len && !c->in_monitor)
		put(c, c->focus_line, c->focus_len);
}

static int vm_colour(unsigned vm)
{
	static const int colours[] = { 32, 36, 33, 35, 34, 31, 92, 96 };
	return colours[vm % 8];
}

static void vm_flush(struct console *c, unsigned vm)
{
	struct console_vm *v = &c->vms[vm];

	if (v->len)
		put_line(c, v->name, vm_colour(vm), v->line, v->len);
	v->len = 0;
}

static void vm_byte(struct console *c, unsigned vm, char ch)
{
	struct console_vm *v = &c->vms[vm];

	if (!labelled(c, vm)) {
		put(c, &ch, 1);
		if (ch == '\n')
			c->focus_len = 0;
		else if (c->focus_len < sizeof(c->focus_line))
			c->focus_line[c->focus_len++] = ch;
		return;
	}
	if (ch == '\r')
		return;
	v->line[v->len++] = ch;
	if (ch == '\n' || v->len == sizeof(v->line))
		vm_flush(c, vm);
}

static void reply_byte(struct console *c, char ch)
{
	if (c->reply_len + 1 >= c->reply_cap) {
		size_t cap = c->reply_cap ? 2 * c->reply_cap : 1024;
		char *r = realloc(c->reply, cap);
		if (!r)
			return;
		c->reply = r;
		c->reply_cap = cap;
	}
	c->reply[c->reply_len++] = ch;
}

static void log_byte(struct console *c, char ch)
{
	if (!c->tty) {
		/* Streamed as it comes, but a Trapeze line starts a line of its
		 * own even when the VM in focus stopped mid-line (a VM destroyed
		 * while it prints): readers match whole lines. log_len only
		 * says "inside a log line" here. */
		if (c->log_len == 0 && !c->at_bol)
			puts_(c, "\n");
		put(c, &ch, 1);
		c->log_len = ch != '\n';
		return;
	}
	if (ch == '\r')
		return;
	c->log_line[c->log_len++] = ch;
	if (ch == '\n' || c->log_len == sizeof(c->log_line)) {
		put_line(c, NULL, 0, c->log_line, c->log_len);
		c->log_len = 0;
	}
}

static void chan_byte(struct console *c, char ch)
{
	if (c->chan >= 0 && (unsigned)c->chan < c->nvms)
		vm_byte(c, (unsigned)c->chan, ch);
	else if (c->chan == CHAN_REPLY)
		reply_byte(c, ch);
	else
		log_byte(c, ch);
}

static void monitor_send_next(struct console *c);

static void reply_end(struct console *c)
{
	struct console_req r;

	c->chan = CHAN_LOG;
	if (!c->busy) {         /* nobody asked: show it */
		if (c->reply_len)
			put_line(c, NULL, 0, c->reply, c->reply_len);
		c->reply_len = 0;
		return;
	}
	r = c->reqs[0];
	memmove(&c->reqs[0], &c->reqs[1], (c->nreqs - 1) * sizeof(c->reqs[0]));
	c->nreqs--;
	c->busy = false;
	if (c->reply_done)
		c->reply_done(c, &r, c->reply ? c->reply : "", c->reply_len);
	c->reply_len = 0;
	monitor_send_next(c);
}

/* The focus moved: the new VM's held partial line is its prompt. */
static void focus_to(struct console *c, unsigned vm)
{
	char note[96];

	if (vm >= c->nvms || vm == c->focus)
		return;
	if (c->tty) {
		struct console_vm *v = &c->vms[vm];
		/* The old focus's partial line stays on screen; what it prints
		 * from now on is labelled. */
		c->focus = vm;
		c->focus_len = 0;
		snprintf(note, sizeof(note), "\033[7m[console: %s]\033[0m", v->name);
		if (!c->at_bol)
			puts_(c, "\n");
		puts_(c, note);
		puts_(c, "\n");
		if (v->len) {
			memcpy(c->focus_line, v->line, v->len);
			c->focus_len = v->len;
			put(c, v->line, v->len);
			v->len = 0;
		}
		return;
	}
	c->focus = vm;
}

void console_from_qemu(struct console *c, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (!c->framed) {
			put(c, &ch, 1);
			continue;
		}
		switch (c->esc) {
		case 0:
			if (ch == CONSOLE_ESC)
				c->esc = 1;
			else
				chan_byte(c, ch);
			break;
		case 1:
			c->esc = 0;
			switch (ch) {
			case CONSOLE_ESC:
				chan_byte(c, ch);
				break;
			case CONSOLE_CHAN_LOG:
				c->chan = CHAN_LOG;
				break;
			case CONSOLE_REPLY_BEGIN:
				c->chan = CHAN_REPLY;
				break;
			case CONSOLE_REPLY_END:
				reply_end(c);
				break;
			case CONSOLE_CHAN_VM:
			case CONSOLE_FOCUS:
			case CONSOLE_VM_ENDED:
				c->esc = ch;    /* a VM number follows */
				break;
			}
			break;
		default: {
			int kind = c->esc;
			unsigned vm = (unsigned)(ch - '0');

			c->esc = 0;
			if (ch < '0' || vm >= c->nvms)
				break;
			if (kind == CONSOLE_CHAN_VM)
				c->chan = (int)vm;
			else if (kind == CONSOLE_FOCUS)
				focus_to(c, vm);
			else
				vm_flush(c, vm);
			break;
		}
		}
	}
}

/* ---- input: keys to the serial line, Ctrl-A, the prompt ---------------- */

static void to_qemu(struct console *c, const char *s, size_t n)
{
	c->to_qemu(c->ctx, s, n);
}

static void monitor_send_next(struct console *c)
{
	char frame[sizeof(c->reqs[0].line) + 3];
	size_t n = 0;

	if (c->busy || c->nreqs == 0)
		return;
	frame[n++] = CONSOLE_ESC;
	frame[n++] = CONSOLE_MONITOR;
	for (const char *p = c->reqs[0].line; *p; p++)
		if ((unsigned char)*p >= ' ' && *p != 0x7f)
			frame[n++] = *p;
	frame[n++] = '\n';
	c->busy = true;
	c->reply_len = 0;
	to_qemu(c, frame, n);
}

int console_monitor_request(struct console *c, int fd, const char *line)
{
	if (c->nreqs == CONSOLE_MON_QUEUE)
		return -1;
	c->reqs[c->nreqs].fd = fd;
	snprintf(c->reqs[c->nreqs].line, sizeof(c->reqs[0].line), "%s", line);
	c->nreqs++;
	monitor_send_next(c);
	return 0;
}

static void prompt(struct console *c)
{
	if (!c->at_bol)
		puts_(c, "\n");
	puts_(c, MON_PROMPT);
	c->at_bol = false;
}

static void help(struct console *c)
{
	char line[160];

	if (!c->at_bol)
		puts_(c, "\n");
	puts_(c, "[console: Ctrl-A 1-9 focus on a VM, Ctrl-A Ctrl-A a literal Ctrl-A, "
		 "Ctrl-A m monitor, Ctrl-A x quit]\n");
	for (unsigned i = 0; i < c->nvms; i++) {
		snprintf(line, sizeof(line), "  %u %s%s\n", i + 1, c->vms[i].name,
			 i == c->focus ? " (focus)" : "");
		puts_(c, line);
	}
}

static void monitor_key(struct console *c, char ch)
{
	if (ch == '\r' || ch == '\n') {
		c->mon_line[c->mon_len] = '\0';
		puts_(c, "\n");
		c->mon_len = 0;
		if (c->mon_line[0] == '\0' || strcmp(c->mon_line, "exit") == 0 ||
		    strcmp(c->mon_line, "quit") == 0) {
			c->in_monitor = false;
			puts_(c, "[console]\n");
			if (c->focus_len)
				put(c, c->focus_line, c->focus_len);
			return;
		}
		if (console_monitor_request(c, -1, c->mon_line) != 0) {
			puts_(c, "monitor busy\n");
			prompt(c);
		}
		return;
	}
	if (ch == 0x7f || ch == 0x08) {
		if (c->mon_len) {
			c->mon_len--;
			puts_(c, "\b \b");
		}
		return;
	}
	if (ch == 0x04 && c->mon_len == 0) {     /* Ctrl-D */
		monitor_key(c, '\n');
		return;
	}
	if ((unsigned char)ch < ' ' || c->mon_len + 1 >= sizeof(c->mon_line))
		return;
	c->mon_line[c->mon_len++] = ch;
	put(c, &ch, 1);
	c->at_bol = false;
}

void console_from_user(struct console *c, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (c->ctrl_a) {
			c->ctrl_a = false;
			if (ch == CONSOLE_CTRL_A) {
				/* fall through to the VM below */
			} else if (ch >= '1' && ch <= '9') {
				unsigned vm = (unsigned)(ch - '1');
				if (vm < c->nvms && c->framed) {
					char frame[3] = { CONSOLE_ESC, CONSOLE_FOCUS, (char)('0' + vm) };
					to_qemu(c, frame, 3);
				} else {
					help(c);
				}
				continue;
			} else if ((ch == 'm' || ch == 'M') && c->framed) {
				c->in_monitor = true;
				c->mon_len = 0;
				puts_(c, "\n[monitor: help lists the commands; an empty line returns]\n");
				prompt(c);
				continue;
			} else if (ch == 'x' || ch == 'X') {
				c->quit = true;
				continue;
			} else {
				help(c);
				continue;
			}
		} else if (c->in_monitor) {
			if (ch == CONSOLE_CTRL_A)
				c->ctrl_a = true;
			else
				monitor_key(c, ch);
			continue;
		} else if (ch == CONSOLE_CTRL_A) {
			c->ctrl_a = true;
			continue;
		}
		if (c->framed && ch == CONSOLE_ESC) {
			char esc[2] = { CONSOLE_ESC, CONSOLE_ESC };
			to_qemu(c, esc, 2);
		} else {
			to_qemu(c, &ch, 1);
		}
	}
}
