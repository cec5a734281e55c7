// The loader entered as a UEFI application (U-Boot `bootefi`, or any UEFI
// firmware): loader_efi_entry (entry.S) calls loader_efi_main with the
// firmware's (ImageHandle, SystemTable) on the firmware's stack. It takes the
// device tree from the configuration table, the boot hart id from the
// RISCV_EFI_BOOT_PROTOCOL (else the loader reads /chosen/boot-hartid), and
// the memory map, exits boot services, and returns to entry.S, which goes on
// exactly as from OpenSBI or `booti` (self-check, relocation, loader_main)
// with a0 = hart id, a1 = device tree. Nothing else of the loader runs first.
//
// Like SelfCheck.cpp this runs unrelocated: everything is in .text.boot.*
// sections, nothing takes an absolute address. The memory map goes to
// loader_main through loader_efi_handoff (.noinit: outside the bytes the
// self-check covers, and not cleared with .bss).

#include <base/Integers.h>
#include <loader/Efi.h>

#define EFI_TEXT [[gnu::section(".text.boot.efi")]]
#define EFI_CONST [[gnu::section(".text.boot.efi.const")]]

using namespace k23;
using namespace k23::boot;

static_assert(sizeof(EfiHandoff) == 32 + 16384, "entry.S reserves loader_efi_handoff");

