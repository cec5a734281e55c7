"""./k23 run FILE.wasm [ARGS...] inside the kernel (issue 14; kernel/WasiRun.h).

The driver packs one initial ramdisk (tools/driver/initrd.py):

    run/module.wasm     FILE.wasm
    run/command         the command file: NUL-terminated strings
                        (module, name, arg..., env..., dir PATH GUEST..., invoke)
    run/dirN            the N-th --dir HOST[::GUEST], preopened as GUEST
                        (without ::GUEST, as HOST: k23-run's and wasmtime's naming)

boots the kernel with `run=run/command` (and `ramfs-dump=changed` when there
is a --dir, so what the guest wrote comes back: initrd.write_back), shows the
guest's stdout and stderr, decoded from the console frame the kernel puts
them in (DLE B ... DLE X; DLE O / DLE E switch streams, DLE DLE is a DLE
byte, CR LF is the console's newline), and exits with the status of the
kernel's `shutdown: status N` line: the guest's."""
import os
import sys

import build as k23build
import initrd as k23initrd
import qemu
from common import DriverError, info

DLE = 0x10


class FrameDecoder:
    """Turns console chunks into (kernel text, guest stdout, guest stderr)
    pieces as they arrive. `out(stream, bytes)` gets them: stream is
    "kernel", "stdout" or "stderr"."""

    def __init__(self, out):
        self.out = out
        self.inside = False
        self.stream = "stdout"
        self.pending = b""
        self.frames = 0

    def feed(self, chunk):
        data = self.pending + chunk
        self.pending = b""
        i = 0
        piece = bytearray()
        where = "kernel" if not self.inside else self.stream

        def flush():
            nonlocal piece
            if piece:
                self.out(where, bytes(piece))
                piece = bytearray()

        while i < len(data):
            b = data[i]
            if b == DLE:
                if i + 1 >= len(data):
                    self.pending = data[i:]
                    break
                c = data[i + 1]
                i += 2
                if not self.inside:
                    if c == ord("B"):
                        flush()
                        self.inside, self.stream, where = True, "stdout", "stdout"
                        self.frames += 1
                    else:
                        piece += bytes((b, c))
                    continue
                if c == DLE:
                    piece.append(DLE)
                elif c in (ord("O"), ord("E")):
                    flush()
                    self.stream = where = "stdout" if c == ord("O") else "stderr"
                elif c == ord("X"):
                    flush()
                    self.inside, where = False, "kernel"
                    # The newline after DLE X belongs to the kernel.
                else:
                    piece += bytes((b, c))
                continue
            if self.inside and b == 0x0D:
                if i + 1 >= len(data):
                    self.pending = data[i:]
                    break
                if data[i + 1] == 0x0A:
                    piece.append(0x0A)
                    i += 2
                    continue
            piece.append(b)
            i += 1
        flush()

    def finish(self):
        if self.pending:
            self.out("stdout" if self.inside else "kernel", self.pending)
            self.pending = b""


def command_file(module, name, arguments, environment, dirs, invoke):
    words = ["module", module, "name", name]
    for a in arguments:
        words += ["arg", a]
    for e in environment:
        words += ["env", e]
    for path, guest in dirs:
        words += ["dir", path, guest]
    if invoke:
        words += ["invoke", invoke]
    for w in words:
        if "\0" in w:
            raise DriverError(f"run: {w!r} contains a NUL byte")
    return b"".join(w.encode() + b"\0" for w in words)


def parse_dir(spec):
    """--dir HOST[::GUEST] -> (host, guest name the program sees)."""
    host, sep, guest = spec.partition("::")
    if not sep:
        guest = host
    if not host or not guest:
        raise DriverError(f"--dir {spec}: expected HOST[::GUEST]")
    if not os.path.isdir(host):
        raise DriverError(f"--dir {spec}: {host} is not a directory")
    return host, guest


def cmd_run_file(args):
    """./k23 run FILE.wasm in the kernel. Returns the exit status."""
    if args.uboot:
        raise DriverError("run: FILE.wasm with --uboot is not supported yet")
    if args.initrd or args.writeback:
        raise DriverError("run: FILE.wasm takes --dir (written back by itself), not --initrd/--writeback")
    if not os.path.isfile(args.file):
        raise DriverError(f"run: {args.file}: no such file")
    for e in args.env or []:
        if "=" not in e:
            raise DriverError(f"--env {e}: expected KEY=VALUE")
    image = args.image
    if image is None:
        k23build.build(targets=["kernel"], quiet=not args.verbose)
        image = k23build.image_path()
    dirs = [parse_dir(d) for d in args.dir or []]
    mappings = [(host, f"run/dir{i}") for i, (host, _) in enumerate(dirs)]
    with open(args.file, "rb") as f:
        module = f.read()
    command = command_file("/run/module.wasm", args.file, args.args or [], args.env or [],
                           [(f"/run/dir{i}", guest) for i, (_, guest) in enumerate(dirs)], args.invoke)
    os.makedirs(k23build.build_dir("kernel"), exist_ok=True)
    initrd_path = os.path.join(k23build.build_dir("kernel"), "run-file-initrd.cpio")
    data = k23initrd.build(mappings, extra_files=[("run/module.wasm", module), ("run/command", command)])
    with open(initrd_path, "wb") as f:
        f.write(data)
    if args.verbose:
        info(f"run: initrd of {len(data)} bytes")
    append = (args.append + " run=run/command" + (" ramfs-dump=changed" if dirs else "")).strip()

    streams = {"stdout": sys.stdout.buffer, "stderr": sys.stderr.buffer}

    def out(stream, data):
        if stream == "kernel":
            if not args.verbose:
                return
            stream = "stdout"
        streams[stream].write(data)
        streams[stream].flush()

    decoder = FrameDecoder(out)
    result = qemu.boot(image, append=append, smp=args.smp, memory=args.memory, vlen=args.vlen,
                       timeout=args.timeout, passthrough=True, machine=args.machine,
                       initrd=initrd_path, console=decoder.feed)
    decoder.finish()
    if dirs and result.reported_status is not None:
        archive = k23initrd.parse_dump(result.output)
        if archive is None:
            raise DriverError("run: the kernel printed no file-system dump")
        written = k23initrd.write_back(archive, mappings)
        if args.verbose:
            info(f"run: wrote back {len(written)} files")
    if result.reported_status is None or decoder.frames == 0:
        sys.stdout.flush()
        if not args.verbose:
            # What the kernel said last, so a failed boot is not silent.
            for line in result.lines()[-10:]:
                print(line, file=sys.stderr)
        print(result.reason or "run: the kernel did not run the program", file=sys.stderr)
        return result.status or 1
    return result.reported_status & 0xFF
