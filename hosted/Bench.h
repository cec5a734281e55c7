#pragma once

// The "bench" host module: bench.start / bench.end mark the measured region
// of a workload. Each executes an instruction-count marker — a HINT that
// does nothing architecturally (`slti x0, x0, 0x7f1` for start, `0x7f2` for
// end) — which perf/'s QEMU plugin watches for and counts between. On hosts
// other than riscv64 they do nothing.

#include <base/Result.h>
#include <wasm/Linker.h>
#include <wasm/Runtime.h>

namespace k23::hosted::bench {

constexpr u32 start_marker = 0x7f102013; // slti x0, x0, 0x7f1
constexpr u32 end_marker = 0x7f202013;   // slti x0, x0, 0x7f2

void execute_start_marker() noexcept;
void execute_end_marker() noexcept;

// Creates the "bench" instance and registers it with the linker.
Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker) noexcept;

} // namespace k23::hosted::bench
