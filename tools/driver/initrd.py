"""Initial ramdisks for the kernel (issue 14): cpio "newc" archives of host
directories mapped to guest paths, which QEMU passes with -initrd and the
kernel unpacks into its in-memory file system (kernel/fs/Initrd.h); and
write-back, which turns the kernel's dump of that file system (base64 of a
newc archive between "ramfs: dump begin" and "ramfs: dump end N bytes")
back into files on the host.

Format (cpio(5), "New ASCII Format"; Linux's
Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte
header, "070701" and 13 fields of 8 hex digits (ino, mode, uid, gid,
nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
namesize with its NUL, check), the NUL-terminated name padded to a
multiple of 4, the data padded to a multiple of 4; "TRAILER!!!" ends it."""
import base64
import os
import re
import stat

from common import DriverError

MAGIC = b"070701"
HEADER_SIZE = 110
TRAILER = "TRAILER!!!"
S_IFDIR = 0o040000
S_IFREG = 0o100000


def _pad4(n):
    return (4 - n % 4) % 4


def guest_path(path):
    """A guest path as the archive spells it: no leading "/" or "./", no
    "." or ".." components; "" is the root."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise DriverError(f"initrd: guest path {path!r} has a '..' component")
    return "/".join(parts)


def parse_mapping(spec):
    """HOST[::GUEST] (as --dir spells it) -> (host, guest); without GUEST the
    guest sees HOST's own path (relative to the root: "." is the root)."""
    host, sep, guest = spec.partition("::")
    if not sep:
        guest = host
    return host, guest_path(guest)


class Writer:
    def __init__(self):
        self.out = bytearray()
        self.inode = 0
        self.names = set()

    def entry(self, name, mode, data=b"", mtime=0):
        self.inode += 1
        encoded = name.encode()
        fields = [self.inode, mode, 0, 0, 1, int(mtime) & 0xFFFFFFFF, len(data), 0, 0, 0, 0, len(encoded) + 1, 0]
        self.out += MAGIC + b"".join(b"%08X" % f for f in fields)
        self.out += encoded + b"\0" + b"\0" * _pad4(HEADER_SIZE + len(encoded) + 1)
        self.out += data + b"\0" * _pad4(len(data))

    def directory(self, name, mtime=0):
        # Every parent first, each once.
        parts = name.split("/") if name else []
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if prefix not in self.names:
                self.names.add(prefix)
                self.entry(prefix, S_IFDIR | 0o755, mtime=mtime)

    def file(self, name, data, mtime=0):
        parent = name.rpartition("/")[0]
        self.directory(parent)
        if name in self.names:
            raise DriverError(f"initrd: {name} appears twice")
        self.names.add(name)
        self.entry(name, S_IFREG | 0o644, data, mtime)

    def finish(self):
        self.entry(TRAILER, 0)
        return bytes(self.out)


def build(mappings, extra_files=()):
    """The archive of [(host_dir, guest_path)]: directories and regular files
    (a symbolic link or a device is refused: the kernel's file system has
    neither); extra_files: [(guest_path, bytes)] added first."""
    w = Writer()
    for name, data in extra_files:
        w.file(guest_path(name), data)
    for host, guest in mappings:
        if not os.path.isdir(host):
            raise DriverError(f"initrd: {host} is not a directory")
        w.directory(guest)
        for root, dirs, files in os.walk(host):
            dirs.sort()
            rel = os.path.relpath(root, host)
            base = guest_path(os.path.join(guest, rel) if rel != "." else guest)
            for name in dirs + sorted(files):
                full = os.path.join(root, name)
                info = os.lstat(full)
                target = f"{base}/{name}" if base else name
                if stat.S_ISLNK(info.st_mode):
                    raise DriverError(f"initrd: {full} is a symbolic link (not supported)")
                if stat.S_ISDIR(info.st_mode):
                    w.directory(target, info.st_mtime)
                elif stat.S_ISREG(info.st_mode):
                    with open(full, "rb") as f:
                        w.file(target, f.read(), info.st_mtime)
                else:
                    raise DriverError(f"initrd: {full} is not a file or directory")
    return w.finish()


def write(mappings, path):
    data = build(mappings)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def read(data):
    """[(name, mode, bytes)] of a newc archive, with the kernel's checks; a
    malformed archive is a DriverError naming the problem."""
    entries = []
    offset = 0
    while True:
        if len(data) - offset < HEADER_SIZE:
            raise DriverError(f"cpio: truncated header at offset {offset}")
        header = data[offset:offset + HEADER_SIZE]
        if header[:6] != MAGIC:
            raise DriverError(f"cpio: bad magic at offset {offset}")
        try:
            fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            raise DriverError(f"cpio: entry at offset {offset}: a field is not hex")
        mode, size, namesize = fields[1], fields[6], fields[11]
        name_end = offset + HEADER_SIZE + namesize
        if namesize == 0 or name_end > len(data) or data[name_end - 1] != 0:
            raise DriverError(f"cpio: entry at offset {offset}: bad name")
        name = data[offset + HEADER_SIZE:name_end - 1].decode(errors="replace")
        data_start = name_end + _pad4(HEADER_SIZE + namesize)
        if data_start + size > len(data):
            raise DriverError(f"cpio: entry at offset {offset}: data runs past the end")
        if name == TRAILER:
            return entries
        entries.append((guest_path(name), mode, bytes(data[data_start:data_start + size])))
        offset = data_start + size + _pad4(size)


DUMP_BEGIN = re.compile(r"^ramfs: dump begin$")
DUMP_END = re.compile(r"^ramfs: dump end (\d+) bytes$")


def parse_dump(output):
    """The archive the kernel dumped in `output` (console text), or None if
    it dumped none; a dump cut short or of the wrong size is a DriverError."""
    lines = output.replace("\r\n", "\n").split("\n")
    begin = next((i for i, l in enumerate(lines) if DUMP_BEGIN.match(l.strip())), None)
    if begin is None:
        return None
    for i in range(begin + 1, len(lines)):
        m = DUMP_END.match(lines[i].strip())
        if m:
            data = base64.b64decode("".join(l.strip() for l in lines[begin + 1:i]))
            if len(data) != int(m.group(1)):
                raise DriverError(f"ramfs dump: {len(data)} bytes decoded, the kernel said {m.group(1)}")
            return data
    raise DriverError("ramfs dump: no 'ramfs: dump end' line (the kernel stopped during the dump?)")


def write_back(archive, mappings):
    """Copies what the archive holds beneath each mapping's guest path into
    its host directory: new directories are made, files whose contents
    differ are (re)written. Returns the host paths written. Files the guest
    deleted are left alone on the host."""
    written = []
    for name, mode, data in read(archive):
        for host, guest in mappings:
            if guest and name != guest and not name.startswith(guest + "/"):
                continue
            rel = name[len(guest):].lstrip("/") if guest else name
            target = os.path.join(host, rel) if rel else host
            if mode & 0o170000 == S_IFDIR:
                os.makedirs(target, exist_ok=True)
            elif mode & 0o170000 == S_IFREG:
                old = None
                if os.path.isfile(target):
                    with open(target, "rb") as f:
                        old = f.read()
                if old != data:
                    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(data)
                    written.append(target)
            break
    return written
