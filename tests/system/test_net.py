"""Networks under Trapeze (issue 12, item 6): three Linux VMs, `web` and
`client` on switch `lan`, `loner` on switch `other`. web takes its address
from QEMU's DHCP server through the switch's uplink (by the MAC derived from
its name) and serves pages with busybox httpd; client, with a static
address, pings web and fetches a 256 KiB file from it (the same MD5 on both
sides); a host program (urllib) fetches web's page through the uplink's
hostfwd on a 127.0.0.1 port picked at run time; loner, on the other switch,
reaches nobody, and Trapeze's statistics show it received no frame while
the others did. One boot of the three per engine: trap without and with H,
and hw. Beside it: the NIC web sees under Trapeze is the one bare QEMU
shows (same MAC, same DHCP lease, same page through hostfwd), and the
launcher's network config errors as FILE:LINE."""
import os
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from test_lifecycle import Launch
from trapeze_run import BUILD, LAUNCHER, run

IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")

pytestmark = pytest.mark.skipif(not os.path.exists(IMAGE) or not os.path.exists(INITRD),
                                reason="make linux has not built the guest")

# (web's engine, the others' engine, CPU): all trap without H; with H, web
# under trap beside hw neighbours (one switch, both engines); all hw.
ENGINES = [("trap", "trap", "rv64,h=false"), ("trap", "hw", "rv64,h=true"),
           ("hw", "hw", "rv64,h=true")]
IDS = ["trap-noH", "trap-H", "hw"]
PAGE = "hello-from-web"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def linux(cmd, **opts):
    o = {"kernel": IMAGE, "initrd": INITRD, "memory": "128M",
         "bootargs": f'console=ttyS0 quiet trapeze.cmd="{cmd}"'}
    o.update(opts)
    return o


# web: DHCP, a page and a 256 KiB file, httpd; then waits for the host's
# release on port 81 (nc answers "ack", prints what the host sent).
WEB_CMD = ("udhcpc -q -n -t 20 -i eth0 >/dev/null && ip -4 addr show eth0 %7C grep -o 'inet [0-9./]*' && "
           f"mkdir /www && echo {PAGE} > /www/index.html && "
           "dd if=/dev/urandom of=/www/blob bs=1024 count=256 2>/dev/null && "
           "md5sum /www/blob %7C cut -c1-32 %7C sed s/^/web-md5:/ && httpd -h /www && echo web-ready && "
           "echo ack %7C nc -l -p 81")
# client: static address, waits for web, pings it, fetches the file.
CLIENT_CMD = ("ip addr add 10.0.2.40/24 dev eth0 && ip link set eth0 up && "
              "until ping -c 1 -W 1 10.0.2.15 >/dev/null; do sleep 1; done; "
              "ping -c 3 -W 5 10.0.2.15 %7C grep -o '3 packets received' && "
              "until wget -q -O /tmp/blob http://10.0.2.15/blob; do sleep 1; done; "
              "md5sum /tmp/blob %7C cut -c1-32 %7C sed s/^/client-md5:/ && wget -q -O - http://10.0.2.15/")
# loner: the same subnet on another switch: nobody answers.
LONER_CMD = ("ip addr add 10.0.2.41/24 dev eth0 && ip link set eth0 up && "
             "(ping -c 3 -W 2 10.0.2.15 >/dev/null %7C%7C echo isolated) && echo loner-waits && "
             "sleep 100000")


def net_stats(text, vm):
    m = re.search(rf"stats {vm} net:(.*)", text)
    return dict(kv.split("=") for kv in m.group(1).split()) if m else {}


