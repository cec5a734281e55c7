#pragma once

// Runtime helpers that generated code calls (C ABI, LP64D) for the
// operations too large to inline: memory.size/grow/fill/copy/init,
// data.drop, the table instructions, elem.drop, ref.func, and bit counting
// without Zbb. Every helper takes the caller's VMContext first. Helpers that
// can trap return HelperResult { value, trap } with trap = TrapCode + 1, or
// 0 when they did not trap (a0/a1 in the C ABI).

#include <base/Integers.h>
#include <jit/VMContext.h>

namespace k23::jit {

struct HelperResult {
    u64 value;
    u64 trap;
};

extern "C" {
u64 k23_jit_memory_size(VMContext*, u32 memory) noexcept;
u64 k23_jit_memory_grow(VMContext*, u32 memory, u32 delta) noexcept;
HelperResult k23_jit_memory_fill(VMContext*, u32 memory, u32 dst, u32 value, u32 count) noexcept;
HelperResult k23_jit_memory_copy(VMContext*, u32 dst_memory, u32 src_memory, u32 dst, u32 src, u32 count) noexcept;
HelperResult k23_jit_memory_init(VMContext*, u32 memory, u32 segment, u32 dst, u32 src, u32 count) noexcept;
void k23_jit_data_drop(VMContext*, u32 segment) noexcept;
u64 k23_jit_table_size(VMContext*, u32 table) noexcept;
u64 k23_jit_table_grow(VMContext*, u32 table, void* init, u32 delta) noexcept;
HelperResult k23_jit_table_fill(VMContext*, u32 table, u32 index, void* ref, u32 count) noexcept;
HelperResult k23_jit_table_copy(VMContext*, u32 dst_table, u32 src_table, u32 dst, u32 src, u32 count) noexcept;
HelperResult k23_jit_table_init(VMContext*, u32 table, u32 segment, u32 dst, u32 src, u32 count) noexcept;
void k23_jit_elem_drop(VMContext*, u32 segment) noexcept;
u64 k23_jit_clz64(u64) noexcept;
u64 k23_jit_ctz64(u64) noexcept;
u64 k23_jit_popcnt64(u64) noexcept;
// Tier::Auto: function `index`'s budget ran out (jit/Engine.cpp).
void k23_jit_tier_up(VMContext*, u32 index) noexcept;
// The same at the header of the loop at wasm offset `loop_offset`, whose
// baseline frame is at `fp` (wide != 0: 16-byte slots): the address of
// optimized code that goes on from that loop with the frame's locals (the
// caller leaves its frame and jumps there), or 0 to stay in the baseline.
u64 k23_jit_tier_up_loop(VMContext*, u32 index, u32 loop_offset, u64 fp, u64 wide) noexcept;
}

// Every helper generated code may call, by number. The compiler calls
// CompileEnvironment::helpers[id]: in a Linux process the C++ function
// itself; for a guest in U-mode (EngineOptions::executor) a stub in the
// guest's code that makes the same call as a system call (jit/UserMode.h),
// so generated code is the same either way.
enum class HelperId : u8 {
    MemorySize,
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit,
    DataDrop,
    TableSize,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    ElemDrop,
    Clz64,
    Ctz64,
    Popcnt64,
    SimdScalar, // k23_simd_scalar (jit/SimdScalar.h)
    TierUp,     // k23_jit_tier_up (jit/Engine.h "Tier-up")
    TierUpLoop, // k23_jit_tier_up_loop: the same at a loop header, with OSR
    Count,
};
inline constexpr usize helper_count = usize(HelperId::Count);

// The addresses of the C++ helpers, indexed by HelperId.
struct HelperTable {
    u64 address[helper_count] {};
    [[nodiscard]] u64 operator[](HelperId id) const noexcept { return address[usize(id)]; }
};
[[nodiscard]] HelperTable native_helpers() noexcept;

} // namespace k23::jit