namespace {

// UEFI spec 2.10 §2.3.1: EFI_STATUS, errors have the top bit set (Appendix D).
constexpr u64 efi_success = 0;
constexpr u64 efi_error_bit = 1ull << 63;
constexpr u64 efi_load_error = efi_error_bit | 1;
constexpr u64 efi_buffer_too_small = efi_error_bit | 5;
constexpr u64 efi_not_found = efi_error_bit | 14;

struct EfiGuid {
    u32 data1;
    u16 data2;
    u16 data3;
    u8 data4[8];
};
static_assert(sizeof(EfiGuid) == 16);

// UEFI spec 2.10 §4.2 EFI_TABLE_HEADER.
struct EfiTableHeader {
    u64 signature;
    u32 revision;
    u32 header_size;
    u32 crc32;
    u32 reserved;
};
static_assert(sizeof(EfiTableHeader) == 24);

using EfiFunction = void*;

// UEFI spec 2.10 §4.4.1 EFI_BOOT_SERVICES: only the entries used here are typed.
struct EfiBootServices {
    EfiTableHeader header;
    EfiFunction raise_tpl, restore_tpl;                                     // 24, 32
    EfiFunction allocate_pages, free_pages;                                 // 40, 48
    u64 (*get_memory_map)(u64* map_size, void* map, u64* map_key, u64* descriptor_size,
        u32* descriptor_version);                                           // 56, §7.2
    EfiFunction allocate_pool, free_pool;                                   // 64, 72
    EfiFunction create_event, set_timer, wait_for_event, signal_event;      // 80..104
    EfiFunction close_event, check_event;                                   // 112, 120
    EfiFunction install_protocol_interface, reinstall_protocol_interface;   // 128, 136
    EfiFunction uninstall_protocol_interface, handle_protocol, reserved;    // 144..160
    EfiFunction register_protocol_notify, locate_handle, locate_device_path; // 168..184
    EfiFunction install_configuration_table;                                // 192
    EfiFunction load_image, start_image, exit, unload_image;                // 200..224
    u64 (*exit_boot_services)(void* image_handle, u64 map_key);             // 232, §7.4
    EfiFunction get_next_monotonic_count, stall, set_watchdog_timer;        // 240..256
    EfiFunction connect_controller, disconnect_controller;                  // 264, 272
    EfiFunction open_protocol, close_protocol, open_protocol_information;   // 280..296
    EfiFunction protocols_per_handle, locate_handle_buffer;                 // 304, 312
    u64 (*locate_protocol)(const EfiGuid* protocol, void* registration, void** interface); // 320, §7.3
};
static_assert(__builtin_offsetof(EfiBootServices, get_memory_map) == 56);
static_assert(__builtin_offsetof(EfiBootServices, exit_boot_services) == 232);
static_assert(__builtin_offsetof(EfiBootServices, locate_protocol) == 320);

// UEFI spec 2.10 §4.6 EFI_CONFIGURATION_TABLE.
struct EfiConfigurationTable {
    EfiGuid vendor_guid;
    void* vendor_table;
};
static_assert(sizeof(EfiConfigurationTable) == 24);

// UEFI spec 2.10 §4.3 EFI_SYSTEM_TABLE.
struct EfiSystemTable {
    EfiTableHeader header;
    void* firmware_vendor;              // 24
    u32 firmware_revision;              // 32
    void* console_in_handle;            // 40
    void* con_in;                       // 48
    void* console_out_handle;           // 56
    void* con_out;                      // 64
    void* standard_error_handle;        // 72
    void* std_err;                      // 80
    void* runtime_services;             // 88
    EfiBootServices* boot_services;     // 96
    u64 number_of_table_entries;        // 104
    EfiConfigurationTable* configuration_table; // 112
};
static_assert(__builtin_offsetof(EfiSystemTable, boot_services) == 96);
static_assert(__builtin_offsetof(EfiSystemTable, configuration_table) == 112);

// RISC-V UEFI protocol specification (riscv-non-isa/riscv-uefi) §3:
// RISCV_EFI_BOOT_PROTOCOL.
struct RiscvEfiBootProtocol {
    u64 revision;
    u64 (*get_boot_hart_id)(RiscvEfiBootProtocol* self, u64* boot_hart_id);
};

// The device tree's configuration table entry (EBBR §4.3, EFI_DTB_TABLE_GUID).
EFI_CONST constexpr EfiGuid dtb_table_guid = { 0xb1b621d5, 0xf19c, 0x41a5, { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };
EFI_CONST constexpr EfiGuid riscv_boot_protocol_guid = { 0xccd15fec, 0x6f73, 0x4eec, { 0x83, 0x95, 0x3e, 0x69, 0xe4, 0xb9, 0x40, 0xbf } };

EFI_CONST const char message_no_dtb[] = "loader: efi: no device tree in the UEFI configuration table\n";
EFI_CONST const char message_map[] = "loader: efi: GetMemoryMap failed\n";
EFI_CONST const char message_exit[] = "loader: efi: ExitBootServices failed\n";

EFI_TEXT bool guid_equal(const EfiGuid& a, const EfiGuid& b) noexcept
{
    const auto* x = reinterpret_cast<const u8*>(&a);
    const auto* y = reinterpret_cast<const u8*>(&b);
    for (int i = 0; i < 16; ++i) {
        if (x[i] != y[i])
            return false;
    }
    return true;
}

// SBI spec §5.2, legacy Console Putchar (as SelfCheck.cpp): before boot
// services are left the firmware's console would do, but this one works on
// both sides of ExitBootServices.
EFI_TEXT void put_string(const char* s) noexcept
{
    for (; *s != '\0'; ++s) {
        register u64 a0 asm("a0") = u8(*s);
        register u64 a7 asm("a7") = 0x01;
        asm volatile("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
    }
}

} // namespace

// Returns efi_success once boot services are exited (out = {hart id or
// ~0, device tree}), else an EFI status for the firmware (boot services still
// up: it reports the failure and goes on with its boot order).
extern "C" EFI_TEXT u64 loader_efi_main(void* image_handle, EfiSystemTable* system_table, u64* out, u8* base) noexcept
{
    EfiHandoff& handoff = loader_efi_handoff;
    // U-Boot copies the DOS, PE and section headers only, not SizeOfHeaders
    // bytes (lib/efi_loader/efi_image_loader.c): the rest of the header page
    // is whatever the allocation held. The file has zeros there, and the
    // self-check's CRC-32 covers them: put them back.
    u32 pe = u32(base[0x3c]) | u32(base[0x3d]) << 8;
    u32 sections = u32(base[pe + 6]) | u32(base[pe + 7]) << 8;
    u32 optional_size = u32(base[pe + 20]) | u32(base[pe + 21]) << 8;
    u64 headers_end = u64(pe) + 24 + optional_size + 40ull * sections;
    for (u64 i = headers_end; i < image_header_page_size; ++i)
        reinterpret_cast<volatile u8*>(base)[i] = 0;

    const void* fdt = nullptr;
    for (u64 i = 0; i < system_table->number_of_table_entries; ++i) {
        if (guid_equal(system_table->configuration_table[i].vendor_guid, dtb_table_guid))
            fdt = system_table->configuration_table[i].vendor_table;
    }
    if (fdt == nullptr) {
        put_string(message_no_dtb);
        return efi_not_found;
    }
    EfiBootServices* services = system_table->boot_services;
    u64 hart_id = ~0ull;
    void* interface = nullptr;
    if (services->locate_protocol(&riscv_boot_protocol_guid, nullptr, &interface) == efi_success && interface != nullptr) {
        auto* protocol = static_cast<RiscvEfiBootProtocol*>(interface);
        u64 id = 0;
        if (protocol->get_boot_hart_id(protocol, &id) == efi_success)
            hart_id = id;
    }
    // UEFI spec 2.10 §7.4 ExitBootServices: the key must be that of the
    // latest map; if the map changed in between, get it again and retry.
    for (int attempt = 0; attempt < 8; ++attempt) {
        u64 size = sizeof(handoff.map);
        u64 key = 0, descriptor_size = 0;
        u32 version = 0;
        u64 status = services->get_memory_map(&size, handoff.map, &key, &descriptor_size, &version);
        if (status != efi_success || descriptor_size < sizeof(EfiMemoryDescriptor)) {
            put_string(message_map);
            return status == efi_buffer_too_small || status == efi_success ? efi_load_error : status;
        }
        if (services->exit_boot_services(image_handle, key) == efi_success) {
            handoff.magic = efi_handoff_magic;
            handoff.map_size = size;
            handoff.descriptor_size = descriptor_size;
            handoff.hart_id = hart_id;
            out[0] = hart_id;
            out[1] = reinterpret_cast<u64>(fdt);
            return efi_success;
        }
    }
    put_string(message_exit);
    return efi_load_error;
}
