#include <kernel/BootArgs.h>

namespace k23::kernel {

template<typename Callback>
bool BootArgs::for_each_word(Callback callback) const noexcept
{
    usize i = 0;
    auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n'; };
    while (i < m_command_line.length()) {
        while (i < m_command_line.length() && is_space(m_command_line[i]))
            ++i;
        usize start = i;
        while (i < m_command_line.length() && !is_space(m_command_line[i]))
            ++i;
        if (i > start && callback(m_command_line.substring(start, i - start)))
            return true;
    }
    return false;
}

bool BootArgs::get(StringView key, StringView& value) const noexcept
{
    return for_each_word([&](StringView word) {
        usize equals = word.find('=');
        StringView word_key = equals == StringView::not_found ? word : word.substring(0, equals);
        if (word_key != key)
            return false;
        value = equals == StringView::not_found ? StringView {} : word.substring(equals + 1);
        return true;
    });
}

bool BootArgs::has(StringView key) const noexcept
{
    StringView unused;
    return get(key, unused);
}

} // namespace k23::kernel
