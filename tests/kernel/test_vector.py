"""Boot checks for guests' vector state at other VLENs (issue 13 item 4,
issue 18 item 4: "the kernel-ring SIMD runs at VLEN 256/512/0"). The kernel
ring itself boots at VLEN 128; these boot again at 256 and 512 and on a hart
without V (vlen 0) and run every guest KTEST there: the raw guests' vector
and FP isolation (tests/kernel/GuestVectorTests.cpp), the WebAssembly SIMD
module in a WasmGuest (tests/kernel/WasmGuestSimdTests.cpp, RVV at the
hart's VLEN or the scalar path without V) and the other guest tests; and
the spec suite's SIMD files through the kernel's engine at those VLENs (the
ring's own spec run, tools/driver/speckernel.py, is at VLEN 128)."""
import re

import spec as k23spec
import speckernel as k23speckernel

KTEST_SUMMARY = re.compile(r"^ktest: (\d+) passed, (\d+) failed$")
KTEST_FAIL = re.compile(r"^ktest: FAIL (.*)$")

# Must PASS at every VLEN (on a hart without V the vector ones check that
# vector instructions stay the guest's illegal-instruction faults).
VECTOR_KTESTS = (
    "guest_vector_instructions_get_the_vector_unit_on_first_use",
    "guest_vector_registers_are_never_seen_by_another_guest",
    "guest_vector_state_survives_timer_interrupts",
    "guest_fp_registers_are_never_seen_by_another_guest",
    "wasm_guest_simd_gives_the_right_results",
    "vector_unit_matches_device_tree",
)
PATTERN = "*guest*"


def run_at(ctx, vlen):
    what = f"--vlen {vlen}"
    passed = 0
    for pattern in (PATTERN, "vector_unit_matches_device_tree"):
        boot = ctx.boot(append=f"ktest={pattern}", vlen=vlen, timeout=300)
        out = [l.strip() for l in boot.lines()]
        tail = "\n".join(out[-20:])
        summary = [m for m in map(KTEST_SUMMARY.match, out) if m]
        failures = [m.group(1) for m in map(KTEST_FAIL.match, out) if m]
        assert summary, f"{what} ktest={pattern}: no ktest summary (status {boot.status}):\n{tail}"
        assert not failures and summary[-1].group(2) == "0", f"{what}: {summary[-1].group(0)}: {failures}"
        assert boot.status == 0, f"{what}: status {boot.status} ({boot.reason})"
        for name in VECTOR_KTESTS:
            if f"ktest: PASS {name}" in out:
                passed += 1
    assert passed == len(VECTOR_KTESTS), f"{what}: only {passed} of {VECTOR_KTESTS} passed"


def check_guest_vector_state_and_simd_at_vlen_256(ctx):
    run_at(ctx, 256)


def check_guest_vector_state_and_simd_at_vlen_512(ctx):
    run_at(ctx, 512)


def check_guest_vector_state_and_simd_without_v(ctx):
    run_at(ctx, 0)


def spec_simd_at(vlen):
    # Every default suite's file whose path names simd (the core simd_*
    # files), guests in U-mode, SIMD on RVV at this VLEN or scalar at 0.
    report = k23speckernel.run_suites(k23spec.DEFAULT_SUITES, pattern="simd", vlen=vlen)
    t = report.totals
    failures = [f"{f['file']}:{f['line']} {f['command']}: {f['message'][:200]}" for f in report.failures[:10]]
    assert t["failed"] == 0 and not failures, \
        f"--vlen {vlen}: spec SIMD in the kernel: {t['passed']} passed, {t['failed']} failed:\n" + "\n".join(failures)
    assert t["passed"] > 10000, f"--vlen {vlen}: only {t['passed']} SIMD spec commands passed ({len(report.files)} files)"


def check_spec_simd_in_the_kernel_at_vlen_256(ctx):
    spec_simd_at(256)


def check_spec_simd_in_the_kernel_at_vlen_512(ctx):
    spec_simd_at(512)


def check_spec_simd_in_the_kernel_without_v(ctx):
    spec_simd_at(0)
