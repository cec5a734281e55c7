// The k23 loader: what OpenSBI starts. It reads the device tree, checks the
// kernel image's signature, decompresses and relocates the kernel to a random
// upper-half address, builds the first page tables and jumps to the kernel
// with a BootInfo (boot/BootInfo.h). Any failure prints one line starting
// "loader: " and powers off with a failure status; no kernel code runs.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Paging.h>
#include <base/Log.h>
#include <boot/AddressSpace.h>
#include <boot/BootInfo.h>
#include <boot/BootMemory.h>
#include <boot/Console.h>
#include <boot/DeviceTree.h>
#include <boot/Image.h>
#include <boot/Shutdown.h>
#include <generated/boot/SigningKey.h>
#include <loader/Efi.h>
#include <loader/Entropy.h>
#include <loader/KernelElf.h>
#include <loader/PageTables.h>

extern "C" {
#include <libfdt.h>
}

extern "C" {
[[gnu::visibility("hidden")]] extern u8 __loader_start[];
[[gnu::visibility("hidden")]] extern u8 __loader_text_end[];
[[gnu::visibility("hidden")]] extern u8 __loader_payload[];
[[noreturn]] void loader_enter_kernel(u64 satp, u64 entry, u64 boot_info, u64) noexcept;
}

#ifndef K23_VERSION
#    error "K23_VERSION must come from CMake"
#endif

using namespace k23;
using namespace k23::loader;
using k23::boot::align_up;
using k23::boot::BootInfo;
using k23::boot::BootMemory;
using k23::boot::decompress_kernel;
using k23::boot::sha256_labelled;
using k23::boot::Use;
using k23::boot::verify_image;
using riscv64::PagingMode;
namespace Pte = riscv64::Pte;

