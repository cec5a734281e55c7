#pragma once

// Powering off: the boot library's (boot/Shutdown.h, which the loader uses
// too) under the kernel's names.

#include <boot/Shutdown.h>

namespace k23::kernel {

using boot::shutdown;
using boot::shutdown_set_test_finisher;

} // namespace k23::kernel
