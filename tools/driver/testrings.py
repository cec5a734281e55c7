"""`./k23 test`: the three test rings of DESIGN.md.

Each ring prints `NAME: N passed, N failed`; the last line is the total
`N passed, N failed`; the exit status is non-zero on any failure.
  host           GoogleTest on x86-64 under ASan/UBSan/LSan, the spec suite's binary
                 checks, the Python checks of tests/{driver,perf,bench}/test_*.py
                 (checks.py), and each fuzzer for fuzz.RING_SECONDS
  riscv64-linux  the same GoogleTest suite, cross-compiled, under qemu-riscv64 with V,
                 the spec suite (SIMD files also at the VLENs of spec.RING_EXTRA_VLENS:
                 256, and 0 = no V, the scalar path),
                 then the k23-run checks (tests/hosted/test_*.py)
  kernel         the in-kernel test runner (KTEST), the spec suite through the kernel's
                 engine (guests in U-mode; K23_KERNEL_SPEC=subset: speckernel.RING_FILES)
                 and boot checks under qemu-system-riscv64

A test program's own end is judged as well as its tests (procstatus.py): a
non-zero status its failed tests do not explain, a crash, a timeout or a
sanitizer report fails the ring, quoting the report's first lines.
"""
import json
import os
import re
import subprocess
import sys

import build as k23build
import checks
import fuzz as k23fuzz
import hosted as k23hosted
import procstatus
import qemu
import spec as k23spec
import speckernel as k23speckernel
from common import BUILD, ROOT, DriverError, info

RINGS = ["host", "riscv64-linux", "kernel"]
QEMU_USER = k23spec.QEMU_USER  # VLEN 128


class RingResult:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.failures = []   # (test name, message)

    def ok(self, test):
        self.passed += 1

    def fail(self, test, message):
        self.failed += 1
        self.failures.append((test, message))


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        m = re.search(r"project\(k23 VERSION ([0-9.]+)", f.read())
    if not m:
        raise DriverError("cannot find the project version in CMakeLists.txt")
    return m.group(1)


# ---------------------------------------------------------------- GoogleTest

GTEST_TIMEOUT = 1800  # seconds for a whole GoogleTest binary


def run_gtest(result, cmd, json_path, pattern, verbose, name="k23-tests", timeout=GTEST_TIMEOUT):
    """Runs a GoogleTest binary (cmd, perhaps under qemu-riscv64): each test
    of its JSON report is a test of the ring. The binary's own end is judged
    too (procstatus.problem): a non-zero status that its failed tests do not
    explain, a crash, a timeout, or any sanitizer report (LeakSanitizer's
    comes after the report is written) fails the test NAME."""
    if os.path.exists(json_path):
        os.remove(json_path)
    cmd = cmd + [f"--gtest_output=json:{json_path}", "--gtest_brief=1"]
    if pattern:
        cmd.append(f"--gtest_filter=*{pattern}*")
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout,
                              env=procstatus.sanitizer_env())
        out = proc.stdout.decode(errors="replace")
        status = proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        status = None
    if verbose:
        sys.stdout.write(out)
    failed_before = result.failed
    if not os.path.exists(json_path):
        # Crashed (or hung) before writing its report: count what the log
        # shows, and the crash itself as a failure.
        result.passed += len(re.findall(r"^\[       OK \]", out, re.M))
        for test in re.findall(r"^\[  FAILED  \] (\S+)", out, re.M):
            result.fail(test, "failed")
        why = procstatus.problem(name, status, out, timeout=timeout) or \
            f"{name} exited with status 0 without writing {json_path}"
        result.fail(name, why)
        return
    with open(json_path) as f:
        report = json.load(f)
    for suite in report.get("testsuites", []):
        for case in suite.get("testsuite", []):
            test = f"{suite['name']}.{case['name']}"
            if case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                continue
            if case.get("failures"):
                result.fail(test, "\n".join(f.get("failure", "") for f in case["failures"]))
            else:
                result.ok(test)
    # Failed tests explain status 1; nothing explains a sanitizer report, a
    # signal, or another status.
    explained = status == 1 and result.failed > failed_before \
        and procstatus.sanitizer_report(out) is None
    why = None if explained else procstatus.problem(name, status, out, timeout=timeout)
    if why:
        result.fail(name, why)


def ring_host(result, pattern, verbose):
    k23build.build(targets=["host"], ninja_targets=["k23-tests"])
    bdir = k23build.build_dir("host")
    run_gtest(result, [os.path.join(bdir, "tests", "k23-tests")],
              os.path.join(bdir, "test-results.json"), pattern, verbose)
    run_spec(result, "host", (), pattern)
    ctx = HostContext()
    for folder in HOST_CHECK_FOLDERS:
        checks.run(result, checks.load(folder, folder), ctx, pattern)
    k23fuzz.add_to_ring(result, pattern)   # tests/fuzz: each fuzzer for a short fixed time


# The host ring's Python checks: tests/FOLDER/test_*.py, tests FOLDER.NAME:
# the driver's judging of test programs (driver.*), the perf tooling
# (perf.*: the icount plugin), the benchmark dashboard (bench.*).
HOST_CHECK_FOLDERS = ["driver", "perf", "bench"]


class HostContext:
    """What the host ring's checks get."""

    def __init__(self):
        self.root = ROOT
        self.build = BUILD


