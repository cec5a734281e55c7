"""`./k23 spec --where kernel`: the spec suite through the kernel's engine,
with every module in a U-mode guest (kernel/SpecRunner.h).

The kernel cannot be asked one command at a time, so each file is run
twice through spec.run_file, the same judge as the hosted runner:
  1. recording: a Recorder answers "ok" to every command and writes the
     command down (load/check/link name the module by its path in the
     initrd, spec/m/N.wasm);
  2. the commands of all selected files and their modules go into one
     initial ramdisk (spec/commands, one `features` line before each
     file's `reset`), the kernel boots with `spec=/spec/commands` and
     prints one `spec> ANSWER` line per command;
  3. replaying: a Replayer hands run_file the kernel's answers in order,
     so the judging, the report, the summary line and the JSON are
     spec.py's own.
run_file sends every command of a file unless an answer tells it to leave
some out (a module the runner skipped: the commands on it are not sent);
the replayer then passes over the recorded commands run_file no longer
asks for (the kernel executed them; their answers are dropped).

A boot that stops answering (a panic, a hang: no console output for
spec.COMMAND_TIMEOUT seconds) fails the file it was in (FILE.runner, with
the last console lines), and the next boot goes on with the next file. A
boot that ends without `shutdown: status 0` fails the test
k23-kernel.exit.

SIMD: a kernel guest compiles v128 for the scalar path (no vector state
per guest yet), whatever the hart's VLEN."""
import os
import re
import select
import subprocess
import time

import build as k23build
import initrd as k23initrd
import qemu
import spec as k23spec
from common import DriverError, info

ANSWER_PREFIX = "spec> "
DONE_PREFIX = "spec: done "
COMMANDS_PATH = "spec/commands"
MEMORY = "1G"           # guests of the suite's biggest files, with room for the RamFs
KERNEL_TEST = "k23-kernel"  # the "file" under which a boot's own end is reported
TAIL_LINES = 20


class Recorder:
    """A runner for spec.run_file that records the commands it is asked and
    answers "ok"; module paths become initrd paths (self.modules)."""

    def __init__(self, modules):
        self.lines = []
        self.modules = modules   # host path -> initrd path, shared by all files

    def initrd_line(self, line):
        words = line.split(" ")
        if words[0] in ("load", "check", "link") and len(words) >= 2:
            host = words[-1]
            guest = self.modules.get(host)
            if guest is None:
                guest = f"spec/m/{len(self.modules)}.wasm"
                self.modules[host] = guest
            words[-1] = "/" + guest
        return " ".join(words)

    def ask(self, line):
        self.lines.append(self.initrd_line(line))
        return "ok"


class Replayer:
    """A runner for spec.run_file that answers with the kernel's answers to
    the recorded commands (lines), in order. A command it has no answer for
    (the kernel stopped) raises RuntimeError, as a dead k23-spec does."""

    def __init__(self, recorder, lines, answers, why_stopped):
        self.recorder = recorder
        self.lines = lines
        self.answers = answers
        self.at = 0
        self.why_stopped = why_stopped

    def ask(self, line):
        line = self.recorder.initrd_line(line)
        while self.at < len(self.lines) and self.lines[self.at] != line:
            self.at += 1   # recorded, executed, but no longer asked for
        if self.at == len(self.lines):
            raise RuntimeError(f"the kernel runner was not sent: {line} (driver bug)")
        i = self.at
        self.at += 1
        if i >= len(self.answers):
            raise RuntimeError(f"the kernel stopped answering on: {line}\n{self.why_stopped}")
        return self.answers[i]


class File:
    def __init__(self, suite, relpath, json_path, features):
        self.suite = suite
        self.relpath = relpath
        self.json_path = json_path
        self.features = features
        self.lines = []        # recorded commands, `features` first
        self.answers = []      # the kernel's answers to them
        self.why_stopped = ""  # when the answers stop short


def boot_kernel(image, append, initrd_path, vlen, idle_timeout):
    """Boots the kernel; stops QEMU when the console is silent for
    idle_timeout seconds. Returns (qemu.BootResult, stalled)."""
    cmd = qemu.command(image, append=append, memory=MEMORY, vlen=vlen, initrd=initrd_path)
    cmd += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except FileNotFoundError:
        raise DriverError("qemu-system-riscv64 not found (run ./k23 setup)")
    output = bytearray()
    stalled = False
    fd = proc.stdout.fileno()
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], idle_timeout)
            if not ready:
                stalled = True
                qemu.stop(proc)
                break
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            output += chunk
    except KeyboardInterrupt:
        qemu.stop(proc)
        raise
    finally:
        proc.stdout.close()
    status = proc.wait() if not stalled else None
    seconds = time.monotonic() - start
    text = output.decode(errors="replace")
    return qemu.judge(text, status, stalled, seconds, idle_timeout), stalled


