// User address spaces (kernel/mm/UserAddressSpace.h). Section numbers refer
// to the privileged spec 1.12 (20211203), Volume II.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

// §4.4.1: the RSW field (bits 9:8) is ignored by hardware; bit 9 marks a
// frame the address space allocated and frees.
constexpr u64 PTE_OWNED = 1ull << 9;
constexpr u64 PERMISSION_BITS = Pte::R | Pte::W | Pte::X;

// ASIDs: 0 is the kernel's (and the fallback); 1..(2^ASIDLEN - 1) are handed
// out to address spaces.
constexpr usize max_asids = 1u << 16; // ASIDLEN ≤ 16 for Sv39/Sv48 (§4.1.11)
u64 s_asid_used[max_asids / 64];
u32 s_asid_bits = 0;
u32 s_asid_next = 1;

constexpr usize flush_page_threshold = 64;

u16 allocate_asid() noexcept
{
    u32 count = 1u << s_asid_bits;
    if (count <= 1)
        return 0;
    for (u32 i = 0; i < count - 1; ++i) {
        u32 asid = s_asid_next + i;
        if (asid >= count)
            asid -= count - 1;
        if (s_asid_used[asid / 64] & (1ull << (asid % 64)))
            continue;
        s_asid_used[asid / 64] |= 1ull << (asid % 64);
        s_asid_next = asid + 1 >= count ? 1 : asid + 1;
        return static_cast<u16>(asid);
    }
    return 0; // all in use: share ASID 0 with full flushes
}

void release_asid(u16 asid) noexcept
{
    if (asid == 0)
        return;
    // §4.2.1: rs1 = x0, rs2 = asid orders (and drops) every non-global
    // translation of that ASID, so its next owner starts with a clean TLB.
    asm volatile("sfence.vma zero, %0" ::"r"(u64(asid)) : "memory");
    s_asid_used[asid / 64] &= ~(1ull << (asid % 64));
}

u64 user_leaf(u64 physical, Protection protection, bool owned) noexcept
{
    // §4.3.1 (Figure 4.18/4.21 PTE bits): V; U: "accessible to user mode";
    // A and D preset; G clear (a user mapping belongs to one address space).
    u64 flags = Pte::V | Pte::U | Pte::A | Pte::D;
    if (has(protection, Protection::Read) || has(protection, Protection::Write))
        flags |= Pte::R; // W without R is reserved (§4.3.1)
    if (has(protection, Protection::Write))
        flags |= Pte::W;
    if (has(protection, Protection::Execute))
        flags |= Pte::X;
    if (owned)
        flags |= PTE_OWNED;
    return pte_from_physical(physical, flags);
}

// A kernel-view leaf in the engine region: U = 0, so only S-mode may touch
// it (§4.3.1) — and S-mode may, whatever sstatus.SUM says (§4.1.1.2: SUM
// only concerns pages with U = 1). Never X, never G.
u64 kernel_leaf(u64 physical, Protection protection, bool owned) noexcept
{
    u64 flags = Pte::V | Pte::R | Pte::A | Pte::D;
    if (has(protection, Protection::Write))
        flags |= Pte::W;
    if (owned)
        flags |= PTE_OWNED;
    return pte_from_physical(physical, flags);
}

bool valid_kernel_protection(Protection protection) noexcept
{
    return protection == Protection::Read || protection == Protection::ReadWrite;
}

Protection leaf_protection(u64 entry) noexcept
{
    auto protection = Protection::None;
    if (entry & Pte::R)
        protection = protection | Protection::Read;
    if (entry & Pte::W)
        protection = protection | Protection::Write;
    if (entry & Pte::X)
        protection = protection | Protection::Execute;
    return protection;
}

bool valid_user_protection(Protection protection) noexcept
{
    if (protection == Protection::None)
        return false;
    // Never writable and executable at once, in any address space.
    return !(has(protection, Protection::Write) && has(protection, Protection::Execute));
}

u64* table_of(u64 entry) noexcept { return phys_to_virt_pointer<u64>(pte_physical(entry)); }

} // namespace

