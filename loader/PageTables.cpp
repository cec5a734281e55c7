#include <loader/PageTables.h>

extern "C" void* memset(void*, int, __SIZE_TYPE__);

namespace k23::loader {

using namespace riscv64;

Result<u64> PageTables::new_table() noexcept
{
    u64 table = TRY(m_memory.allocate(PAGE_SIZE, PAGE_SIZE, boot::Use::Loader));
    memset(reinterpret_cast<void*>(table), 0, PAGE_SIZE);
    ++m_tables;
    return table;
}

Result<void> PageTables::initialize() noexcept
{
    m_root = TRY(new_table());
    return {};
}

Result<void> PageTables::map(u64 virtual_address, u64 physical, u64 size, u64 flags, u64 page_size) noexcept
{
    // The level whose leaves are `page_size` (privileged spec §4.4.1: a leaf
    // may appear at any level; level 0 maps 4 KiB, 1 maps 2 MiB, 2 maps 1 GiB).
    u32 leaf_level = page_size == GIGAPAGE_SIZE ? 2 : page_size == MEGAPAGE_SIZE ? 1 : 0;
    if ((virtual_address | physical | size) & (page_size - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "page tables: {:#x} -> {:#x} (+{:#x}) not aligned to {:#x}"_sv,
            virtual_address, physical, size, page_size);
    u32 levels = paging_levels(m_mode);
    for (u64 offset = 0; offset < size; offset += page_size) {
        u64 va = virtual_address + offset;
        auto* table = reinterpret_cast<u64*>(m_root);
        for (u32 level = levels - 1; level > leaf_level; --level) {
            u64& entry = table[vpn_index(va, level)];
            if ((entry & Pte::V) == 0)
                entry = pte_from_physical(TRY(new_table()), Pte::V); // §4.4.1: R=W=X=0 -> next level
            else if (pte_is_leaf(entry))
                return Error::formatted(ErrorCode::AlreadyExists, "page tables: {:#x} is already mapped"_sv, va);
            table = reinterpret_cast<u64*>(pte_physical(entry));
        }
        u64& leaf = table[vpn_index(va, leaf_level)];
        if (leaf & Pte::V)
            return Error::formatted(ErrorCode::AlreadyExists, "page tables: {:#x} is already mapped"_sv, va);
        leaf = pte_from_physical(physical + offset, flags | Pte::V | Pte::A | Pte::D);
    }
    return {};
}

} // namespace k23::loader
