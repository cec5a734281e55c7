"""How the rings judge a test program's own end (tools/driver/procstatus.py),
checked in the host ring (tests driver.NAME): a sanitizer report, a non-zero
status, a crash or a hang of k23-spec or of a GoogleTest binary is a failed
test whose message quotes the report, and a clean end is not. The real
k23-spec is run once with --leak-for-test (LeakSanitizer must fail it) and
once without (it must end clean); the other endings come from stand-ins
(tests/driver/standin.py). Each check_* function gets the host ring's
context (tools/driver/checks.py)."""
import os
import shutil
import sys
import tempfile

import spec
import testrings
from common import BUILD, DriverError

STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin.py")
SMALL_FILE = "forward.wast"   # a short core file: 5 commands


def spec_failures(cmd):
    """{test name: message} of the spec ring's failures for SMALL_FILE run by cmd."""
    report = spec.Report()
    spec.run_suites(["core"], pattern=SMALL_FILE, cmd=cmd, report=report)
    return {f"{f['file']}:{f['line']}.{f['command']}": f["message"] for f in report.failures}


def standin_spec(mode):
    return [sys.executable, STANDIN, "spec", mode]


def expect(what, failures, names, *texts):
    """failures (name -> message) are exactly names, and the first one's
    message has each of texts."""
    assert sorted(failures) == sorted(names), \
        f"{what}: failed tests {sorted(failures) or 'none'}, expected {sorted(names) or 'none'}" + \
        "".join(f"\n{n}: {m}" for n, m in failures.items())
    for text in texts:
        assert text in failures[names[0]], \
            f"{what}: no '{text}' in the failure of {names[0]}:\n{failures[names[0]]}"


def check_spec_runner_leak(ctx):
    """The real k23-spec (host build, LeakSanitizer on) ends clean, and with
    the engine leak reintroduced (--leak-for-test) the leak fails the ring."""
    cmd = spec.runner_command("baseline", "host", ())
    expect("k23-spec", spec_failures(cmd), [])
    expect("k23-spec --leak-for-test", spec_failures(cmd + ["--leak-for-test"]),
           ["k23-spec:0.exit"], "k23-spec exited with status",
           "ERROR: LeakSanitizer: detected memory leaks", "Engine::create")


def check_spec_runner_endings(ctx):
    """Stand-ins of k23-spec: an exit status, a UBSan report with status 0,
    a crash, a runner without an engine and a hang each fail, with what the
    runner printed; a clean end does not."""
    exit_test, runner_test = "k23-spec:0.exit", f"{SMALL_FILE}:0.runner"
    expect("clean end", spec_failures(standin_spec("clean")), [])
    expect("exit status 3", spec_failures(standin_spec("status")), [exit_test],
           "k23-spec exited with status 3", f"after {SMALL_FILE}")
    expect("UBSan report", spec_failures(standin_spec("ubsan")), [exit_test],
           "runtime error: signed integer overflow")
    expect("crash", spec_failures(standin_spec("crash")), [runner_test],
           "signal 11 (SIGSEGV)", "ERROR: AddressSanitizer: SEGV")
    expect("no engine", spec_failures(standin_spec("noengine")), [runner_test],
           "cannot start the file: unsupported: stand-in has no engine")
    saved = spec.COMMAND_TIMEOUT
    spec.COMMAND_TIMEOUT = 2
    try:
        failures = spec_failures(standin_spec("hang"))
    finally:
        spec.COMMAND_TIMEOUT = saved
    expect("hang", failures, [runner_test], "timed out (2 s)")


def gtest_result(mode, timeout=60):
    result = testrings.RingResult("stand-in")
    with tempfile.TemporaryDirectory(prefix="k23-standin-") as tmp:
        testrings.run_gtest(result, [sys.executable, STANDIN, "gtest", mode],
                            os.path.join(tmp, "report.json"), None, False, timeout=timeout)
    return result.passed, dict(result.failures)


def check_gtest_endings(ctx):
    """Stand-ins of k23-tests: a LeakSanitizer report after a clean report
    fails the binary's test, as do a crash and a hang; failed tests alone
    fail only themselves."""
    for mode, passed, names, texts in (
            ("clean", 1, [], ()),
            ("failed", 0, ["Stand.In"], ()),
            ("leak", 1, ["k23-tests"], ("k23-tests exited with status 23",
                                        "ERROR: LeakSanitizer", "State::reset")),
            ("failed-leak", 0, ["k23-tests", "Stand.In"], ("ERROR: LeakSanitizer",)),
            ("crash", 1, ["k23-tests"], ("signal 11 (SIGSEGV)",)),
            ("hang", 0, ["k23-tests"], ("timed out after 2 s",))):
        got_passed, failures = gtest_result(mode, timeout=2 if mode == "hang" else 60)
        expect(mode, failures, names, *texts)
        assert got_passed == passed, f"{mode}: {got_passed} passed, expected {passed}"


def check_wast2json_crash(ctx):
    """A wast2json that dies of a signal is an error, not a file it rejects
    (whose commands would be skipped, uncounted)."""
    with tempfile.TemporaryDirectory(prefix="k23-standin-") as tmp:
        fake = os.path.join(tmp, "wast2json")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'stand-in wast2json'\nkill -SEGV $$\n")
        os.chmod(fake, 0o755)
        wast = os.path.join(tmp, "standin.wast")
        with open(wast, "w") as f:
            f.write("(module)\n")
        saved = os.environ["PATH"]
        os.environ["PATH"] = tmp + os.pathsep + saved
        try:
            spec.convert("core", "k23-standin.wast", wast)
            raise AssertionError("a crashed wast2json was taken for a verdict on the file")
        except DriverError as e:
            assert "died of signal 11 (SIGSEGV)" in str(e) and "stand-in wast2json" in str(e), str(e)
        finally:
            os.environ["PATH"] = saved
            shutil.rmtree(os.path.join(BUILD, "spec", "core", "k23-standin"), ignore_errors=True)
