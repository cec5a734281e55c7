#include <kernel/Symbols.h>

extern "C" {
[[gnu::visibility("hidden")]] extern const k23::u8 k23_symbol_table[];
[[gnu::visibility("hidden")]] extern const k23::u8 __image_start[];
[[gnu::visibility("hidden")]] extern const k23::u8 __image_end[];
}

namespace k23::kernel {

namespace {

// Keep in sync with tools/symbols.py.
constexpr u32 symtab_magic = 0x5333324B; // "K23S"
constexpr u32 symtab_version = 1;
constexpr usize symtab_reserved = 192 * 1024; // kernel/SymbolTableSection.S

struct SymtabHeader {
    u32 magic;
    u32 version;
    u32 count;
    u32 strings_offset;
    u64 table_link_address;
};
struct SymtabEntry {
    u32 start;
    u32 size;
    u32 name_offset;
    u32 name_length;
};
static_assert(sizeof(SymtabHeader) == 24 && sizeof(SymtabEntry) == 16);

const SymtabHeader& header() noexcept { return *reinterpret_cast<const SymtabHeader*>(k23_symbol_table); }

const SymtabEntry* entries() noexcept
{
    return reinterpret_cast<const SymtabEntry*>(k23_symbol_table + sizeof(SymtabHeader));
}

} // namespace

bool symbol_table_available() noexcept
{
    const auto& h = header();
    if (h.magic != symtab_magic || h.version != symtab_version)
        return false;
    // Everything a lookup touches must lie inside the reserved section, so
    // a damaged table cannot send a panic into a fault.
    u64 entries_end = sizeof(SymtabHeader) + u64(h.count) * sizeof(SymtabEntry);
    return entries_end <= h.strings_offset && h.strings_offset <= symtab_reserved;
}

uptr image_base() noexcept
{
    if (!symbol_table_available())
        return reinterpret_cast<uptr>(__image_start);
    return reinterpret_cast<uptr>(k23_symbol_table) - header().table_link_address;
}

bool symbolize(uptr address, Symbol& out) noexcept
{
    if (!symbol_table_available())
        return false;
    uptr base = image_base();
    if (address < base || address >= reinterpret_cast<uptr>(__image_end))
        return false;
    u64 offset = address - base;
    const auto& h = header();
    const auto* table = entries();

    // The last entry whose start is <= offset.
    usize low = 0;
    usize high = h.count;
    while (low < high) {
        usize middle = low + (high - low) / 2;
        if (table[middle].start <= offset)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == 0)
        return false;
    const auto& entry = table[low - 1];
    if (entry.size != 0 && offset >= u64(entry.start) + entry.size)
        return false;
    u64 name_begin = u64(h.strings_offset) + entry.name_offset;
    if (name_begin + entry.name_length > symtab_reserved)
        return false;
    out.name = StringView(reinterpret_cast<const char*>(k23_symbol_table + name_begin), entry.name_length);
    out.start = base + entry.start;
    out.size = entry.size;
    return true;
}

} // namespace k23::kernel
