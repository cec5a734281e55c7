// The page-table audit (kernel/mm/PageTableAudit.h).

#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/VirtualMemory.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

enum class Half : u8 {
    Kernel,
    User,
    KernelView, // the engine slot of a kernel-view root
};

// One valid-or-not entry at `level` (0 = 4 KiB leaves).
void audit_entry(u64 entry, u32 level, Half half, PageTableAudit& audit) noexcept
{
    if ((entry & Pte::V) == 0)
        return; // §4.3.1: the hardware ignores the rest
    if (!pte_is_leaf(entry)) {
        // §4.3.1: "For non-leaf PTEs, the D, A, and U bits are reserved".
        if (entry & (Pte::U | Pte::A | Pte::D))
            ++audit.reserved_bits_in_table_entry;
        if (level == 0)
            return;
        const auto* table = phys_to_virt_pointer<u64 const>(pte_physical(entry));
        for (usize i = 0; i < PTES_PER_TABLE; ++i)
            audit_entry(table[i], level - 1, half, audit);
        return;
    }
    ++audit.leaves;
    if (half != Half::Kernel)
        ++audit.user_leaves;
    // §4.3.1: W and X together.
    if ((entry & Pte::W) && (entry & Pte::X))
        ++audit.writable_executable;
    switch (half) {
    case Half::Kernel:
        if (entry & Pte::U)
            ++audit.kernel_leaf_with_user;
        break;
    case Half::User:
        if (!(entry & Pte::U))
            ++audit.user_leaf_without_user;
        break;
    case Half::KernelView:
        ++audit.kernel_view_leaves;
        if (entry & Pte::U)
            ++audit.kernel_view_leaf_with_user;
        if (entry & Pte::X)
            ++audit.kernel_view_leaf_executable;
        break;
    }
}

} // namespace

PageTableAudit audit_page_tables(const u64* root, PagingMode mode, const u64* kernel_root) noexcept
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
        audit_entry(root[i], root_level, user_half ? Half::User : Half::Kernel, audit);
    }
    return audit;
}

namespace {

PageTableAudit audit_kernel_view(const UserAddressSpace& space) noexcept
{
    PageTableAudit audit;
    auto& kernel = kernel_virtual_memory();
    const u64* root = space.root_table(View::Kernel);
    const u64* guest = space.root_table(View::Guest);
    u32 root_level = paging_levels(kernel.mode()) - 1;
    for (usize i = 0; i < PTES_PER_TABLE; ++i) {
        if (i >= PTES_PER_TABLE / 2) {
            if (root[i] != kernel.root_table()[i])
                ++audit.kernel_half_differs;
        } else if (i == space.engine_slot()) {
            audit_entry(root[i], root_level, Half::KernelView, audit);
        } else if (root[i] != guest[i]) {
            // Shared subtrees are walked (and counted) with the guest root.
            ++audit.shared_user_half_differs;
        }
    }
    return audit;
}

} // namespace

PageTableAudit audit_kernel_page_tables() noexcept
{
    auto& kernel = kernel_virtual_memory();
    return audit_page_tables(kernel.root_table(), kernel.mode());
}

PageTableAudit audit_user_page_tables(const UserAddressSpace& space, View view) noexcept
{
    if (view == View::Kernel && space.is_split())
        return audit_kernel_view(space);
    auto& kernel = kernel_virtual_memory();
    return audit_page_tables(space.root_table(), kernel.mode(), kernel.root_table());
}

void print_page_table_audit(const char* what, const PageTableAudit& audit) noexcept
{
    kprintln("audit {}: {} leaves ({} user), W+X {}, kernel leaf with U {}, user leaf without U {}, reserved bits {}, kernel half differs {}"_sv,
        what, audit.leaves, audit.user_leaves, audit.writable_executable, audit.kernel_leaf_with_user,
        audit.user_leaf_without_user, audit.reserved_bits_in_table_entry, audit.kernel_half_differs);
    if (audit.kernel_view_leaves != 0 || audit.shared_user_half_differs != 0)
        kprintln("audit {}: kernel view: {} leaves, with U {}, with X {}, shared root entries differing {}"_sv, what,
            audit.kernel_view_leaves, audit.kernel_view_leaf_with_user, audit.kernel_view_leaf_executable,
            audit.shared_user_half_differs);
}

} // namespace k23::kernel
