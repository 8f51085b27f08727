"""virtio under Trapeze (issue 12): Linux mounts an ext2 disk (`disk =` in a
VM's config, a virtio-blk device backed by QEMU's own virtio-blk on the
host board), reads what the host put there, writes and flushes, and the
host reads the guest's file back from the image (debugfs); the same
command line on bare QEMU with the same disk prints the same; a read-only
disk refuses writes and the host file is unchanged; a write the guest
flushed is in the file even when the VM ends abruptly right after; the
virtio-rng gives entropy; the launcher refuses more devices than the host
board's eight slots as FILE:LINE."""
import hashlib
import os
import re
import shutil
import subprocess

import pytest

from trapeze_run import BUILD, LAUNCHER, run, write_config

IMAGE = os.path.join(BUILD, "linux", "Image")
INITRD = os.path.join(BUILD, "linux", "initramfs.cpio.gz")
MKE2FS = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
DEBUGFS = shutil.which("debugfs") or "/usr/sbin/debugfs"

pytestmark = pytest.mark.skipif(
    not os.path.exists(IMAGE) or not os.path.exists(INITRD) or not os.path.exists(DEBUGFS),
    reason="make linux has not built the guest, or e2fsprogs is missing")

HOST_TEXT = "written by the host"
GUEST_TEXT = "written by the guest"

# Mount, read the host's file, write one, flush it (sync: the guest's
# FLUSH reaches the host device), unmount; 32 bytes of entropy.
DISK_CMD = ("mkdir /tmp/m && mount -t ext2 /dev/vda /tmp/m && cat /tmp/m/host.txt && "
            f"echo {GUEST_TEXT} > /tmp/m/guest.txt && sync && umount /tmp/m && echo unmounted && "
            "cat /sys/block/vda/size && head -c 32 /dev/hwrng %7C wc -c && "
            "cat /sys/class/misc/hw_random/rng_current")


def make_ext2(path, size="16M"):
    root = path + ".root"
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "host.txt"), "w") as f:
        f.write(HOST_TEXT + "\n")
    subprocess.run(["truncate", "-s", size, path], check=True)
    subprocess.run([MKE2FS, "-q", "-t", "ext2", "-d", root, "-F", path], check=True)
    return path


def debugfs_cat(image, name):
    p = subprocess.run([DEBUGFS, "-R", f"cat /{name}", image], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, check=True)
    return p.stdout.decode()


def linux_vm(cmd, disks=(), rng=False, engine=None):
    opts = {"kernel": IMAGE, "initrd": INITRD, "memory": "256M",
            "bootargs": f'console=ttyS0 quiet trapeze.cmd="{cmd}"'}
    if engine:
        opts["engine"] = engine
    if rng:
        opts["rng"] = "on"
    vm = ("linux", opts)
    # `disk` may repeat: write_config writes one key per dict entry, so
    # several disks go in as one value with the following ones on lines.
    if disks:
        opts["disk"] = "\ndisk = ".join(disks)
    return vm


def init_lines(r):
    lines = [l for l in r.guest_lines if not re.match(r"^\[\s*\d+\.\d+\]", l)
             and not l.startswith("trapeze-init: boottime")]
    return lines[lines.index("trapeze-init: start"):] if "trapeze-init: start" in lines else lines


@pytest.mark.parametrize("cpu,engine", [("rv64,h=false", "trap"), ("rv64,h=true", "trap"),
                                        ("rv64,h=true", "hw")])
def test_linux_mounts_writes_and_host_reads_back(tmp_path, cpu, engine):
    img = make_ext2(str(tmp_path / "disk.img"))
    r = run([linux_vm(DISK_CMD, [img], rng=True, engine=engine)], cpu=cpu,
            machine={"hang-timeout": 60}, timeout=600)
    assert r.status == 0, r.output
    assert init_lines(r)[:7] == ["trapeze-init: start", HOST_TEXT, "unmounted", "32768", "32",
                                 "virtio_rng.0", "trapeze-init: exit 0"], r.output
    assert debugfs_cat(img, "guest.txt") == GUEST_TEXT + "\n"
    log = "\n".join(r.log_lines)
    assert "virtio-blk in slot 7: host disk in slot 7" in log
    assert "virtio-rng in slot 6: host rng in slot 6" in log
    assert re.search(r"mmio: .*virtio7=\d+", log), log