u64 user_half_end() noexcept
{
    // The lower half of Sv39 (§4.4.1) or Sv48 (§4.5.1): bit 38 / 47 clear.
    return kernel_virtual_memory().mode() == PagingMode::Sv48 ? 1ull << 47 : 1ull << 38;
}

u32 asid_bits() noexcept { return s_asid_bits; }

Result<void> user_address_spaces_initialize() noexcept
{
    TRY(kernel_virtual_memory().preallocate_upper_half());
    // §4.1.11: "The number of ASID bits is UNSPECIFIED and may be zero. The
    // number of implemented ASID bits, termed ASIDLEN, may be determined by
    // writing one to every bit position in the ASID field, then reading back
    // the value in satp to see which bit positions in the ASID field hold a
    // one." The kernel's mappings are global, so running for a moment under
    // another ASID changes nothing.
    u64 satp = read_csr<Csr::Satp>();
    write_csr<Csr::Satp>(satp | (0xffffull << Satp::ASID_SHIFT));
    u64 probed = read_csr<Csr::Satp>();
    write_csr<Csr::Satp>(satp);
    sfence_vma_all();
    s_asid_bits = static_cast<u32>(__builtin_popcountll((probed >> Satp::ASID_SHIFT) & 0xffff));
    return {};
}

void activate_kernel_address_space() noexcept
{
    auto& kernel = kernel_virtual_memory();
    write_csr<Csr::Satp>(make_satp(kernel.mode(), kernel.root_physical()));
    // Under ASID 0 the previous address space may have been a guest's (the
    // fallback without ASIDs): drop its user translations (§4.2.1).
    if (s_asid_bits == 0)
        sfence_vma_all();
}

Result<void> UserAddressSpace::create() noexcept
{
    auto& kernel = kernel_virtual_memory();
    VERIFY(m_root_table == nullptr);
    VERIFY(kernel.upper_half_is_shared());
    m_mode = kernel.mode();
    auto frame = physical_memory().allocate_frame();
    if (frame.is_error())
        return Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames for the root table");
    m_root_table = reinterpret_cast<u64*>(frame.value());
    m_root = virt_to_phys(m_root_table);
    m_table_frames = 1;
    fill_bytes(m_root_table, 0, PAGE_SIZE / 2);
    // The kernel half, shared by pointer (see VirtualMemory::preallocate_upper_half).
    copy_bytes(m_root_table + PTES_PER_TABLE / 2, kernel.root_table() + PTES_PER_TABLE / 2, PAGE_SIZE / 2);
    m_asid = allocate_asid();
    m_satp = make_satp(m_mode, m_root, m_asid);
    return {};
}

Result<void> UserAddressSpace::create_split(u32 engine_slot) noexcept
{
    VERIFY(engine_slot >= 1 && engine_slot < PTES_PER_TABLE / 2);
    TRY(create());
    auto frame = physical_memory().allocate_frame();
    if (frame.is_error()) {
        destroy();
        return Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames for the kernel-view root");
    }
    m_kernel_root_table = reinterpret_cast<u64*>(frame.value());
    m_kernel_root = virt_to_phys(m_kernel_root_table);
    ++m_table_frames;
    // The guest root's user half is empty yet, so the two agree everywhere.
    copy_bytes(m_kernel_root_table, m_root_table, PAGE_SIZE);
    m_kernel_asid = allocate_asid();
    m_kernel_satp = make_satp(m_mode, m_kernel_root, m_kernel_asid);
    m_engine_slot = engine_slot;
    return {};
}

u64 UserAddressSpace::engine_region_size() const noexcept
{
    // §4.4.1 / §4.5.1: a root entry covers 2^(12 + 9 * (levels - 1)) bytes.
    return is_split() ? 1ull << (PAGE_SHIFT + VPN_BITS * (paging_levels(m_mode) - 1)) : 0;
}

u64 UserAddressSpace::engine_region_base() const noexcept { return u64(m_engine_slot) * engine_region_size(); }

