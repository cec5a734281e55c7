// Checked copies between kernel and guest memory (kernel/UserCopy.h).

#include <arch/riscv64/Csr.h>
#include <base/Assertions.h>
#include <base/Memory.h>
#include <kernel/Trap.h>
#include <kernel/UserCopy.h>
#include <kernel/mm/GuestSpace.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

Error bad_range(u64 user_address, usize size) noexcept
{
    return Error::formatted(ErrorCode::PermissionDenied, "user copy: {:#x} (+{}) is not the guest's memory"_sv, user_address, size);
}

// The copy with sstatus.SUM = 1 (§4.1.1.2) for exactly its duration; a trap
// inside it that the trap handler cannot fix (a first touch of a linear
// memory page it commits, kernel/Trap.cpp) is reported, not fatal.
bool copy_with_user_access(void* destination, const void* source, usize size) noexcept
{
    u64 previous = set_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    bool trapped = catch_trap([&] { copy_bytes(destination, source, size); });
    if ((previous & Sstatus::SUM) == 0)
        clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    return !trapped;
}

} // namespace

Result<void> check_user_range(const UserAddressSpace& space, u64 user_address, usize size, bool write) noexcept
{
    if (size == 0)
        return {};
    u64 end = user_half_end();
    if (user_address >= end || size > end - user_address)
        return bad_range(user_address, size);
    u64 first = user_address & ~(riscv64::PAGE_SIZE - 1);
    u64 last = (user_address + size - 1) & ~(riscv64::PAGE_SIZE - 1);
    for (u64 page = first;; page += riscv64::PAGE_SIZE) {
        auto translation = space.translate(page);
        if (translation.is_error() || !translation.value().user)
            return bad_range(user_address, size);
        auto protection = translation.value().protection;
        if (!has(protection, write ? Protection::Write : Protection::Read))
            return bad_range(user_address, size);
        if (page == last)
            break;
    }
    return {};
}

Result<void> copy_from_user(const UserAddressSpace& space, void* destination, u64 user_source, usize size) noexcept
{
    TRY(check_user_range(space, user_source, size, false));
    if (size == 0)
        return {};
    VERIFY(space.is_active());
    if (!copy_with_user_access(destination, reinterpret_cast<const void*>(user_source), size))
        return bad_range(user_source, size);
    return {};
}

Result<void> copy_to_user(const UserAddressSpace& space, u64 user_destination, const void* source, usize size) noexcept
{
    TRY(check_user_range(space, user_destination, size, true));
    if (size == 0)
        return {};
    VERIFY(space.is_active());
    if (!copy_with_user_access(reinterpret_cast<void*>(user_destination), source, size))
        return bad_range(user_destination, size);
    return {};
}

Result<void> copy_from_linear_memory(void* destination, u64 user_source, usize size) noexcept
{
    if (size == 0)
        return {};
    GuestSpace* space = current_guest_space();
    if (space == nullptr || !space->contains(user_source, size, GuestRegion::LinearMemory))
        return bad_range(user_source, size);
    if (!copy_with_user_access(destination, reinterpret_cast<const void*>(user_source), size))
        return bad_range(user_source, size);
    return {};
}

Result<void> copy_to_linear_memory(u64 user_destination, const void* source, usize size) noexcept
{
    if (size == 0)
        return {};
    GuestSpace* space = current_guest_space();
    if (space == nullptr || !space->contains(user_destination, size, GuestRegion::LinearMemory))
        return bad_range(user_destination, size);
    if (!copy_with_user_access(reinterpret_cast<void*>(user_destination), source, size))
        return bad_range(user_destination, size);
    return {};
}

} // namespace k23::kernel
