#include <kernel/Backtrace.h>
#include <kernel/Console.h>
#include <kernel/Symbols.h>

extern "C" {
[[gnu::visibility("hidden")]] extern k23::u8 k23_boot_stack_bottom[];
[[gnu::visibility("hidden")]] extern k23::u8 k23_boot_stack_top[];
}

namespace k23::kernel {

StackBounds current_stack_bounds() noexcept
{
    return { reinterpret_cast<uptr>(k23_boot_stack_bottom), reinterpret_cast<uptr>(k23_boot_stack_top) };
}

usize collect_backtrace(uptr fp, StackBounds bounds, uptr* out, usize capacity) noexcept
{
    usize count = 0;
    uptr previous_fp = 0;
    while (count < capacity && count < max_backtrace_frames) {
        // fp is the stack pointer at some function's entry: 16-aligned
        // (psABI), with the two-word record just below it inside the stack.
        if (fp == 0 || fp % 16 != 0 || fp < 16 || !bounds.contains(fp - 16, 16))
            break;
        // Frames are older as the walk goes on, so fp must grow; this also
        // stops a loop in a corrupted chain.
        if (previous_fp != 0 && fp <= previous_fp)
            break;
        const auto* record = reinterpret_cast<const uptr*>(fp - 16);
        uptr return_address = record[1];
        if (return_address == 0)
            break;
        out[count++] = return_address;
        previous_fp = fp;
        fp = record[0];
    }
    return count;
}

namespace {

void print_frame(usize index, uptr pc, bool is_return_address) noexcept
{
    // A return address may be just past the end of a function that ends in
    // a call to a noreturn function: look up the call instruction instead.
    Symbol symbol;
    if (symbolize(is_return_address ? pc - 1 : pc, symbol))
        kprintln("#{} {:#x} {}+{:#x}"_sv, index, pc, symbol.name, pc - symbol.start);
    else
        kprintln("#{} {:#x} ?"_sv, index, pc);
}

} // namespace

void print_backtrace(uptr fp, uptr first_pc) noexcept
{
    uptr frames[max_backtrace_frames];
    usize index = 0;
    if (first_pc != 0)
        print_frame(index++, first_pc, false);
    usize count = collect_backtrace(fp, current_stack_bounds(), frames, max_backtrace_frames - index);
    for (usize i = 0; i < count; ++i)
        print_frame(index++, frames[i], true);
    if (!symbol_table_available())
        kprintln("(no symbol table in this image: tools/symbols.py did not run)"_sv);
}

} // namespace k23::kernel
