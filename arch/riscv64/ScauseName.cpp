#include <arch/riscv64/Csr.h>

namespace k23::riscv64 {

const char* scause_name(u64 scause) noexcept
{
    // Names from the privileged spec §4.1.8, Table 4.2.
    if (scause & SCAUSE_INTERRUPT) {
        switch (static_cast<InterruptCause>(scause & ~SCAUSE_INTERRUPT)) {
        case InterruptCause::SupervisorSoftware: return "supervisor software interrupt";
        case InterruptCause::SupervisorTimer: return "supervisor timer interrupt";
        case InterruptCause::SupervisorExternal: return "supervisor external interrupt";
        }
        return "unknown interrupt";
    }
    switch (static_cast<Exception>(scause)) {
    case Exception::InstructionAddressMisaligned: return "instruction address misaligned";
    case Exception::InstructionAccessFault: return "instruction access fault";
    case Exception::IllegalInstruction: return "illegal instruction";
    case Exception::Breakpoint: return "breakpoint";
    case Exception::LoadAddressMisaligned: return "load address misaligned";
    case Exception::LoadAccessFault: return "load access fault";
    case Exception::StoreAddressMisaligned: return "store/AMO address misaligned";
    case Exception::StoreAccessFault: return "store/AMO access fault";
    case Exception::EnvironmentCallFromUMode: return "environment call from U-mode";
    case Exception::EnvironmentCallFromSMode: return "environment call from S-mode";
    case Exception::InstructionPageFault: return "instruction page fault";
    case Exception::LoadPageFault: return "load page fault";
    case Exception::StorePageFault: return "store/AMO page fault";
    }
    return "unknown exception";
}

} // namespace k23::riscv64
