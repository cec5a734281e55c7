// The page-table audit (kernel/mm/PageTableAudit.h).

#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/VirtualMemory.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

// One valid-or-not entry at `level` (0 = 4 KiB leaves).
void audit_entry(u64 entry, u32 level, bool user_half, PageTableAudit& audit) noexcept
{
    if ((entry & Pte::V) == 0)
        return; // §4.3.1: the hardware ignores the rest
    if (!pte_is_leaf(entry)) {
        // §4.3.1: "For non-leaf PTEs, the D, A, and U bits are reserved".
        if (entry & (Pte::U | Pte::A | Pte::D))
            ++audit.reserved_bits_in_table_entry;
        if (level == 0)
            return;
        auto const* table = phys_to_virt_pointer<u64 const>(pte_physical(entry));
        for (usize i = 0; i < PTES_PER_TABLE; ++i)
            audit_entry(table[i], level - 1, user_half, audit);
        return;
    }
    ++audit.leaves;
    if (user_half)
        ++audit.user_leaves;
    if ((entry & Pte::W) && (entry & Pte::X))
        ++audit.writable_executable;
    if (!user_half && (entry & Pte::U))
        ++audit.kernel_leaf_with_user;
    if (user_half && !(entry & Pte::U))
        ++audit.user_leaf_without_user;
}

} // namespace

PageTableAudit audit_page_tables(u64 const* root, PagingMode mode, u64 const* kernel_root) noexcept
{
    PageTableAudit audit;
    u32 root_level = paging_levels(mode) - 1;
    for (usize i = 0; i < PTES_PER_TABLE; ++i) {
        bool user_half = i < PTES_PER_TABLE / 2;
        if (!user_half && kernel_root != nullptr) {
            if (root[i] != kernel_root[i])
                ++audit.kernel_half_differs;
            continue;
        }
        audit_entry(root[i], root_level, user_half, audit);
    }
    return audit;
}

PageTableAudit audit_kernel_page_tables() noexcept
{
    auto& kernel = kernel_virtual_memory();
    return audit_page_tables(kernel.root_table(), kernel.mode());
}

PageTableAudit audit_user_page_tables(UserAddressSpace const& space) noexcept
{
    auto& kernel = kernel_virtual_memory();
    return audit_page_tables(space.root_table(), kernel.mode(), kernel.root_table());
}

void print_page_table_audit(char const* what, PageTableAudit const& audit) noexcept
{
    kprintln("audit {}: {} leaves ({} user), W+X {}, kernel leaf with U {}, user leaf without U {}, reserved bits {}, kernel half differs {}"_sv,
        what, audit.leaves, audit.user_leaves, audit.writable_executable, audit.kernel_leaf_with_user,
        audit.user_leaf_without_user, audit.reserved_bits_in_table_entry, audit.kernel_half_differs);
}

} // namespace k23::kernel
