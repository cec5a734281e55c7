#include <arch/riscv64/Sbi.h>

namespace k23::riscv64::sbi {

i64 debug_console_write(const char* bytes, usize length) noexcept
{
    // DBCN takes a physical address: `bytes` must be one (the loader runs
    // with the MMU off; the kernel's console translates first). The high
    // half of the address (a2) is zero on RV64.
    auto address = reinterpret_cast<uptr>(bytes);
    auto result = call(Eid::DebugConsole, 0, length, address, 0);
    if (result.error != 0)
        return result.error;
    return result.value;
}

SbiResult system_reset(ResetType type, ResetReason reason) noexcept
{
    return call(Eid::SystemReset, 0, static_cast<u32>(type), static_cast<u32>(reason));
}

} // namespace k23::riscv64::sbi
