"""`./k23 spec`: the WebAssembly spec test suite.

The suite comes from $K23_TESTSUITE, else ../shared/testsuite beside the
repository. Each .wast is converted with Debian's wast2json (the proposal's
feature flag) into build/spec/<suite>/<path>/ — skipped when the JSON is
newer than the .wast — and its commands are fed to the C++ runner
`k23-spec` (tests/spec/SpecRunner.cpp) as lines, one answer line each.

Judging (nothing counts as passed unless it was checked):
  module                      must read, validate, link and instantiate
                              (a start function -> skipped: needs the baseline tier)
  assert_malformed (binary)   must be rejected; assert_invalid likewise
  assert_unlinkable           linking must fail with ErrorCode::Unlinkable
  assert_uninstantiable       instantiation must trap (start functions -> skipped)
  assert_malformed (text)     skipped: "text format"
  assert_return, assert_trap, action, assert_exhaustion, get
                              executed by the baseline tier (`--tier baseline`:
                              the riscv64-linux runner under qemu-riscv64);
                              results compared bit for bit, nan:canonical and
                              nan:arithmetic by their bit patterns; where the
                              runner cannot execute (the host ring): skipped
                              "needs the baseline tier"
  assert_return with either   (relaxed SIMD) passes when the results match
                              any one alternative (each lane-wise as above)
  SIMD files                  simd_*.wast and the relaxed-simd suite: v128
                              arguments and results as lanes; compiled for V
                              (the runner's `vector on`, the baseline tier on
                              RVV) when --vlen N > 0, the hart QEMU emulates
                              having VLEN N (default 128); --vlen 0 = a hart
                              without V (the scalar path). A SIMD module that
                              does not compile fails like any other
  a .wast wast2json rejects   each top-level command of it skipped, with
                              wast2json's error as the reason (a wast2json
                              that dies of a signal is an error, not a verdict)
  OUTDATED commands           expectation contradicts the final proposal:
                              executed, skipped with the reason and k23's result
  after a skipped command     commands depending on its state are skipped
                              (a skipped module: the commands on it)
  the runner itself           k23-spec's stderr is kept: a runner that dies
                              or hangs fails the file it was running
                              (FILE.runner), quoting what it printed; one
                              that ends with a non-zero status or printed a
                              sanitizer report (LeakSanitizer's comes at
                              exit) fails the test k23-spec.exit; a `reset`
                              it cannot do (no engine) fails the file
Message rule: the engine's message must START WITH the suite's expected
text (k23 appends detail after it, e.g. "unknown local 2", "type mismatch:
expected i32, got i64"), as other engines' spec runners compare.
"""
import json
import os
import select
import subprocess
import tempfile
import urllib.parse

import build as k23build
import procstatus
import qemu
from common import BUILD, ROOT, DriverError, info

# Proposal folder -> (wast2json flags, k23-spec features). Folders not listed
# here are proposals k23 does not implement yet.
PROPOSALS = {
    "extended-const": (["--enable-extended-const"], "extended-const"),
    "multi-memory": (["--enable-multi-memory"], "multi-memory"),
    "tail-call": (["--enable-tail-call"], "tail-call"),
    "relaxed-simd": (["--enable-relaxed-simd"], "relaxed-simd"),
    "threads": (["--enable-threads"], None),
    "memory64": (["--enable-memory64"], None),
    "exception-handling": (["--enable-exceptions"], None),
    "function-references": (["--enable-function-references"], None),
    "gc": (["--enable-gc"], None),
    "annotations": (["--enable-annotations"], None),
}
DEFAULT_SUITES = ["core", "extended-const", "multi-memory", "tail-call", "relaxed-simd"]
EXECUTION = {"assert_return", "assert_trap", "action", "assert_exhaustion", "invoke", "get",
             "assert_return_canonical_nan", "assert_return_arithmetic_nan", "assert_exception"}