bool UserAddressSpace::in_engine_region(u64 virtual_address) const noexcept
{
    return is_split() && virtual_address - engine_region_base() < engine_region_size();
}

void UserAddressSpace::free_subtree(u64 entry, u32 level) noexcept
{
    // `entry` points to a table at `level`; everything below it is ours.
    u64* table = table_of(entry);
    for (usize i = 0; i < PTES_PER_TABLE; ++i) {
        u64 child = table[i];
        if ((child & Pte::V) == 0)
            continue;
        if (!pte_is_leaf(child)) {
            VERIFY(level > 0);
            free_subtree(child, level - 1);
            continue;
        }
        if (child & PTE_OWNED) {
            physical_memory().free_frame(phys_to_virt(pte_physical(child)));
            --m_owned_frames;
        }
    }
    physical_memory().free_frame(reinterpret_cast<uptr>(table));
    --m_table_frames;
}

void UserAddressSpace::destroy() noexcept
{
    if (m_root_table == nullptr)
        return;
    if (is_active())
        activate_kernel_address_space();
    u32 top = paging_levels(m_mode) - 1;
    // The user half of the guest root holds every shared subtree once (the
    // kernel-view root only points to the same ones) and the guest view of
    // the engine region; the kernel-view root adds its engine subtree.
    for (usize i = 0; i < PTES_PER_TABLE / 2; ++i) {
        if (m_root_table[i] & Pte::V)
            free_subtree(m_root_table[i], top - 1);
    }
    if (m_kernel_root_table != nullptr) {
        if (m_kernel_root_table[m_engine_slot] & Pte::V)
            free_subtree(m_kernel_root_table[m_engine_slot], top - 1);
        physical_memory().free_frame(reinterpret_cast<uptr>(m_kernel_root_table));
        --m_table_frames;
    }
    physical_memory().free_frame(reinterpret_cast<uptr>(m_root_table));
    --m_table_frames;
    VERIFY(m_table_frames == 0 && m_owned_frames == 0);
    bool flush_everything = m_asid == 0;
    release_asid(m_asid);
    if (m_kernel_root_table != nullptr) {
        flush_everything = flush_everything || m_kernel_asid == 0;
        release_asid(m_kernel_asid);
    }
    if (flush_everything)
        sfence_vma_all();
    m_root_table = nullptr;
    m_root = 0;
    m_asid = 0;
    m_kernel_root_table = nullptr;
    m_kernel_root = 0;
    m_kernel_asid = 0;
    m_satp = 0;
    m_kernel_satp = 0;
    m_engine_slot = 0;
}

Result<void> UserAddressSpace::check_range(u64 virtual_address, u64 size, Where where) const noexcept
{
    if (m_root_table == nullptr)
        return Error::from_code(ErrorCode::Invalid, "address space: not created");
    if ((virtual_address | size) & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "address space: {:#x} (+{:#x}) is misaligned"_sv, virtual_address, size);
    if (size == 0)
        return Error::from_code(ErrorCode::InvalidArgument, "address space: empty range");
    if (virtual_address < user_space_start || virtual_address > user_half_end() || size > user_half_end() - virtual_address)
        return Error::formatted(ErrorCode::OutOfRange, "address space: {:#x} (+{:#x}) is not in the user half"_sv, virtual_address, size);
    u64 region = engine_region_base();
    u64 region_size = engine_region_size();
    if (where == Where::Engine) {
        if (!is_split() || virtual_address < region || virtual_address + size > region + region_size)
            return Error::formatted(ErrorCode::OutOfRange, "address space: {:#x} (+{:#x}) is not in the engine region"_sv, virtual_address, size);
    } else if (is_split() && virtual_address < region + region_size && region < virtual_address + size) {
        return Error::formatted(ErrorCode::OutOfRange, "address space: {:#x} (+{:#x}) overlaps the engine region"_sv, virtual_address, size);
    }
    return {};
}

