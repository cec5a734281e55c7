"""tools/driver/initrd.py: the cpio newc archives the driver writes for the
kernel's initial ramdisk, its reader, and write-back of a dump."""
import base64
import os
import tempfile

import initrd
from common import DriverError


def _raises(fn, text):
    try:
        fn()
    except DriverError as e:
        assert text in str(e), f"error {e!r} lacks {text!r}"
        return
    raise AssertionError(f"no DriverError containing {text!r}")


def check_initrd_archive_round_trips(ctx):
    with tempfile.TemporaryDirectory() as work:
        os.makedirs(os.path.join(work, "a", "b"))
        with open(os.path.join(work, "a", "b", "f"), "wb") as f:
            f.write(b"12345")
        with open(os.path.join(work, "top"), "wb") as f:
            f.write(b"")
        data = initrd.build([(work, "guest/dir")])
        assert data[:6] == b"070701" and len(data) % 4 == 0
        assert data.endswith(b"TRAILER!!!\0\0\0\0") or b"TRAILER!!!" in data[-24:]
        entries = {name: (mode & 0o170000, body) for name, mode, body in initrd.read(data)}
        assert entries == {
            "guest": (initrd.S_IFDIR, b""), "guest/dir": (initrd.S_IFDIR, b""),
            "guest/dir/a": (initrd.S_IFDIR, b""), "guest/dir/a/b": (initrd.S_IFDIR, b""),
            "guest/dir/a/b/f": (initrd.S_IFREG, b"12345"), "guest/dir/top": (initrd.S_IFREG, b""),
        }, entries
        # Parents always come before their children.
        names = [name for name, _, _ in initrd.read(data)]
        for name in names:
            if "/" in name:
                assert names.index(name.rpartition("/")[0]) < names.index(name), names


def check_initrd_mappings_and_refusals(ctx):
    assert initrd.parse_mapping(".") == (".", "")
    assert initrd.parse_mapping("x/y::/data/") == ("x/y", "data")
    assert initrd.parse_mapping("x::./in/./here") == ("x", "in/here")
    _raises(lambda: initrd.parse_mapping("x::../up"), "'..'")
    with tempfile.TemporaryDirectory() as work:
        os.symlink("/etc/passwd", os.path.join(work, "link"))
        _raises(lambda: initrd.build([(work, "")]), "symbolic link")
        _raises(lambda: initrd.build([(os.path.join(work, "missing"), "")]), "not a directory")
    good = initrd.Writer()
    good.file("f", b"data")
    data = good.finish()
    _raises(lambda: initrd.read(b"x" * 200), "bad magic")
    _raises(lambda: initrd.read(data[:50]), "truncated header")
    _raises(lambda: initrd.read(data[:114]), "data runs past the end")


def check_initrd_dump_and_write_back(ctx):
    w = initrd.Writer()
    w.directory("out")
    w.file("out/new.txt", b"new")
    w.file("same.txt", b"same")
    w.file("elsewhere/x", b"not mapped")
    archive = w.finish()
    text = "noise\r\nramfs: dump begin\r\n" + "\r\n".join(
        base64.b64encode(archive[i:i + 57]).decode() for i in range(0, len(archive), 57)) + \
        f"\r\nramfs: dump end {len(archive)} bytes\r\nshutdown: status 0\r\n"
    assert initrd.parse_dump(text) == archive
    assert initrd.parse_dump("no dump here") is None
    _raises(lambda: initrd.parse_dump("ramfs: dump begin\nAAAA\n"), "no 'ramfs: dump end'")
    _raises(lambda: initrd.parse_dump("ramfs: dump begin\nAAAA\nramfs: dump end 9 bytes\n"), "3 bytes decoded")
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "same.txt"), "wb") as f:
            f.write(b"same")
        written = initrd.write_back(archive, [(work, "")])
        assert sorted(os.path.relpath(p, work) for p in written) == ["elsewhere/x", "out/new.txt"], written
    with tempfile.TemporaryDirectory() as work:
        written = initrd.write_back(archive, [(work, "out")])
        assert [os.path.relpath(p, work) for p in written] == ["new.txt"], written
