#pragma once

// A test-side cpio newc writer (the same format tools/driver/initrd.py
// writes), so gtests can build archives — good and broken — in memory.

#include <cstdio>
#include <string>
#include <vector>

namespace k23::test {

struct CpioWriter {
    std::string bytes;

    static std::string hex8(unsigned long value)
    {
        char buffer[9];
        std::snprintf(buffer, sizeof(buffer), "%08lX", value & 0xffffffffUL);
        return buffer;
    }
    void pad4()
    {
        while (bytes.size() % 4)
            bytes.push_back('\0');
    }
    void entry(const std::string& name, unsigned mode, const std::string& data = "", unsigned long mtime = 0)
    {
        unsigned long fields[13] = { ++inode, mode, 0, 0, 1, mtime, data.size(), 0, 0, 0, 0, name.size() + 1, 0 };
        bytes += "070701";
        for (unsigned long f : fields)
            bytes += hex8(f);
        bytes += name;
        bytes.push_back('\0');
        pad4();
        bytes += data;
        pad4();
    }
    void directory(const std::string& name) { entry(name, 0040755); }
    void file(const std::string& name, const std::string& data) { entry(name, 0100644, data); }
    std::string finish()
    {
        entry("TRAILER!!!", 0);
        return bytes;
    }
    unsigned long inode { 0 };
};

} // namespace k23::test