u64* UserAddressSpace::leaf_slot(u64* root, u64 virtual_address) const noexcept
{
    // §4.3.2's walk, 4 KiB leaves only (user mappings never use superpages).
    u64* table = root;
    for (u32 level = paging_levels(m_mode) - 1; level > 0; --level) {
        u64 entry = table[vpn_index(virtual_address, level)];
        if ((entry & Pte::V) == 0 || (entry & PERMISSION_BITS) != 0)
            return nullptr;
        table = table_of(entry);
    }
    return &table[vpn_index(virtual_address, 0)];
}

Result<void> UserAddressSpace::map_page(u64* root, u64 virtual_address, u64 entry) noexcept
{
    u32 top = paging_levels(m_mode) - 1;
    u64* table = root;
    for (u32 level = top; level > 0; --level) {
        usize index = vpn_index(virtual_address, level);
        u64& slot = table[index];
        if ((slot & Pte::V) == 0) {
            auto frame = physical_memory().allocate_frame();
            if (frame.is_error())
                return Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames for page tables");
            fill_bytes(reinterpret_cast<void*>(frame.value()), 0, PAGE_SIZE);
            ++m_table_frames;
            // §4.3.1: V = 1, R = W = X = 0: a pointer to the next level; U,
            // A and D are reserved in non-leaf entries and stay 0.
            slot = pte_from_physical(virt_to_phys(reinterpret_cast<void*>(frame.value())), Pte::V);
            if (level == top && is_split()) {
                // Every root entry but the engine slot's is the same in both
                // roots: a shared subtree seen through either.
                VERIFY(root == m_root_table || index == m_engine_slot);
                if (index != m_engine_slot)
                    m_kernel_root_table[index] = slot;
            }
        }
        VERIFY((slot & PERMISSION_BITS) == 0);
        table = table_of(slot);
    }
    u64& leaf = table[vpn_index(virtual_address, 0)];
    if (leaf & Pte::V)
        return Error::formatted(ErrorCode::AlreadyExists, "address space: {:#x} is already mapped"_sv, virtual_address);
    leaf = entry;
    return {};
}

template<typename MakeLeaf>
Result<void> UserAddressSpace::map_new_page(u64* root, u64 virtual_address, MakeLeaf make_leaf) noexcept
{
    auto frame = physical_memory().allocate_frame();
    if (frame.is_error())
        return Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames");
    fill_bytes(reinterpret_cast<void*>(frame.value()), 0, PAGE_SIZE);
    auto result = map_page(root, virtual_address, make_leaf(virt_to_phys(reinterpret_cast<void*>(frame.value()))));
    if (result.is_error()) {
        physical_memory().free_frame(frame.value());
        return result;
    }
    ++m_owned_frames;
    return {};
}

bool UserAddressSpace::prune(u64* root, u64 virtual_address) noexcept
{
    // The tables on the walk to `virtual_address`, then, from the bottom up,
    // each one left empty is freed and its parent entry cleared.
    u32 top = paging_levels(m_mode) - 1;
    u64* tables[4] {};
    tables[top] = root;
    for (u32 level = top; level > 0; --level) {
        u64 entry = tables[level][vpn_index(virtual_address, level)];
        if ((entry & Pte::V) == 0 || pte_is_leaf(entry))
            return false;
        tables[level - 1] = table_of(entry);
    }
    bool freed = false;
    for (u32 level = 0; level < top; ++level) {
        const u64* table = tables[level];
        for (usize i = 0; i < PTES_PER_TABLE; ++i) {
            if (table[i] != 0)
                return freed;
        }
        usize index = vpn_index(virtual_address, level + 1);
        tables[level + 1][index] = 0;
        if (level + 1 == top && is_split() && root == m_root_table && index != m_engine_slot)
            m_kernel_root_table[index] = 0;
        physical_memory().free_frame(reinterpret_cast<uptr>(table));
        --m_table_frames;
        freed = true;
    }
    return freed;
}

