// User address spaces (kernel/mm/UserAddressSpace.h) and the page-table
// audit (kernel/mm/PageTableAudit.h), without running anything in U-mode.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/UserAddressSpace.h>
#include <kernel/mm/VirtualMemory.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

constexpr u64 code_va = 0x10000;
constexpr u64 data_va = 0x30000;

} // namespace

KTEST(page_table_audit_kernel_after_boot)
{
    auto audit = audit_kernel_page_tables();
    if (audit.violations() != 0 || audit.user_leaves != 0)
        print_page_table_audit("kernel after boot", audit);
    KEXPECT_EQ(audit.violations(), 0u);
    KEXPECT_EQ(audit.user_leaves, 0u);
    KEXPECT_GT(audit.leaves, 0u);
}

KTEST(user_address_space_rules)
{
    usize frames_before = physical_memory().free_frame_count();
    {
        UserAddressSpace space;
        KASSERT(!space.create().is_error());
        auto& kernel = kernel_virtual_memory();
        // The kernel half is the kernel's, entry for entry.
        for (usize i = PTES_PER_TABLE / 2; i < PTES_PER_TABLE; ++i)
            KEXPECT_EQ(space.root_table()[i], kernel.root_table()[i]);
        // Never W+X, never None; only the user half; never page 0.
        KEXPECT(space.map_new(code_va, PAGE_SIZE, Protection::ReadWrite | Protection::Execute).is_error());
        KEXPECT(space.map_new(code_va, PAGE_SIZE, Protection::None).is_error());
        KEXPECT(space.map_new(kernel_scratch_base, PAGE_SIZE, Protection::Read).is_error());
        KEXPECT(space.map_new(user_half_end(), PAGE_SIZE, Protection::Read).is_error());
        KEXPECT(space.map_new(user_half_end() - PAGE_SIZE, 2 * PAGE_SIZE, Protection::Read).is_error());
        KEXPECT(space.map_new(0, PAGE_SIZE, Protection::Read).is_error());
        KASSERT(!space.map_new(code_va, 3 * PAGE_SIZE, Protection::ReadExecute).is_error());
        KEXPECT(space.map_new(code_va + PAGE_SIZE, PAGE_SIZE, Protection::Read).is_error()); // already mapped
        KEXPECT(space.protect(code_va, PAGE_SIZE, Protection::ReadWrite | Protection::Execute).is_error());
        auto translation = space.translate(code_va + 0x123);
        KASSERT(!translation.is_error());
        KEXPECT(translation.value().user);
        KEXPECT(translation.value().owned);
        KEXPECT(translation.value().protection == Protection::ReadExecute);
        KEXPECT_EQ(translation.value().physical & 0xfff, 0x123u);
        KEXPECT_EQ(space.owned_frame_count(), 3u);
        KASSERT(!space.unmap(code_va + PAGE_SIZE, PAGE_SIZE).is_error());
        KEXPECT_EQ(space.owned_frame_count(), 2u);
        KEXPECT(space.translate(code_va + PAGE_SIZE).is_error());
        // A frame of the caller's stays the caller's.
        uptr frame = MUST(physical_memory().allocate_frame());
        KASSERT(!space.map(data_va, virt_to_phys(reinterpret_cast<void*>(frame)), PAGE_SIZE, Protection::Read).is_error());
        KEXPECT(!space.translate(data_va).value().owned);
        // Far apart, so several table frames.
        KASSERT(!space.map_new(user_half_end() - 16 * PAGE_SIZE, 16 * PAGE_SIZE, Protection::ReadWrite).is_error());
        KEXPECT_GT(space.table_frame_count(), 3u);
        space.destroy();
        KEXPECT(physical_memory().is_allocated(frame));
        physical_memory().free_frame(frame);
    }
    KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
}