namespace {

boot::PlatformInfo s_platform;
BootMemory s_memory;

[[noreturn]] void refuse(const Error& error) noexcept
{
    log("loader: {}"_sv, error.message());
    boot::shutdown(1);
}

template<typename T>
T must(Result<T>&& result) noexcept
{
    if (result.is_error())
        refuse(result.error());
    return result.release_value();
}

void must(Result<void>&& result) noexcept
{
    if (result.is_error())
        refuse(result.error());
}

PagingMode paging_mode_for(const boot::PlatformInfo& platform) noexcept
{
    // Sv48 when the hart says it has it; Sv39 is what every RV64 MMU has.
    return platform.boot_hart_mmu_type == "riscv,sv48"_sv || platform.boot_hart_mmu_type == "riscv,sv57"_sv
        ? PagingMode::Sv48
        : PagingMode::Sv39;
}

bool entered_through_uefi() noexcept
{
    return loader_efi_handoff.magic == boot::efi_handoff_magic;
}

// The firmware's memory map (UEFI spec 2.10 §7.2): what is not free after
// ExitBootServices (runtime services, reserved, unusable, ACPI, MMIO) stays
// reserved. Returns the count of reserved descriptors.
Result<usize> reserve_efi_memory_map() noexcept
{
    const auto& handoff = loader_efi_handoff;
    if (handoff.descriptor_size < sizeof(boot::EfiMemoryDescriptor) || handoff.map_size > sizeof(handoff.map))
        return Error::formatted(ErrorCode::Malformed, "UEFI memory map of {} bytes with {}-byte descriptors"_sv,
            handoff.map_size, handoff.descriptor_size);
    usize reserved = 0;
    for (u64 at = 0; at + handoff.descriptor_size <= handoff.map_size; at += handoff.descriptor_size) {
        boot::EfiMemoryDescriptor descriptor;
        __builtin_memcpy(&descriptor, handoff.map + at, sizeof(descriptor));
        if (boot::efi_memory_free_after_exit(descriptor.type) || descriptor.number_of_pages == 0)
            continue;
        TRY(s_memory.reserve(descriptor.physical_start, descriptor.number_of_pages * riscv64::PAGE_SIZE, Use::Firmware));
        ++reserved;
    }
    return reserved;
}

Result<void> collect_memory(u64 image_base) noexcept
{
    for (usize i = 0; i < s_platform.memory_region_count; ++i)
        s_memory.add_ram(s_platform.memory[i].base, s_platform.memory[i].size);
    if (s_memory.ram_count() == 0)
        return Error::from_code(ErrorCode::NotFound, "no memory in device tree");
    // Below the loader is the firmware's (OpenSBI sits at the start of RAM);
    // never hand it out, whether or not /reserved-memory says so. Through
    // UEFI the firmware placed the image anywhere: its memory map says what
    // is taken.
    auto first = s_memory.ram(0);
    if (entered_through_uefi()) {
        usize reserved = TRY(reserve_efi_memory_map());
        log("loader: entered through UEFI: memory map of {} descriptors, {} kept reserved; boot hart from {}"_sv,
            loader_efi_handoff.map_size / loader_efi_handoff.descriptor_size, reserved,
            loader_efi_handoff.hart_id != ~0ull ? "RISCV_EFI_BOOT_PROTOCOL" : "/chosen/boot-hartid");
    } else if (image_base > first.base) {
        TRY(s_memory.reserve(first.base, image_base - first.base, Use::Firmware));
    }
    TRY(s_memory.reserve(reinterpret_cast<u64>(s_platform.fdt), s_platform.fdt_size, Use::Firmware));
    for (usize i = 0; i < s_platform.reserved_region_count; ++i)
        TRY(s_memory.reserve(s_platform.reserved[i].base, s_platform.reserved[i].size, Use::Firmware));
    // The initial ramdisk stays where the firmware put it, out of the
    // kernel's free memory: nothing the loader places (the kernel, scratch,
    // page tables) may land on it, and the frame allocator never sees it.
    if (s_platform.has_initrd) {
        TRY(s_memory.reserve(s_platform.initrd.base, s_platform.initrd.size, Use::Initrd));
        log("loader: initrd at {:#x} ({} bytes) kept"_sv, s_platform.initrd.base, s_platform.initrd.size);
    } else if (s_platform.initrd_problem) {
        log("loader: initrd ignored: {}"_sv, s_platform.initrd_problem);
    }
    return {};
}

u64 image_limit(u64 image_base) noexcept
{
    // How far the image may extend: to the end of its RAM range.
    for (usize i = 0; i < s_memory.ram_count(); ++i) {
        auto range = s_memory.ram(i);
        if (image_base >= range.base && image_base < range.base + range.size)
            return range.base + range.size - image_base;
    }
    return 0;
}

u64 leaf_flags(u32 segment_flags) noexcept
{
    u64 flags = Pte::G;
    if (segment_flags & PF_R)
        flags |= Pte::R;
    if (segment_flags & PF_W)
        flags |= Pte::W | Pte::R;
    if (segment_flags & PF_X)
        flags |= Pte::X;
    return flags;
}

const char* flags_name(u32 flags) noexcept
{
    if (flags & PF_X)
        return "rx";
    if (flags & PF_W)
        return "rw";
    return "r";
}

} // namespace

extern "C" [[noreturn]] void loader_unexpected_trap(u64 scause, u64 sepc, u64 stval) noexcept
{
    log("loader: unexpected trap: {} at {:#x} (stval {:#x})"_sv, riscv64::scause_name(scause), sepc, stval);
    boot::shutdown(2);
}

// base/Assertions.h: a broken invariant in the loader.
void k23::platform_panic(const char* message, const char* file, int line) noexcept
{
    log("loader: internal error: {} at {}:{}"_sv, message, file, line);
    boot::shutdown(2);
}

// The loader never allocates through base (no Vector, no HashMap).
void* k23::platform_allocate(usize, usize) noexcept { return nullptr; }
void k23::platform_deallocate(void*, usize, usize) noexcept { }

