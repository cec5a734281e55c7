#pragma once

// The kernel's own cost measurements (issue 13 part 9), for ./k23 bench's
// OS-cost table: boot with `costs` and the kernel prints one line per cost,
//
//   cost: <name> <instructions>
//
// counted with the instret CSR (exact under QEMU -icount shift=0), each the
// difference between a measured run and its twin without the measured
// operation, divided by the repetitions:
//   system_call            a call from generated code in U-mode to a no-op
//                          host function (spectest.print): ecall, dispatch,
//                          the call, sret
//   trap_recovery          an invocation that traps (unreachable) minus one
//                          that returns
//   guest_create_destroy   a WasmGuest created and destroyed (address space,
//                          engine, store; no module)
//   instantiate_1mib       create + instantiate a module with a 1 MiB data
//                          segment + destroy, minus the same with an empty
//                          segment
//   guest_create_instantiate_destroy_1mib  the whole of the last one
// Returns 0 when every measurement ran.

namespace k23::kernel {

int run_os_costs() noexcept;

} // namespace k23::kernel
