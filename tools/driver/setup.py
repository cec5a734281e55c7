"""`./k23 setup`: installs what is missing, idempotently.

Debian binary packages come from apt. What must be compiled freestanding,
or needs headers no binary package ships, comes from Debian *source*
packages, pinned by version and sha256, fetched with `apt-get source`
into build/deps (never committed) and unpacked there.
"""
import glob
import hashlib
import os
import re
import shutil
import subprocess

from common import DEPS, DriverError, info, privileged, run

# Binary packages, with the command or file that shows each is present.
APT_PACKAGES = [
    "clang-16", "lld-16", "llvm-16", "libclang-rt-16-dev",   # kernel, host tools, fuzzers
    "g++-riscv64-linux-gnu",                                  # riscv64 Linux target
    "cmake", "ninja-build", "ccache", "python3",
    "qemu-system-misc", "qemu-user", "opensbi",               # rings 2 and 3
    "googletest", "libbenchmark-dev",
    "wabt", "binaryen",                                       # spec suite, random modules
    "nodejs",                                                 # differential testing against V8
    "zstd", "openssl", "device-tree-compiler",                # image builder
    "dpkg-dev", "xz-utils",                                   # dpkg-source for source packages
    "libglib2.0-dev",                                         # perf/: the QEMU TCG plugin
    "wasi-libc", "libclang-rt-16-dev-wasm32",                 # bench/: workloads as wasm32-wasi
    "python3-matplotlib", "python3-venv",                     # bench/: dashboard, Cranelift venv
    "chromium",                                               # bench/: the dashboard test
]


class SourcePackage:
    def __init__(self, name, version, files, dest, members=None):
        self.name = name
        self.version = version
        self.files = files        # file name -> sha256 of what we accept
        self.dest = dest          # folder under build/deps
        self.members = members    # only these paths of the orig tarball (None: dpkg-source -x)

    @property
    def stamp(self):
        return os.path.join(DEPS, self.dest, ".k23-source-ok")

    def stamp_text(self):
        return f"{self.name} {self.version}\n" + "".join(
            f"{h}  {f}\n" for f, h in sorted(self.files.items()))


# Pinned Debian 12 (bookworm) source packages.
SOURCE_PACKAGES = [
    SourcePackage("libzstd", "1.5.4+dfsg2-5", {
        "libzstd_1.5.4+dfsg2-5.dsc":
            "8f602f92b575aa8b5e979196fb6ee82d78f233521dc9636526d3ecba1f63c1b1",
        "libzstd_1.5.4+dfsg2.orig.tar.xz":
            "8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953",
        "libzstd_1.5.4+dfsg2-5.debian.tar.xz":
            "82ce911445772861d0838bd4545f93bc50658bc7f3cefdb17a307dfb8ffca5d8",
    }, "zstd"),
    SourcePackage("mimalloc", "2.0.9+ds-2", {
        "mimalloc_2.0.9+ds-2.dsc":
            "fb324e4faaa693d90f5bf0a8e652ea96f41d4c7f6ea432ea819756e8f70ce42d",
        "mimalloc_2.0.9+ds.orig.tar.xz":
            "cbc9d207ff105ad1f0cb739c378076143a6452b8d0624309cea0abfb040e972b",
        "mimalloc_2.0.9+ds-2.debian.tar.xz":
            "a805cc9ca126d974276508567530fb5a5a3febda86d9700e73d081c10f130318",
    }, "mimalloc"),
    SourcePackage("bearssl", "0.6+dfsg.1-3", {
        "bearssl_0.6+dfsg.1-3.dsc":
            "9bd17e07fc9824b0223dcb4ba14adac17981a4d8f1d63b6655819fe8f2ed98d1",
        "bearssl_0.6+dfsg.1.orig.tar.xz":
            "102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004",
        "bearssl_0.6+dfsg.1-3.debian.tar.xz":
            "051264300dffd810e7ea08f8210d3f9f61773dcd322086c0cbd02bee8d1f73df",
    }, "bearssl"),
    # QEMU 7.2: the TCG plugin header (include/qemu/qemu-plugin.h) for the
    # instruction-counting plugin, and libfdt. Debian's device-tree-compiler
    # source is not served by the archive this project can reach, so libfdt
    # is the upstream copy that ships inside this package (roms/opensbi).
    # Only the orig tarball is used; it is the same for every Debian
    # revision of 7.2+dfsg, so a newer security revision is accepted when
    # the pinned one has left the archive (the tarball's sha256 still pins
    # the content).
    SourcePackage("qemu", "1:7.2+dfsg-7+deb12u18", {
        "qemu_7.2+dfsg.orig.tar.xz":
            "91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f",
    }, "qemu", members=[
        "include/qemu/qemu-plugin.h",
        "roms/opensbi/lib/utils/libfdt/*",
        "roms/opensbi/COPYING.BSD",
    ]),
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def missing_apt_packages():
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\n"]
                          + APT_PACKAGES, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
    installed = set()
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].startswith("ii"):
            installed.add(parts[0])
    return [p for p in APT_PACKAGES if p not in installed]