extern "C" [[noreturn]] void loader_main(u64 hart_id, const void* fdt, u64 entry_instret) noexcept
{
    // Boot cost per phase (instret, exact under QEMU -icount shift=0),
    // logged before the hand-off: where the instructions to kernel main go.
    u64 phase_start = entry_instret;
    u64 phase[6] = {};
    auto end_phase = [&](usize index) {
        u64 now = riscv64::read_csr<riscv64::Csr::Instret>();
        phase[index] = now - phase_start;
        phase_start = now;
    };
    end_phase(0);
    boot::console_install_log_sink();
    if (hart_id == ~0ull) {
        // UEFI without RISCV_EFI_BOOT_PROTOCOL: the device tree's
        // /chosen/boot-hartid (RISC-V UEFI protocol spec §1).
        if (!boot::chosen_boot_hart_id(fdt, hart_id))
            refuse(Error::from_code(ErrorCode::NotFound, "no boot hart id: no RISCV_EFI_BOOT_PROTOCOL and no /chosen/boot-hartid"));
    }
    if (const auto* error = boot::parse_device_tree(fdt, hart_id, s_platform)) {
        // "device tree has no memory" is the one failure with a usable blob.
        if (s_platform.fdt != nullptr && s_platform.memory_region_count == 0)
            refuse(Error::from_code(ErrorCode::NotFound, "no memory in device tree"));
        refuse(Error::formatted(ErrorCode::Malformed, "device tree at {}: {}"_sv, fdt, error));
    }
    if (s_platform.has_uart)
        boot::console_use_uart(s_platform.uart);
    // The boot hart's rotations for the signature's SHA-256 (boot/Image.h).
    boot::sha256_use_zbb(s_platform.isa_has_extension("zbb"_sv));
    if (s_platform.has_test_finisher)
        boot::shutdown_set_test_finisher(s_platform.test_finisher_base);

    u64 image_base = reinterpret_cast<u64>(__loader_start);
    PagingMode mode = paging_mode_for(s_platform);
    log("loader: k23 loader {} at {:#x}, hart {}, device tree at {:#x} ({} bytes), mmu {}"_sv, K23_VERSION, image_base,
        hart_id, reinterpret_cast<u64>(fdt), s_platform.fdt_size, mode == PagingMode::Sv48 ? "sv48" : "sv39");
    must(collect_memory(image_base));

    // 1. Authenticate before interpreting anything of the payload.
    end_phase(1);
    auto image = must(verify_image(__loader_start, image_limit(image_base)));
    end_phase(2);
    log("loader: signature ok (ECDSA P-256 over SHA-256, key {})"_sv, boot::signing_key_fingerprint);
    u64 loader_size = align_up(image.image_size, riscv64::PAGE_SIZE);
    must(s_memory.reserve(image_base, loader_size, Use::Loader));

    // 2. Decompress into scratch memory, check the digest.
    u64 elf_buffer = must(s_memory.allocate(image.uncompressed_size, riscv64::PAGE_SIZE, Use::Scratch));
    must(decompress_kernel(image, reinterpret_cast<u8*>(elf_buffer), s_memory));
    end_phase(3);
    log("loader: kernel {} bytes compressed, {} bytes decompressed"_sv, image.compressed_size, image.uncompressed_size);

    // 3. Place: physical memory after the image, virtual at random.
    auto elf = must(parse_kernel_elf(reinterpret_cast<const u8*>(elf_buffer), image.uncompressed_size));
    u64 kernel_physical = must(s_memory.allocate(elf.image_size, boot::kernel_alignment, Use::Kernel));
    auto entropy = gather_entropy(s_platform);
    if (entropy.source == boot::EntropySource::DeviceTreeRngSeed) {
        // The kernel gets its own derived bytes in BootInfo; do not leave the
        // seed the KASLR slot came from lying around in the device tree.
        int chosen = fdt_path_offset(const_cast<void*>(fdt), "/chosen");
        if (chosen >= 0)
            fdt_nop_property(const_cast<void*>(fdt), chosen, "rng-seed");
    }
    log("loader: entropy from {}"_sv, entropy_source_name(entropy.source));
    u8 kaslr_bytes[32];
    sha256_labelled("k23 loader: KASLR slot", entropy.pool, sizeof(entropy.pool), kaslr_bytes);
    u64 random = 0;
    __builtin_memcpy(&random, kaslr_bytes, sizeof(random));
    u64 kernel_base = boot::choose_kernel_base(mode, random, elf.image_size);
    if (kernel_base == 0)
        refuse(Error::formatted(ErrorCode::OutOfRange, "kernel of {} bytes does not fit the KASLR window"_sv, elf.image_size));
    u64 relocations = must(load_kernel(elf, kernel_physical, kernel_base));
    log("kernel base {:#018x}"_sv, kernel_base);
    log("loader: kernel at physical {:#x} ({} KiB), {} relocations"_sv, kernel_physical, elf.image_size / 1024, relocations);

    // 4. Page tables: kernel segments (W^X), the direct map, the loader.
    end_phase(4);
    PageTables tables(s_memory, mode);
    must(tables.initialize());
    for (usize i = 0; i < elf.segment_count; ++i) {
        const auto& segment = elf.segments[i];
        u64 offset = segment.virtual_offset;
        u64 size = align_up(segment.memory_size, riscv64::PAGE_SIZE);
        must(tables.map(kernel_base + offset, kernel_physical + offset, size, leaf_flags(segment.flags), riscv64::PAGE_SIZE));
        log("loader:   {:#018x}..{:#018x} {}"_sv, kernel_base + offset, kernel_base + offset + size, flags_name(segment.flags));
    }
    u64 direct_map_offset = boot::direct_map_base(mode);
    u64 direct_map_size = align_up(s_memory.ram_end(), riscv64::GIGAPAGE_SIZE);
    if (direct_map_size > boot::direct_map_limit(mode))
        refuse(Error::formatted(ErrorCode::OutOfRange, "physical memory up to {:#x} does not fit the direct map"_sv, s_memory.ram_end()));
    // Physical 0.. end of RAM, devices included (memory types come from the
    // platform's PMAs, not from Sv39/Sv48 PTEs): read-write, never executable.
    must(tables.map(direct_map_offset, 0, direct_map_size, Pte::R | Pte::W | Pte::G, riscv64::GIGAPAGE_SIZE));
    // The loader's text stays identity-mapped so loader_enter_kernel keeps
    // running after it writes satp.
    u64 text_size = align_up(reinterpret_cast<u64>(__loader_text_end) - image_base, riscv64::PAGE_SIZE);
    must(tables.map(image_base, image_base, text_size, Pte::R | Pte::X, riscv64::PAGE_SIZE));

    // 5. BootInfo, in a page of its own.
    u64 boot_info_physical = must(s_memory.allocate(sizeof(BootInfo), riscv64::PAGE_SIZE, Use::Loader));
    auto& info = *reinterpret_cast<BootInfo*>(boot_info_physical);
    __builtin_memset(&info, 0, sizeof(info));
    info.magic = boot::boot_info_magic;
    info.version = boot::boot_info_version;
    info.size = sizeof(BootInfo);
    info.hart_id = hart_id;
    info.dtb_physical = reinterpret_cast<u64>(fdt);
    info.dtb_size = s_platform.fdt_size;
    info.kernel_physical_base = kernel_physical;
    info.kernel_size = elf.image_size;
    info.kernel_virtual_base = kernel_base;
    info.direct_map_offset = direct_map_offset;
    info.direct_map_size = direct_map_size;
    info.paging_mode = static_cast<u64>(mode);
    info.root_page_table = tables.root();
    info.loader_physical_base = image_base;
    info.loader_size = loader_size;
    if (elf.symbol_table_size != 0) {
        info.symbol_table = kernel_base + elf.symbol_table_offset;
        info.symbol_table_size = elf.symbol_table_size;
    }
    sha256_labelled("k23 loader: BootInfo.entropy", entropy.pool, sizeof(entropy.pool), info.entropy);
    info.entropy_source = entropy.source;
    info.loader_entry_instret = entry_instret;
    info.memory_range_count = static_cast<u32>(s_memory.usable_map(info.memory_map, BootInfo::max_memory_ranges));
    u64 usable = 0;
    for (u32 i = 0; i < info.memory_range_count; ++i)
        usable += info.memory_map[i].size;
    end_phase(5);
    log("loader: instructions: entry and self-check {}, device tree and memory {}, signature {}, decompression {}, "
        "kernel load {}, page tables and boot info {}"_sv,
        phase[0], phase[1], phase[2], phase[3], phase[4], phase[5]);
    log("loader: {} page tables, {} MiB usable in {} ranges; starting the kernel"_sv, tables.table_count(),
        usable >> 20, info.memory_range_count);

    loader_enter_kernel(tables.satp(), kernel_base + elf.entry, boot_info_physical + direct_map_offset, 0);
}
