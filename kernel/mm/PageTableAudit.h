#pragma once

// A page-table audit: walks every valid entry of a root table and counts
// what must never exist (privileged spec 1.12, §4.3.1 / §4.4.1 PTE bits):
// - a leaf both writable and executable (W^X, in any address space);
// - a leaf in the kernel (upper) half with U;
// - a leaf in the user (lower) half without U;
// - a non-leaf entry with U, A or D (reserved for non-leaf PTEs, §4.3.1);
// - for a guest's root: an upper-half entry that differs from the kernel
//   root's (the kernel half must be shared, kernel/mm/VirtualMemory.h);
// - for the kernel-view root of a split address space (kernel/mm/
//   UserAddressSpace.h): in its engine slot, a leaf with U or with X (that
//   slot holds the kernel's supervisor view of the engine's objects, so it
//   has no U leaves; U-less leaves there are not counted as
//   user_leaf_without_user); and any other user-half root entry that
//   differs from the guest root's (those subtrees are shared).
// The kernel's own root must map nothing in the user half, so a user
// mapping that outlived its guest would show up as `user_leaves`.

#include <arch/riscv64/Paging.h>
#include <base/Integers.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

struct PageTableAudit {
    usize leaves { 0 };
    usize user_leaves { 0 }; // leaves in the lower half
    usize writable_executable { 0 };
    usize kernel_leaf_with_user { 0 };
    usize user_leaf_without_user { 0 };
    usize reserved_bits_in_table_entry { 0 };
    usize kernel_half_differs { 0 };
    usize kernel_view_leaves { 0 };          // supervisor leaves in the engine slot of a kernel view
    usize kernel_view_leaf_with_user { 0 };
    usize kernel_view_leaf_executable { 0 };
    usize shared_user_half_differs { 0 };

    [[nodiscard]] usize violations() const noexcept
    {
        return writable_executable + kernel_leaf_with_user + user_leaf_without_user + reserved_bits_in_table_entry
            + kernel_half_differs + kernel_view_leaf_with_user + kernel_view_leaf_executable + shared_user_half_differs;
    }
};

// Walks `root` (a direct-map pointer). With `kernel_root`, compares the upper
// half with it instead of walking it (it is the kernel's, audited on its own).
[[nodiscard]] PageTableAudit audit_page_tables(const u64* root, riscv64::PagingMode, const u64* kernel_root = nullptr) noexcept;
[[nodiscard]] PageTableAudit audit_kernel_page_tables() noexcept;
// One root of a user address space (View::Kernel: the kernel-view root of a
// split space, with the checks above).
[[nodiscard]] PageTableAudit audit_user_page_tables(const UserAddressSpace&, View = View::Guest) noexcept;
// One line per violation kind found, for test failures.
void print_page_table_audit(const char* what, const PageTableAudit&) noexcept;

} // namespace k23::kernel
