#pragma once

// The "bench" host module: bench.start / bench.end mark the measured region
// of a workload. Each executes an instruction-count marker — a HINT that
// does nothing architecturally (`slti x0, x0, 0x7f1` for start, `0x7f2` for
// end) — which perf/'s QEMU plugin watches for and counts between. On hosts
// other than riscv64 they do nothing. Pause (0x7f3) and resume (0x7f4) leave
// what runs between them out of the region (counted apart): k23-run wraps
// --tier auto's inline compiles in them, work a second hart would do.

#include <base/Result.h>
#include <wasm/Linker.h>
#include <wasm/Runtime.h>

namespace k23::hosted::bench {

constexpr u32 start_marker = 0x7f102013; // slti x0, x0, 0x7f1
constexpr u32 end_marker = 0x7f202013;   // slti x0, x0, 0x7f2
constexpr u32 pause_marker = 0x7f302013;  // slti x0, x0, 0x7f3
constexpr u32 resume_marker = 0x7f402013; // slti x0, x0, 0x7f4

void execute_start_marker() noexcept;
void execute_end_marker() noexcept;
void execute_pause_marker() noexcept;
void execute_resume_marker() noexcept;

// Creates the "bench" instance and registers it with the linker.
Result<wasm::Instance*> define(wasm::Store& store, wasm::Linker& linker) noexcept;

} // namespace k23::hosted::bench
