"""Shared helpers for the k23 driver (standard library only)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
DEPS = os.path.join(BUILD, "deps")


class DriverError(Exception):
    """A failure the driver reports as one line and exit status 1."""


def info(message):
    print(message, file=sys.stderr, flush=True)


def run(cmd, check=True, quiet=False, **kwargs):
    """Runs cmd; with quiet, output is captured and shown only on failure."""
    if quiet:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", **kwargs)
        if check and proc.returncode != 0:
            sys.stderr.write(proc.stdout[-8000:])
            raise DriverError(f"command failed ({proc.returncode}): {' '.join(cmd)}")
        return proc
    proc = subprocess.run(cmd, **kwargs)
    if check and proc.returncode != 0:
        raise DriverError(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc


def privileged(cmd):
    """Prefixes sudo when not root (apt needs root)."""
    if os.geteuid() == 0:
        return cmd
    return ["sudo", "-n"] + cmd
