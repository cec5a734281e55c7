// The kernel's page tables (kernel/mm/VirtualMemory.h): map, unmap, protect,
// huge pages, errors, no leaks, and the loader's identity map being gone.
// Test mappings go into the free top 2 GiB (kernel_scratch_base); every test
// leaves it empty again.

#include "KTestHelpers.h"

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Paging.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

extern "C" {
[[gnu::visibility("hidden")]] extern u8 __image_start[];
[[gnu::visibility("hidden")]] extern u8 __rodata_start[];
[[gnu::visibility("hidden")]] extern u8 __data_start[];
}

namespace {

// Test areas: the first GiB of the scratch region for the 1 GiB page, then
// 16 MiB per test.
constexpr u64 area(u32 index) noexcept { return kernel_scratch_base + GIGAPAGE_SIZE + index * (16ull << 20); }

u64 physical_of(uptr direct_map_address) noexcept { return direct_map_address - boot_info().direct_map_offset; }

bool load_traps(u64 address, CaughtTrap* trap = nullptr) noexcept
{
    volatile u64 sink = 0;
    bool trapped = catch_trap([&] { sink = *reinterpret_cast<volatile u64*>(address); }, trap);
    (void)sink;
    return trapped;
}

bool store_traps(u64 address, u64 value, CaughtTrap* trap = nullptr) noexcept
{
    return catch_trap([&] { *reinterpret_cast<volatile u64*>(address) = value; }, trap);
}

VirtualMemory& vm() noexcept { return kernel_virtual_memory(); }

} // namespace

KTEST(vm_kernel_tables_are_active)
{
    KASSERT(vm().is_initialized());
    KEXPECT_EQ((read_csr<Csr::Satp>() & Satp::PPN_MASK) << PAGE_SHIFT, vm().root_physical());
    KEXPECT_EQ(static_cast<u64>(vm().mode()), read_csr<Csr::Satp>() >> Satp::MODE_SHIFT);
}

KTEST(vm_kernel_segments_are_wx)
{
    auto text = vm().translate(reinterpret_cast<u64>(__image_start));
    KASSERT(!text.is_error());
    KEXPECT(text.value().protection == Protection::ReadExecute);
    KEXPECT_EQ(text.value().physical, boot_info().kernel_physical_base);
    auto rodata = vm().translate(reinterpret_cast<u64>(__rodata_start));
    KASSERT(!rodata.is_error());
    KEXPECT(rodata.value().protection == Protection::Read);
    auto data = vm().translate(reinterpret_cast<u64>(__data_start));
    KASSERT(!data.is_error());
    KEXPECT(data.value().protection == Protection::ReadWrite);
    // The direct map: RW, not executable, in 1 GiB pages.
    auto direct = vm().translate(boot_info().direct_map_offset + boot_info().kernel_physical_base);
    KASSERT(!direct.is_error());
    KEXPECT(direct.value().protection == Protection::ReadWrite);
    KEXPECT_EQ(direct.value().page_size, GIGAPAGE_SIZE);
    KEXPECT_EQ(direct.value().physical, boot_info().kernel_physical_base);
}

KTEST(vm_map_fresh_frame_same_bytes_as_direct_map)
{
    uptr frame = MUST(physical_memory().allocate_frame());
    u64 va = area(0);
    KASSERT(!vm().map(va, physical_of(frame), PAGE_SIZE, Protection::ReadWrite).is_error());
    auto* mapped = reinterpret_cast<volatile u64*>(va);
    auto* direct = reinterpret_cast<volatile u64*>(frame);
    for (u64 i = 0; i < PAGE_SIZE / 8; ++i)
        mapped[i] = 0x5a5a'0000'0000'0000ull ^ (i * 0x9e37'79b9ull);
    for (u64 i = 0; i < PAGE_SIZE / 8; ++i)
        KASSERT_EQ(direct[i], 0x5a5a'0000'0000'0000ull ^ (i * 0x9e37'79b9ull));
    direct[17] = 0x1234'5678'9abc'def0ull;
    KEXPECT_EQ(mapped[17], 0x1234'5678'9abc'def0ull);
    auto translation = vm().translate(va + 0x123);
    KASSERT(!translation.is_error());
    KEXPECT_EQ(translation.value().physical, physical_of(frame) + 0x123);
    KEXPECT_EQ(translation.value().page_size, PAGE_SIZE);
    KEXPECT(!vm().unmap(va, PAGE_SIZE).is_error());
    physical_memory().free_frame(frame);
}

