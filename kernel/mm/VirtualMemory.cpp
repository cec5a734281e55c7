// The kernel's page tables (kernel/mm/VirtualMemory.h).
//
// Section numbers refer to the RISC-V Privileged Architecture, version
// 20211203 (privileged spec 1.12), Volume II: the PTE format in §4.4.1
// (Sv39) and §4.5.1 (Sv48), the translation algorithm in §4.3.2 "Virtual
// Address Translation Process", which §4.4.1 and §4.5.1 reuse with
// LEVELS = 3 / 4 and PTESIZE = 8, and SFENCE.VMA in §4.2.1.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>

extern "C" {
[[gnu::visibility("hidden")]] extern u8 __image_start[];
[[gnu::visibility("hidden")]] extern u8 __text_end[];
[[gnu::visibility("hidden")]] extern u8 __rodata_start[];
[[gnu::visibility("hidden")]] extern u8 __rodata_end[];
[[gnu::visibility("hidden")]] extern u8 __data_start[];
[[gnu::visibility("hidden")]] extern u8 __image_end[];
}

namespace k23::kernel {

using namespace riscv64;

namespace {

VirtualMemory s_kernel_virtual_memory;

// A mapped page whose protection is None: V = 0, so the hardware ignores the
// rest of the entry (§4.3.1/§4.4.1: "If V = 0 ... all other bits are don't-
// cares and may be used freely by software"); we keep the PPN and mark it
// with the first RSW bit (bits 9:8 are reserved for supervisor software).
constexpr u64 PTE_NO_ACCESS = 1ull << 8;

// Past this many pages a shootdown flushes everything instead of page by page.
constexpr u64 shootdown_page_threshold = 64;

constexpr u64 level_page_size(u32 level) noexcept { return PAGE_SIZE << (VPN_BITS * level); }

constexpr bool entry_is_table(u64 entry) noexcept { return (entry & Pte::V) != 0 && !pte_is_leaf(entry); }
constexpr bool entry_is_mapping(u64 entry) noexcept
{
    return ((entry & Pte::V) != 0 && pte_is_leaf(entry)) || ((entry & Pte::V) == 0 && (entry & PTE_NO_ACCESS) != 0);
}

u64 leaf_entry(u64 physical, Protection protection) noexcept
{
    // Kernel mappings: global, never U; A and D preset so the first access
    // cannot fault on them (§4.3.1 lets hardware fault when they are clear).
    u64 flags = Pte::G;
    if (has(protection, Protection::Read) || has(protection, Protection::Write))
        flags |= Pte::R;
    if (has(protection, Protection::Write))
        flags |= Pte::W;
    if (has(protection, Protection::Execute))
        flags |= Pte::X;
    if ((flags & (Pte::R | Pte::W | Pte::X)) == 0)
        return pte_from_physical(physical, Pte::G | PTE_NO_ACCESS);
    return pte_from_physical(physical, flags | Pte::V | Pte::A | Pte::D);
}

Protection entry_protection(u64 entry) noexcept
{
    if ((entry & Pte::V) == 0)
        return Protection::None;
    auto protection = Protection::None;
    if (entry & Pte::R)
        protection = protection | Protection::Read;
    if (entry & Pte::W)
        protection = protection | Protection::Write;
    if (entry & Pte::X)
        protection = protection | Protection::Execute;
    return protection;
}

bool table_is_empty(const u64* table) noexcept
{
    for (usize i = 0; i < PTES_PER_TABLE; ++i) {
        if (table[i] != 0)
            return false;
    }
    return true;
}

u64 align_up_to(u64 value, u64 alignment) noexcept { return (value + alignment - 1) & ~(alignment - 1); }

} // namespace

VirtualMemory& kernel_virtual_memory() noexcept { return s_kernel_virtual_memory; }

void tlb_shootdown(u64 virtual_address, u64 size) noexcept
{
    // SMP: the other harts get an IPI here (SBI RFENCE, remote_sfence_vma
    // over the same range) once there are other harts running the kernel.
    u64 pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages > shootdown_page_threshold) {
        sfence_vma_all();
        return;
    }
    // §4.2.1: rs1 = a virtual address, rs2 = x0 orders the leaf entries for
    // that address in every address space.
    for (u64 i = 0; i < pages; ++i)
        asm volatile("sfence.vma %0, zero" ::"r"(virtual_address + i * PAGE_SIZE) : "memory");
}

void tlb_shootdown_all() noexcept
{
    // SMP: likewise, an IPI to every other hart later.
    sfence_vma_all();
}

