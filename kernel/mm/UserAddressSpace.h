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
//   returns all of them. Frames given to map() stay the caller's. Tables
//   that become empty when unmap() clears their last leaf are freed.
//
// Split address spaces (a guest running the engine, kernel/mm/GuestSpace.h)
// have TWO root tables:
// - the guest root (satp while the guest runs in U-mode, View::Guest), and
// - the kernel-view root (satp while the kernel works for that guest,
//   View::Kernel), under an ASID of its own.
// Both share the kernel half and every user-half root entry but one: the
// engine slot, a root entry (1 GiB under Sv39, 512 GiB under Sv48) whose
// subtrees differ between the two roots. A root entry created for any other
// slot is written into both roots at once, so every mapping outside the
// engine region (linear memories) is one set of leaves seen by both. Inside
// the engine region:
// - the kernel view maps frames the address space owns, as supervisor
//   leaves (U = 0, §4.3.1): readable and writable by the kernel, never by
//   U-mode, never executable;
// - the guest view maps some of those same frames as U leaves
//   (share_with_guest), never owning them.
// So a pointer is the same in both views, but the guest sees only what the
// kernel shared with it, with the protection it chose.
//
// Not thread-safe; one hart runs the kernel.

#include <arch/riscv64/Paging.h>
#include <base/Assertions.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/Integers.h>
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

// Which root of a split address space (above). An address space with one
// root has only View::Guest.
enum class View : u8 {
    Guest,
    Kernel,
};

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
    UserAddressSpace(const UserAddressSpace&) = delete;
    UserAddressSpace& operator=(const UserAddressSpace&) = delete;

    // A root table (kernel half copied) and an ASID.
    [[nodiscard]] Result<void> create() noexcept;
    // A split address space: both roots, each with its own ASID (ASID 0 for
    // either when there are none left), and `engine_slot` (1..255: never
    // the slot of page 0) as the engine region.
    [[nodiscard]] Result<void> create_split(u32 engine_slot) noexcept;
    // Returns every frame this address space took and its ASIDs. If one of
    // its roots is active, the kernel's own tables are activated first.
    void destroy() noexcept;

    // Outside the engine region (any address of a one-root space). Both
    // views see these leaves.
    //
    // Maps [virtual_address, +size) to the caller's frames at `physical`
    // (4 KiB aligned). Protection must not be None nor Write|Execute.
    [[nodiscard]] Result<void> map(u64 virtual_address, u64 physical, u64 size, Protection) noexcept;
    // Maps zeroed frames that the address space owns.
    [[nodiscard]] Result<void> map_new(u64 virtual_address, u64 size, Protection) noexcept;
    // Unmaps (every page must be mapped) and frees the owned frames.
    [[nodiscard]] Result<void> unmap(u64 virtual_address, u64 size) noexcept;
    // Unmaps whatever pages of the range are mapped (memories committed on
    // first touch have holes), skipping absent tables 2 MiB at a time.
    [[nodiscard]] Result<void> unmap_present(u64 virtual_address, u64 size) noexcept;
    [[nodiscard]] Result<void> protect(u64 virtual_address, u64 size, Protection) noexcept;
    [[nodiscard]] Result<UserTranslation> translate(u64 virtual_address, View = View::Guest) const noexcept;
    // Whether a leaf maps the page: translate() without building an error
    // for the miss (the hot question of first-touch commits and teardown).
    [[nodiscard]] bool is_mapped(u64 virtual_address, View = View::Guest) const noexcept;
    // The pages from `virtual_address` on (at most `pages`) that are all
    // mapped, or all not, in `view`: how many, and which (`mapped`). One
    // walk per leaf table instead of one per page.
    [[nodiscard]] u64 same_mapping_run(u64 virtual_address, u64 pages, View view, bool& mapped) const noexcept;

    // Inside the engine region of a split space.
    //
    // Kernel view: supervisor leaves (U = 0) to new zeroed frames the space
    // owns. Protection is Read or ReadWrite (never Execute: the kernel never
    // runs code from a guest's half).
    [[nodiscard]] Result<void> map_new_kernel(u64 virtual_address, u64 size, Protection) noexcept;
    [[nodiscard]] Result<void> protect_kernel(u64 virtual_address, u64 size, Protection) noexcept;
    // Removes the kernel view's leaves and the guest view's (where present)
    // and frees the frames.
    [[nodiscard]] Result<void> unmap_kernel(u64 virtual_address, u64 size) noexcept;
    // Guest view: U leaves to the frames the kernel view maps at the same
    // addresses (every page must be mapped there and not yet here).
    [[nodiscard]] Result<void> share_with_guest(u64 virtual_address, u64 size, Protection) noexcept;
    // Removes the guest view's leaves (every page must be shared).
    [[nodiscard]] Result<void> unshare(u64 virtual_address, u64 size) noexcept;

    // Writes `bytes` at `virtual_address` through the kernel's direct map
    // (to the frames the kernel view maps there, in the engine region),
    // whatever the protection (loading code and data), then fence.i
    // (Zifencei) so this hart fetches the new code.
    [[nodiscard]] Result<void> write(u64 virtual_address, Span<u8 const> bytes) noexcept;

    // satp = that view's root and ASID (§4.1.11), with the fences §4.2.1
    // asks for. View::Kernel needs a split space.
    void activate(View view = View::Guest) noexcept
    {
        // Inline: it runs on every entry to and exit from U-mode. §4.1.11:
        // MODE, ASID, root PPN (made when the root was). §4.2.1: writing
        // satp does not order earlier page-table stores (each change fenced
        // its pages for the ASIDs concerned already); under the shared ASID
        // 0 another address space's (or the other view's) translations may
        // still be cached, so flush them.
        u64 satp = view == View::Kernel ? m_kernel_satp : m_satp;
        VERIFY(satp != 0); // created, and split for the kernel view
        asm volatile("csrw satp, %0" ::"r"(satp) : "memory");
        if ((satp & riscv64::Satp::ASID_MASK) == 0)
            riscv64::sfence_vma_all();
    }
    // Whether satp holds either of this space's roots.
    [[nodiscard]] bool is_active() const noexcept;
    [[nodiscard]] bool is_active(View) const noexcept;

    [[nodiscard]] bool is_created() const noexcept { return m_root_table != nullptr; }
    [[nodiscard]] bool is_split() const noexcept { return m_kernel_root_table != nullptr; }
    [[nodiscard]] u64 root_physical(View view = View::Guest) const noexcept { return view == View::Kernel ? m_kernel_root : m_root; }
    [[nodiscard]] const u64* root_table(View view = View::Guest) const noexcept
    {
        return view == View::Kernel ? m_kernel_root_table : m_root_table;
    }
    [[nodiscard]] u16 asid(View view = View::Guest) const noexcept { return view == View::Kernel ? m_kernel_asid : m_asid; }
    // The engine region of a split space: its root slot and address range.
    [[nodiscard]] u32 engine_slot() const noexcept { return m_engine_slot; }
    [[nodiscard]] u64 engine_region_base() const noexcept;
    [[nodiscard]] u64 engine_region_size() const noexcept;
    [[nodiscard]] bool in_engine_region(u64 virtual_address) const noexcept;
    [[nodiscard]] usize table_frame_count() const noexcept { return m_table_frames; }
    [[nodiscard]] usize owned_frame_count() const noexcept { return m_owned_frames; }