def fetch(url, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=10).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def release(port, timeout=60):
    """Connect to the guest's `nc -l -p 81` through hostfwd: "ack" back,
    then "bye" and close. Retried while nc is not listening yet (slirp
    accepts on the host side and then closes)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                if s.recv(16).startswith(b"ack"):
                    s.sendall(b"bye\n")
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("port 81 of web never answered")
        time.sleep(1)


class NetLaunch(Launch):
    """Launch (test_lifecycle.py) with [net] sections: write_config knows
    only [machine] and [vm]."""

    def __init__(self, vms, engine, cpu, nets, machine=None, bare=False):
        import tempfile
        import threading
        from trapeze_run import write_config
        self.dir = tempfile.TemporaryDirectory()
        cfg = os.path.join(self.dir.name, "vm.ini")
        self.sock = os.path.join(self.dir.name, "mon.sock")
        write_config(cfg, vms, machine or {}, engine=engine)
        with open(cfg, "a") as f:
            f.write(nets)
        args = [LAUNCHER, "run", "--cpu", cpu] + (["--bare"] if bare else ["--monitor", self.sock])
        self.p = subprocess.Popen(args + [cfg],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        self.eof = False
        self.cond = threading.Condition()
        threading.Thread(target=self._reader, daemon=True).start()


@pytest.mark.parametrize("engine,others,cpu", ENGINES, ids=IDS)
def test_two_vms_exchange_data_third_isolated_host_fetches(engine, others, cpu):
    http, rel = free_port(), free_port()
    vms = [
        ("web", linux(WEB_CMD, net="lan", address="dhcp")),
        ("client", linux(CLIENT_CMD, net="lan", address="10.0.2.40", engine=others)),
        ("loner", linux(LONER_CMD, net="other", engine=others)),
    ]
    nets = f"[net lan]\nuplink = user\nhostfwd = tcp:{http} web:80\nhostfwd = tcp:{rel} web:81\n"
    # A silent guest waiting on the network is not hung: no watchdog; the
    # waits below bound the run instead.
    r = NetLaunch(vms, engine, cpu, nets, machine={"hang-timeout": 0, "harts": 2})
    try:
        assert r.wait_for(r"^\[web\] inet ", timeout=400) == "[web] inet 10.0.2.15/24"
        web_md5 = r.wait_for(r"^\[web\] web-md5:", timeout=200).split(":")[1]
        r.wait_for(r"^\[client\] 3 packets received", timeout=400)
        client_md5 = r.wait_for(r"^\[client\] client-md5:", timeout=200).split(":")[1]
        assert client_md5 == web_md5
        assert r.wait_for(r"^\[client\] " + PAGE, timeout=60)
        # The host, through the uplink's hostfwd on 127.0.0.1.
        assert fetch(f"http://127.0.0.1:{http}/") == PAGE + "\n"
        assert r.wait_for(r"^\[loner\] isolated", timeout=400)
        r.wait_for(r"^\[loner\] loner-waits", timeout=60)
        stats = r.mon("stats loner") + r.mon("stats web") + r.mon("stats client")
        loner, web, client = (net_stats(stats, v) for v in ("loner", "web", "client"))
        assert "rx" not in loner and int(loner.get("tx", 0)) > 0, stats
        # The 256 KiB file alone is about 180 full frames one way, 90
        # acknowledgements the other.
        assert int(web["rx"]) > 50 and int(client["rx"]) > 150, stats
        assert "destroy requested" in r.mon("destroy loner")
        release(rel)
        assert r.wait_for(r"^\[web\] bye", timeout=60)
    except BaseException:
        os.killpg(r.p.pid, 9)
        raise
    finally:
        status = r.finish(timeout=120)
    text = r.text()
    assert status == 0, text
    assert "[client] trapeze-init: exit 0" in text and "[web] trapeze-init: exit 0" in text, text
    assert re.search(r"vm web: virtio-net in slot 7: 02:[0-9a-f:]+ on switch 0 \(uplink\)", text)
    assert "vm loner: virtio-net in slot 7:" in text and "on switch 1" in text
    assert "panic" not in text.lower(), text


HOSTILE = os.path.join(BUILD, "guests", "hostile_virtio.bin")
# What the hostile NIC driver (guests/hostile_virtio/net.c) reports, in
# order: each attack, then the same NIC transmitting again after a reset.
HOSTILE_ATTACKS = ["transmit descriptor loop", "transmit buffer outside RAM", "oversized frame",
                   "device-writable transmit buffer", "receive buffers outside RAM"]


@pytest.mark.parametrize("engine,cpu", [("trap", "rv64,h=false"), ("hw", "rv64,h=true")])
def test_hostile_nic_beside_neighbours_exchanging(engine, cpu):
    """Issue 12, item 3: a guest attacking its own virtio-net (looping and
    oversized transmit chains, buffers outside its RAM, a device-writable
    transmit buffer, receive buffers outside its RAM, notifications of
    queues that do not exist, a flood of broadcasts) on the switch where
    two Linux VMs exchange a file: their copy arrives whole, every attack
    leaves the attacker's NIC needing a reset (or dropping the frame)
    and working after it, and Trapeze goes on to a clean end."""
    web_cmd = ("ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && mkdir /www && "
               "dd if=/dev/urandom of=/www/blob bs=1024 count=256 2>/dev/null && "
               "md5sum /www/blob %7C cut -c1-32 %7C sed s/^/web-md5:/ && httpd -h /www && "
               "echo web-ready && sleep 100000")
    # client also asks, every second or two, for an address nobody has: ARP
    # broadcasts, which the switch floods to the hostile VM's receive queue.
    client_cmd = ("ip addr add 10.0.2.40/24 dev eth0 && ip link set eth0 up && "
                  "(while true; do ping -c 1 -W 1 10.0.2.99 >/dev/null; done) & "
                  "until ping -c 1 -W 1 10.0.2.15 >/dev/null; do sleep 1; done; "
                  "for i in 1 2 3; do until wget -q -O /tmp/blob http://10.0.2.15/blob; do sleep 1; done; "
                  "md5sum /tmp/blob %7C cut -c1-32 %7C sed s/^/client-md5:/; done")
    vms = [
        ("web", linux(web_cmd, net="lan")),
        ("client", linux(client_cmd, net="lan")),
        ("hv", {"kernel": HOSTILE, "memory": "64M", "net": "lan",
                "bootargs": "hostile_virtio.dev=net hostile_virtio.flood=3000"}),
    ]
    r = NetLaunch(vms, engine, cpu, "[net lan]\n", machine={"hang-timeout": 0, "harts": 2})
    try:
        web_md5 = r.wait_for(r"^\[web\] web-md5:", timeout=400).split(":")[1]
        for _ in range(3):
            assert r.wait_for(r"^\[client\] client-md5:", timeout=400).split(":")[1] == web_md5
        r.wait_for(r"^\[hv\] done", timeout=400)
        r.wait_for(r"^\[client\] trapeze-init: exit 0", timeout=60)
        stats = r.mon("stats hv")
        assert "destroy requested" in r.mon("destroy web")
    except BaseException:
        os.killpg(r.p.pid, 9)
        raise
    finally:
        status = r.finish(timeout=120)
    text = r.text()
    assert status == 0, text
    hv = [l[len("[hv] "):] for l in r.lines if l.startswith("[hv] ")]
    assert hv[0] == "honest transmit: used", text
    for what in HOSTILE_ATTACKS:
        i = next(i for i, l in enumerate(hv) if l.startswith(what + ":"))
        assert hv[i] in (f"{what}: device error, needs-reset 1", f"{what}: used, needs-reset 0"), hv
        assert hv[i + 1] == "  after reset: transmit used", hv
    assert "receive buffers outside RAM: device error, needs-reset 1" in hv, hv
    assert "after notify of queue 5: transmit used" in hv, hv
    assert "flood: 3000 of 3000 frames sent" in hv, hv
    assert int(net_stats(stats, "hv")["tx"]) >= 3000, stats
    assert "panic" not in text.lower() and "unexpected" not in text, text


def test_nic_matches_bare_qemu():
    """web alone: the NIC, its MAC and DHCP lease, and the page through
    hostfwd, the same on bare QEMU (QEMU's own virtio-net on user
    networking) and under Trapeze (hw)."""
    cmd = ("cat /sys/class/net/eth0/address && udhcpc -q -n -t 20 -i eth0 >/dev/null && "
           "ip -4 addr show eth0 %7C grep -o 'inet [0-9./]*' && "
           "mkdir /www && echo " + PAGE + " > /www/index.html && httpd -h /www && echo web-ready && "
           "echo ack %7C nc -l -p 81")
    outs = []
    for bare in (True, False):
        http, rel = free_port(), free_port()
        nets = f"[net lan]\nuplink = user\nhostfwd = tcp:{http} web:80\nhostfwd = tcp:{rel} web:81\n"
        vm = [("web", linux(cmd, net="lan", address="dhcp"))]
        r = NetLaunch(vm, "hw", "rv64,h=true", nets, machine={"hang-timeout": 0}, bare=bare)
        try:
            r.wait_for(r"web-ready", timeout=300)
            assert fetch(f"http://127.0.0.1:{http}/") == PAGE + "\n"
            release(rel)
        except BaseException:
            os.killpg(r.p.pid, 9)
            raise
        finally:
            status = r.finish(timeout=120)
        assert status == 0, r.text()
        lines = [l for l in r.lines if l.startswith(("02:", "inet ", "bye"))]
        outs.append(lines)
    assert outs[0] == outs[1], outs
    assert outs[0] == ["02:5e:a0:e1:19:48", "inet 10.0.2.15/24", "bye"], outs


def test_launcher_network_args_and_errors(tmp_path):
    """The launcher's QEMU line for an uplink (restrict=on, the forwarded
    port to the DHCP address), and a forward to a VM without an address
    refused as FILE:LINE before QEMU starts."""
    cfg = str(tmp_path / "net.ini")
    port = free_port()
    with open(cfg, "w") as f:
        f.write(f"[net lan]\nuplink = user\nhostfwd = tcp:{port} web:80\n"
                f"[vm web]\nkernel = {IMAGE}\nmemory = 64M\nnet = lan\naddress = dhcp\n")
    p = subprocess.run([LAUNCHER, "run", "--dry-run", cfg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=True)
    args = p.stdout.decode().split("\n")
    assert ("user,id=uplink,restrict=on,net=10.0.2.0/24,dhcpstart=10.0.2.15,"
            f"hostfwd=tcp:127.0.0.1:{port}-10.0.2.15:80") in args
    assert "virtio-net-device,netdev=uplink" in args
    with open(cfg, "w") as f:
        f.write(f"[net lan]\nuplink = user\nhostfwd = tcp:{port} web:80\n"
                f"[vm web]\nkernel = {IMAGE}\nmemory = 64M\nnet = lan\n")
    p = subprocess.run([LAUNCHER, "run", "--dry-run", cfg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    assert p.returncode != 0
    assert f"{cfg}:3: hostfwd: [vm web] has no address" in p.stdout.decode(), p.stdout.decode()