KTEST(user_address_space_asids_and_activation)
{
    kprintln("guest: {} ASID bits"_sv, asid_bits());
    UserAddressSpace one;
    UserAddressSpace two;
    KASSERT(!one.create().is_error());
    KASSERT(!two.create().is_error());
    if (asid_bits() > 0) {
        KEXPECT_NE(one.asid(), 0u);
        KEXPECT_NE(two.asid(), 0u);
        KEXPECT_NE(one.asid(), two.asid());
    } else {
        KEXPECT_EQ(one.asid(), 0u);
    }
    one.activate();
    KEXPECT(one.is_active());
    KEXPECT_EQ((read_csr<Csr::Satp>() >> Satp::ASID_SHIFT) & 0xffff, one.asid());
    // A kernel mapping made now is visible in the active user address space
    // (the kernel half's tables are shared).
    uptr frame = MUST(physical_memory().allocate_frame());
    *reinterpret_cast<volatile u64*>(frame) = 0x5eed;
    u64 va = kernel_scratch_base + 0x4000'0000 + 0x1000;
    KASSERT(!kernel_virtual_memory().map(va, virt_to_phys(reinterpret_cast<void*>(frame)), PAGE_SIZE, Protection::Read).is_error());
    two.activate();
    volatile u64 seen = 0;
    bool trapped = catch_trap([&] { seen = *reinterpret_cast<volatile u64*>(va); });
    KEXPECT(!trapped);
    KEXPECT_EQ(seen, 0x5eedu);
    KASSERT(!kernel_virtual_memory().unmap(va, PAGE_SIZE).is_error());
    physical_memory().free_frame(frame);
    // Destroying the active address space switches back to the kernel's.
    two.destroy();
    KEXPECT_EQ(read_csr<Csr::Satp>() & Satp::PPN_MASK, kernel_virtual_memory().root_physical() >> PAGE_SHIFT);
}

KTEST(page_table_audit_finds_planted_violations)
{
    // A root that is never activated: the kernel's entries plus one of each
    // kind of violation (§4.3.1 PTE bits).
    auto& kernel = kernel_virtual_memory();
    uptr root_frame = MUST(physical_memory().allocate_frame());
    uptr table_frame = MUST(physical_memory().allocate_frame());
    fill_bytes(reinterpret_cast<void*>(table_frame), 0, PAGE_SIZE);
    auto* root = reinterpret_cast<u64*>(root_frame);
    copy_bytes(root, kernel.root_table(), PAGE_SIZE);
    root[0] = pte_from_physical(0, Pte::V | Pte::R | Pte::W | Pte::X | Pte::U); // W+X
    root[1] = pte_from_physical(0, Pte::V | Pte::R);                            // user half, no U
    root[2] = pte_from_physical(virt_to_phys(reinterpret_cast<void*>(table_frame)), Pte::V | Pte::U); // U on a table
    usize slot = PTES_PER_TABLE / 2;
    while (slot < PTES_PER_TABLE && (root[slot] & (Pte::R | Pte::W | Pte::X)) != 0)
        ++slot; // replace a table entry, not one of the direct map's leaves
    KASSERT(slot < PTES_PER_TABLE);
    root[slot] = pte_from_physical(0, Pte::V | Pte::R | Pte::U); // kernel half with U

    auto walked = audit_page_tables(root, kernel.mode());
    KEXPECT_EQ(walked.writable_executable, 1u);
    KEXPECT_EQ(walked.user_leaf_without_user, 1u);
    KEXPECT_EQ(walked.reserved_bits_in_table_entry, 1u);
    KEXPECT_EQ(walked.kernel_leaf_with_user, 1u);
    auto compared = audit_page_tables(root, kernel.mode(), kernel.root_table());
    KEXPECT_EQ(compared.kernel_half_differs, 1u);
    KEXPECT_EQ(compared.kernel_leaf_with_user, 0u);
    physical_memory().free_frame(table_frame);
    physical_memory().free_frame(root_frame);
}