void UserAddressSpace::clear_leaves(u64* root, u64 virtual_address, u64 size, bool& tables_freed) noexcept
{
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(root, virtual_address + offset);
        VERIFY(slot != nullptr && (*slot & Pte::V));
        u64 entry = *slot;
        *slot = 0;
        if (entry & PTE_OWNED) {
            physical_memory().free_frame(phys_to_virt(pte_physical(entry)));
            --m_owned_frames;
        }
    }
    // One look per leaf table the range touched (a leaf table spans 2 MiB).
    u64 end = virtual_address + size;
    for (u64 at = virtual_address; at < end; at = (at | (MEGAPAGE_SIZE - 1)) + 1) {
        if (prune(root, at))
            tables_freed = true;
    }
}

void UserAddressSpace::flush(u64 virtual_address, u64 size, u16 asid) noexcept
{
    // §4.2.1: rs1 = address, rs2 = ASID orders the page-table stores for that
    // page of that address space (under the ASID 0 fallback every address
    // space shares ASID 0, and kernel mappings are global, so ASID 0 is right).
    if (size / PAGE_SIZE > flush_page_threshold) {
        flush_all(asid);
        return;
    }
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE)
        asm volatile("sfence.vma %0, %1" ::"r"(virtual_address + offset), "r"(u64(asid)) : "memory");
}

void UserAddressSpace::flush_all(u16 asid) noexcept
{
    // §4.2.1: rs1 = x0, rs2 = ASID: every non-global translation of that
    // ASID, including the non-leaf entries cached on the way; "If software
    // modifies a non-leaf PTE, it should execute SFENCE.VMA with rs1=x0".
    if (asid != 0)
        asm volatile("sfence.vma zero, %0" ::"r"(u64(asid)) : "memory");
    else
        sfence_vma_all();
}

void UserAddressSpace::flush_shared(u64 virtual_address, u64 size, bool tables_freed) noexcept
{
    if (tables_freed) {
        flush_all(m_asid);
        if (is_split())
            flush_all(m_kernel_asid);
        return;
    }
    flush(virtual_address, size, m_asid);
    if (is_split())
        flush(virtual_address, size, m_kernel_asid);
}

// Every page of the range is free (map, map_new) or mapped (unmap, protect):
// each call checks the whole range before it changes anything.
Result<void> UserAddressSpace::check_unmapped(u64* root, u64 virtual_address, u64 size) const noexcept
{
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(root, virtual_address + offset);
        if (slot != nullptr && (*slot & Pte::V))
            return Error::formatted(ErrorCode::AlreadyExists, "address space: {:#x} is already mapped"_sv, virtual_address + offset);
    }
    return {};
}

Result<void> UserAddressSpace::check_mapped(u64* root, u64 virtual_address, u64 size) const noexcept
{
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(root, virtual_address + offset);
        if (slot == nullptr || (*slot & Pte::V) == 0)
            return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not mapped"_sv, virtual_address + offset);
    }
    return {};
}

Result<void> UserAddressSpace::map(u64 virtual_address, u64 physical, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Shared));
    if (physical & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "address space: physical {:#x} is misaligned"_sv, physical);
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_unmapped(m_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        auto result = map_page(m_root_table, virtual_address + offset, user_leaf(physical + offset, protection, false));
        if (result.is_error()) {
            bool freed = false;
            clear_leaves(m_root_table, virtual_address, offset, freed);
            flush_shared(virtual_address, offset, true);
            return result.release_error();
        }
    }
    flush_shared(virtual_address, size, false);
    return {};
}

Result<void> UserAddressSpace::map_new(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Shared));
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_unmapped(m_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        auto result = map_new_page(m_root_table, virtual_address + offset, [&](u64 physical) noexcept { return user_leaf(physical, protection, true); });
        if (result.is_error()) {
            bool freed = false;
            clear_leaves(m_root_table, virtual_address, offset, freed);
            flush_shared(virtual_address, offset, true);
            return result.release_error();
        }
    }
    flush_shared(virtual_address, size, false);
    return {};
}

