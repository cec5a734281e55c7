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
    return {};
}

void UserAddressSpace::free_tables(u64* table, u32 level) noexcept
{
    // Only the user half of the root; everything below it is ours.
    usize end = level == paging_levels(m_mode) - 1 ? PTES_PER_TABLE / 2 : PTES_PER_TABLE;
    for (usize i = 0; i < end; ++i) {
        u64 entry = table[i];
        if ((entry & Pte::V) == 0)
            continue;
        if ((entry & PERMISSION_BITS) == 0) {
            free_tables(table_of(entry), level - 1);
            continue;
        }
        if (entry & PTE_OWNED) {
            physical_memory().free_frame(phys_to_virt(pte_physical(entry)));
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
    free_tables(m_root_table, paging_levels(m_mode) - 1);
    VERIFY(m_table_frames == 0 && m_owned_frames == 0);
    if (m_asid != 0)
        release_asid(m_asid);
    else
        sfence_vma_all();
    m_root_table = nullptr;
    m_root = 0;
    m_asid = 0;
}

Result<void> UserAddressSpace::check_range(u64 virtual_address, u64 size) const noexcept
{
    if (m_root_table == nullptr)
        return Error::from_code(ErrorCode::Invalid, "address space: not created");
    if ((virtual_address | size) & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "address space: {:#x} (+{:#x}) is misaligned"_sv, virtual_address, size);
    if (size == 0)
        return Error::from_code(ErrorCode::InvalidArgument, "address space: empty range");
    if (virtual_address < user_space_start || virtual_address > user_half_end() || size > user_half_end() - virtual_address)
        return Error::formatted(ErrorCode::OutOfRange, "address space: {:#x} (+{:#x}) is not in the user half"_sv, virtual_address, size);
    return {};
}

u64* UserAddressSpace::leaf_slot(u64 virtual_address) const noexcept
{
    // §4.3.2's walk, 4 KiB leaves only (user mappings never use superpages).
    u64* table = m_root_table;
    for (u32 level = paging_levels(m_mode) - 1; level > 0; --level) {
        u64 entry = table[vpn_index(virtual_address, level)];
        if ((entry & Pte::V) == 0 || (entry & PERMISSION_BITS) != 0)
            return nullptr;
        table = table_of(entry);
    }
    return &table[vpn_index(virtual_address, 0)];
}

Result<void> UserAddressSpace::map_page(u64 virtual_address, u64 entry) noexcept
{
    u64* table = m_root_table;
    for (u32 level = paging_levels(m_mode) - 1; level > 0; --level) {
        u64& slot = table[vpn_index(virtual_address, level)];
        if ((slot & Pte::V) == 0) {
            auto frame = physical_memory().allocate_frame();
            if (frame.is_error())
                return Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames for page tables");
            fill_bytes(reinterpret_cast<void*>(frame.value()), 0, PAGE_SIZE);
            ++m_table_frames;
            // §4.3.1: V = 1, R = W = X = 0: a pointer to the next level; U,
            // A and D are reserved in non-leaf entries and stay 0.
            slot = pte_from_physical(virt_to_phys(reinterpret_cast<void*>(frame.value())), Pte::V);
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

void UserAddressSpace::flush(u64 virtual_address, u64 size) noexcept
{
    // §4.2.1: rs1 = address, rs2 = ASID orders the page-table stores for that
    // page of that address space; rs2 = x0 (the ASID 0 fallback) for every
    // address space.
    if (size / PAGE_SIZE > flush_page_threshold) {
        if (m_asid != 0)
            asm volatile("sfence.vma zero, %0" ::"r"(u64(m_asid)) : "memory");
        else
            sfence_vma_all();
        return;
    }
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE)
        asm volatile("sfence.vma %0, %1" ::"r"(virtual_address + offset), "r"(u64(m_asid)) : "memory");
}

// Every page of the range is free (map, map_new) or mapped (unmap, protect):
// each call checks the whole range before it changes anything.
Result<void> UserAddressSpace::check_unmapped(u64 virtual_address, u64 size) const noexcept
{
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(virtual_address + offset);
        if (slot != nullptr && (*slot & Pte::V))
            return Error::formatted(ErrorCode::AlreadyExists, "address space: {:#x} is already mapped"_sv, virtual_address + offset);
    }
    return {};
}

Result<void> UserAddressSpace::check_mapped(u64 virtual_address, u64 size) const noexcept
{
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(virtual_address + offset);
        if (slot == nullptr || (*slot & Pte::V) == 0)
            return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not mapped"_sv, virtual_address + offset);
    }
    return {};
}

Result<void> UserAddressSpace::map(u64 virtual_address, u64 physical, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size));
    if (physical & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "address space: physical {:#x} is misaligned"_sv, physical);
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_unmapped(virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        auto result = map_page(virtual_address + offset, user_leaf(physical + offset, protection, false));
        if (result.is_error()) {
            if (offset != 0)
                (void)unmap(virtual_address, offset);
            return result.release_error();
        }
    }
    flush(virtual_address, size);
    return {};
}