u64* VirtualMemory::table_at(u64 entry) const noexcept
{
    return reinterpret_cast<u64*>(pte_physical(entry) + m_direct_map_offset);
}

Result<u64*> VirtualMemory::new_table() noexcept
{
    // The frame allocator hands out direct-map addresses.
    auto frame = physical_memory().allocate_frame();
    if (frame.is_error())
        return Error::from_code(ErrorCode::OutOfMemory, "virtual memory: out of frames for page tables");
    auto* table = reinterpret_cast<u64*>(frame.value());
    fill_bytes(table, 0, PAGE_SIZE);
    ++m_table_frames;
    return table;
}

void VirtualMemory::free_table(u64* table) noexcept
{
    physical_memory().free_frame(reinterpret_cast<uptr>(table));
    --m_table_frames;
}

// The walk is §4.3.2's "Virtual Address Translation Process" run in
// software, for LEVELS = paging_levels(mode) (3 for Sv39, §4.4.1; 4 for Sv48,
// §4.5.1) and PTESIZE = 8:
//   1. a = satp.ppn × PAGESIZE, i = LEVELS − 1;
//   2. pte = the entry at a + va.vpn[i] × PTESIZE;
//   3. V = 0 (or R = 0, W = 1) stops the walk: not mapped;
//   4. R = X = 0: a pointer to the next level, a = pte.ppn × PAGESIZE,
//      i = i − 1, back to step 2;
//   5. otherwise a leaf at level i: a 4 KiB page (i = 0), 2 MiB (i = 1) or
//      1 GiB (i = 2) "superpage", whose PPN must be aligned (step 6).
// Besides the hardware's answer it records the tables it went through and
// stops at a no-access mapping (V = 0 with PTE_NO_ACCESS). Returns true if
// `virtual_address` is mapped; if not, `walk.level` is the level of the
// empty entry, so everything in that level's block is unmapped too.
bool VirtualMemory::walk(u64 virtual_address, Walk& walk) const noexcept
{
    u64* table = m_root_table;
    for (u32 level = paging_levels(m_mode) - 1;; --level) {
        walk.tables[level] = table;
        walk.level = level;
        u64& entry = table[vpn_index(virtual_address, level)];
        walk.entry = &entry;
        if (entry_is_mapping(entry))
            return true;
        if (!entry_is_table(entry) || level == 0)
            return false;
        table = table_at(entry);
    }
}

Result<void> VirtualMemory::check_range(u64 virtual_address, u64 size) const noexcept
{
    if ((virtual_address | size) & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "virtual memory: {:#x} (+{:#x}) is misaligned"_sv, virtual_address, size);
    if (size == 0)
        return Error::from_code(ErrorCode::InvalidArgument, "virtual memory: empty range");
    // Kernel mappings live in the upper half; addresses must be sign-extended
    // from bit 38 (Sv39, §4.4.1) or 47 (Sv48, §4.5.1). The range may end at
    // the very top of the address space but not wrap around it.
    if (virtual_address < upper_half_start(m_mode) || size - 1 > ~virtual_address)
        return Error::formatted(ErrorCode::OutOfRange, "virtual memory: {:#x} (+{:#x}) is not in the kernel's half"_sv, virtual_address, size);
    return {};
}

Result<void> VirtualMemory::check_fully_mapped(u64 virtual_address, u64 size) const noexcept
{
    for (u64 offset = 0; offset < size;) {
        u64 va = virtual_address + offset;
        Walk w;
        if (!walk(va, w))
            return Error::formatted(ErrorCode::NotFound, "virtual memory: {:#x} is not mapped"_sv, va);
        u64 page_size = level_page_size(w.level);
        if ((va & (page_size - 1)) != 0 || size - offset < page_size)
            return Error::formatted(ErrorCode::Unsupported,
                "virtual memory: {:#x} (+{:#x}) would split huge page at {:#x}"_sv, virtual_address, size, va & ~(page_size - 1));
        offset += page_size;
    }
    return {};
}