private:
    // Where a range lies: Shared (outside the engine region, or any range of
    // a one-root space) or Engine (wholly inside the engine region).
    enum class Where : u8 {
        Shared,
        Engine,
    };
    [[nodiscard]] Result<void> check_range(u64 virtual_address, u64 size, Where) const noexcept;
    [[nodiscard]] Result<void> check_unmapped(u64* root, u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> check_mapped(u64* root, u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> map_page(u64* root, u64 virtual_address, u64 entry) noexcept;
    // map_page of a new zeroed frame the space owns; make_leaf(physical)
    // gives the entry.
    template<typename MakeLeaf>
    [[nodiscard]] Result<void> map_new_page(u64* root, u64 virtual_address, MakeLeaf make_leaf) noexcept;
    [[nodiscard]] u64* leaf_slot(u64* root, u64 virtual_address) const noexcept; // nullptr if no table
    // Clears the leaves of [virtual_address, +size) under `root` (all
    // mapped), frees owned frames and the tables left empty.
    void clear_leaves(u64* root, u64 virtual_address, u64 size, bool& tables_freed) noexcept;
    bool prune(u64* root, u64 virtual_address) noexcept;
    void free_subtree(u64 entry, u32 level) noexcept;
    void flush(u64 virtual_address, u64 size, u16 asid) noexcept;
    void flush_all(u16 asid) noexcept;
    // Both ASIDs (a shared range is seen through both roots); everything of
    // both when tables were freed.
    void flush_shared(u64 virtual_address, u64 size, bool tables_freed) noexcept;

    riscv64::PagingMode m_mode { riscv64::PagingMode::Sv39 };
    u64 m_root { 0 };
    u64* m_root_table { nullptr };
    u16 m_asid { 0 };
    u64 m_kernel_root { 0 };
    u64* m_kernel_root_table { nullptr };
    u16 m_kernel_asid { 0 };
    // satp for each root (§4.1.11), made once: activate() runs on every
    // entry to and exit from U-mode. 0 = no such root.
    u64 m_satp { 0 };
    u64 m_kernel_satp { 0 };
    u32 m_engine_slot { 0 };
    usize m_table_frames { 0 };
    usize m_owned_frames { 0 };
};

// Activates the kernel's own tables (satp = kernel root, ASID 0).
void activate_kernel_address_space() noexcept;

} // namespace k23::kernel
