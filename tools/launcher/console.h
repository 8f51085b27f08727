/*
 * The launcher's console: it owns the terminal and relays the serial line
 * of QEMU (a chardev of its own, no QEMU multiplexer) in both directions.
 *
 * Out (QEMU -> us): the framed stream of trapeze/console_proto.h. The VM in
 * focus passes through raw (partial lines and prompts included); other
 * VMs' lines are labelled "[NAME] ", coloured only on a terminal. Not on a
 * terminal, the format is the one the tests read: one VM raw, several VMs
 * every line labelled, Trapeze's lines "trapeze: ..." as they come.
 *
 * In (us -> QEMU): Ctrl-A then a digit moves the focus to that VM (1 =
 * the first), Ctrl-A Ctrl-A sends a Ctrl-A, Ctrl-A m opens the monitor
 * prompt, Ctrl-A x ends the run, Ctrl-A h prints this help; everything else
 * goes to the VM in focus.
 *
 * The monitor: command lines from the prompt or from `trapeze monitor`
 * clients of the run's Unix socket (one line in, the reply out, then the
 * connection closes), sent to Trapeze one at a time.
 */
#ifndef LAUNCHER_CONSOLE_H
#define LAUNCHER_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <trapeze/bootinfo.h>

#define CONSOLE_LINE_MAX        256     /* a labelled line is cut here, as Trapeze did */
#define CONSOLE_CTRL_A          0x01
#define CONSOLE_MON_QUEUE       16

/* Where console bytes go: our stdout in a run, a buffer in unit tests. */
typedef void (*console_sink_fn)(void *ctx, const char *buf, size_t len);

struct console_vm {
	char name[BOOTINFO_NAME_MAX];
	char line[CONSOLE_LINE_MAX];    /* its partial line while not in focus */
	size_t len;
};

struct console_req {
	int fd;                         /* the socket client, -1 for the prompt */
	char line[200];
};

struct console {
	/* set up by console_init */
	bool framed;                    /* Trapeze's stream (a --bare run is plain) */
	bool tty;                       /* stdout and stdin are a terminal */
	unsigned nvms;
	struct console_vm vms[BOOTINFO_MAX_VMS];
	console_sink_fn out;            /* what the user sees */
	console_sink_fn to_qemu;        /* the serial line's input */
	void *ctx;
	/* output parser */
	int chan;                       /* >= 0 a VM, -1 Trapeze's log, -2 a reply */
	int esc;                        /* 0, or the frame byte being read */
	unsigned focus;
	bool at_bol;                    /* the terminal's cursor is at a line start */
	char focus_line[CONSOLE_LINE_MAX];      /* the focused VM's partial line (reprinted) */
	size_t focus_len;
	char log_line[CONSOLE_LINE_MAX];        /* Trapeze's partial line, on a terminal */
	size_t log_len;
	/* input */
	bool ctrl_a;                    /* the last key was Ctrl-A */
	bool in_monitor;                /* the prompt is open */
	char mon_line[200];
	size_t mon_len;
	bool quit;                      /* Ctrl-A x */
	/* monitor requests: [0] is in flight when busy */
	struct console_req reqs[CONSOLE_MON_QUEUE];
	unsigned nreqs;
	bool busy;
	char *reply;                    /* the reply being received */
	size_t reply_len, reply_cap;
	void (*reply_done)(struct console *c, const struct console_req *r,
			   const char *text, size_t len);
};

void console_init(struct console *c, bool framed, bool tty, unsigned nvms,
		  const char names[][BOOTINFO_NAME_MAX]);
/* Frees what the console allocated (the reply buffer). */
void console_fini(struct console *c);
/* Bytes QEMU's serial line sent. */
void console_from_qemu(struct console *c, const char *buf, size_t len);
/* Bytes the user typed. */
void console_from_user(struct console *c, const char *buf, size_t len);
/* A monitor command from a socket client FD (-1: the prompt). 0, or -1
 * when the queue is full. */
int console_monitor_request(struct console *c, int fd, const char *line);

/*
 * Runs QEMU (ARGV) with its serial line on pipes, the terminal in raw mode
 * when stdin is one, and a monitor socket at MONITOR_PATH when framed
 * (NULL: none). HANG_TIMEOUT_S as qemu_run. Returns the exit status as
 * qemu_run does.
 */
int console_run(char *const argv[], unsigned hang_timeout_s, bool framed, unsigned nvms,
		const char names[][BOOTINFO_NAME_MAX], const char *monitor_path);

/* trapeze monitor [--socket PATH] CMD...: argc/argv after "monitor". */
int console_monitor_main(int argc, char **argv);
/* The folder runs put their sockets in: $XDG_RUNTIME_DIR/trapeze, else
 * /tmp/trapeze-UID. */
int console_socket_dir(char *out, size_t len);

#endif
