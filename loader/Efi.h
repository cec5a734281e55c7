#pragma once

// What the UEFI entry (loader/Efi.cpp) leaves for loader_main: the firmware's
// memory map as it was when boot services were exited.

#include <base/Integers.h>

namespace k23::boot {

// UEFI spec 2.10 §7.2.1 EFI_MEMORY_DESCRIPTOR (the firmware's descriptors
// may be longer: step by the descriptor size it reports).
struct EfiMemoryDescriptor {
    u32 type;
    u32 padding;
    u64 physical_start;
    u64 virtual_start;
    u64 number_of_pages; // 4 KiB pages
    u64 attribute;
};
static_assert(sizeof(EfiMemoryDescriptor) == 40);

// UEFI spec 2.10 §7.2.1 Table 7-5, EFI_MEMORY_TYPE: after ExitBootServices
// loader code/data, boot services code/data and conventional memory are free
// (the loader itself and the device tree are reserved by the loader anyway).
enum EfiMemoryType : u32 {
    EfiReservedMemoryType = 0,
    EfiLoaderCode = 1,
    EfiLoaderData = 2,
    EfiBootServicesCode = 3,
    EfiBootServicesData = 4,
    EfiRuntimeServicesCode = 5,
    EfiRuntimeServicesData = 6,
    EfiConventionalMemory = 7,
};

constexpr bool efi_memory_free_after_exit(u32 type) noexcept
{
    return type == EfiLoaderCode || type == EfiLoaderData || type == EfiBootServicesCode
        || type == EfiBootServicesData || type == EfiConventionalMemory;
}

inline constexpr u64 efi_handoff_magic = 0x21494645'3332'4b00ull; // "\0K23EFI!"
// The image's first page holds only headers (boot/ImageFormat.h).
inline constexpr u64 image_header_page_size = 0x1000;

struct EfiHandoff {
    u64 magic;           // efi_handoff_magic when the loader came in through UEFI
    u64 map_size;        // bytes of `map` the firmware filled
    u64 descriptor_size; // the stride of `map`
    u64 hart_id;         // from RISCV_EFI_BOOT_PROTOCOL, or ~0
    u8 map[16384];
};

} // namespace k23::boot

extern "C" [[gnu::visibility("hidden")]] k23::boot::EfiHandoff loader_efi_handoff;