def test_linux_disk_command_line_matches_bare(tmp_path):
    # One image, copied: the superblock's UUID and times are mke2fs's.
    bare_img = make_ext2(str(tmp_path / "bare.img"))
    virt_img = str(tmp_path / "virt.img")
    shutil.copyfile(bare_img, virt_img)
    cmd = ("dd if=/dev/vda bs=512 skip=2 count=2 2>/dev/null %7C md5sum && "
           "mkdir /tmp/m && mount -t ext2 /dev/vda /tmp/m && ls /tmp/m && cat /tmp/m/host.txt && "
           "cat /sys/block/vda/size /sys/block/vda/ro /sys/block/vda/queue/logical_block_size && "
           f"echo {GUEST_TEXT} > /tmp/m/guest.txt && sync && umount /tmp/m && "
           "ls /sys/bus/virtio/devices %7C wc -l")
    bare = run([linux_vm(cmd, [bare_img], rng=True)], bare=True, machine={"hang-timeout": 60},
               timeout=600)
    # Under hw (the quicker engine; the mount test above covers trap).
    virt = run([linux_vm(cmd, [virt_img], rng=True, engine="hw")], cpu="rv64,h=true",
               machine={"hang-timeout": 60}, timeout=600)
    assert bare.status == 0 and virt.status == 0, virt.output
    assert init_lines(bare) == init_lines(virt), (bare.output, virt.output)
    assert len(init_lines(virt)) > 8, virt.output
    assert debugfs_cat(bare_img, "guest.txt") == debugfs_cat(virt_img, "guest.txt") == \
        GUEST_TEXT + "\n"


def test_linux_readonly_disk_refuses_writes(tmp_path):
    img = make_ext2(str(tmp_path / "ro.img"))
    before = hashlib.sha256(open(img, "rb").read()).hexdigest()
    cmd = ("cat /sys/block/vda/ro && mkdir /tmp/m && mount -t ext2 -o ro /dev/vda /tmp/m && "
           "cat /tmp/m/host.txt && umount /tmp/m; "
           "dd if=/dev/zero of=/dev/vda bs=512 count=1 2>/dev/null %7C%7C echo refused")
    r = run([linux_vm(cmd, [img + " readonly"], engine="hw")], cpu="rv64,h=true",
            machine={"hang-timeout": 60}, timeout=600)
    assert r.status == 0, r.output
    assert init_lines(r)[:5] == ["trapeze-init: start", "1", HOST_TEXT, "refused",
                                 "trapeze-init: exit 0"], r.output
    assert hashlib.sha256(open(img, "rb").read()).hexdigest() == before


def test_flushed_write_survives_abrupt_end(tmp_path):
    """fsync in the guest (dd conv=fsync for the data, syncfs for the
    directory: each ends with a FLUSH), then the VM powers off at
    once (busybox poweroff -f -n: the reboot system call, no sync, the file
    system still mounted): the host has the data."""
    img = make_ext2(str(tmp_path / "crash.img"))
    cmd = ("mkdir /tmp/m && mount -t ext2 /dev/vda /tmp/m && "
           f"echo {GUEST_TEXT} %7C dd of=/tmp/m/guest.txt conv=fsync 2>/dev/null && "
           "sync -f /tmp/m && echo flushed && poweroff -f -n")
    r = run([linux_vm(cmd, [img], engine="hw")], cpu="rv64,h=true",
            machine={"hang-timeout": 60}, timeout=600)
    assert "flushed" in r.guest_lines, r.output
    assert "trapeze-init: exit" not in r.output     # init never saw the end
    assert debugfs_cat(img, "guest.txt") == GUEST_TEXT + "\n"


