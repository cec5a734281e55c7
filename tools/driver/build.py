"""`./k23 build`: one CMake tree, one build directory per target.

build/host           x86-64: unit tests under ASan/UBSan, host tools
build/riscv64-linux  Debian's riscv64-linux-gnu cross compiler (static)
build/kernel         clang-16 + lld-16, freestanding riscv64
"""
import os
import shutil
import sys

from common import BUILD, DEPS, ROOT, DriverError, info, run

TARGETS = ["host", "riscv64-linux", "kernel"]

# Optimized with debug info: what CI, the tests and the benchmarks all use.
BUILD_TYPE = "RelWithDebInfo"

TOOLCHAINS = {
    "host": "cmake/toolchain-host.cmake",
    "riscv64-linux": "cmake/toolchain-riscv64-linux.cmake",
    "kernel": "cmake/toolchain-riscv64-kernel.cmake",
}


def build_dir(target):
    return os.path.join(BUILD, target)


def image_path():
    """The production image: what ./k23 run, bench and image use."""
    return os.path.join(build_dir("kernel"), "k23.img")


def test_image_path():
    """The same kernel with its KTESTs (kernel/CMakeLists.txt): what the
    kernel test ring boots, and ./k23 run --append ktest."""
    return os.path.join(build_dir("kernel"), "k23-test.img")


def wants_ktests(append):
    """A kernel command line that runs KTESTs (`ktest`, `ktest=PATTERN`)."""
    return any(w == "ktest" or w.startswith("ktest=") for w in (append or "").split())


def configure(target):
    """Configures build/<target> with the driver's settings. A tree that was
    configured some other way (by hand, or by an older driver) is configured
    again, so every build directory means the same thing as CI's."""
    bdir = build_dir(target)
    cmd = ["cmake", "-G", "Ninja", "-S", ROOT, "-B", bdir,
           f"-DK23_TARGET={target}",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, TOOLCHAINS[target])}",
           f"-DK23_DEPS_DIR={DEPS}",
           f"-DCMAKE_BUILD_TYPE={BUILD_TYPE}"]
    if shutil.which("ccache"):
        cmd += ["-DCMAKE_C_COMPILER_LAUNCHER=ccache", "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
    stamp = os.path.join(bdir, ".k23-configure")
    wanted = "\n".join(cmd) + "\n"
    try:
        with open(stamp) as f:
            if f.read() == wanted and os.path.exists(os.path.join(bdir, "build.ninja")):
                return  # ninja re-runs cmake itself when a CMakeLists.txt changes
    except OSError:
        pass
    info(f"build: configuring {target}")
    proc = run(cmd, check=False, quiet=True)
    if proc.returncode != 0:
        shutil.rmtree(bdir, ignore_errors=True)  # leave no half-configured tree behind
        raise DriverError(f"build: configuring {target} failed")
    with open(stamp, "w") as f:
        f.write(wanted)


# ccache: hash paths relative to the checkout (and ignore the working
# directory in debug info), so a fresh clone elsewhere — CI's — reuses the
# cache of earlier builds.
os.environ.setdefault("CCACHE_BASEDIR", ROOT)
os.environ.setdefault("CCACHE_NOHASHDIR", "true")


def build(targets=None, verbose=False, ninja_targets=(), quiet=False):
    """quiet: ninja's output is shown only when the build fails (./k23 run
    FILE.wasm shows nothing but the guest's output)."""
    for target in targets or TARGETS:
        if target not in TARGETS:
            raise DriverError(f"build: unknown target '{target}'")
        configure(target)
        cmd = ["ninja", "-C", build_dir(target)] + list(ninja_targets)
        if verbose:
            cmd.append("-v")
        # Build chatter goes to stderr so `./k23 image` and the like keep
        # stdout for their answer.
        if quiet:
            proc = run(cmd, check=False, quiet=True)
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout[-8000:])
        else:
            proc = run(cmd, check=False, stdout=sys.stderr)
        if proc.returncode != 0:
            raise DriverError(f"build: {target} failed")
