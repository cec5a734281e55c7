#include <base/Memory.h>
#include <wasm/Platform.h>

namespace k23::wasm {

// Default implementation: plain allocations, grown by copying.
Result<MemoryReservation> platform_memory_reserve(usize initial, usize maximum) noexcept
{
    (void)maximum;
    MemoryReservation reservation;
    usize bytes = initial ? initial : 1;
    reservation.base = static_cast<u8*>(platform_allocate(bytes, 16));
    if (!reservation.base)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot allocate {} bytes of linear memory"_sv, initial);
    fill_bytes(reservation.base, 0, bytes);
    reservation.accessible = initial;
    reservation.reserved = bytes;
    return reservation;
}

Result<void> platform_memory_grow(MemoryReservation& reservation, usize new_size) noexcept
{
    if (new_size <= reservation.reserved) {
        fill_bytes(reservation.base + reservation.accessible, 0, new_size - reservation.accessible);
        reservation.accessible = new_size;
        return {};
    }
    u8* memory = static_cast<u8*>(platform_allocate(new_size, 16));
    if (!memory)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot grow linear memory to {} bytes"_sv, new_size);
    copy_bytes(memory, reservation.base, reservation.accessible);
    fill_bytes(memory + reservation.accessible, 0, new_size - reservation.accessible);
    platform_deallocate(reservation.base, reservation.reserved, 16);
    reservation.base = memory;
    reservation.accessible = new_size;
    reservation.reserved = new_size;
    return {};
}

void platform_memory_release(MemoryReservation& reservation) noexcept
{
    if (reservation.base)
        platform_deallocate(reservation.base, reservation.reserved, 16);
    reservation = {};
}

} // namespace k23::wasm