Result<void> UserAddressSpace::unmap(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size, Where::Shared));
    TRY(check_mapped(m_root_table, virtual_address, size));
    bool freed = false;
    clear_leaves(m_root_table, virtual_address, size, freed);
    flush_shared(virtual_address, size, freed);
    return {};
}

Result<void> UserAddressSpace::unmap_present(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size, Where::Shared));
    bool freed = false;
    u64 end = virtual_address + size;
    for (u64 at = virtual_address; at < end;) {
        u64 table_end = (at | (MEGAPAGE_SIZE - 1)) + 1;
        u64 stop = table_end < end ? table_end : end;
        // Entries of one leaf table are contiguous (§4.3.2: PTEs are
        // indexed by VPN[0] within the table).
        if (u64* slot = leaf_slot(m_root_table, at)) {
            for (u64 page = at; page < stop; page += PAGE_SIZE, ++slot) {
                u64 entry = *slot;
                if ((entry & Pte::V) == 0)
                    continue;
                *slot = 0;
                if (entry & PTE_OWNED) {
                    physical_memory().free_frame(phys_to_virt(pte_physical(entry)));
                    --m_owned_frames;
                }
            }
            if (prune(m_root_table, at))
                freed = true;
        }
        at = stop;
    }
    flush_shared(virtual_address, size, freed);
    return {};
}

Result<void> UserAddressSpace::protect(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Shared));
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_mapped(m_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(m_root_table, virtual_address + offset);
        *slot = user_leaf(pte_physical(*slot), protection, (*slot & PTE_OWNED) != 0);
    }
    flush_shared(virtual_address, size, false);
    return {};
}

bool UserAddressSpace::is_mapped(u64 virtual_address, View view) const noexcept
{
    if (m_root_table == nullptr || virtual_address >= user_half_end())
        return false;
    u64* root = view == View::Kernel && in_engine_region(virtual_address) ? m_kernel_root_table : m_root_table;
    u64* slot = leaf_slot(root, virtual_address);
    return slot != nullptr && (*slot & Pte::V) != 0;
}

u64 UserAddressSpace::same_mapping_run(u64 virtual_address, u64 pages, View view, bool& mapped) const noexcept
{
    mapped = false;
    u64 run = 0;
    const u64* table = nullptr;
    u64 table_base = ~u64(0);
    for (; run < pages; ++run) {
        u64 page = virtual_address + run * PAGE_SIZE;
        bool here = false;
        if (m_root_table != nullptr && page < user_half_end()) {
            u64 base = page & ~(MEGAPAGE_SIZE - 1);
            if (base != table_base) {
                table_base = base;
                u64* root = view == View::Kernel && in_engine_region(page) ? m_kernel_root_table : m_root_table;
                u64* slot = leaf_slot(root, page);
                table = slot != nullptr ? slot - vpn_index(page, 0) : nullptr;
            }
            here = table != nullptr && (table[vpn_index(page, 0)] & Pte::V) != 0;
        }
        if (run == 0)
            mapped = here;
        else if (here != mapped)
            break;
    }
    return run;
}

Result<UserTranslation> UserAddressSpace::translate(u64 virtual_address, View view) const noexcept
{
    if (m_root_table == nullptr || virtual_address >= user_half_end())
        return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not a user address"_sv, virtual_address);
    u64* root = view == View::Kernel && in_engine_region(virtual_address) ? m_kernel_root_table : m_root_table;
    u64* slot = leaf_slot(root, virtual_address);
    if (slot == nullptr || (*slot & Pte::V) == 0)
        return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not mapped"_sv, virtual_address);
    u64 entry = *slot;
    return UserTranslation { pte_physical(entry) + (virtual_address & (PAGE_SIZE - 1)), leaf_protection(entry),
        (entry & Pte::U) != 0, (entry & PTE_OWNED) != 0 };
}

