"""Boot checks for the initial ramdisk (issue 14 item 1): the driver packs a
host directory as cpio newc (tools/driver/initrd.py), QEMU passes it with
-initrd, the loader keeps its frames, and the kernel unpacks it into its
file system; a broken archive is refused with one line and the boot goes
on; and write-back brings what the kernel changed back to the host."""
import os
import random
import re
import shutil
import tempfile

import initrd


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def make_tree(root, seed):
    rng = random.Random(seed)
    os.makedirs(os.path.join(root, "sub", "deeper"))
    os.makedirs(os.path.join(root, "empty-dir"))
    files = {
        "hello.txt": b"hello from the initrd\n",
        "empty": b"",
        "odd-size.bin": bytes(rng.randrange(256) for _ in range(4097)),
        "sub/deeper/data.bin": bytes(rng.randrange(256) for _ in range(rng.randrange(1, 70000))),
        "sub/with space.txt": b"names keep their spaces\n",
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    return files


def tail(boot):
    return "\n".join(boot.lines()[-20:])


def check_initrd_unpacked_and_listed(ctx):
    with tempfile.TemporaryDirectory() as work:
        tree = os.path.join(work, "tree")
        files = make_tree(tree, 23)
        image = os.path.join(work, "initrd.cpio")
        initrd.write([(tree, "")], image)
        boot = ctx.boot(append="ktest=initrd_lists_files", initrd=image)
        assert boot.status == 0, f"status {boot.status}:\n{tail(boot)}"
        assert any(l.startswith("loader: initrd at ") for l in boot.lines()), f"loader did not keep the initrd:\n{tail(boot)}"
        summary = [l for l in boot.lines() if l.startswith("initrd: ")]
        assert len(summary) == 1 and re.match(r"initrd: \d+ bytes at 0x[0-9a-f]+: 5 files \(\d+ bytes\), 3 directories$",
                                              summary[0].strip()), f"summary {summary}"
        listed_files = {}
        listed_dirs = set()
        for line in boot.lines():
            line = line.rstrip("\r")
            if line.startswith("initrd-list: dir "):
                listed_dirs.add(line[len("initrd-list: dir "):])
            elif line.startswith("initrd-list: file "):
                m = re.match(r"initrd-list: file (.+) (\d+) 0x([0-9a-f]{16})$", line)
                assert m, f"bad listing line {line!r}"
                listed_files[m.group(1)] = (int(m.group(2)), int(m.group(3), 16))
        assert listed_dirs == {"sub", "sub/deeper", "empty-dir"}, f"directories {sorted(listed_dirs)}"
        expected = {name: (len(data), fnv1a(data)) for name, data in files.items()}
        assert listed_files == expected, f"files differ:\n kernel {listed_files}\n host   {expected}"
        assert "ktest: PASS initrd_lists_files" in boot.output


def check_malformed_initrd_is_refused_with_one_line(ctx):
    with tempfile.TemporaryDirectory() as work:
        good = initrd.Writer()
        good.file("a.txt", b"x" * 100)
        archive = good.finish()
        cases = [
            (b"not a cpio archive at all" * 10, r"initrd: refused: cpio: bad magic at offset 0"),
            (archive[:60], r"initrd: refused: cpio: truncated header at offset 0"),
            (archive[:150], r"initrd: refused: cpio: entry at offset 0: data runs past the end"),
        ]
        for data, pattern in cases:
            path = os.path.join(work, "bad.cpio")
            with open(path, "wb") as f:
                f.write(data)
            boot = ctx.boot(initrd=path)
            lines = [l.strip() for l in boot.lines() if l.startswith("initrd: ")]
            assert len(lines) == 1 and re.match(pattern, lines[0]), f"want {pattern!r}, got {lines}:\n{tail(boot)}"
            assert boot.status == 0, f"a refused initrd stops the boot (status {boot.status}):\n{tail(boot)}"


def check_writeback_reconstructs_the_directory(ctx):
    with tempfile.TemporaryDirectory() as work:
        tree = os.path.join(work, "tree")
        files = make_tree(tree, 5)
        with open(os.path.join(tree, "rewritten.txt"), "wb") as f:
            f.write(b"old contents\n")
        image = os.path.join(work, "initrd.cpio")
        initrd.write([(tree, "")], image)
        before = os.path.join(work, "before")
        shutil.copytree(tree, before)
        boot = ctx.boot(append="ktest=ramfs_writeback_probe ramfs-dump", initrd=image)
        assert boot.status == 0, f"status {boot.status}:\n{tail(boot)}"
        archive = initrd.parse_dump(boot.output)
        assert archive is not None, f"no dump:\n{tail(boot)}"
        written = initrd.write_back(archive, [(tree, "")])
        rel = sorted(os.path.relpath(p, tree) for p in written)
        assert rel == ["made-in-k23/result.txt", "rewritten.txt"], f"written {rel}"
        with open(os.path.join(tree, "made-in-k23", "result.txt"), "rb") as f:
            assert f.read() == b"written inside k23\n"
        with open(os.path.join(tree, "rewritten.txt"), "rb") as f:
            assert f.read() == b"new contents\n"
        for name, data in files.items():  # everything else as it was
            with open(os.path.join(tree, name), "rb") as f:
                assert f.read() == data, name
