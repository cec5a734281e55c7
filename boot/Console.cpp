#include <arch/riscv64/Sbi.h>
#include <base/Log.h>
#include <boot/Console.h>

namespace k23::boot {

namespace {

// 16550 registers (in units of the register stride).
constexpr u32 UART_THR = 0; // transmit holding (write)
constexpr u32 UART_RBR = 0; // receive buffer (read)
constexpr u32 UART_IER = 1; // interrupt enable
constexpr u32 UART_LSR = 5; // line status
constexpr u8 UART_LSR_THRE = 1 << 5; // transmit holding register empty
constexpr u8 UART_LSR_DR = 1 << 0;   // data ready: RBR holds a byte

UartConfig s_uart;
bool s_use_uart = false;
bool s_sbi_has_dbcn = false;
bool s_sbi_probed = false;
ConsoleAddressTranslator s_translate = nullptr;

u8 uart_read(u32 reg) noexcept
{
    uptr address = s_uart.base + (static_cast<uptr>(reg) << s_uart.reg_shift);
    if (s_uart.reg_io_width == 4)
        return static_cast<u8>(*reinterpret_cast<volatile u32*>(address));
    return *reinterpret_cast<volatile u8*>(address);
}

void uart_write(u32 reg, u8 value) noexcept
{
    uptr address = s_uart.base + (static_cast<uptr>(reg) << s_uart.reg_shift);
    if (s_uart.reg_io_width == 4)
        *reinterpret_cast<volatile u32*>(address) = value;
    else
        *reinterpret_cast<volatile u8*>(address) = value;
}

// SiFive UART (FU540-C000 manual §13.4): 32-bit registers.
constexpr uptr SIFIVE_TXDATA = 0x00; // bit 31: FIFO full; bits 7:0: the byte to send
constexpr uptr SIFIVE_RXDATA = 0x04; // bit 31: FIFO empty; bits 7:0: the byte received
constexpr uptr SIFIVE_TXCTRL = 0x08; // bit 0: txen
constexpr uptr SIFIVE_RXCTRL = 0x0C; // bit 0: rxen
constexpr uptr SIFIVE_IE = 0x10;     // interrupt enables (txwm, rxwm)
constexpr u32 SIFIVE_TXDATA_FULL = 1u << 31;
constexpr u32 SIFIVE_TXCTRL_TXEN = 1u << 0;
constexpr u32 SIFIVE_RXDATA_EMPTY = 1u << 31;
constexpr u32 SIFIVE_RXCTRL_RXEN = 1u << 0;

volatile u32& sifive_register(uptr offset) noexcept
{
    return *reinterpret_cast<volatile u32*>(s_uart.base + offset);
}

void uart_putchar(char ch) noexcept
{
    if (s_uart.kind == UartKind::SifiveUart0) {
        // One writer: poll the full flag, then write.
        while ((sifive_register(SIFIVE_TXDATA) & SIFIVE_TXDATA_FULL) != 0) { }
        sifive_register(SIFIVE_TXDATA) = static_cast<u8>(ch);
        return;
    }
    while ((uart_read(UART_LSR) & UART_LSR_THRE) == 0) { }
    uart_write(UART_THR, static_cast<u8>(ch));
}

void sbi_write(StringView text) noexcept
{
    namespace sbi = riscv64::sbi;
    if (!s_sbi_probed) {
        s_sbi_has_dbcn = sbi::probe_extension(sbi::Eid::DebugConsole);
        s_sbi_probed = true;
    }
    if (s_sbi_has_dbcn) {
        usize written = 0;
        while (written < text.length()) {
            // One call per physically contiguous piece: stop at page ends.
            const auto* piece = text.data() + written;
            usize length = text.length() - written;
            if (s_translate != nullptr) {
                u64 physical = s_translate(piece);
                if (physical == 0)
                    break;
                usize to_page_end = 4096 - (physical & 4095);
                length = length < to_page_end ? length : to_page_end;
                piece = reinterpret_cast<const char*>(physical);
            }
            auto n = sbi::debug_console_write(piece, length);
            if (n <= 0)
                break;
            written += static_cast<usize>(n);
        }
        if (written == text.length())
            return;
        text = text.substring(written);
    }
    for (char ch : text)
        sbi::legacy_console_putchar(ch);
}

class ConsoleLogSink final : public LogSink {
public:
    constexpr ConsoleLogSink() noexcept = default;
    void write(StringView text) noexcept override { console_write(text); }
};

constinit ConsoleLogSink s_log_sink;

} // namespace

void console_set_address_translator(ConsoleAddressTranslator translate) noexcept { s_translate = translate; }

void console_install_log_sink() noexcept { set_log_sink(&s_log_sink); }

const char* uart_kind_name(UartKind kind) noexcept
{
    switch (kind) {
    case UartKind::Ns16550:
        return "ns16550a";
    case UartKind::SifiveUart0:
        return "sifive,uart0";
    }
    return "unknown";
}

void console_use_uart(const UartConfig& config) noexcept
{
    s_uart = config;
    // The firmware already set the line up (baud, 8N1, divisor); the kernel
    // polls, so it only makes sure the transmitter is on and the UART raises
    // no interrupts nobody handles yet.
    if (s_uart.kind == UartKind::SifiveUart0) {
        sifive_register(SIFIVE_IE) = 0;
        sifive_register(SIFIVE_TXCTRL) = sifive_register(SIFIVE_TXCTRL) | SIFIVE_TXCTRL_TXEN;
        sifive_register(SIFIVE_RXCTRL) = sifive_register(SIFIVE_RXCTRL) | SIFIVE_RXCTRL_RXEN;
    } else {
        uart_write(UART_IER, 0);
    }
    s_use_uart = true;
}

bool console_is_uart() noexcept { return s_use_uart; }

const UartConfig& console_uart() noexcept { return s_uart; }

int console_read_byte() noexcept
{
    if (!s_use_uart) {
        i64 ch = riscv64::sbi::legacy_console_getchar();
        return ch < 0 || ch > 0xFF ? -1 : static_cast<int>(ch);
    }
    if (s_uart.kind == UartKind::SifiveUart0) {
        // One read pops the FIFO; the empty flag says whether it held a byte.
        u32 data = sifive_register(SIFIVE_RXDATA);
        return (data & SIFIVE_RXDATA_EMPTY) != 0 ? -1 : static_cast<int>(data & 0xFF);
    }
    if ((uart_read(UART_LSR) & UART_LSR_DR) == 0)
        return -1;
    return uart_read(UART_RBR);
}

void console_write(StringView text) noexcept
{
    // Single hart for now; an SMP kernel serializes this with a spinlock.
    if (!s_use_uart) {
        sbi_write(text);
        return;
    }
    for (char ch : text) {
        if (ch == '\n')
            uart_putchar('\r');
        uart_putchar(ch);
    }
}

} // namespace k23::boot