Result<void> UserAddressSpace::map_new(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size));
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_unmapped(virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        auto frame = physical_memory().allocate_frame();
        Result<void> result = Error::from_code(ErrorCode::OutOfMemory, "address space: out of frames");
        if (!frame.is_error()) {
            fill_bytes(reinterpret_cast<void*>(frame.value()), 0, PAGE_SIZE);
            result = map_page(virtual_address + offset, user_leaf(virt_to_phys(reinterpret_cast<void*>(frame.value())), protection, true));
            if (result.is_error())
                physical_memory().free_frame(frame.value());
            else
                ++m_owned_frames;
        }
        if (result.is_error()) {
            if (offset != 0)
                (void)unmap(virtual_address, offset);
            return result.release_error();
        }
    }
    flush(virtual_address, size);
    return {};
}

Result<void> UserAddressSpace::unmap(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size));
    TRY(check_mapped(virtual_address, size));
    // Empty tables stay until destroy(), which frees them all.
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(virtual_address + offset);
        u64 entry = *slot;
        *slot = 0;
        if (entry & PTE_OWNED) {
            physical_memory().free_frame(phys_to_virt(pte_physical(entry)));
            --m_owned_frames;
        }
    }
    flush(virtual_address, size);
    return {};
}

Result<void> UserAddressSpace::protect(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size));
    if (!valid_user_protection(protection))
        return Error::from_code(ErrorCode::InvalidArgument, "address space: a user mapping is never W+X nor None");
    TRY(check_mapped(virtual_address, size));
    for (u64 offset = 0; offset < size; offset += PAGE_SIZE) {
        u64* slot = leaf_slot(virtual_address + offset);
        *slot = user_leaf(pte_physical(*slot), protection, (*slot & PTE_OWNED) != 0);
    }
    flush(virtual_address, size);
    return {};
}

Result<UserTranslation> UserAddressSpace::translate(u64 virtual_address) const noexcept
{
    if (m_root_table == nullptr || virtual_address >= user_half_end())
        return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not a user address"_sv, virtual_address);
    u64* slot = leaf_slot(virtual_address);
    if (slot == nullptr || (*slot & Pte::V) == 0)
        return Error::formatted(ErrorCode::NotFound, "address space: {:#x} is not mapped"_sv, virtual_address);
    u64 entry = *slot;
    return UserTranslation { pte_physical(entry) + (virtual_address & (PAGE_SIZE - 1)), leaf_protection(entry),
        (entry & Pte::U) != 0, (entry & PTE_OWNED) != 0 };
}

Result<void> UserAddressSpace::write(u64 virtual_address, Span<u8 const> bytes) noexcept
{
    usize done = 0;
    while (done < bytes.size()) {
        u64 va = virtual_address + done;
        auto translation = TRY(translate(va));
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

void UserAddressSpace::activate() noexcept
{
    VERIFY(m_root_table != nullptr);
    // §4.1.11: MODE, ASID, root PPN. §4.2.1: writing satp does not order
    // earlier page-table stores (each map/unmap above fenced its pages for
    // this ASID already); under the shared ASID 0 another address space's
    // translations may still be cached, so flush them.
    write_csr<Csr::Satp>(make_satp(m_mode, m_root, m_asid));
    if (m_asid == 0)
        sfence_vma_all();
}

bool UserAddressSpace::is_active() const noexcept
{
    return m_root_table != nullptr && (read_csr<Csr::Satp>() & Satp::PPN_MASK) == (m_root >> PAGE_SHIFT);
}

} // namespace k23::kernel
