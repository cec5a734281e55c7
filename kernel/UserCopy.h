#pragma once

// Copies between kernel memory and a guest's memory. A user range is
// accepted only if every page of it lies in the user half, is mapped in
// *that guest's* tables with U set, and is readable (copy in) or writable
// (copy out); otherwise the call fails with ErrorCode::PermissionDenied
// (the EFAULT of a system call) and touches nothing. The copy itself runs
// with sstatus.SUM set (privileged spec 1.12 §4.1.1.2: "permit Supervisor
// User Memory access") for its duration only, through the guest's own
// addresses, so its address space must be the active one; a fault during
// the copy (which the checks make impossible on one hart) would also be an
// error, never a kernel fault.

#include <base/Result.h>
#include <base/Integers.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

// Checks [user_address, +size) against the guest's mappings (true if every
// page is user-accessible with the protection asked for).
[[nodiscard]] Result<void> check_user_range(const UserAddressSpace&, u64 user_address, usize size, bool write) noexcept;

[[nodiscard]] Result<void> copy_from_user(const UserAddressSpace&, void* destination, u64 user_source, usize size) noexcept;
[[nodiscard]] Result<void> copy_to_user(const UserAddressSpace&, u64 user_destination, const void* source, usize size) noexcept;

// Copies between kernel memory and a linear memory of the current guest
// (current_guest_space(), kernel/mm/GuestSpace.h), for host functions
// (the WASI copier, kernel/WasmGuest.cpp). The range must lie inside the
// accessible size of one of its memories; its pages need not be committed
// yet: the copy runs with sstatus.SUM set for exactly its duration, and a
// first touch inside it commits the page and retries (kernel/Trap.cpp),
// while a fault that cannot be fixed (no frame left) fails the copy with
// PermissionDenied (EFAULT), never the kernel.
[[nodiscard]] Result<void> copy_from_linear_memory(void* destination, u64 user_source, usize size) noexcept;
[[nodiscard]] Result<void> copy_to_linear_memory(u64 user_destination, const void* source, usize size) noexcept;

} // namespace k23::kernel
