"""How the test rings judge a test program's own end (standard library only).

A test program (k23-tests, k23-spec, either under qemu-riscv64) that exits
with a non-zero status, dies of a signal, times out, or prints a sanitizer
report (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer) has
failed, whatever its tests said: `problem()` says so in one message that
starts with what happened and quotes the report's first lines.
"""
import os
import re
import signal

# The first line of a sanitizer report: ASan and LSan ("==PID==ERROR:
# LeakSanitizer: detected memory leaks"), UBSan ("FILE:LINE:COL: runtime
# error: ..."), and any sanitizer's closing SUMMARY line.
REPORT_START = re.compile(r"^(?:==\d+==\s*ERROR: \w+Sanitizer|.*\bruntime error: |"
                          r"SUMMARY: \w+Sanitizer)", re.M)
REPORT_LINES = 25   # lines of a report quoted in a failure
TAIL_LINES = 25     # lines of other output quoted when there is no report

# What the host build's sanitizers are told, unless the environment already
# says otherwise: leaks are reported (and fail), UBSan reports carry a stack.
SANITIZER_DEFAULTS = {
    "ASAN_OPTIONS": "detect_leaks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1",
}


def sanitizer_env(env=None):
    """os.environ (or env) with SANITIZER_DEFAULTS for unset variables."""
    env = dict(os.environ if env is None else env)
    for key, value in SANITIZER_DEFAULTS.items():
        env.setdefault(key, value)
    return env


def sanitizer_report(text):
    """The first lines of the first sanitizer report in text, or None."""
    m = REPORT_START.search(text or "")
    if not m:
        return None
    return "\n".join(text[m.start():].splitlines()[:REPORT_LINES])


def describe_status(status):
    """'status 3', 'signal 11 (SIGSEGV)' for a negative returncode."""
    if status < 0:
        try:
            return f"signal {-status} ({signal.Signals(-status).name})"
        except ValueError:
            return f"signal {-status}"
    return f"status {status}"


def problem(name, status, output, timeout=None):
    """None when a program that ended with `status` (a returncode; None:
    it was stopped after `timeout` s) and printed `output` ended well;
    otherwise the failure message: what happened, then the first lines of
    a sanitizer report in the output, else the output's last lines."""
    report = sanitizer_report(output)
    if status == 0 and report is None:
        return None
    if status is None:
        head = f"{name} timed out" + (f" after {timeout} s" if timeout else "")
    elif status == 0:
        head = f"{name} exited with status 0 but printed a sanitizer report"
    else:
        head = f"{name} exited with {describe_status(status)}"
    if report is not None:
        return f"{head}:\n{report}"
    tail = "\n".join((output or "").rstrip().splitlines()[-TAIL_LINES:])
    return f"{head}:\n{tail}" if tail else f"{head} (no output)"