Result<void> UserAddressSpace::map_new_kernel(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Engine));
    if (!valid_kernel_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a kernel-view mapping is Read or ReadWrite");
    TRY(check_unmapped(m_kernel_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        auto result = map_new_page(m_kernel_root_table, virtual_address + offset,
            [&](u64 physical) noexcept { return kernel_leaf(physical, protection, true); });
        if (result.is_error()) {
            bool freed = false;
            clear_leaves(m_kernel_root_table, virtual_address, offset, freed);
            flush_all(m_kernel_asid);
            return result.release_error();
        }
    }
    flush(virtual_address, size, m_kernel_asid);
    return {};
}

Result<void> UserAddressSpace::protect_kernel(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Engine));
    if (!valid_kernel_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a kernel-view mapping is Read or ReadWrite");
    TRY(check_mapped(m_kernel_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(m_kernel_root_table, virtual_address + offset);
        *slot = kernel_leaf(pte_physical(*slot), protection, (*slot & PTE_OWNED) != 0);
    }
    flush(virtual_address, size, m_kernel_asid);
    return {};
}

Result<void> UserAddressSpace::unmap_kernel(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size, Where::Engine));
    TRY(check_mapped(m_kernel_root_table, virtual_address, size));
    // The guest's leaves first (they borrow the frames), flushed before the
    // frames go back to the allocator.
    bool guest_had_any = false;
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(m_root_table, virtual_address + offset);
        if (slot != nullptr && (*slot & Pte::V)) {
            VERIFY((*slot & PTE_OWNED) == 0);
            *slot = 0;
            guest_had_any = true;
        }
    }
    if (guest_had_any) {
        bool freed = false;
        for (u64 at = virtual_address; at < virtual_address + size; at = (at | (MEGAPAGE_SIZE - 1)) + 1)
            freed = prune(m_root_table, at) || freed;
        if (freed)
            flush_all(m_asid);
        else
            flush(virtual_address, size, m_asid);
    }
    bool freed = false;
    clear_leaves(m_kernel_root_table, virtual_address, size, freed);
    if (freed)
        flush_all(m_kernel_asid);
    else
        flush(virtual_address, size, m_kernel_asid);
    return {};
}

Result<void> UserAddressSpace::share_with_guest(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size, Where::Engine));
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_mapped(m_kernel_root_table, virtual_address, size));
    TRY(check_unmapped(m_root_table, virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64 physical = pte_physical(*leaf_slot(m_kernel_root_table, virtual_address + offset));
        auto result = map_page(m_root_table, virtual_address + offset, user_leaf(physical, protection, false));
        if (result.is_error()) {
            bool freed = false;
            clear_leaves(m_root_table, virtual_address, offset, freed);
            flush_all(m_asid);
            return result.release_error();
        }
    }
    flush(virtual_address, size, m_asid);
    return {};
}

Result<void> UserAddressSpace::unshare(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size, Where::Engine));
    TRY(check_mapped(m_root_table, virtual_address, size));
    bool freed = false;
    clear_leaves(m_root_table, virtual_address, size, freed);
    if (freed)
        flush_all(m_asid);
    else
        flush(virtual_address, size, m_asid);
    return {};
}

Result<void> UserAddressSpace::write(u64 virtual_address, Span<u8 const> bytes) noexcept
{
    usize done = 0;
    while (done < bytes.size()) {
        u64 va = virtual_address + done;
        auto translation = TRY(translate(va, View::Kernel));
        usize chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > bytes.size() - done)
            chunk = bytes.size() - done;
        copy_bytes(phys_to_virt_pointer<u8>(translation.physical), bytes.data() + done, chunk);
        done += chunk;
    }
    // Zifencei: instruction fetches on this hart see the stores above.
    asm volatile("fence.i" ::: "memory");
    return {};
}

bool UserAddressSpace::is_active(View view) const noexcept
{
    if (m_root_table == nullptr || (view == View::Kernel && !is_split()))
        return false;
    u64 root = view == View::Kernel ? m_kernel_root : m_root;
    return (read_csr<Csr::Satp>() & Satp::PPN_MASK) == (root >> PAGE_SHIFT);
}

bool UserAddressSpace::is_active() const noexcept { return is_active(View::Guest) || is_active(View::Kernel); }

} // namespace k23::kernel
