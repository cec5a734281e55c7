#pragma once

// The device tree as the kernel sees it: the boot library's parser
// (boot/DeviceTree.h, which the loader uses too) under the kernel's names,
// and what it found in the firmware's blob at boot.

#include <boot/DeviceTree.h>
#include <kernel/Console.h>

namespace k23::kernel {

using boot::chosen_boot_hart_id;
using boot::HartInfo;
using boot::isa_string_has;
using boot::MemoryRegion;
using boot::parse_device_tree;
using boot::parse_device_tree_in;
using boot::PlatformInfo;

// The platform the kernel booted on (filled in by kernel_main; Boot.cpp).
extern PlatformInfo g_platform;

} // namespace k23::kernel
