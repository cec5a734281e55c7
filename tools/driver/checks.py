"""Python checks of the test rings: every function check_NAME(ctx) in a
tests/FOLDER/test_*.py file is the test FOLDER.NAME (tests/kernel/'s are
boot.NAME). A check passes when it returns, and fails with an assertion's
message; any other exception (a DriverError, a subprocess's timeout, a bug in
the check) fails it too, with the exception's type, never ends the ring. A
check that records many results itself (ctx.ok / ctx.fail) returns REPORTED.
"""
import importlib.util
import os
import subprocess

from common import ROOT, DriverError

REPORTED = "reported"


def load(folder, prefix):
    """[(PREFIX.NAME, function)] of tests/FOLDER/test_*.py, in file order."""
    path = os.path.join(ROOT, "tests", folder)
    found = []
    for name in sorted(os.listdir(path)) if os.path.isdir(path) else []:
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(f"{folder}_{name[:-3]}",
                                                      os.path.join(path, name))
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:   # the file itself is broken: a failed test, not a crash
            found.append((f"{prefix}.{name[:-3]}", broken_file(name, e)))
            continue
        for attr in sorted(dir(module)):
            if attr.startswith("check_") and callable(getattr(module, attr)):
                found.append((f"{prefix}.{attr[len('check_'):]}", getattr(module, attr)))
    return found


def broken_file(name, error):
    def check(ctx):
        raise AssertionError(f"{name} does not load: {type(error).__name__}: {error}")
    return check


def run(result, found, ctx, pattern=None):
    """Runs each check whose name contains pattern; records it in result
    (a RingResult)."""
    for name, check in found:
        if pattern and pattern not in name:
            continue
        try:
            if check(ctx) != REPORTED:
                result.ok(name)
        except AssertionError as e:
            result.fail(name, str(e) or "assertion failed")
        except (DriverError, subprocess.TimeoutExpired) as e:
            result.fail(name, f"{type(e).__name__}: {e}")
        except Exception as e:  # a bug in the check itself is a failed test, not a crash
            result.fail(name, f"{type(e).__name__} in the check: {e}")
