#pragma once

// The console of the loader and the kernel (boot/, compiled once for both):
// the SBI until the device tree names a UART, then that UART, polled.

#include <base/StringView.h>
#include <base/Integers.h>

namespace k23::boot {

// The UART drivers, chosen by the device tree's `compatible`.
enum class UartKind : u8 {
    Ns16550,     // "ns16550a", "ns16550": 8-bit registers, reg-shift, reg-io-width
    SifiveUart0, // "sifive,uart0": 32-bit registers (FU540-C000 manual, chapter 13)
};

// A UART as the device tree describes it.
struct UartConfig {
    UartKind kind { UartKind::Ns16550 };
    uptr base { 0 };
    u32 reg_shift { 0 };   // ns16550: register i is at base + (i << reg_shift)
    u32 reg_io_width { 1 }; // ns16550: access width in bytes, 1 or 4
};

// The device-tree compatible string of a UART kind ("ns16550a", "sifive,uart0").
[[nodiscard]] const char* uart_kind_name(UartKind) noexcept;

// Until console_use_uart() the console writes through the SBI (DBCN when the
// firmware has it, else the legacy putchar call).
void console_use_uart(const UartConfig&) noexcept;
[[nodiscard]] bool console_is_uart() noexcept;
[[nodiscard]] const UartConfig& console_uart() noexcept;

// The SBI debug console (DBCN) takes physical addresses. Once the MMU is on,
// the kernel installs a translation (returning 0 for "no physical address":
// the console then falls back to the legacy one-character call).
using ConsoleAddressTranslator = u64 (*)(const void*) noexcept;
void console_set_address_translator(ConsoleAddressTranslator) noexcept;

// Writes the text as is ('\n' becomes "\r\n" on the UART).
void console_write(StringView) noexcept;

// One byte from the console's receiver, or -1 when none has arrived: the
// UART's receive register, polled; without a UART the SBI's legacy getchar
// (§5.3; DBCN's read wants a physical buffer, and one byte at a time is
// what the kernel asks for).
[[nodiscard]] int console_read_byte() noexcept;

// Points base's log sink (base/Log.h) at the console.
void console_install_log_sink() noexcept;

} // namespace k23::boot