NEEDS_BASELINE = "needs the baseline tier"
TIERS = ("baseline", "optimizing", "auto")
# --tier auto: the budget unless --tier-budget says otherwise: a few calls,
# so nearly everything tiers up mid-run, in the middle of loops too.
AUTO_SPEC_BUDGET = 2
VLENS = (0, 128, 256, 512)  # --vlen choices; 0 = a hart without V
DEFAULT_VLEN = 128
# `./k23 test` (riscv64-linux ring) runs the SIMD files once more at each of
# these VLENs, after the main pass at DEFAULT_VLEN (test names spec@vlenN.*).
RING_EXTRA_VLENS = [256, 0]  # 0: a hart without V (the scalar path)
COMMAND_TIMEOUT = 60  # seconds per runner command (qemu; a hang is a failure)
# The "file" under which a runner's own end is reported (test spec.k23-spec.exit).
RUNNER_TEST = "k23-spec"
CLOSE_TIMEOUT = 120   # seconds for a runner to exit at the end of its input (LSan's check)
# qemu-riscv64 7.2 keeps its page-flag tables for every guest mapping ever
# made, so each instantiated memory's reservation (PROT_NONE, freed at
# `reset`) stays in its RSS: over the core suite one runner grows to ~20 GB.
# A runner above this RSS is restarted between files.
RUNNER_RSS_LIMIT = 2 << 30
AFTER_SKIPPED = "depends on state from a skipped execution command"
LANE_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}


def qemu_user(vlen=DEFAULT_VLEN):
    """qemu-riscv64 emulating a hart with VLEN vlen (0: without V)."""
    return ["qemu-riscv64", "-cpu", qemu.cpu_option(vlen)]


QEMU_USER = qemu_user()


def is_simd_file(suite, relpath):
    """Files whose modules use v128: simd_*.wast and the relaxed-simd suite."""
    return os.path.basename(relpath).startswith("simd_") or suite == "relaxed-simd"