def ring_riscv64_linux(result, pattern, verbose):
    k23build.build(targets=["riscv64-linux"], ninja_targets=["k23-tests"])
    bdir = k23build.build_dir("riscv64-linux")
    run_gtest(result, QEMU_USER + [os.path.join(bdir, "tests", "k23-tests")],
              os.path.join(bdir, "test-results.json"), pattern, verbose)
    run_spec(result, "riscv64-linux", QEMU_USER, pattern)
    k23hosted.add_to_ring(result, pattern)  # tests/hosted/test_*.py: k23-run end to end


def run_spec(result, target, prefix, pattern):
    """The spec suite's checked commands, one test per command; skipped
    commands do not count. riscv64-linux executes them (baseline tier), adds
    the proposals, runs the SIMD files again at spec.RING_EXTRA_VLENS (tests
    spec@vlenN.*) and spec.RING_OPTIMIZING_FILES with the optimizing tier
    (tests spec@optimizing.*), spec.RING_AUTO_FILES with --tier auto
    (tests spec@auto.*): see spec.add_to_ring."""
    if pattern and "spec" not in pattern:
        return
    try:
        k23spec.add_to_ring(result, target, prefix)
    except DriverError as e:
        result.fail(f"spec-{target}", str(e))


# ---------------------------------------------------------------- kernel

KTEST_LINE = re.compile(r"^ktest: (PASS|FAIL) ([^\s:]+)(?::\s*(.*))?$")
KTEST_SUMMARY = re.compile(r"^ktest: (\d+) passed, (\d+) failed$")


def run_ktests(result, image, pattern, verbose):
    append = f"ktest={pattern}" if pattern else "ktest"
    boot = qemu.boot(image, append=append, timeout=300)
    if verbose:
        sys.stdout.write(boot.output)
    seen_pass = seen_fail = 0
    summary = None
    for line in boot.lines():
        line = line.strip()
        m = KTEST_LINE.match(line)
        if m:
            if m.group(1) == "PASS":
                seen_pass += 1
                result.ok(m.group(2))
            else:
                seen_fail += 1
                result.fail(m.group(2), m.group(3) or "failed")
            continue
        m = KTEST_SUMMARY.match(line)
        if m:
            summary = (int(m.group(1)), int(m.group(2)))
    tail = "\n".join(boot.lines()[-30:])
    if boot.timed_out:
        result.fail("ktest-runner", f"kernel did not shut down in time:\n{tail}")
    elif summary is None:
        result.fail("ktest-runner", f"no closing 'ktest: N passed, N failed' line "
                                    f"(status {boot.status}):\n{tail}")
    elif summary != (seen_pass, seen_fail):
        result.fail("ktest-runner", f"summary {summary} disagrees with the {seen_pass} PASS and "
                                    f"{seen_fail} FAIL lines")
    elif (boot.status == 0) != (seen_fail == 0):
        result.fail("ktest-runner", f"QEMU exit status {boot.status} does not reflect "
                                    f"{seen_fail} failed test(s)")


def run_kernel_spec(result, pattern, verbose):
    """The spec suite through the kernel's engine, guests in U-mode (the
    default suites; K23_KERNEL_SPEC=subset: speckernel.RING_FILES; tests
    spec@kernel.<file>), as ./k23 spec --where kernel runs it."""
    if pattern and "spec" not in pattern:
        return
    try:
        k23speckernel.add_to_ring(result, verbose)
    except DriverError as e:
        result.fail(k23speckernel.RING_NAME, str(e))


class BootContext:
    """What boot checks (tests/kernel/test_*.py) get: the image (the test
    image, with the KTESTs), the production image, and a way to boot the
    former; ok/fail for a check that records many results (checks.REPORTED)."""

    def __init__(self, image, result=None):
        self.image = image
        self.production_image = k23build.image_path()
        self.version = project_version()
        self.root = ROOT
        self.result = result

    def ok(self, name):
        self.result.ok(name)

    def fail(self, name, message):
        self.result.fail(name, message)

    def boot(self, **kwargs):
        kwargs.setdefault("timeout", 120)
        return qemu.boot(self.image, **kwargs)


def ring_kernel(result, pattern, verbose):
    k23build.build(targets=["kernel"])
    # The KTESTs live in the test image (kernel/CMakeLists.txt); the boot
    # checks boot it too, so `ktest` works there (production: test_boot.py).
    image = k23build.test_image_path()
    run_ktests(result, image, pattern, verbose)
    run_kernel_spec(result, pattern, verbose)
    checks.run(result, checks.load("kernel", "boot"), BootContext(image, result), pattern)


RING_FUNCS = {"host": ring_host, "riscv64-linux": ring_riscv64_linux, "kernel": ring_kernel}


def run(rings=None, pattern=None, verbose=False):
    results = []
    for ring in rings or RINGS:
        result = RingResult(ring)
        info(f"test: ring {ring}")
        try:
            RING_FUNCS[ring](result, pattern, verbose)
        except DriverError as e:
            result.fail(f"{ring}-build", str(e))
        for test, message in result.failures:
            print(f"FAILED {ring}: {test}: {message}")
        results.append(result)
    for r in results:
        print(f"{r.name}: {r.passed} passed, {r.failed} failed")
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1
