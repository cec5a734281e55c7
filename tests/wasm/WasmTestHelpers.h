#pragma once

// Helpers for hand-built modules in the wasm tests: byte vectors with
// sections wrapped by their id and size.

#include <base/Span.h>
#include <wasm/BinaryReader.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace k23::wasm::test {

using ByteVector = std::vector<u8>;

inline ByteVector concat(std::initializer_list<ByteVector> parts)
{
    ByteVector out;
    for (const ByteVector& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Section `id` with a one-byte size (the tests keep sections < 128 bytes).
inline ByteVector section(u8 id, ByteVector contents)
{
    ByteVector out { id, u8(contents.size()) };
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

inline ByteVector header() { return { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 }; }

// A module with one type, one function of that type and the given body
// (locals vector + code, without the size prefix).
inline ByteVector single_function(ByteVector type, ByteVector body)
{
    ByteVector types { 0x01 };
    types.insert(types.end(), type.begin(), type.end());
    ByteVector code { 0x01, u8(body.size()) };
    code.insert(code.end(), body.begin(), body.end());
    return concat({ header(), section(1, types), section(3, { 0x01, 0x00 }), section(10, code) });
}

inline Result<Module> read(const ByteVector& bytes, Features features = Features::all())
{
    ReadOptions options;
    options.features = features;
    return read_module(ReadonlyBytes(bytes.data(), bytes.size()), options);
}

inline std::string message_of(const Result<Module>& result)
{
    if (!result.is_error())
        return "<accepted>";
    StringView m = result.error().message();
    return std::string(m.data(), m.length());
}

} // namespace k23::wasm::test
