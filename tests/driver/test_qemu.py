"""tools/driver/qemu.py's time limits: a captured boot (tests, bench) gets
120 s unless told otherwise, and `./k23 run`'s boot (passthrough, with or
without its stdin fed to the guest) runs as long as its guest unless
--timeout gives a limit. Regression: feeding stdin once gave every
`./k23 run` the captured boots' 120 s, which cut shootout-ed25519 off."""
import qemu


def _limits(monkey_calls):
    """Runs qemu.boot with run_qemu replaced; returns the timeout each call got."""
    seen = []
    real = qemu.run_qemu

    def fake(cmd, timeout, *rest, **kw):
        seen.append(timeout)
        return 0, "", "exited"

    qemu.run_qemu = fake
    try:
        for kwargs in monkey_calls:
            qemu.boot("/nonexistent.img", **kwargs)
    finally:
        qemu.run_qemu = real
    return seen


def check_boot_time_limits(ctx):
    sink = lambda chunk: None
    limits = _limits([
        {},                                                        # captured
        {"timeout": 30},                                           # captured, given
        {"passthrough": True},                                     # ./k23 run, terminal
        {"passthrough": True, "console": sink},                    # framed, no stdin
        {"passthrough": True, "console": sink, "feed_stdin": True},  # framed, stdin fed
        {"passthrough": True, "console": sink, "feed_stdin": True, "timeout": 70},
    ])
    assert limits == [120, 30, None, None, None, 70], limits
