#pragma once

#include <base/StringView.h>
#include <base/Integers.h>
#include <boot/Console.h>

namespace k23::boot {

struct MemoryRegion {
    u64 base { 0 };
    u64 size { 0 };
};

// One cpu node of /cpus (devicetree spec v0.4 §3.7; the RISC-V bindings:
// Linux Documentation/devicetree/bindings/riscv/cpus.yaml, extensions.yaml).
struct HartInfo {
    u64 hart_id { 0 };      // "reg"
    bool usable { false };  // status "okay" (or none), and an MMU ("mmu-type" other than "riscv,none")
    bool has_vector { false }; // 'v' in "riscv,isa", or "v" in "riscv,isa-extensions"
};

// True if the single-letter part of an ISA string ("rv64imafdcv_zba...")
// names `extension`.
[[nodiscard]] bool isa_string_has(StringView isa, char extension) noexcept;

// What the loader and the kernel need from the device tree, parsed once at
// boot by each. Strings point into the
// device tree blob, which stays where the firmware put it. Addresses are
// physical, as the device tree gives them.
struct PlatformInfo {
    static constexpr usize max_memory_regions = 16;
    static constexpr usize max_reserved_regions = 32;

    const void* fdt { nullptr };
    u64 fdt_size { 0 }; // totalsize from the blob's header
    u64 boot_hart_id { 0 };
    StringView bootargs;

    // /chosen/rng-seed, if the firmware passed one (QEMU does: 32 bytes).
    const u8* rng_seed { nullptr };
    usize rng_seed_length { 0 };

    // The initial ramdisk: /chosen/linux,initrd-start and linux,initrd-end
    // (Linux Documentation/devicetree/bindings/chosen.txt, now dt-schema's
    // chosen.yaml: 32- or 64-bit values, the end exclusive), as QEMU's
    // -initrd and U-Boot's bootm/booti set them. `initrd_problem` says why a
    // pair that is present was not used (one without the other, a size
    // other than 4 or 8 bytes, an end before the start).
    bool has_initrd { false };
    MemoryRegion initrd;
    const char* initrd_problem { nullptr };

    // The memory reservation block and /reserved-memory's children.
    MemoryRegion reserved[max_reserved_regions];
    usize reserved_region_count { 0 };

    bool has_uart { false };
    UartConfig uart;

    MemoryRegion memory[max_memory_regions];
    usize memory_region_count { 0 };

    usize cpu_count { 0 };
    static constexpr usize max_harts = 64;
    HartInfo harts[max_harts]; // the first min(cpu_count, max_harts) cpu nodes
    usize hart_count { 0 };
    StringView boot_hart_isa; // "riscv,isa" of the boot hart's cpu node
    StringView boot_hart_mmu_type; // "mmu-type": "riscv,sv39", "riscv,sv48", ...
    u64 timebase_frequency { 0 };

    bool has_test_finisher { false };
    uptr test_finisher_base { 0 };

    [[nodiscard]] u64 total_memory() const noexcept;
    // True if the single-letter part of the ISA string names `extension`
    // (e.g. 'v'); "rv64imafdcvh_zicsr..." has v and h.
    [[nodiscard]] bool isa_has(char extension) const noexcept;
    // The cpu node of `hart_id`, or nullptr.
    [[nodiscard]] const HartInfo* hart(u64 hart_id) const noexcept;
    // True if the ISA string lists the multi-letter extension `name` (e.g.
    // "zkr") after the single-letter part.
    [[nodiscard]] bool isa_has_extension(StringView name) const noexcept;
};

// Parses the flattened device tree at `fdt`. Returns nullptr on success, or a
// description of what is wrong with the blob.
[[nodiscard]] const char* parse_device_tree(const void* fdt, u64 boot_hart_id, PlatformInfo& out) noexcept;
// The same for a blob in a buffer of `buffer_size` bytes (a blob from
// somewhere less trusted than the firmware): the header's totalsize must fit
// the buffer and the whole structure block must be well-formed
// (fdt_check_full) before anything is read.
[[nodiscard]] const char* parse_device_tree_in(const void* fdt, usize buffer_size, u64 boot_hart_id, PlatformInfo& out) noexcept;

// /chosen/boot-hartid (a 32- or 64-bit cell; RISC-V UEFI protocol spec §1:
// what firmware without RISCV_EFI_BOOT_PROTOCOL passes). False if absent or
// malformed.
[[nodiscard]] bool chosen_boot_hart_id(const void* fdt, u64& out) noexcept;

} // namespace k23::boot