TIERS_RE = re.compile(r"tier (\w+): (\d+) functions optimized, (\d+) baseline, (\d+) fell back")


def tiers_of(output):
    """The closing line's per-tier counts of the boot's guests: a dict
    (tier, optimized, baseline, fell_back), or None without the line."""
    for line in output.replace("\r\n", "\n").split("\n"):
        if line.startswith(DONE_PREFIX):
            m = TIERS_RE.search(line)
            if m:
                return {"tier": m.group(1), "optimized": int(m.group(2)), "baseline": int(m.group(3)),
                        "fell_back": int(m.group(4))}
    return None


def answers_of(output):
    """The `spec> ` answers in console text, in order, and whether the run
    reached its `spec: done N commands` line."""
    answers, done = [], False
    for line in output.replace("\r\n", "\n").split("\n"):
        line = line.rstrip("\r")
        if line.startswith(ANSWER_PREFIX):
            answers.append(line[len(ANSWER_PREFIX):])
        elif line.startswith(DONE_PREFIX):
            done = True
    return answers, done


def run_in_kernel(files, modules, report, vlen, verbose, tier="baseline"):
    """Boots the kernel over files[i:] until every file has its answers
    (a boot that stops short fails the file it stopped in and the next boot
    starts after it), its guests compiling with `tier` (boot argument
    tier=). Fills each File's answers, and report.kernel_tiers with the
    closing lines' per-tier counts summed over the boots."""
    k23build.build(targets=["kernel"])
    image = k23build.image_path()
    workdir = os.path.join(k23build.build_dir("kernel"), "spec-initrd")
    os.makedirs(workdir, exist_ok=True)
    initrd_path = os.path.join(workdir, "spec.cpio")
    first = 0
    while first < len(files):
        batch = files[first:]
        writer = k23initrd.Writer()
        stream = "".join(line + "\n" for f in batch for line in f.lines)
        writer.file(COMMANDS_PATH, stream.encode())
        wanted = set()
        for f in batch:
            for line in f.lines:
                words = line.split(" ")
                if words[0] in ("load", "check", "link"):
                    wanted.add(words[-1].lstrip("/"))
        for host, guest in sorted(modules.items(), key=lambda item: item[1]):
            if guest in wanted:
                with open(host, "rb") as fh:
                    writer.file(guest, fh.read())
        data = writer.finish()
        with open(initrd_path, "wb") as fh:
            fh.write(data)
        count = sum(len(f.lines) for f in batch)
        info(f"spec: booting the kernel over {len(batch)} files, {count} commands "
             f"(initrd {len(data)} bytes)")
        budget = f" tier_budget={k23spec.AUTO_SPEC_BUDGET}" if tier == "auto" else ""
        result, stalled = boot_kernel(image, f"spec=/{COMMANDS_PATH} tier={tier}{budget}", initrd_path, vlen,
                                      k23spec.COMMAND_TIMEOUT)
        answers, done = answers_of(result.output)
        tiers = tiers_of(result.output)
        if tiers:
            report.kernel_tiers["tier"] = tiers["tier"]
            for key in ("optimized", "baseline", "fell_back"):
                report.kernel_tiers[key] = report.kernel_tiers.get(key, 0) + tiers[key]
        if verbose:
            closing = next((l.strip() for l in result.lines() if l.startswith(DONE_PREFIX)), "no closing line")
            info(f"spec: kernel boot: {len(answers)} answers in {result.seconds:.1f} s ({closing})")
        tail = "\n".join(result.lines()[-TAIL_LINES:])
        # Hand the answers out, file by file.
        at = 0
        stopped_in = None
        for i, f in enumerate(batch):
            f.answers = answers[at:at + len(f.lines)]
            at += len(f.lines)
            if len(f.answers) < len(f.lines):
                stopped_in = i
                if stalled:
                    f.why_stopped = (f"no console output for {k23spec.COMMAND_TIMEOUT} s "
                                     f"(hung?); last console lines:\n{tail}")
                else:
                    f.why_stopped = f"{result.reason or 'the kernel ended'}; last console lines:\n{tail}"
                break
        problem = None
        if stopped_in is None and not done:
            problem = f"no closing 'spec: done' line; last console lines:\n{tail}"
        elif stopped_in is None and result.status != 0:
            problem = (result.reason or f"status {result.status}") + f"; last console lines:\n{tail}"
        elif stopped_in is not None and not stalled and result.reported_status == 0:
            problem = f"the kernel ended without answering every command:\n{tail}"
        if problem:
            where = batch[stopped_in].relpath if stopped_in is not None else batch[-1].relpath
            report.add(batch[0].suite, KERNEL_TEST, 0, "exit", "failed", f"after {where}: {problem}")
        if stopped_in is None:
            return
        first += stopped_in + 1