def missing_sources():
    out = []
    for pkg in SOURCE_PACKAGES:
        try:
            with open(pkg.stamp) as f:
                if f.read() == pkg.stamp_text():
                    continue
        except OSError:
            pass
        out.append(pkg)
    return out


def needed():
    return bool(missing_apt_packages() or missing_sources())


def ensure():
    """Runs setup when anything is missing (called by run/test/spec/bench)."""
    if needed():
        setup()


_apt_updated = False


def apt_update():
    global _apt_updated
    if not _apt_updated:
        info("setup: apt-get update")
        proc = run(privileged(["apt-get", "update"]), check=False, quiet=True)
        if proc.returncode != 0:
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            raise DriverError(f"setup: apt-get update failed (network?): {last}")
        _apt_updated = True


def install_apt(packages):
    apt_update()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for pkg in packages:  # one at a time so an error names the package
        info(f"setup: apt-get install {pkg}")
        proc = run(privileged(["apt-get", "install", "-y", "--no-install-recommends", pkg]),
                   check=False, quiet=True, env=env)
        if proc.returncode != 0:
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            raise DriverError(f"setup: cannot install Debian package '{pkg}': {last}")


def sources_files():
    files = ["/etc/apt/sources.list"] + glob.glob("/etc/apt/sources.list.d/*.list") \
        + glob.glob("/etc/apt/sources.list.d/*.sources")
    return [f for f in files if os.path.isfile(f)]


def deb_src_enabled():
    for path in sources_files():
        with open(path, errors="replace") as f:
            for line in f:
                s = line.strip()
                if s.startswith("deb-src ") or (s.startswith("Types:") and "deb-src" in s.split()):
                    return True
    return False


def enable_deb_src():
    """Adds deb-src beside every deb entry of the system's apt sources."""
    global _apt_updated
    info("setup: enabling deb-src in the apt sources")
    for path in sources_files():
        with open(path, errors="replace") as f:
            text = f.read()
        if path.endswith(".sources"):
            new = re.sub(r"^Types:\s*deb\s*$", "Types: deb deb-src", text, flags=re.M)
        else:
            lines = []
            for line in text.splitlines():
                lines.append(line)
                if line.startswith("deb "):
                    lines.append("deb-src " + line[4:])
            new = "\n".join(lines) + "\n"
        if new != text:
            run(privileged(["sh", "-c", f"cat > '{path}'"]), input=new, text=True, quiet=False)
    _apt_updated = False
    apt_update()
    if not deb_src_enabled():
        raise DriverError("setup: could not enable deb-src in /etc/apt/sources.list*")


def fetch_source(pkg):
    dl = os.path.join(DEPS, "downloads")
    os.makedirs(dl, exist_ok=True)

    def have_all():
        return all(os.path.exists(os.path.join(dl, f)) and sha256(os.path.join(dl, f)) == h
                   for f, h in pkg.files.items())

    if not have_all():
        if not deb_src_enabled():
            enable_deb_src()
        apt_update()
        info(f"setup: apt-get source {pkg.name}={pkg.version}")
        proc = run(["apt-get", "source", "--download-only", f"{pkg.name}={pkg.version}"],
                   check=False, quiet=True, cwd=dl)
        if proc.returncode != 0 and pkg.members is not None:
            # Only the orig tarball matters here: any revision carrying the
            # same tarball (checked by sha256 below) will do.
            proc = run(["apt-get", "source", "--download-only", pkg.name],
                       check=False, quiet=True, cwd=dl)
        if proc.returncode != 0:
            last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            raise DriverError(
                f"setup: cannot fetch Debian source package '{pkg.name}={pkg.version}': {last}")
    for f, h in pkg.files.items():
        path = os.path.join(dl, f)
        if not os.path.exists(path):
            raise DriverError(f"setup: source package '{pkg.name}' has no file {f}")
        got = sha256(path)
        if got != h:
            raise DriverError(f"setup: sha256 mismatch for {f} (source package '{pkg.name}'): "
                              f"expected {h}, got {got}")
    return dl


def unpack_source(pkg, dl):
    dest = os.path.join(DEPS, pkg.dest)
    shutil.rmtree(dest, ignore_errors=True)
    if pkg.members is None:
        dsc = [f for f in pkg.files if f.endswith(".dsc")][0]
        info(f"setup: dpkg-source -x {dsc}")
        run(["dpkg-source", "-x", os.path.join(dl, dsc), dest], quiet=True)
    else:
        orig = [f for f in pkg.files if ".orig.tar." in f][0]
        os.makedirs(dest)
        info(f"setup: unpacking {', '.join(pkg.members)} from {orig}")
        run(["tar", "-xf", os.path.join(dl, orig), "-C", dest, "--strip-components=1",
             "--wildcards"] + [f"*/{m}" for m in pkg.members], quiet=True)
    with open(pkg.stamp, "w") as f:
        f.write(pkg.stamp_text())


def setup(force=False):
    if os.geteuid() != 0 and shutil.which("sudo") is None:
        if missing_apt_packages():
            raise DriverError("setup: need root or sudo to install Debian packages")
    missing = missing_apt_packages()
    if missing:
        install_apt(missing)
    for pkg in (SOURCE_PACKAGES if force else missing_sources()):
        unpack_source(pkg, fetch_source(pkg))