def encode_v128(arg):
    """The suite's v128 (lane_type + lane values as decimal bits) as the
    runner's v128:<32 hex digits>, byte 0 first."""
    bits = LANE_BITS[arg["lane_type"]]
    data = b""
    for lane in arg["value"]:
        data += (int(lane) & ((1 << bits) - 1)).to_bytes(bits // 8, "little")
    return "v128:" + data.hex() if len(data) == 16 else None


def v128_matches(expected, gvalue):
    if len(gvalue) != 32:
        return False
    lane_type = expected["lane_type"]
    bits = LANE_BITS[lane_type]
    data = bytes.fromhex(gvalue)
    size = bits // 8
    for i, want in enumerate(expected["value"]):
        got = int.from_bytes(data[i * size:(i + 1) * size], "little")
        if lane_type in ("f32", "f64"):
            if not value_matches({"type": lane_type, "value": want}, f"{lane_type}:{got}"):
                return False
        elif got != int(want) & ((1 << bits) - 1):
            return False
    return True

# Commands whose binary wast2json 1.0.32 does not write faithfully: it
# writes the module of another command of the same file byte for byte, so
# the suite's text for this line cannot apply to the binary it gave us.
# Such a command is judged by the other command's expected text — but only
# after checking that the two binaries really are identical; if a future
# wast2json writes them differently, the suite's own text applies again.
#   select.wast:324 `(select (result) ...)` ("invalid result arity") is
#   written as a plain `select`: the module of line 320 ("type mismatch").
CONVERSION_LOSSES = {
    ("select.wast", 324): 320,
}


# Commands of the local suite whose expectation contradicts the final
# proposal (written before a fix to the proposal's own tests). They are
# executed but reported as skipped with the reason and what k23 returned,
# never judged against an edited expectation. Each entry names the first
# alternative's lanes it applies to: an updated suite is judged normally.
#   relaxed_madd_nmadd.wast:38, :73: relaxed_nmadd(a, b, c) = -(a*b) + c
#   with a, b, c > 0 and a*b = c + tiny: the fused result is -tiny, but the
#   test expects +tiny or 0. WebAssembly/relaxed-simd PR #124 ("Fix relaxed
#   nmadd tests": the tests negated c instead of a) negates a; wabt issue
#   #2118 shows every FMA machine failing these two lines.
NMADD_124 = ("outdated expectation (before WebAssembly/relaxed-simd PR #124): "
             "-(a*b)+c with these inputs is -tiny fused or 0, the test expects +tiny or 0")
OUTDATED = {
    ("proposals/relaxed-simd/relaxed_madd_nmadd.wast", 38): (["754974720"] * 4, NMADD_124),
    ("proposals/relaxed-simd/relaxed_madd_nmadd.wast", 73): (["4368491638549381120"] * 2, NMADD_124),
}
# Files wast2json 1.0.32 rejects that predate fixes to the proposal's tests:
# said in the skip reason of each of their commands.
OUTDATED_FILES = {
    "proposals/relaxed-simd/relaxed_dot_product.wast":
        "an old version of the proposal's test: it uses f32x4.relaxed_dot_bf16x8_add_f32x4 "
        "(removed from the proposal) and writes the i32x4 dot_add results as f32x4 "
        "(fixed in WebAssembly/relaxed-simd PR #121)",
}


def outdated_reason(relpath, cmd):
    entry = OUTDATED.get((relpath, cmd.get("line", 0)))
    alternatives = cmd.get("either") or cmd.get("expected") or [{}]
    if entry and alternatives[0].get("value") == entry[0]:
        return entry[1]
    return None


def files_identical(a, b):
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def testsuite_dir():
    env = os.environ.get("K23_TESTSUITE")
    if env and not os.path.isdir(env):
        info(f"spec: K23_TESTSUITE={env} is not a folder; trying ../shared/testsuite")
    for candidate in (env,
                      os.path.join(os.path.dirname(ROOT), "shared", "testsuite")):
        if candidate and os.path.isdir(candidate):
            return candidate
    raise DriverError("spec: no test suite: set K23_TESTSUITE or put it at ../shared/testsuite "
                      "(cloning the pinned upstream commit is not implemented)")


def suite_files(root, suite):
    if suite == "core":
        folder, prefix = root, ""
    else:
        folder, prefix = os.path.join(root, "proposals", suite), f"proposals/{suite}/"
        if not os.path.isdir(folder):
            raise DriverError(f"spec: no suite '{suite}' in {root}")
    return [(prefix + name, os.path.join(folder, name))
            for name in sorted(os.listdir(folder)) if name.endswith(".wast")]


def convert(suite, relpath, wast):
    """Returns (json path, None), or (None, error text) when wast2json rejects
    the file; raises DriverError when wast2json crashes."""
    out_dir = os.path.join(BUILD, "spec", suite, relpath[:-len(".wast")])
    out_json = os.path.join(out_dir, os.path.basename(relpath)[:-len(".wast")] + ".json")
    if os.path.exists(out_json) and os.path.getmtime(out_json) >= os.path.getmtime(wast):
        return out_json, None
    os.makedirs(out_dir, exist_ok=True)
    flags = [] if suite == "core" else PROPOSALS.get(suite, (["--enable-all"], None))[0]
    try:
        proc = subprocess.run(["wast2json"] + flags + [wast, "-o", out_json],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    except FileNotFoundError:
        raise DriverError("spec: wast2json not found (Debian package wabt; ./k23 setup installs it)")
    if proc.returncode != 0:
        if os.path.exists(out_json):
            os.remove(out_json)
        if proc.returncode < 0:   # it crashed: not a verdict on the file
            raise DriverError(f"spec: wast2json {' '.join(flags)} {relpath} died of "
                              f"{procstatus.describe_status(proc.returncode)}: "
                              f"{proc.stdout.strip()[-500:]}")
        first = proc.stdout.strip().splitlines()[:1]
        text = first[0] if first else f"wast2json exited with {proc.returncode}"
        return None, text.replace(os.path.dirname(wast) + os.sep, "")
    return out_json, None


def wast_commands(wast):
    """The top-level forms of a .wast as (keyword, line): what a file that
    wast2json rejects would have contributed, so each can be reported."""
    with open(wast, errors="replace") as f:
        text = f.read()
    forms, depth, line, i, n = [], 0, 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif text.startswith(";;", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("(;", i):
            nest = 0
            while i < n:
                if text.startswith("(;", i):
                    nest, i = nest + 1, i + 2
                elif text.startswith(";)", i):
                    nest, i = nest - 1, i + 2
                    if nest == 0:
                        break
                else:
                    line += text[i] == "\n"
                    i += 1
            continue
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "(":
            if depth == 0:
                j = i + 1
                while j < n and (text[j].isalnum() or text[j] in "_."):
                    j += 1
                forms.append((text[i + 1:j], line))
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return forms


class Report:
    def __init__(self):
        self.totals = {"passed": 0, "failed": 0, "skipped": 0}
        self.by_command = {}
        self.suites = {}
        self.files = {}
        self.failures = []
        self.skip_reasons = {}
        # --where kernel: the guests' per-tier function counts (speckernel.py).
        self.kernel_tiers = {}

    def add(self, suite, file, line, command, outcome, message=""):
        for table, key in ((self.by_command, command), (self.suites, suite), (self.files, file)):
            entry = table.setdefault(key, {"passed": 0, "failed": 0, "skipped": 0})
            entry[outcome] += 1
        self.totals[outcome] += 1
        if outcome == "failed":
            self.failures.append({"file": file, "line": line, "command": command, "message": message})
        elif outcome == "skipped":
            self.skip_reasons[message] = self.skip_reasons.get(message, 0) + 1

    def as_json(self):
        return {"totals": self.totals, "by_command": self.by_command, "suites": self.suites,
                "files": self.files, "failures": self.failures}


def message_matches(actual, expected):
    return actual.startswith(expected.strip())


class Runner:
    """One k23-spec process; ask() sends a line and returns the answer.
    Its stderr goes to a file: a sanitizer report or a crash message is
    quoted in the failure when it dies (ask() raises RuntimeError) or when
    it ends badly (close() returns the failure)."""

    def __init__(self, cmd):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, bufsize=0,
                                     env=procstatus.sanitizer_env())
        self.buffer = b""
        self.reported = False  # its end was already reported (ask raised)

    def errors(self):
        """What it has written to stderr so far."""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def died(self, line):
        """The RuntimeError for a runner that stopped answering `line`."""
        try:
            status = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:   # closed its output but lives on
            self.proc.kill()
            status = self.proc.wait()
        self.reported = True
        why = procstatus.problem("k23-spec", status, self.errors()) or \
            "k23-spec exited with status 0 before answering"
        return RuntimeError(f"k23-spec died on: {line}\n{why}")

    def ask(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.died(line)
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.proc.stdout], [], [], COMMAND_TIMEOUT)
            if not ready:
                self.proc.kill()
                self.proc.wait()
                self.reported = True
                why = procstatus.problem("k23-spec", None, self.errors(), timeout=COMMAND_TIMEOUT)
                raise RuntimeError(f"k23-spec timed out ({COMMAND_TIMEOUT} s) on: {line}\n{why}")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise self.died(line)
            self.buffer += chunk
        answer, _, self.buffer = self.buffer.partition(b"\n")
        return answer.decode(errors="replace")

    def rss(self):
        """Resident bytes of the runner process (qemu-riscv64 or k23-spec)."""
        try:
            with open(f"/proc/{self.proc.pid}/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def close(self):
        """Ends the runner (end of input). Returns None if it exited with
        status 0 and printed no sanitizer report (LeakSanitizer reports at
        exit), else the failure; None too when ask() already reported it."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            status = self.proc.wait(timeout=CLOSE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            status = None
        self.proc.stdout.close()
        why = None if self.reported else \
            procstatus.problem("k23-spec", status, self.errors(), timeout=CLOSE_TIMEOUT)
        self.reported = True
        self.stderr.close()
        return why


def parse_answer(answer):
    kind, _, rest = answer.partition(" ")
    if kind == "error":
        code, _, message = rest.partition(" ")
        return kind, code, message
    return kind, "", rest


def encode_arg(arg):
    t = arg["type"]
    if t == "v128":
        return encode_v128(arg)
    return f"{t}:{arg.get('value', 'null')}"


def value_matches(expected, got):
    """expected: the suite's JSON value; got: 'type:value' from k23-spec."""
    t = expected["type"]
    gtype, _, gvalue = got.partition(":")
    if gtype != t:
        return False
    if t == "v128":
        return v128_matches(expected, gvalue)
    if "value" not in expected:
        return True  # any value of the type (e.g. a non-null ref.func)
    value = expected["value"]
    if t in ("f32", "f64") and value.startswith("nan:"):
        bits = int(gvalue)
        if t == "f32":
            exp_mask, quiet = 0x7f800000, 0x00400000
            payload = bits & 0x007fffff
        else:
            exp_mask, quiet = 0x7ff0000000000000, 0x0008000000000000
            payload = bits & 0x000fffffffffffff
        if bits & exp_mask != exp_mask or payload == 0:
            return False
        if value == "nan:canonical":
            return payload == quiet
        return bits & quiet != 0
    if t in ("funcref", "externref"):
        if value == "null":
            return gvalue == "null"
        return gvalue != "null" and (t == "funcref" or gvalue == value)
    return gvalue == value


def run_action(runner, action):
    """Returns (kind, code, message) of the runner's answer, or None when an
    argument cannot be encoded (a v128 that is not 16 bytes)."""
    quote = lambda name: urllib.parse.quote(name, safe="$")
    module = quote(action.get("module", "-"))
    field = quote(action["field"])
    if action["type"] == "get":
        return parse_answer(runner.ask(f"get {module} {field}"))
    args = [encode_arg(a) for a in action.get("args", [])]
    if None in args:
        return None
    return parse_answer(runner.ask(" ".join([f"invoke {module} {field}"] + args)))


def run_execution(runner, cmd, add, outdated=None, after_skip=False):
    """Returns whether the command was executed. after_skip: an earlier
    command that would change state (e.g. load a module) was skipped."""
    ctype = cmd["type"]
    expected = cmd.get("expected", [])
    # wast2json 1.0.32 writes `(either r1 r2 ...)` as "either": [r1, r2, ...]
    # in place of "expected" (one result per alternative).
    alternatives = [[e] for e in cmd["either"]] if "either" in cmd else [expected]
    answer = run_action(runner, cmd["action"])
    if answer is None:
        add("failed", "an argument the runner cannot encode")
        return False
    kind, code, message = answer
    if kind == "skip":
        add("skipped", message or NEEDS_BASELINE)
        return False
    if kind == "error" and code == "notfound" and after_skip:
        add("skipped", AFTER_SKIPPED)
        return False
    if outdated:
        add("skipped", f"{outdated}; k23: {kind} {code} {message}".replace("  ", " "))
        return True
    if ctype in ("assert_return", "action", "assert_return_canonical_nan", "assert_return_arithmetic_nan"):
        if kind != "ok":
            add("failed", f"{code}: {message}")
            return True
        if ctype == "action":
            add("passed")
            return True
        got = message.split() if message else []
        if not any(len(got) == len(alt) and all(value_matches(e, g) for e, g in zip(alt, got))
                   for alt in alternatives):
            wanted = " or ".join(str([e.get("value") for e in alt]) for alt in alternatives)
            add("failed", f"expected {'either ' if len(alternatives) > 1 else ''}{wanted}, got {got}")
            return True
        add("passed")
        return True
    elif ctype in ("assert_trap", "assert_exhaustion"):
        text = cmd.get("text", "")
        if kind == "ok":
            add("failed", f"returned {message!r}; expected trap \"{text}\"")
        elif code in ("trap", "exhausted") and message_matches(message, text):
            add("passed")
        else:
            add("failed", f"expected trap \"{text}\", got {code}: \"{message}\"")
        return True
    add("skipped", f"unknown command {ctype}")
    return False


def run_file(runner, report, suite, relpath, json_path):
    with open(json_path) as f:
        commands = json.load(f)["commands"]
    base = os.path.dirname(json_path)
    kind, code, message = parse_answer(runner.ask("reset"))
    if kind != "ok":   # no engine: nothing of the file could be judged
        raise RuntimeError(f"k23-spec cannot start the file: {code}: {message}")
    executed_skipped = False  # an earlier command that would change state was skipped
    current_skipped = False   # the last `module` was skipped: the runner's current module is an older one
    binaries = {}  # line -> (module file, expected text), for CONVERSION_LOSSES
    quote = lambda name: urllib.parse.quote(name, safe="$")
    for cmd in commands:
        ctype, line = cmd["type"], cmd.get("line", 0)
        add = lambda outcome, message="": report.add(suite, relpath, line, ctype, outcome, message)
        path = os.path.join(base, cmd["filename"]) if "filename" in cmd else None
        expected = cmd.get("text", "")
        if path is not None:
            binaries[line] = (path, expected)
        same_as = CONVERSION_LOSSES.get((relpath, line))
        if same_as in binaries and path is not None and \
                files_identical(path, binaries[same_as][0]):
            expected = binaries[same_as][1]
        if ctype == "module":
            kind, code, message = parse_answer(runner.ask(f"load {quote(cmd.get('name', '-'))} {path}"))
            current_skipped = kind == "skip"
            if kind == "ok":
                add("passed")
            elif kind == "skip":
                executed_skipped = True
                add("skipped", NEEDS_BASELINE)
            elif executed_skipped and code in ("unlinkable", "trap"):
                add("skipped", AFTER_SKIPPED)
            else:
                add("failed", f"{code}: {message}")
        elif ctype == "register":
            kind, code, message = parse_answer(runner.ask(f"register {quote(cmd['as'])} {quote(cmd.get('name', '-'))}"))
            if kind == "ok":
                add("passed")
            elif executed_skipped and code == "notfound":
                add("skipped", AFTER_SKIPPED)
            else:
                add("failed", f"{code}: {message}")
        elif ctype in ("assert_malformed", "assert_invalid"):
            if cmd.get("module_type") == "text":
                add("skipped", "text format")
                continue
            kind, code, message = parse_answer(runner.ask(f"check {path}"))
            if kind == "ok":
                add("failed", f"module was accepted; expected \"{expected}\"")
            elif message_matches(message, expected):
                add("passed")
            else:
                add("failed", f"expected \"{expected}\", got {code}: \"{message}\"")
        elif ctype in ("assert_unlinkable", "assert_uninstantiable"):
            if cmd.get("module_type") == "text":
                add("skipped", "text format")
                continue
            want = "unlinkable" if ctype == "assert_unlinkable" else "trap"
            kind, code, message = parse_answer(runner.ask(f"link {path}"))
            if kind == "skip":
                add("skipped", NEEDS_BASELINE)
            elif kind == "ok" and executed_skipped:
                add("skipped", AFTER_SKIPPED)
            elif kind == "ok":
                add("failed", f"module instantiated; expected \"{expected}\"")
            elif code == want and message_matches(message, expected):
                add("passed")
            else:
                add("failed", f"expected {want} \"{expected}\", got {code}: \"{message}\"")
        elif ctype in EXECUTION and current_skipped and "module" not in cmd.get("action", {}):
            add("skipped", AFTER_SKIPPED)
        elif ctype in EXECUTION:
            if not run_execution(runner, cmd, add, outdated_reason(relpath, cmd), executed_skipped):
                executed_skipped = True
        else:
            add("skipped", f"unknown command {ctype}")


def runner_command(tier, target=None, prefix=(), vlen=DEFAULT_VLEN, budget=None):
    """The k23-spec command line: the riscv64-linux runner under qemu (VLEN
    vlen) compiling with `tier` (baseline or optimizing, whose unsupported
    functions fall back to the baseline, or auto with tier-up budget
    `budget`, default AUTO_SPEC_BUDGET), unless a target is given."""
    if tier not in TIERS:
        raise DriverError(f"spec: unknown tier '{tier}' (have {', '.join(TIERS)})")
    if target is None:
        target, prefix = "riscv64-linux", qemu_user(vlen)
    k23build.build(targets=[target], ninja_targets=["k23-spec"])
    cmd = list(prefix) + [os.path.join(k23build.build_dir(target), "tests", "spec", "k23-spec")]
    if tier == "auto":
        cmd += ["--tier-budget", str(AUTO_SPEC_BUDGET if budget is None else budget)]
    return cmd + (["--tier", tier] if tier != "baseline" else [])


def convert_or_report(report, suite, relpath, wast):
    """The JSON of a .wast, or None when wast2json rejects it (then each of
    its top-level commands is reported skipped, with wast2json's error)."""
    json_path, error = convert(suite, relpath, wast)
    if not error:
        return json_path
    info(f"spec: {relpath}: wast2json cannot convert it: {error}")
    reason = f"wast2json cannot convert it: {error}"
    if relpath in OUTDATED_FILES:
        reason += f" ({OUTDATED_FILES[relpath]})"
    for keyword, line in wast_commands(wast) or [("convert", 0)]:
        report.add(suite, relpath, line, keyword, "skipped", reason)
    return None


def suite_features(suite):
    """The runner's `features` list for a suite."""
    if suite != "core" and suite not in PROPOSALS:
        raise DriverError(f"spec: unknown suite '{suite}'")
    return "none" if suite == "core" else (PROPOSALS[suite][1] or "none")


def run_suites(suites, pattern=None, tier="baseline", verbose=False, report=None, cmd=None, budget=None,
               vlen=DEFAULT_VLEN, simd_only=False, files=None):
    """vlen: the VLEN the runner's hart has (cmd must match: runner_command's
    vlen); SIMD files are compiled for V when it is > 0. simd_only: only the
    SIMD files (is_simd_file). files: only these (suite, relpath) pairs."""
    report = report or Report()
    root = testsuite_dir()
    cmd = cmd or runner_command(tier, vlen=vlen, budget=budget)
    for suite in suites:
        features = suite_features(suite)
        runner, last = None, None   # the running k23-spec, the last file it ran

        def finish(runner, last):
            # A runner's own end is a test: a non-zero status or a sanitizer
            # report (LeakSanitizer's comes at exit) fails it.
            why = runner.close()
            if why:
                report.add(suite, RUNNER_TEST, 0, "exit", "failed",
                           f"after {last}: {why}")

        try:
            for relpath, wast in suite_files(root, suite):
                if pattern and pattern not in relpath:
                    continue
                if files is not None and (suite, relpath) not in files:
                    continue
                simd = is_simd_file(suite, relpath)
                if simd_only and not simd:
                    continue
                json_path = convert_or_report(report, suite, relpath, wast)
                if json_path is None:
                    continue
                vector = simd and vlen > 0
                try:
                    if runner is None:
                        runner = Runner(cmd)
                        runner.ask(f"features {features}")
                    last = relpath
                    if vector:
                        runner.ask("vector on")
                    run_file(runner, report, suite, relpath, json_path)
                    if vector:
                        runner.ask("vector off")
                except RuntimeError as e:
                    # It died or hung (and said why): the file fails, the next
                    # file gets a new runner.
                    report.add(suite, relpath, 0, "runner", "failed", str(e))
                    finish(runner, last)   # (a death is reported once)
                    runner = None
                if runner is not None and runner.rss() > RUNNER_RSS_LIMIT:
                    finish(runner, last)
                    runner = None
                if verbose:
                    f = report.files.get(relpath, {})
                    info(f"spec: {relpath}: {f.get('passed', 0)} passed, {f.get('failed', 0)} failed, "
                         f"{f.get('skipped', 0)} skipped")
        finally:
            if runner is not None:
                finish(runner, last)
    return report


def cmd_spec(args):
    suites = args.suite or DEFAULT_SUITES
    vlen = getattr(args, "vlen", DEFAULT_VLEN)
    if getattr(args, "where", "hosted") == "kernel":
        import speckernel   # it imports this module
        report = speckernel.run_suites(suites, pattern=args.filter, verbose=args.verbose, vlen=vlen,
                                       tier=args.tier)
    else:
        report = run_suites(suites, pattern=args.filter, tier=args.tier, verbose=args.verbose, vlen=vlen,
                            budget=getattr(args, "tier_budget", None))
    for failure in report.failures[:200]:
        print(f"FAILED {failure['file']}:{failure['line']}: {failure['command']}: {failure['message']}")
    if len(report.failures) > 200:
        print(f"... and {len(report.failures) - 200} more failures")
    for title, table in (("suite", report.suites), ("command", report.by_command)):
        for name, counts in sorted(table.items()):
            print(f"  {title} {name}: {counts['passed']} passed, {counts['failed']} failed, "
                  f"{counts['skipped']} skipped")
    for reason, count in sorted(report.skip_reasons.items(), key=lambda item: -item[1]):
        print(f"  skipped {count}: {reason}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(report.as_json(), f, indent=1)
    tiers = report.kernel_tiers
    if tiers:
        print(f"  kernel guests, tier {tiers['tier']}: {tiers['optimized']} functions optimized, "
              f"{tiers['baseline']} baseline, {tiers['fell_back']} fell back")
    t = report.totals
    print(f"spec: {t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped")
    return 1 if t["failed"] else 0


# The files the riscv64-linux ring also runs with the optimizing tier (tests
# spec@optimizing.<file>): integer and float arithmetic, conversions,
# control flow, calls, memory and traps, and a file of each proposal the
# tier lowers (the whole suites: ./k23 spec --tier optimizing).
RING_OPTIMIZING_FILES = {("core", f) for f in (
    "i32.wast", "i64.wast", "f32.wast", "f64.wast", "conversions.wast", "int_exprs.wast",
    "float_exprs.wast", "br_table.wast", "br_if.wast", "loop.wast", "block.wast", "if.wast",
    "select.wast", "call.wast", "call_indirect.wast", "local_tee.wast", "address.wast",
    "memory_trap.wast", "traps.wast", "fac.wast", "left-to-right.wast", "stack.wast")} | {
    ("tail-call", "proposals/tail-call/return_call.wast"),
    ("tail-call", "proposals/tail-call/return_call_indirect.wast"),
    ("multi-memory", "proposals/multi-memory/load.wast"),
    ("extended-const", "proposals/extended-const/global.wast")}


# The files the riscv64-linux ring runs with --tier auto (tests spec@auto.<file>):
# loops, calls (direct, indirect, tail), traps and the arithmetic that tiers
# up in them; the whole suites: ./k23 spec --tier auto.
RING_AUTO_FILES = {("core", f) for f in (
    "loop.wast", "br_table.wast", "call.wast", "call_indirect.wast", "fac.wast", "traps.wast",
    "memory_trap.wast", "left-to-right.wast", "i64.wast", "f64.wast")} | {
    ("tail-call", "proposals/tail-call/return_call.wast"),
    ("tail-call", "proposals/tail-call/return_call_indirect.wast")}


def add_to_ring(result, target="host", prefix=(), pattern=None):
    """`./k23 test`: the spec suite's checked commands as tests of a ring
    (RingResult); skipped commands are not counted. The riscv64-linux ring
    executes them with the baseline tier (prefix: qemu-riscv64 at
    DEFAULT_VLEN), adds the extended-const, multi-memory, tail-call and
    relaxed-simd proposals, and runs the SIMD files again at each VLEN of
    RING_EXTRA_VLENS (tests spec@vlenN.<file>), and RING_OPTIMIZING_FILES
    with the optimizing tier (tests spec@optimizing.<file>)."""
    passes = [("spec", runner_command("baseline", target, prefix), DEFAULT_VLEN, False, None)]
    suites = ["core"]
    if target == "riscv64-linux":
        suites += ["extended-const", "multi-memory", "tail-call", "relaxed-simd"]
        for vlen in RING_EXTRA_VLENS:
            passes.append((f"spec@vlen{vlen}", runner_command("baseline", target, qemu_user(vlen)), vlen, True, None))
        passes.append(("spec@optimizing", runner_command("optimizing", target, prefix), DEFAULT_VLEN, False,
                       RING_OPTIMIZING_FILES))
        # Tier-up (budget AUTO_SPEC_BUDGET: nearly every function swaps tiers
        # mid-file, many in the middle of a loop): tests spec@auto.<file>.
        passes.append(("spec@auto", runner_command("auto", target, prefix), DEFAULT_VLEN, False,
                       RING_AUTO_FILES))
    reports = []
    for name, cmd, vlen, simd_only, files in passes:
        report = Report()
        run_suites(suites, pattern=None, cmd=cmd, report=report, vlen=vlen, simd_only=simd_only, files=files)
        report_to_ring(result, name, report)
        reports.append(report)
    return reports[0]


def report_to_ring(result, name, report):
    """A Report's checked commands as tests of a ring: one passed test per
    passed command (skipped ones do not count), one failed test per (file,
    line, command) that failed (line 0: the file's runner)."""
    failed = {}
    for f in report.failures:
        messages = failed.setdefault((f["file"], f["line"], f["command"]), [])
        if f["message"] not in messages:
            messages.append(f["message"])
    for file, counts in sorted(report.files.items()):
        for _ in range(counts["passed"]):
            result.ok(f"{name}.{file}")
    for (file, line, command), messages in sorted(failed.items()):
        where = f"{file}:{line}" if line else file
        result.fail(f"{name}.{where}.{command}", "\n".join(messages))