def test_launcher_refuses_more_devices_than_host_slots(tmp_path):
    img = make_ext2(str(tmp_path / "d.img"), size="1M")
    cfg = str(tmp_path / "many.ini")
    with open(cfg, "w") as f:
        f.write(f"[vm a]\nkernel = {IMAGE}\nmemory = 64M\n")
        for _ in range(5):
            f.write(f"disk = {img}\n")
        f.write(f"[vm b]\nkernel = {IMAGE}\nmemory = 64M\n")
        for _ in range(3):
            f.write(f"disk = {img}\n")
        f.write("rng = on\n")
    p = subprocess.run([LAUNCHER, "run", "--dry-run", cfg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    assert p.returncode != 0
    # 8 disks fill the board; the rng is the ninth device, on line 15.
    assert f"{cfg}:15:" in p.stdout.decode(), p.stdout.decode()


def test_launcher_passes_devices_to_qemu(tmp_path):
    img = make_ext2(str(tmp_path / "d.img"), size="1M")
    cfg = str(tmp_path / "two.ini")
    write_config(cfg, [("a", {"kernel": IMAGE, "memory": "64M", "disk": img + " readonly",
                              "rng": "on"})])
    p = subprocess.run([LAUNCHER, "run", "--dry-run", cfg], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, check=True)
    args = p.stdout.decode().split("\n")
    assert f"file={img},format=raw,if=none,id=disk0,cache=writeback,readonly=on" in args
    assert "virtio-blk-device,drive=disk0" in args
    assert "virtio-rng-device" in args
    assert args.index("virtio-blk-device,drive=disk0") < args.index("virtio-rng-device")


# ---- a hostile virtio driver beside a neighbour whose disk keeps working ----

HOSTILE = os.path.join(BUILD, "guests", "hostile_virtio.bin")
# Bare QEMU maps a buffer outside RAM to nothing and completes the request;
# Trapeze refuses it as it refuses every buffer outside the VM: the device
# needs a reset (the driver's reset brings it back, as the next line shows).
OUTSIDE_RAM_BARE = "buffer outside RAM: used, needs-reset 0"
OUTSIDE_RAM_TRAPEZE = "buffer outside RAM: device error, needs-reset 1"


def guest_vm(name, img, bootargs=""):
    opts = {"kernel": HOSTILE, "memory": "64M", "disk": img}
    if bootargs:
        opts["bootargs"] = bootargs
    return (name, opts)


def vm_lines(r, name=None):
    """A guest's lines: without QEMU's own error reports (bare QEMU prints
    "Looped descriptor" and the like on stderr); by VM when several run."""
    out = []
    for l in r.guest_lines:
        if l.startswith("qemu-system-"):
            continue
        if name is not None:
            if not l.startswith(f"[{name}] "):
                continue
            l = l[len(name) + 3:]
        out.append(l)
    return out


@pytest.mark.parametrize("cpu,engine", [("rv64,h=false", "trap"), ("rv64,h=true", "hw")])
def test_hostile_virtio_beside_neighbour(tmp_path, cpu, engine):
    imgs = {}
    for n in ("bare_hv", "bare_nb", "hv", "nb"):
        imgs[n] = str(tmp_path / f"{n}.img")
        subprocess.run(["truncate", "-s", "1M", imgs[n]], check=True)
    good = "hostile_virtio.mode=good hostile_virtio.rounds=30"
    ref_hv = run([guest_vm("hv", imgs["bare_hv"])], bare=True, cpu="rv64,h=false")
    ref_nb = run([guest_vm("nb", imgs["bare_nb"], good)], bare=True, cpu="rv64,h=false")
    assert ref_hv.status == 0 and ref_nb.status == 0, ref_hv.output + ref_nb.output
    r = run([guest_vm("hv", imgs["hv"]), guest_vm("nb", imgs["nb"], good)], cpu=cpu,
            engine=engine, timeout=300)
    assert r.status == 0, r.output
    expected = [OUTSIDE_RAM_TRAPEZE if l == OUTSIDE_RAM_BARE else l for l in vm_lines(ref_hv)]
    assert OUTSIDE_RAM_BARE in vm_lines(ref_hv)
    assert vm_lines(r, "hv") == expected, r.output
    assert vm_lines(r, "nb") == vm_lines(ref_nb), r.output
    assert vm_lines(r, "nb")[-1] == "done" and len(vm_lines(r, "nb")) == 32
    # The neighbour's last round left its pattern in its own image only.
    with open(imgs["nb"], "rb") as f:
        assert f.read(512 * 9) == open(imgs["bare_nb"], "rb").read(512 * 9)
    log = "\n".join(r.log_lines)
    assert "panic" not in log and "unexpected" not in log, log