Result<void> VirtualMemory::map_one(u64 virtual_address, u64 page_size, u64 entry) noexcept
{
    u32 leaf_level = page_size == GIGAPAGE_SIZE ? 2 : page_size == MEGAPAGE_SIZE ? 1 : 0;
    u64* table = m_root_table;
    for (u32 level = paging_levels(m_mode) - 1; level > leaf_level; --level) {
        u64& slot = table[vpn_index(virtual_address, level)];
        if (entry_is_mapping(slot))
            return Error::formatted(ErrorCode::AlreadyExists, "virtual memory: {:#x} is already mapped"_sv, virtual_address);
        if (!entry_is_table(slot)) {
            u64* next = TRY(new_table());
            // §4.3.1/§4.4.1: V = 1 with R = W = X = 0 points to the next level.
            slot = pte_from_physical(reinterpret_cast<u64>(next) - m_direct_map_offset, Pte::V);
        }
        table = table_at(slot);
    }
    u64& leaf = table[vpn_index(virtual_address, leaf_level)];
    if (entry_is_mapping(leaf))
        return Error::formatted(ErrorCode::AlreadyExists, "virtual memory: {:#x} is already mapped"_sv, virtual_address);
    if (entry_is_table(leaf))
        return Error::from_code(ErrorCode::Busy); // a table is in the way: the caller uses smaller pages
    leaf = entry;
    return {};
}

Result<void> VirtualMemory::map(u64 virtual_address, u64 physical, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size));
    if (physical & (PAGE_SIZE - 1))
        return Error::formatted(ErrorCode::InvalidArgument, "virtual memory: physical {:#x} is misaligned"_sv, physical);
    // Nothing of the range may be mapped; unmapped blocks are skipped whole.
    for (u64 offset = 0; offset < size;) {
        u64 va = virtual_address + offset;
        Walk w;
        if (walk(va, w))
            return Error::formatted(ErrorCode::AlreadyExists, "virtual memory: {:#x} is already mapped"_sv, va);
        u64 block = level_page_size(w.level);
        u64 next = (va & ~(block - 1)) + block;
        if (next == 0) // the top of the address space
            break;
        offset = next - virtual_address;
    }

    u64 offset = 0;
    while (offset < size) {
        u64 va = virtual_address + offset;
        u64 pa = physical + offset;
        Result<void> result = Error::from_code(ErrorCode::Busy);
        u64 page_size = 0;
        constexpr u64 page_sizes[] = { GIGAPAGE_SIZE, MEGAPAGE_SIZE, PAGE_SIZE };
        for (u64 candidate : page_sizes) {
            if (((va | pa) & (candidate - 1)) != 0 || size - offset < candidate)
                continue;
            result = map_one(va, candidate, leaf_entry(pa, protection));
            page_size = candidate;
            if (result.is_error() && result.error().code() == ErrorCode::Busy)
                continue;
            break;
        }
        if (result.is_error()) {
            // Out of frames for a table: give back the tables the failed
            // page created on its way down, then what this call mapped.
            Walk w;
            if (!walk(va, w) && prune_empty_tables(va, w))
                tlb_shootdown_all();
            if (offset != 0)
                (void)unmap(virtual_address, offset);
            return result.release_error();
        }
        offset += page_size;
    }
    tlb_shootdown(virtual_address, size);
    return {};
}

bool VirtualMemory::unmap_one(u64 virtual_address, u64& page_size) noexcept
{
    Walk w;
    bool mapped = walk(virtual_address, w);
    VERIFY(mapped);
    page_size = level_page_size(w.level);
    *w.entry = 0;
    return prune_empty_tables(virtual_address, w);
}

bool VirtualMemory::prune_empty_tables(u64 virtual_address, const Walk& w) noexcept
{
    // Give back the tables on the walk's path that are empty, bottom up
    // (never the root). Returns true if any was freed.
    bool freed = false;
    // With the upper half shared (preallocate_upper_half), the tables the
    // root points to stay: a root entry must never change again.
    u32 top = paging_levels(m_mode) - (m_upper_half_pinned ? 1 : 0);
    for (u32 level = w.level; level + 1 < top; ++level) {
        u64* table = w.tables[level];
        if (!table_is_empty(table))
            break;
        w.tables[level + 1][vpn_index(virtual_address, level + 1)] = 0;
        free_table(table);
        freed = true;
    }
    return freed;
}

Result<void> VirtualMemory::unmap(u64 virtual_address, u64 size) noexcept
{
    TRY(check_range(virtual_address, size));
    TRY(check_fully_mapped(virtual_address, size));
    bool tables_freed = false;
    for (u64 offset = 0; offset < size;) {
        u64 page_size = 0;
        tables_freed |= unmap_one(virtual_address + offset, page_size);
        offset += page_size;
    }
    // A freed table means a non-leaf entry changed, which an address-specific
    // sfence.vma does not cover (§4.2.1): flush everything then.
    if (tables_freed)
        tlb_shootdown_all();
    else
        tlb_shootdown(virtual_address, size);
    return {};
}