KTEST(vm_protect_read_only_none_unmap_remap)
{
    uptr frame = MUST(physical_memory().allocate_frame());
    u64 va = area(1);
    KASSERT(!vm().map(va, physical_of(frame), PAGE_SIZE, Protection::ReadWrite).is_error());
    KEXPECT(!store_traps(va + 8, 0xfeedull));

    // Read-only: loads work, stores fault with the address in stval.
    KASSERT(!vm().protect(va, PAGE_SIZE, Protection::Read).is_error());
    KEXPECT(!load_traps(va + 8));
    CaughtTrap trap;
    KEXPECT(store_traps(va + 8, 0xbadull, &trap));
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::StorePageFault));
    KEXPECT_EQ(trap.stval, va + 8);
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(va + 8), 0xfeedull);

    // None: still mapped (translate says so) but even a load faults.
    KASSERT(!vm().protect(va, PAGE_SIZE, Protection::None).is_error());
    KEXPECT(load_traps(va + 16, &trap));
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::LoadPageFault));
    KEXPECT_EQ(trap.stval, va + 16);
    KEXPECT(!vm().translate(va).is_error());

    // Back to RW: the data survived.
    KASSERT(!vm().protect(va, PAGE_SIZE, Protection::ReadWrite).is_error());
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(va + 8), 0xfeedull);
    KEXPECT(!store_traps(va + 8, 0xbeefull));

    // Unmapped: loads fault; mapped again: the same frame's bytes are back.
    KASSERT(!vm().unmap(va, PAGE_SIZE).is_error());
    KEXPECT(load_traps(va + 8, &trap));
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::LoadPageFault));
    KEXPECT(vm().translate(va).is_error());
    KASSERT(!vm().map(va, physical_of(frame), PAGE_SIZE, Protection::Read).is_error());
    KEXPECT(!load_traps(va + 8));
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(va + 8), 0xbeefull);
    KEXPECT(!vm().unmap(va, PAGE_SIZE).is_error());
    physical_memory().free_frame(frame);
}

KTEST(vm_huge_page_2mib_map_access_end_and_no_split)
{
    uptr frames = MUST(physical_memory().allocate_frames(MEGAPAGE_SIZE / PAGE_SIZE, MEGAPAGE_SIZE));
    u64 va = area(2);
    static_assert((area(2) & (MEGAPAGE_SIZE - 1)) == 0);
    usize tables_before = vm().table_frame_count();
    KASSERT(!vm().map(va, physical_of(frames), MEGAPAGE_SIZE, Protection::ReadWrite).is_error());
    auto translation = vm().translate(va + MEGAPAGE_SIZE - 8);
    KASSERT(!translation.is_error());
    KEXPECT_EQ(translation.value().page_size, MEGAPAGE_SIZE);
    KEXPECT_EQ(translation.value().physical, physical_of(frames) + MEGAPAGE_SIZE - 8);
    // A 2 MiB leaf needs no level-0 table: at most the level-1 table (and
    // above) for a fresh area.
    KEXPECT_LE(vm().table_frame_count() - tables_before, 2u);

    // Its last word, through the mapping and through the direct map.
    *reinterpret_cast<volatile u64*>(va + MEGAPAGE_SIZE - 8) = 0xc0ffee'0000'0001ull;
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(frames + MEGAPAGE_SIZE - 8), 0xc0ffee'0000'0001ull);
    *reinterpret_cast<volatile u64*>(va) = 7;
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(frames), 7u);

    // Huge pages are not split: partial protect/unmap is an error and
    // changes nothing.
    auto partial_protect = vm().protect(va + PAGE_SIZE, PAGE_SIZE, Protection::Read);
    KASSERT(partial_protect.is_error());
    KEXPECT(partial_protect.error().code() == ErrorCode::Unsupported);
    KEXPECT(partial_protect.error().message().contains("would split huge page"_sv));
    auto partial_unmap = vm().unmap(va, MEGAPAGE_SIZE - PAGE_SIZE);
    KASSERT(partial_unmap.is_error());
    KEXPECT(partial_unmap.error().code() == ErrorCode::Unsupported);
    KEXPECT(!store_traps(va + PAGE_SIZE, 1));

    // Whole: fine. Read-only, then unmapped.
    KASSERT(!vm().protect(va, MEGAPAGE_SIZE, Protection::Read).is_error());
    KEXPECT(store_traps(va + MEGAPAGE_SIZE - 8, 2));
    KEXPECT(!load_traps(va + MEGAPAGE_SIZE - 8));
    KASSERT(!vm().unmap(va, MEGAPAGE_SIZE).is_error());
    KEXPECT(load_traps(va + MEGAPAGE_SIZE - 8));
    KEXPECT_EQ(vm().table_frame_count(), tables_before);
    physical_memory().free_frames(frames, MEGAPAGE_SIZE / PAGE_SIZE);
}

