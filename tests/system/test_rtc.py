"""Every VM's goldfish RTC (issue 12 item 7): Linux 6.1 (RTC_DRV_GOLDFISH,
RTC_HCTOSYS) finds rtc0 at virt's address and sets its clock from it at
boot, so `date` reports the host's year (before, a VM's time started at
1970), under both engines; the guest sets the RTC's time (hwclock -w)
and reads it back. The bare-metal `rtc` guest (tests/system/
test_guests.py) compares the registers and the alarm with bare QEMU
(Linux 6.1's goldfish driver offers no wakealarm to drive it from a
shell); here Linux's lines are compared too, but for the year."""
import datetime
import os
import re

import pytest

from test_linux import IMAGE, INITRD, after_start, init_lines, linux_vm
from trapeze_run import run

pytestmark = pytest.mark.skipif(not os.path.exists(IMAGE) or not os.path.exists(INITRD),
                                reason="make linux has not built the guest")

# The year, the RTC's name, that the kernel set its clock from it
# (hctosys), then a time written to the RTC (TIME_HIGH, TIME_LOW) and
# read back, by sysfs and by hwclock (to the minute).
COMMAND = ("date +%Y; cat /sys/class/rtc/rtc0/name; cat /sys/class/rtc/rtc0/hctosys; "
           "date -u -s '2001-02-03 04:05:06' >/dev/null; hwclock -w -u; "
           "cat /sys/class/rtc/rtc0/date; hwclock -r -u | cut -c1-16")


def years_now():
    """The UTC year now and ten minutes earlier (a run across New Year)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return {now.year, (now - datetime.timedelta(seconds=600)).year}


def rtc_lines(r):
    lines = after_start(init_lines(r))
    return lines[1:lines.index("trapeze-init: exit 0")] if "trapeze-init: exit 0" in lines else lines


def boot(bare=False, cpu="rv64,h=true", engine="trap"):
    before = years_now()
    r = run([linux_vm(COMMAND)], cpu=cpu, bare=bare, machine={"hang-timeout": 60}, timeout=600,
            engine=engine)
    assert r.status == 0, r.output
    return r, before | years_now()


@pytest.fixture(scope="module")
def bare():
    return boot(bare=True, cpu="rv64,h=false")


@pytest.mark.parametrize("cpu,engine", [("rv64,h=false", "trap"), ("rv64,h=true", "trap"),
                                        ("rv64,h=true", "hw")])
def test_linux_date_is_the_hosts_year(bare, cpu, engine):
    ref, ref_years = bare
    got, years = boot(cpu=cpu, engine=engine)
    ref_lines, lines = rtc_lines(ref), rtc_lines(got)
    assert int(ref_lines[0]) in ref_years, ref.output
    assert int(lines[0]) in years, got.output
    # The rest as bare QEMU prints it: rtc0 is virt's goldfish at 0x101000,
    # the kernel set its clock from it, the time written reads back.
    assert lines[1:] == ref_lines[1:], f"bare {ref_lines}\n--- trapeze ---\n{got.output}"
    assert lines[1:] == ["goldfish_rtc 101000.rtc", "1", "2001-02-03", "Sat Feb  3 04:05"], got.output
    log = "\n".join(got.log_lines)
    assert re.search(r"host: wall clock from the RTC at 0x101000: \d+ s since the epoch", log)
    assert re.search(r"stats linux mmio: .*rtc=\d+", log), log
