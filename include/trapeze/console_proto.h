/*
 * The console stream between the launcher and Trapeze: one serial line
 * (QEMU's ns16550, on a chardev of its own) carrying every VM's console,
 * Trapeze's log and the monitor, framed with one escape byte. Only when
 * the launcher sets BOOTINFO_F_FRAMED; OpenSBI's banner before Trapeze
 * starts is plain text, read as Trapeze's own channel.
 *
 * Trapeze -> launcher: bytes belong to the current channel, switched by
 *   ESC 'v' '0'+i   VM i's console output (i < BOOTINFO_MAX_VMS)
 *   ESC 't'         Trapeze's log (lines "trapeze: ...")
 *   ESC 'r'         a monitor reply begins (text lines)
 *   ESC 'R'         the monitor reply ends (back to Trapeze's log)
 *   ESC 'f' '0'+i   console input now goes to VM i (its focus)
 *   ESC 'x' '0'+i   VM i has ended (its partial line, if any, is complete)
 *   ESC ESC         a literal ESC byte in the current channel
 * launcher -> Trapeze:
 *   ESC ESC         a literal ESC byte for the VM in focus
 *   ESC 'f' '0'+i   focus on VM i
 *   ESC 'm' TEXT \n a monitor command line (TEXT without ESC or newline)
 *   any other byte  input for the VM in focus
 */
#ifndef TRAPEZE_CONSOLE_PROTO_H
#define TRAPEZE_CONSOLE_PROTO_H

#define CONSOLE_ESC             0x1c    /* ASCII FS: no terminal key sends it unasked but Ctrl-\ */
#define CONSOLE_CHAN_VM         'v'
#define CONSOLE_CHAN_LOG        't'
#define CONSOLE_REPLY_BEGIN     'r'
#define CONSOLE_REPLY_END       'R'
#define CONSOLE_FOCUS           'f'
#define CONSOLE_VM_ENDED        'x'
#define CONSOLE_MONITOR         'm'
#define CONSOLE_MONITOR_MAX     200     /* bytes of one command line */

#endif