def run_suites(suites, pattern=None, verbose=False, report=None, vlen=k23spec.DEFAULT_VLEN,
               files_filter=None, tier="baseline"):
    """spec.run_suites for the kernel, its guests compiling with `tier`.
    files_filter: a set of relpaths (the kernel ring's subset), or None for
    every file."""
    if tier not in k23spec.TIERS:
        raise DriverError(f"spec: unknown tier '{tier}' (have {', '.join(k23spec.TIERS)})")
    report = report or k23spec.Report()
    root = k23spec.testsuite_dir()
    modules = {}
    recorder = Recorder(modules)
    files = []
    for suite in suites:
        features = k23spec.suite_features(suite)
        for relpath, wast in k23spec.suite_files(root, suite):
            if pattern and pattern not in relpath:
                continue
            if files_filter is not None and relpath not in files_filter:
                continue
            json_path = k23spec.convert_or_report(report, suite, relpath, wast)
            if json_path is None:
                continue
            f = File(suite, relpath, json_path, features)
            recorder.lines = [f"features {features}"]
            try:
                k23spec.run_file(recorder, k23spec.Report(), suite, relpath, json_path)
            except RuntimeError as e:   # cannot happen with "ok" answers; reported if it does
                raise DriverError(f"spec: recording {relpath}: {e}")
            f.lines = recorder.lines
            files.append(f)
    if not files:
        return report
    start = time.monotonic()
    run_in_kernel(files, modules, report, vlen, verbose, tier)
    for f in files:
        replayer = Replayer(recorder, f.lines, f.answers, f.why_stopped)
        try:
            k23spec.run_file(replayer, report, f.suite, f.relpath, f.json_path)
        except RuntimeError as e:
            report.add(f.suite, f.relpath, 0, "runner", "failed", str(e))
        if verbose:
            c = report.files.get(f.relpath, {})
            info(f"spec: {f.relpath}: {c.get('passed', 0)} passed, {c.get('failed', 0)} failed, "
                 f"{c.get('skipped', 0)} skipped")
    if verbose:
        info(f"spec: kernel run of {len(files)} files in {time.monotonic() - start:.1f} s")
    return report


# The kernel ring (`./k23 test`) runs every default suite through the
# kernel: one boot, about 25 s for the ~54,000 commands. On a machine where
# that is too slow, K23_KERNEL_SPEC=subset runs only RING_FILES: integer and
# float arithmetic and conversions, memory and its growth, calls through
# tables, traps and the call stack's end, branches, globals, table
# operations, bulk memory, imports of spectest (host functions as system
# calls), register + linking across modules, and SIMD (v128 arguments and
# results, lane loads and stores from memory; the scalar path).
RING_FILES = [
    "i32.wast", "i64.wast", "f32.wast", "f64.wast", "conversions.wast",
    "memory.wast", "memory_grow.wast", "call_indirect.wast", "traps.wast", "fac.wast",
    "br_table.wast", "global.wast", "table_get.wast", "table_set.wast", "table_grow.wast",
    "table_fill.wast", "table_copy.wast", "bulk.wast", "imports.wast", "linking.wast",
    "simd_i32x4_arith.wast", "simd_lane.wast", "simd_load8_lane.wast", "simd_store8_lane.wast",
]
RING_NAME = "spec@kernel"


def add_to_ring(result, verbose=False):
    """The kernel ring: the default suites (or, with K23_KERNEL_SPEC=subset,
    RING_FILES of the core suite) through the kernel, one test per checked
    command (spec.report_to_ring, tests spec@kernel.<file>)."""
    if os.environ.get("K23_KERNEL_SPEC") == "subset":
        report = run_suites(["core"], verbose=verbose, files_filter=set(RING_FILES))
        missing = sorted(set(RING_FILES) - set(report.files))
        if missing:
            result.fail(f"{RING_NAME}.files", f"not in the suite: {', '.join(missing)}")
    else:
        report = run_suites(k23spec.DEFAULT_SUITES, verbose=verbose)
    k23spec.report_to_ring(result, RING_NAME, report)
    return report
