#pragma once

#include <base/StringView.h>
#include <base/Integers.h>

namespace k23::kernel {

// The kernel's function symbols, from the table tools/symbols.py writes into
// the `.k23_symtab` section after linking. Addresses in the table are
// offsets from the image base; lookups take and give runtime addresses, so
// they work wherever the loader placed the image.
struct Symbol {
    StringView name;
    uptr start { 0 }; // runtime address of the function
    usize size { 0 }; // 0 when the symbol had no size (some assembly labels)
};

// True if the table is present and well formed (an image that skipped the
// build step has an all-zero section).
[[nodiscard]] bool symbol_table_available() noexcept;

// The function containing `address`: the last symbol starting at or below
// it, if `address` is inside its size (or the symbol has no size). Never
// faults, whatever `address` is.
[[nodiscard]] bool symbolize(uptr address, Symbol& out) noexcept;

// The runtime address the image starts at (the table records its own link
// address, so base = where it is now minus where it was linked).
[[nodiscard]] uptr image_base() noexcept;

} // namespace k23::kernel
