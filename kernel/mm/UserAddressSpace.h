#pragma once

// A guest's address space: its own root page table, whose lower ("user")
// half is private and whose upper ("kernel") half is the kernel's, shared.
// Section numbers refer to the RISC-V Privileged Architecture, version
// 20211203 (privileged spec 1.12), Volume II.
//
// - Kernel half: the root's entries 256..511 are copies of the kernel root's,
//   which kernel/mm/VirtualMemory.h fills in at boot and never changes again
//   (preallocate_upper_half), so every later kernel mapping is visible here.
//   Kernel mappings are global (G) and never U.
// - User half: [user_space_start, user_half_end()) — below the sign-extension
//   hole of Sv39 (§4.4.1: bits 63:39 equal bit 38) or Sv48 (§4.5.1). Leaves
//   are 4 KiB, always U (§4.3.1: "U indicates whether the page is accessible
//   to user mode"), never G, never W and X at once. A and D are preset
//   (§4.3.1 lets hardware fault when they are clear).
// - ASID: one per address space from satp's implemented ASID bits (probed at
//   boot, §4.1.11); with none (or all in use) ASID 0 and a full flush on
//   every activate().
// - Frames: the table frames, and the frames map_new() allocated (marked in
//   the PTE's RSW field, §4.4.1 bits 9:8 "reserved for use by supervisor
//   software"), belong to the address space; destroy() (and the destructor)
//   returns all of them. Frames given to map() stay the caller's.
//
// Not thread-safe; one hart runs the kernel.

#include <arch/riscv64/Paging.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Types.h>
#include <kernel/mm/VirtualMemory.h>

namespace k23::kernel {

// The lowest user page: page 0 stays unmapped so a null pointer faults.
inline constexpr u64 user_space_start = riscv64::PAGE_SIZE;

// One past the last user address for the kernel's paging mode.
[[nodiscard]] u64 user_half_end() noexcept;

// Boot: shares the kernel's upper half (VirtualMemory::preallocate_upper_half)
// and probes the number of ASID bits. Needs the kernel's tables.
[[nodiscard]] Result<void> user_address_spaces_initialize() noexcept;
// ASIDLEN (§4.1.11): 0 when satp's ASID field is read-only zero.
[[nodiscard]] u32 asid_bits() noexcept;

struct UserTranslation {
    u64 physical { 0 };
    Protection protection { Protection::None };
    bool user { false };  // the leaf's U bit
    bool owned { false }; // the frame is the address space's
};

class UserAddressSpace {
public:
    UserAddressSpace() noexcept = default;
    ~UserAddressSpace() noexcept { destroy(); }
    UserAddressSpace(UserAddressSpace const&) = delete;
    UserAddressSpace& operator=(UserAddressSpace const&) = delete;

    // A root table (kernel half copied) and an ASID.
    [[nodiscard]] Result<void> create() noexcept;
    // Returns every frame this address space took and its ASID. If it is the
    // active one, the kernel's own tables are activated first.
    void destroy() noexcept;

    // Maps [virtual_address, +size) to the caller's frames at `physical`
    // (4 KiB aligned). Protection must not be None nor Write|Execute.
    [[nodiscard]] Result<void> map(u64 virtual_address, u64 physical, u64 size, Protection) noexcept;
    // Maps zeroed frames that the address space owns.
    [[nodiscard]] Result<void> map_new(u64 virtual_address, u64 size, Protection) noexcept;
    // Unmaps (every page must be mapped) and frees the owned frames.
    [[nodiscard]] Result<void> unmap(u64 virtual_address, u64 size) noexcept;
    [[nodiscard]] Result<void> protect(u64 virtual_address, u64 size, Protection) noexcept;
    [[nodiscard]] Result<UserTranslation> translate(u64 virtual_address) const noexcept;

    // Writes `bytes` at `virtual_address` through the kernel's direct map,
    // whatever the protection (loading code and data), then fence.i
    // (Zifencei) so this hart fetches the new code.
    [[nodiscard]] Result<void> write(u64 virtual_address, Span<u8 const> bytes) noexcept;

    // satp = this root and ASID (§4.1.11), with the fences §4.2.1 asks for.
    void activate() noexcept;
    [[nodiscard]] bool is_active() const noexcept;

    [[nodiscard]] bool is_created() const noexcept { return m_root_table != nullptr; }
    [[nodiscard]] u64 root_physical() const noexcept { return m_root; }
    [[nodiscard]] u64 const* root_table() const noexcept { return m_root_table; }
    [[nodiscard]] u16 asid() const noexcept { return m_asid; }
    [[nodiscard]] usize table_frame_count() const noexcept { return m_table_frames; }
    [[nodiscard]] usize owned_frame_count() const noexcept { return m_owned_frames; }

private:
    [[nodiscard]] Result<void> check_range(u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> check_unmapped(u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> check_mapped(u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> map_page(u64 virtual_address, u64 entry) noexcept;
    [[nodiscard]] u64* leaf_slot(u64 virtual_address) const noexcept; // nullptr if no table
    void free_tables(u64* table, u32 level) noexcept;
    void flush(u64 virtual_address, u64 size) noexcept;

    riscv64::PagingMode m_mode { riscv64::PagingMode::Sv39 };
    u64 m_root { 0 };
    u64* m_root_table { nullptr };
    u16 m_asid { 0 };
    usize m_table_frames { 0 };
    usize m_owned_frames { 0 };
};

// Activates the kernel's own tables (satp = kernel root, ASID 0).
void activate_kernel_address_space() noexcept;

} // namespace k23::kernel