KTEST(vm_huge_page_1gib_read_only_alias_of_ram)
{
    // RAM on QEMU virt starts at 0x80000000, 1 GiB aligned: alias that GiB
    // read-only at the (1 GiB aligned) start of the scratch region.
    u64 va = kernel_scratch_base;
    u64 physical = boot_info().kernel_physical_base & ~(GIGAPAGE_SIZE - 1);
    KASSERT(!vm().map(va, physical, GIGAPAGE_SIZE, Protection::Read).is_error());
    auto translation = vm().translate(va + 0x1000);
    KASSERT(!translation.is_error());
    // Under Sv39 a 1 GiB leaf is a root entry, and the root's upper half is
    // fixed at boot so that user address spaces can share it
    // (VirtualMemory::preallocate_upper_half): run-time mappings get 2 MiB
    // leaves there. Under Sv48 a 1 GiB leaf is one level down.
    u64 expected = vm().mode() == PagingMode::Sv39 ? MEGAPAGE_SIZE : GIGAPAGE_SIZE;
    KEXPECT_EQ(translation.value().page_size, expected);
    u64 offset = boot_info().kernel_physical_base - physical;
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(va + offset),
        *reinterpret_cast<volatile u64*>(phys_to_virt(boot_info().kernel_physical_base)));
    KEXPECT(store_traps(va + offset, 0));
    KEXPECT(!vm().unmap(va, GIGAPAGE_SIZE).is_error());
    KEXPECT(load_traps(va + offset));
}

KTEST(vm_errors_double_map_unmapped_misaligned)
{
    uptr frame = MUST(physical_memory().allocate_frame());
    u64 physical = physical_of(frame);
    u64 va = area(3);
    KASSERT(!vm().map(va, physical, PAGE_SIZE, Protection::ReadWrite).is_error());

    auto twice = vm().map(va, physical, PAGE_SIZE, Protection::ReadWrite);
    KASSERT(twice.is_error());
    KEXPECT(twice.error().code() == ErrorCode::AlreadyExists);
    // A range that overlaps the mapping at its end: refused, nothing mapped.
    auto overlapping = vm().map(va - PAGE_SIZE, physical, 2 * PAGE_SIZE, Protection::ReadWrite);
    KASSERT(overlapping.is_error());
    KEXPECT(overlapping.error().code() == ErrorCode::AlreadyExists);
    KEXPECT(vm().translate(va - PAGE_SIZE).is_error());

    auto unmapped = vm().unmap(va + PAGE_SIZE, PAGE_SIZE);
    KASSERT(unmapped.is_error());
    KEXPECT(unmapped.error().code() == ErrorCode::NotFound);
    // Partly mapped: refused as a whole, the mapped page stays.
    auto partly = vm().unmap(va, 2 * PAGE_SIZE);
    KASSERT(partly.is_error());
    KEXPECT(partly.error().code() == ErrorCode::NotFound);
    KEXPECT(!vm().translate(va).is_error());
    auto protect_unmapped = vm().protect(va + PAGE_SIZE, PAGE_SIZE, Protection::Read);
    KASSERT(protect_unmapped.is_error());
    KEXPECT(protect_unmapped.error().code() == ErrorCode::NotFound);

    auto misaligned_va = vm().map(va + 2 * PAGE_SIZE + 8, physical, PAGE_SIZE, Protection::Read);
    KASSERT(misaligned_va.is_error());
    KEXPECT(misaligned_va.error().code() == ErrorCode::InvalidArgument);
    auto misaligned_pa = vm().map(va + 2 * PAGE_SIZE, physical + 8, PAGE_SIZE, Protection::Read);
    KASSERT(misaligned_pa.is_error());
    KEXPECT(misaligned_pa.error().code() == ErrorCode::InvalidArgument);
    auto misaligned_size = vm().map(va + 2 * PAGE_SIZE, physical, 100, Protection::Read);
    KASSERT(misaligned_size.is_error());
    KEXPECT(misaligned_size.error().code() == ErrorCode::InvalidArgument);
    KEXPECT(vm().unmap(va + 4, PAGE_SIZE).is_error());
    KEXPECT(vm().protect(va, 12, Protection::Read).is_error());
    // User-half addresses are not the kernel's to map.
    KEXPECT(vm().map(0x1000, physical, PAGE_SIZE, Protection::Read).is_error());

    KEXPECT(!vm().unmap(va, PAGE_SIZE).is_error());
    physical_memory().free_frame(frame);
}

