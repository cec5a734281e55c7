#pragma once

#include <base/Integers.h>

namespace k23::kernel {

// Frame-pointer backtraces. The kernel is built with
// -fno-omit-frame-pointer, and the RISC-V psABI frame pointer convention
// puts the return address at fp - 8 and the caller's fp at fp - 16 (fp is
// the stack pointer at function entry).
//
// The walk is for panics, so it trusts nothing: it stops at a null or
// misaligned fp, at an fp outside the current stack or not above the
// previous one, and after max_backtrace_frames frames. It only ever reads
// inside the stack, so a corrupted stack cannot fault inside a panic.
constexpr usize max_backtrace_frames = 64;

struct StackBounds {
    uptr bottom { 0 }; // lowest address
    uptr top { 0 };    // one past the highest address
    [[nodiscard]] bool contains(uptr address, usize size) const noexcept
    {
        return address >= bottom && address <= top && top - address >= size;
    }
};

// The stack the current hart runs on (for now the boot stack: the only one).
[[nodiscard]] StackBounds current_stack_bounds() noexcept;

// Collects up to `capacity` return addresses, starting with the record at
// `fp`. Returns how many it found.
usize collect_backtrace(uptr fp, StackBounds bounds, uptr* out, usize capacity) noexcept;

// Prints one line per frame, exactly "#N 0xADDR symbol+0xOFF" (or
// "#N 0xADDR ?" when no symbol covers the address). If `first_pc` is not 0
// it is frame #0 (the pc of a trap), and the walk starts at `fp`.
void print_backtrace(uptr fp, uptr first_pc = 0) noexcept;

// The frame pointer of the function this is written in (always inlined).
[[gnu::always_inline]] inline uptr current_frame_pointer() noexcept
{
    return reinterpret_cast<uptr>(__builtin_frame_address(0));
}

} // namespace k23::kernel
