"""./k23 run FILE.wasm [ARGS...] [--also FILE2.wasm ARGS2...] inside the kernel
(issue 14; kernel/WasiRun.h), and ./k23 run without a file: the default program.

The driver packs one initial ramdisk (tools/driver/initrd.py):

    run/module.wasm     FILE.wasm (run/moduleN.wasm for the N-th guest with --also)
    run/command         the command file: NUL-terminated strings
                        (module, name, arg..., env..., dir PATH GUEST..., invoke)
                        (run/commandN with --also)
    run/dirN            the N-th --dir HOST[::GUEST], preopened as GUEST
                        (without ::GUEST, as HOST: k23-run's and wasmtime's naming)

boots the kernel with `run=run/command` (`run=run/command0,run/command1,...`
with --also; `run-timeout=MS` with --timeout; and `ramfs-dump=changed` when there
is a --dir, so what the guest wrote comes back: initrd.write_back), shows the
guest's stdout and stderr, decoded from the console frame the kernel puts
them in (DLE B ... DLE X; DLE O / DLE E switch streams, DLE DLE is a DLE
byte, CR LF is the console's newline), and exits with the status of the
kernel's `shutdown: status N` line: the guest's.

The driver's stdin is the first guest's stdin (the others read end of
file): it goes to the console's input framed the same way (DLE DLE is a DLE
byte), and its end, or Ctrl-D at the start of a line on a terminal, is
DLE D, the guest's end of file (qemu.InputFeed, kernel/ConsoleInput.h).
With stdin at /dev/null the guest reads end of file at once."""
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


def split_guests(file, arguments):
    """FILE.wasm ARGS... [--also FILE2.wasm ARGS2...]... -> [(file, args)]."""
    guests = [(file, [])]
    rest = list(arguments)
    while rest:
        word = rest.pop(0)
        if word == "--also":
            if not rest:
                raise DriverError("run: --also needs FILE.wasm")
            guests.append((rest.pop(0), []))
        else:
            guests[-1][1].append(word)
    if len(guests) > MAX_GUESTS:
        raise DriverError(f"run: at most {MAX_GUESTS} guests")
    return guests


MAX_GUESTS = 8  # kernel/WasiRun.cpp


def timeout_arguments(args):
    """--timeout SECONDS for the kernel path: every guest gets the kernel's
    run-timeout (killed with status 124, the others carry on); QEMU itself
    gets a minute more, for the boot and a kernel that hangs (without
    --timeout, qemu.boot's own default)."""
    if args.timeout is None:
        return "", None
    if args.timeout <= 0:
        raise DriverError("--timeout: expected a positive number of seconds")
    return f" run-timeout={max(1, int(args.timeout * 1000))}", args.timeout + 60


def tier_argument(args):
    """--tier T: the kernel's boot argument tier=T, the compiler of every
    guest (without it, the kernel's default: baseline)."""
    out = f" tier={args.tier}" if getattr(args, "tier", None) else ""
    if getattr(args, "tier_budget", None) is not None:
        out += f" tier_budget={args.tier_budget}"
    return out


def boot_framed(args, image, append, initrd_path, qemu_timeout, feed_stdin=False):
    """Boots with the guests' output in a console frame; shows it (kernel
    lines only with --verbose). feed_stdin: this process's stdin becomes
    the console's input (qemu.InputFeed). Returns (qemu result, decoder)."""
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
                       timeout=qemu_timeout, passthrough=True, machine=args.machine,
                       initrd=initrd_path, console=decoder.feed, feed_stdin=feed_stdin)
    decoder.finish()
    return result, decoder


def finish(args, result, decoder):
    if result.reported_status is None or decoder.frames == 0:
        sys.stdout.flush()
        if not args.verbose:
            # What the kernel said last, so a failed boot is not silent.
            for line in result.lines()[-10:]:
                print(line, file=sys.stderr)
        print(result.reason or "run: the kernel did not run the program", file=sys.stderr)
        return result.status or 1
    return result.reported_status & 0xFF


def built_image(args):
    image = args.image
    if image is None:
        k23build.build(targets=["kernel"], quiet=not args.verbose)
        image = k23build.image_path()
    return image


def cmd_run_default(args):
    """./k23 run without FILE.wasm: the kernel's default program (boot
    argument `demo`, kernel/WasiRun.h): its bundled guests side by side."""
    image = built_image(args)
    if not os.path.exists(image):
        raise DriverError(f"run: no image at {image}")
    result, decoder = boot_framed(args, image, "demo" + tier_argument(args), None, args.timeout)
    if result.reported_status is None or decoder.frames == 0:
        # The boot failed before the program: what the console said (the
        # loader's or kernel's lines, hidden so far) and one line why.
        sys.stdout.flush()
        if not args.verbose:
            for line in result.lines():
                print(line)
        sys.stdout.flush()
        print(result.reason or "run: the kernel did not run the default program", file=sys.stderr)
        return result.status or 1
    return result.reported_status & 0xFF


def cmd_run_file(args):
    """./k23 run FILE.wasm [ARGS] [--also FILE2.wasm ARGS2]... in the kernel.
    Returns the exit status (the first guest's)."""
    if args.uboot:
        raise DriverError("run: FILE.wasm with --uboot is not supported yet")
    if args.initrd or args.writeback:
        raise DriverError("run: FILE.wasm takes --dir (written back by itself), not --initrd/--writeback")
    guests = split_guests(args.file, args.args or [])
    for file, _ in guests:
        if not os.path.isfile(file):
            raise DriverError(f"run: {file}: no such file")
    for e in args.env or []:
        if "=" not in e:
            raise DriverError(f"--env {e}: expected KEY=VALUE")
    if args.invoke and len(guests) > 1:
        raise DriverError("run: --invoke with --also is not supported")
    timeout_append, qemu_timeout = timeout_arguments(args)
    image = built_image(args)
    dirs = [parse_dir(d) for d in args.dir or []]
    mappings = [(host, f"run/dir{i}") for i, (host, _) in enumerate(dirs)]
    # One guest keeps the names it always had (run/module.wasm,
    # run/command); with --also, run/moduleN.wasm and run/commandN.
    extra, commands = [], []
    for n, (file, arguments) in enumerate(guests):
        suffix = "" if len(guests) == 1 else str(n)
        with open(file, "rb") as f:
            module = f.read()
        command = command_file(f"/run/module{suffix}.wasm", file, arguments, args.env or [],
                               [(f"/run/dir{i}", guest) for i, (_, guest) in enumerate(dirs)], args.invoke)
        extra += [(f"run/module{suffix}.wasm", module), (f"run/command{suffix}", command)]
        commands.append(f"run/command{suffix}")
    os.makedirs(k23build.build_dir("kernel"), exist_ok=True)
    initrd_path = os.path.join(k23build.build_dir("kernel"), "run-file-initrd.cpio")
    data = k23initrd.build(mappings, extra_files=extra)
    with open(initrd_path, "wb") as f:
        f.write(data)
    if args.verbose:
        info(f"run: initrd of {len(data)} bytes")
    append = (args.append + " run=" + ",".join(commands) + timeout_append + tier_argument(args)
              + (" ramfs-dump=changed" if dirs else "")).strip()
    result, decoder = boot_framed(args, image, append, initrd_path, qemu_timeout, feed_stdin=True)
    if dirs and result.reported_status is not None:
        archive = k23initrd.parse_dump(result.output)
        if archive is None:
            raise DriverError("run: the kernel printed no file-system dump")
        written = k23initrd.write_back(archive, mappings)
        if args.verbose:
            info(f"run: wrote back {len(written)} files")
    return finish(args, result, decoder)