KTEST(vm_sweep_1000_pages_leaks_no_frames)
{
    constexpr u64 pages = 1000;
    uptr frame = MUST(physical_memory().allocate_frame());
    u64 physical = physical_of(frame);
    u64 va = area(4);
    usize free_before = physical_memory().free_frame_count();
    usize tables_before = vm().table_frame_count();

    // Page by page: 1000 mappings of one frame (aliases are fine).
    for (u64 i = 0; i < pages; ++i)
        KASSERT(!vm().map(va + i * PAGE_SIZE, physical, PAGE_SIZE, Protection::ReadWrite).is_error());
    usize tables_at_peak = vm().table_frame_count() - tables_before;
    // 1000 pages span two level-0 tables (512 entries each), plus the
    // level-1 (and for Sv48 possibly level-2) tables above them.
    KEXPECT_GE(tables_at_peak, 2u);
    KEXPECT_LE(tables_at_peak, 4u);
    KEXPECT_EQ(free_before - physical_memory().free_frame_count(), tables_at_peak);
    *reinterpret_cast<volatile u64*>(va + (pages - 1) * PAGE_SIZE) = 42;
    KEXPECT_EQ(*reinterpret_cast<volatile u64*>(va), 42u);
    for (u64 i = 0; i < pages; ++i)
        KASSERT(!vm().unmap(va + i * PAGE_SIZE, PAGE_SIZE).is_error());
    KEXPECT_EQ(vm().table_frame_count(), tables_before);
    KEXPECT_EQ(physical_memory().free_frame_count(), free_before);

    // Map-unmap pairs, and one 1000-page range in one call.
    for (u64 i = 0; i < pages; ++i) {
        KASSERT(!vm().map(va + i * PAGE_SIZE, physical, PAGE_SIZE, Protection::Read).is_error());
        KASSERT(!vm().unmap(va + i * PAGE_SIZE, PAGE_SIZE).is_error());
    }
    KEXPECT_EQ(physical_memory().free_frame_count(), free_before);
    uptr run = MUST(physical_memory().allocate_frames(pages));
    usize free_with_run = physical_memory().free_frame_count();
    KASSERT(!vm().map(va, physical_of(run), pages * PAGE_SIZE, Protection::ReadWrite).is_error());
    KEXPECT_EQ(free_with_run - physical_memory().free_frame_count(), vm().table_frame_count() - tables_before);
    KASSERT(!vm().unmap(va, pages * PAGE_SIZE).is_error());
    physical_memory().free_frames(run, pages);
    KEXPECT_EQ(physical_memory().free_frame_count(), free_before);
    KEXPECT_EQ(vm().table_frame_count(), tables_before);
    kprintln("vm sweep: {} pages used {} page-table frames at peak, all returned"_sv, pages, tables_at_peak);
    physical_memory().free_frame(frame);
}

KTEST(vm_out_of_frames_is_an_error_and_rolls_back)
{
    // Take every free frame, then ask for a mapping that needs new tables.
    usize tables_before = vm().table_frame_count();
    test::FrameHog hog;
    hog.take_all();
    bool exhausted = hog.exhausted();
    // area(5) + 1 GiB is beyond every table the other tests created.
    auto result = vm().map(area(5) + GIGAPAGE_SIZE / 2, 0x8000'0000, PAGE_SIZE, Protection::Read);
    hog.give_back();
    KASSERT(exhausted);
    KASSERT(result.is_error());
    KEXPECT(result.error().code() == ErrorCode::OutOfMemory);
    KEXPECT_EQ(vm().table_frame_count(), tables_before);
    KEXPECT_EQ(physical_memory().free_frame_count(), hog.free_before());
    KEXPECT(vm().translate(area(5) + GIGAPAGE_SIZE / 2).is_error());
}

KTEST(vm_loader_identity_map_is_gone)
{
    // The loader ran at its physical address with an identity mapping of its
    // text; the kernel's tables do not have it.
    u64 loader = boot_info().loader_physical_base;
    KASSERT(loader != 0);
    KEXPECT(vm().translate(loader).is_error());
    CaughtTrap trap;
    KEXPECT(load_traps(loader, &trap));
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::LoadPageFault));
    KEXPECT_EQ(trap.stval, loader);
    // The same bytes are still there, through the direct map.
    KEXPECT(!load_traps(phys_to_virt(loader)));
}
