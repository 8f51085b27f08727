"""Network rows of make bench (issue 12, item 9), imported by bench.py.

- net-host-tput (MB/s, higher is better): a host program (urllib) fetches
  BENCH_NET_MB MiB from the VM's busybox httpd through user networking's
  hostfwd on 127.0.0.1; bare QEMU: QEMU's own virtio-net on user networking,
  Trapeze: the VM's NIC on a switch whose uplink is the host's virtio-net.
- net-host-rtt (ns): the VM pings the user network's gateway (10.0.2.2, QEMU
  answers it itself), the average of 10.
- net-vm-tput (MB/s, higher is better): VM client fetches BENCH_NET_MB MiB
  from VM web (busybox wget into dd, dd's own rate); bare QEMU: two QEMUs,
  each with QEMU's virtio-net, joined by a QEMU socket netdev over
  127.0.0.1; Trapeze: both VMs on one switch.
- net-vm-rtt (ns): client pings web, the average of 10.

The same Linux Image and initramfs on both sides; the guests set their own
addresses (10.0.2.15 by DHCP for the host rows, static for the VM rows).
"""
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

NET_MB = int(os.environ.get("BENCH_NET_MB", "16"))
HIGHER_IS_BETTER = {"net-host-tput", "net-vm-tput"}
PING = "ping -c 10 -i 0.2 {} %7C tail -1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A process whose output is read as it comes."""

    def __init__(self, args):
        self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.p.stdout:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout=600):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for l in self.lines:
                    m = re.search(pattern, l)
                    if m:
                        return m
                if self.eof or time.monotonic() > deadline:
                    raise RuntimeError(f"no {pattern!r}:\n" + "\n".join(self.lines[-30:]))
                self.cond.wait(0.5)

    def finish(self, timeout=300):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, 9)
            return self.p.wait()


def rtt_ns(m):
    return int(float(m.group(1)) * 1e6)


