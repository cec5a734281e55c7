// Linear memories for Linux processes (base/Platform.h): every memory is a
// reservation of 8 GiB of address space (4 GiB reachable by a 32-bit index
// plus a 4 GiB offset, DESIGN.md "Execution model"), PROT_NONE except its
// accessible prefix. Growing only changes protections; the base never moves,
// so generated code may keep it in a register. Fresh anonymous pages are
// zero, as §4.5.3.5 (alloc memory) and memory.grow require.

#include <base/Platform.h>
#include <base/Result.h>

#include <sys/mman.h>

namespace k23 {

namespace {

// 8 GiB + 64 KiB: an 8-byte access at index 2^32-1 + offset 2^32-1 still faults inside.
constexpr usize reservation_size = (usize(8) << 30) + 65536;

} // namespace

Result<MemoryReservation> platform_memory_reserve(usize initial, usize maximum) noexcept
{
    usize reserved = maximum > reservation_size ? maximum : reservation_size;
    if (initial > reserved)
        return Error::from_code(ErrorCode::OutOfRange, "initial memory size exceeds the reservation");
    void* base = mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot reserve {} bytes of address space for a linear memory"_sv, reserved);
    if (initial && mprotect(base, initial, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, reserved);
        return Error::formatted(ErrorCode::OutOfMemory, "cannot commit {} bytes of linear memory"_sv, initial);
    }
    MemoryReservation reservation;
    reservation.base = static_cast<u8*>(base);
    reservation.accessible = initial;
    reservation.reserved = reserved;
    return reservation;
}

Result<void> platform_memory_grow(MemoryReservation& reservation, usize new_size) noexcept
{
    if (new_size > reservation.reserved)
        return Error::from_code(ErrorCode::OutOfRange, "linear memory cannot grow beyond its reservation");
    if (new_size > reservation.accessible) {
        if (mprotect(reservation.base + reservation.accessible, new_size - reservation.accessible, PROT_READ | PROT_WRITE) != 0)
            return Error::formatted(ErrorCode::OutOfMemory, "cannot grow linear memory to {} bytes"_sv, new_size);
    }
    reservation.accessible = new_size;
    return {};
}

void platform_memory_release(MemoryReservation& reservation) noexcept
{
    if (reservation.base)
        munmap(reservation.base, reservation.reserved);
    reservation = {};
}

} // namespace k23
