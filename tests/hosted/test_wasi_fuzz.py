"""The WASI fuzzer (tests/fuzz/wasi_fuzz.py) in every test run
(riscv64-linux ring): a fixed list of seeds plus a few new ones. A seed
fails when k23-run does not end with the guest's status, when anything
outside the scratch directory changes, or when the host's lines in the
stdout and stderr logs are gone. `./k23 fuzz wasi --seconds N` runs longer."""
import os
import random
import sys

FIXED_SEEDS = list(range(1, 31))
NEW_SEEDS_PER_RUN = 6


def check_wasi_fuzz(ctx):
    sys.path.insert(0, os.path.join(ctx.root, "tests", "fuzz"))
    import wasi_fuzz
    from hosted import command
    seeds = FIXED_SEEDS + [random.randrange(1000, 1 << 31) for _ in range(NEW_SEEDS_PER_RUN)]
    workdir = os.path.join(ctx.tmpdir, "wasi-fuzz")
    keep = os.path.join(ctx.root, "build", "fuzz", "wasi-findings")
    findings = wasi_fuzz.run_seeds(seeds, command, workdir, keep=keep, log=lambda message: None)
    assert not findings, "\n".join(f"seed {seed}: {problem}" for seed, problem in findings[:5]) + \
        f"\n(folders in {keep}; repeat with ./k23 fuzz wasi --seconds 1 --seed SEED)"
