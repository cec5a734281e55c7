#include <arch/riscv64/Csr.h>
#include <kernel/Boot.h>
#include <kernel/DeviceTree.h>

namespace k23::kernel {

namespace {

const boot::BootInfo* s_boot_info = nullptr;
u64 s_direct_map_offset = 0;
u64 s_first_guest_instret = 0;

} // namespace

PlatformInfo g_platform;

const char* boot_info_install(const boot::BootInfo* info) noexcept
{
    if (info == nullptr)
        return "no BootInfo (was the kernel started by the k23 loader?)";
    if (info->magic != boot::boot_info_magic)
        return "BootInfo has the wrong magic";
    if (info->version != boot::boot_info_version || info->size != sizeof(boot::BootInfo))
        return "BootInfo version or size does not match this kernel";
    if (info->memory_range_count > boot::BootInfo::max_memory_ranges)
        return "BootInfo memory map is too long";
    s_boot_info = info;
    s_direct_map_offset = info->direct_map_offset;
    return nullptr;
}

const boot::BootInfo& boot_info() noexcept { return *s_boot_info; }

void boot_note_first_guest_entry() noexcept
{
    if (s_first_guest_instret == 0)
        s_first_guest_instret = riscv64::read_csr<riscv64::Csr::Instret>();
}

u64 boot_first_guest_instret() noexcept { return s_first_guest_instret; }

uptr phys_to_virt(u64 physical) noexcept { return physical + s_direct_map_offset; }

u64 virt_to_phys(const void* address) noexcept
{
    auto virtual_address = reinterpret_cast<u64>(address);
    if (s_boot_info == nullptr)
        return virtual_address;
    const auto& info = *s_boot_info;
    if (virtual_address >= info.kernel_virtual_base && virtual_address - info.kernel_virtual_base < info.kernel_size)
        return virtual_address - info.kernel_virtual_base + info.kernel_physical_base;
    if (virtual_address >= info.direct_map_offset && virtual_address - info.direct_map_offset < info.direct_map_size)
        return virtual_address - info.direct_map_offset;
    return 0;
}

} // namespace k23::kernel