def release(port, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                if s.recv(16).startswith(b"ack"):
                    s.sendall(b"bye\n")
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the VM's release port never answered")


def vm_section(name, image, initrd, cmd, **keys):
    lines = [f"[vm {name}]", f"kernel = {image}", f"initrd = {initrd}", "memory = 256M",
             f'bootargs = console=ttyS0 quiet trapeze.cmd="{cmd}"']
    lines += [f"{k} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def host_run(launcher, cpu, image, initrd, bare, engine, vm_keys):
    """net-host-tput (MB/s) and net-host-rtt (ns) for one side."""
    http, rel = free_port(), free_port()
    cmd = ("udhcpc -q -n -t 20 -i eth0 >/dev/null && " + PING.format("10.0.2.2") + " && "
           f"mkdir /www && dd if=/dev/zero of=/www/blob bs=1M count={NET_MB} 2>/dev/null && "
           "httpd -h /www && echo web-ready && echo ack %7C nc -l -p 81 >/dev/null")
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "net.ini")
        with open(cfg, "w") as f:
            f.write(f"[machine]\nhang-timeout = 0\n[net lan]\nuplink = user\n"
                    f"hostfwd = tcp:{http} web:80\nhostfwd = tcp:{rel} web:81\n")
            f.write(vm_section("web", image, initrd, cmd, net="lan", address="dhcp",
                               engine=engine, **vm_keys))
        p = Proc([launcher, "run", "--cpu", cpu] + (["--bare"] if bare else []) + [cfg])
        try:
            rtt = rtt_ns(p.wait_for(r"round-trip min/avg/max = [\d.]+/([\d.]+)/"))
            p.wait_for(r"^(\[web\] )?web-ready")
            start = time.monotonic()
            n = len(urllib.request.urlopen(f"http://127.0.0.1:{http}/blob", timeout=600).read())
            secs = time.monotonic() - start
            release(rel)
        finally:
            status = p.finish()
    if status != 0 or n != NET_MB << 20:
        raise RuntimeError("net host benchmark failed:\n" + "\n".join(p.lines[-30:]))
    return {"net-host-tput": n / secs / 1e6, "net-host-rtt": rtt}


WEB_VM = ("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && mkdir /www && "
          "echo ok > /www/index.html && "
          f"dd if=/dev/zero of=/www/blob bs=1M count={NET_MB} 2>/dev/null && httpd -h /www && "
          "echo ack %7C nc -l -p 81 >/dev/null")
CLIENT_VM = ("ip addr add 10.0.2.40/24 dev eth0 && ip link set eth0 up && "
             "until ping -c 1 -W 1 10.0.2.15 >/dev/null; do sleep 1; done; "
             "until wget -q -O /dev/null http://10.0.2.15/; do sleep 1; done; " +
             PING.format("10.0.2.15") + " && "
             "wget -q -O - http://10.0.2.15/blob %7C dd of=/dev/null bs=64k 2>%261 %7C tail -1; "
             "echo bye %7C nc -w 2 10.0.2.15 81")
DD_RATE = r"(\d+) bytes .* copied, ([\d.]+) seconds"


def vm_results(lines):
    text = "\n".join(lines)
    rtt = re.search(r"round-trip min/avg/max = [\d.]+/([\d.]+)/", text)
    dd = re.search(DD_RATE, text)
    if not rtt or not dd or int(dd.group(1)) != NET_MB << 20:
        raise RuntimeError("net VM benchmark failed:\n" + text[-3000:])
    return {"net-vm-tput": int(dd.group(1)) / float(dd.group(2)) / 1e6, "net-vm-rtt": rtt_ns(rtt)}


def vm_run(launcher, cpu, image, initrd, bare, engine, vm_keys):
    """net-vm-tput (MB/s) and net-vm-rtt (ns) for one side."""
    with tempfile.TemporaryDirectory() as d:
        if not bare:
            cfg = os.path.join(d, "net.ini")
            with open(cfg, "w") as f:
                f.write("[machine]\nhang-timeout = 0\nharts = 2\n")
                f.write(vm_section("web", image, initrd, WEB_VM, net="lan", engine=engine,
                                   **vm_keys))
                f.write(vm_section("client", image, initrd, CLIENT_VM, net="lan",
                                   engine=engine, **vm_keys))
            p = Proc([launcher, "run", "--cpu", cpu, cfg])
            status = p.finish(timeout=1800)
            if status != 0:
                raise RuntimeError("net VM benchmark failed:\n" + "\n".join(p.lines[-30:]))
            return vm_results(p.lines)
        # Bare: each VM's own QEMU command line from the launcher, its
        # lone hub port replaced by a UDP socket netdev joining the two
        # over 127.0.0.1 (no listener to start first).
        ports = {"web": free_port(), "client": free_port()}
        procs = []
        for name, cmd, peer in (("web", WEB_VM, "client"), ("client", CLIENT_VM, "web")):
            cfg = os.path.join(d, f"{name}.ini")
            with open(cfg, "w") as f:
                f.write(vm_section(name, image, initrd, cmd, net="lan"))
            args = subprocess.run([launcher, "run", "--cpu", cpu, "--bare", "--dry-run", cfg],
                                  stdout=subprocess.PIPE, check=True).stdout.decode().split("\n")
            args = [a for a in args if a]
            args[args.index("hubport,id=uplink,hubid=0")] = (
                f"socket,id=uplink,udp=127.0.0.1:{ports[peer]},localaddr=127.0.0.1:{ports[name]}")
            procs.append(Proc(args))
        status = [procs[1].finish(timeout=1800)]
        if status[0]:
            os.killpg(procs[0].p.pid, 9)       # the client failed: web waits for nothing
        status.append(procs[0].finish(timeout=120))
        if any(status):
            raise RuntimeError(f"bare net VM benchmark failed ({status}):\n" +
                               "\n".join(procs[0].lines[-10:] + procs[1].lines[-10:]))
        return vm_results(procs[1].lines)