Result<void> VirtualMemory::protect(u64 virtual_address, u64 size, Protection protection) noexcept
{
    TRY(check_range(virtual_address, size));
    TRY(check_fully_mapped(virtual_address, size));
    for (u64 offset = 0; offset < size;) {
        Walk w;
        bool mapped = walk(virtual_address + offset, w);
        VERIFY(mapped);
        *w.entry = leaf_entry(pte_physical(*w.entry), protection);
        offset += level_page_size(w.level);
    }
    tlb_shootdown(virtual_address, size);
    return {};
}

Result<void> VirtualMemory::preallocate_upper_half() noexcept
{
    for (u64 index = PTES_PER_TABLE / 2; index < PTES_PER_TABLE; ++index) {
        u64& slot = m_root_table[index];
        if (slot != 0)
            continue;
        u64* next = TRY(new_table());
        // §4.3.1/§4.4.1: V = 1 with R = W = X = 0 points to the next level.
        slot = pte_from_physical(reinterpret_cast<u64>(next) - m_direct_map_offset, Pte::V);
    }
    m_upper_half_pinned = true;
    tlb_shootdown_all();
    return {};
}

Result<Translation> VirtualMemory::translate(u64 virtual_address) const noexcept
{
    Walk w;
    if (m_root_table == nullptr || !walk(virtual_address, w))
        return Error::formatted(ErrorCode::NotFound, "virtual memory: {:#x} is not mapped"_sv, virtual_address);
    u64 page_size = level_page_size(w.level);
    return Translation { pte_physical(*w.entry) + (virtual_address & (page_size - 1)), page_size, entry_protection(*w.entry) };
}

Result<void> VirtualMemory::initialize(const boot::BootInfo& info) noexcept
{
    // Keep the loader's choice of Sv39/Sv48: satp.MODE (§4.1.11).
    u64 satp = read_csr<Csr::Satp>();
    u64 mode = satp >> Satp::MODE_SHIFT;
    if (mode != static_cast<u64>(PagingMode::Sv39) && mode != static_cast<u64>(PagingMode::Sv48))
        return Error::formatted(ErrorCode::Unsupported, "virtual memory: satp mode {} is neither Sv39 nor Sv48"_sv, mode);
    if (mode != info.paging_mode)
        return Error::formatted(ErrorCode::Invalid, "virtual memory: satp mode {} but BootInfo says {}"_sv, mode, info.paging_mode);
    m_mode = static_cast<PagingMode>(mode);
    m_direct_map_offset = info.direct_map_offset;
    m_root_table = TRY(new_table());
    m_root = reinterpret_cast<u64>(m_root_table) - m_direct_map_offset;

    // The kernel image, W^X, at the address it runs at (kernel/kernel.ld).
    u64 base = reinterpret_cast<u64>(__image_start);
    if (base != info.kernel_virtual_base)
        return Error::formatted(ErrorCode::Invalid, "virtual memory: running at {:#x}, BootInfo says {:#x}"_sv, base, info.kernel_virtual_base);
    auto physical_of = [&](u64 virtual_address) { return virtual_address - base + info.kernel_physical_base; };
    struct Segment {
        u64 start;
        u64 end;
        Protection protection;
    } const segments[] = {
        { base, reinterpret_cast<u64>(__text_end), Protection::ReadExecute },
        { reinterpret_cast<u64>(__rodata_start), reinterpret_cast<u64>(__rodata_end), Protection::Read },
        { reinterpret_cast<u64>(__data_start), align_up_to(reinterpret_cast<u64>(__image_end), PAGE_SIZE), Protection::ReadWrite },
    };
    for (const auto& segment : segments) {
        if (segment.end > base + align_up_to(info.kernel_size, PAGE_SIZE))
            return Error::from_code(ErrorCode::Invalid, "virtual memory: kernel segment beyond BootInfo.kernel_size");
        if (segment.end > segment.start)
            TRY(map(segment.start, physical_of(segment.start), segment.end - segment.start, segment.protection));
    }
    // The direct map: RW, never executable (1 GiB leaves: it is 1 GiB aligned).
    TRY(map(info.direct_map_offset, 0, info.direct_map_size, Protection::ReadWrite));

    // Switch: §4.2.1 asks for an sfence.vma after the satp write for the new
    // tables to be used; the one before orders our page-table stores.
    sfence_vma_all();
    write_csr<Csr::Satp>(make_satp(m_mode, m_root));
    sfence_vma_all();
    return {};
}

} // namespace k23::kernel
