#pragma once

// The kernel's console: the boot library's (boot/Console.h, which the loader
// uses too) under the kernel's names, and kprintln.

#include <base/Format.h>
#include <base/Log.h>
#include <base/StringView.h>
#include <boot/Console.h>

namespace k23::kernel {

using boot::console_install_log_sink;
using boot::console_is_uart;
using boot::console_set_address_translator;
using boot::console_uart;
using boot::console_use_uart;
using boot::console_read_byte;
using boot::console_write;
using boot::ConsoleAddressTranslator;
using boot::uart_kind_name;
using boot::UartConfig;
using boot::UartKind;

// Formats one line (base/Format.h syntax) and logs it through base's sink.
template<typename... Args>
void kprintln(StringView fmt, const Args&... args) noexcept
{
    k23::log(fmt, args...);
}

} // namespace k23::kernel
