#pragma once

#include <base/StringView.h>

namespace k23::kernel {

// The kernel command line (/chosen/bootargs): words separated by spaces,
// each either `key` or `key=value`. Values cannot contain spaces.
class BootArgs {
public:
    explicit BootArgs(StringView command_line) noexcept
        : m_command_line(command_line)
    {
    }

    // True if `key` appears, with or without a value.
    [[nodiscard]] bool has(StringView key) const noexcept;
    // The value of the first `key=value`; false if there is none. A bare
    // `key` gives true with an empty value.
    [[nodiscard]] bool get(StringView key, StringView& value) const noexcept;

    [[nodiscard]] StringView command_line() const noexcept { return m_command_line; }

private:
    template<typename Callback>
    bool for_each_word(Callback) const noexcept;

    StringView m_command_line;
};

} // namespace k23::kernel
