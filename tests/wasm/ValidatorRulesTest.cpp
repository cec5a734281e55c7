// Table-driven validator rules: each case is one function body placed in a
// module that has two types ([] -> [] and [i32] -> [i32]), a funcref table,
// a memory, an immutable and a mutable i32 global, a passive element
// segment, a data count section and a passive data segment.

#include "WasmTestHelpers.h"

#include <gtest/gtest.h>

using namespace k23;
using namespace k23::wasm;
using namespace k23::wasm::test;

namespace {

ByteVector module_with_body(const ByteVector& code, u32 function_type = 0)
{
    ByteVector body { 0x00 }; // no locals
    body.insert(body.end(), code.begin(), code.end());
    ByteVector code_section { 0x01, u8(body.size()) };
    code_section.insert(code_section.end(), body.begin(), body.end());
    return concat({
        header(),
        section(1, { 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f }), // types
        section(3, { 0x01, u8(function_type) }),                              // function
        section(4, { 0x01, 0x70, 0x00, 0x01 }),                               // table 1 funcref
        section(5, { 0x01, 0x00, 0x01 }),                                     // memory 1
        section(6, { 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b, 0x7f, 0x01, 0x41, 0x00, 0x0b }), // globals
        section(9, { 0x01, 0x05, 0x70, 0x00 }),                               // passive elem
        section(12, { 0x01 }),                                                // data count
        section(10, code_section),
        section(11, { 0x01, 0x01, 0x00 }),                                    // passive data
    });
}

struct Case {
    const char* name;
    ByteVector code;
    const char* expected; // nullptr: valid
    u32 type { 0 };
};

} // namespace

class ValidatorRules : public ::testing::TestWithParam<Case> { };

TEST_P(ValidatorRules, Judged)
{
    const Case& c = GetParam();
    auto m = read(module_with_body(c.code, c.type), Features::wasm2());
    if (!c.expected) {
        EXPECT_FALSE(m.is_error()) << message_of(m);
        return;
    }
    ASSERT_TRUE(m.is_error()) << "accepted";
    EXPECT_TRUE(message_of(m).starts_with(c.expected)) << message_of(m);
}

INSTANTIATE_TEST_SUITE_P(Wasm, ValidatorRules, ::testing::Values(
    Case { "nop", { 0x01, 0x0b }, nullptr },
    Case { "global_get", { 0x23, 0x00, 0x1a, 0x0b }, nullptr },
    Case { "unknown_global", { 0x23, 0x02, 0x1a, 0x0b }, "unknown global 2" },
    Case { "immutable_global", { 0x41, 0x00, 0x24, 0x00, 0x0b }, "global is immutable" },
    Case { "mutable_global", { 0x41, 0x00, 0x24, 0x01, 0x0b }, nullptr },
    Case { "unknown_table", { 0x41, 0x00, 0x25, 0x01, 0x1a, 0x0b }, "unknown table 1" },
    Case { "unknown_function", { 0x10, 0x05, 0x0b }, "unknown function 5" },
    Case { "call_indirect_unknown_type", { 0x41, 0x00, 0x11, 0x07, 0x00, 0x0b }, "unknown type 7" },
    Case { "call_indirect", { 0x41, 0x05, 0x41, 0x00, 0x11, 0x01, 0x00, 0x1a, 0x0b }, nullptr },
    Case { "unknown_label", { 0x0c, 0x01, 0x0b }, "unknown label 1" },
    Case { "br_to_function", { 0x0c, 0x00, 0x0b }, nullptr },
    Case { "select_arity", { 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f, 0x1a, 0x0b }, "invalid result arity" },
    Case { "select_refs_need_type", { 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1b, 0x1a, 0x0b }, "type mismatch" },
    Case { "select_typed_refs", { 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x00, 0x1c, 0x01, 0x70, 0x1a, 0x0b }, nullptr },
    Case { "ref_is_null_on_i32", { 0x41, 0x00, 0xd1, 0x1a, 0x0b }, "type mismatch" },
    Case { "unknown_elem", { 0xfc, 0x0d, 0x01, 0x0b }, "unknown elem segment 1" },
    Case { "elem_drop", { 0xfc, 0x0d, 0x00, 0x0b }, nullptr },
    Case { "unknown_data", { 0xfc, 0x09, 0x01, 0x0b }, "unknown data segment 1" },
    Case { "memory_init", { 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b }, nullptr },
    Case { "memory_size_zero_byte", { 0x3f, 0x01, 0x1a, 0x0b }, "zero byte expected" },
    Case { "table_init", { 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0c, 0x00, 0x00, 0x0b }, nullptr },
    Case { "table_grow", { 0xd0, 0x70, 0x41, 0x01, 0xfc, 0x0f, 0x00, 0x1a, 0x0b }, nullptr },
    Case { "table_grow_wrong_ref", { 0xd0, 0x6f, 0x41, 0x01, 0xfc, 0x0f, 0x00, 0x1a, 0x0b }, "type mismatch" },
    Case { "if_without_else_changes_type", { 0x41, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x0b, 0x1a, 0x0b }, "type mismatch" },
    Case { "if_else", { 0x41, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x1a, 0x0b }, nullptr },
    Case { "else_without_if", { 0x05, 0x0b }, "else without matching if" },
    Case { "block_leaves_value", { 0x02, 0x40, 0x41, 0x00, 0x0b, 0x0b }, "type mismatch" },
    Case { "loop_branch_takes_params", { 0x41, 0x00, 0x03, 0x01, 0x0c, 0x00, 0x0b, 0x1a, 0x0b }, nullptr, 0 },
    Case { "function_result", { 0x20, 0x00, 0x0b }, nullptr, 1 },
    Case { "function_result_missing", { 0x0b }, "type mismatch", 1 },
    Case { "return_polymorphic", { 0x20, 0x00, 0x0f, 0x6a, 0x0b }, nullptr, 1 },
    Case { "unknown_memory_in_wasm2_copy", { 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x01, 0x0b }, "zero byte expected" },
    Case { "store_alignment", { 0x41, 0x00, 0x42, 0x00, 0x37, 0x04, 0x00, 0x0b }, "alignment must not be larger than natural" },
    Case { "v128_store", { 0x41, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x0b, 0x04, 0x00, 0x0b }, nullptr },
    Case { "shuffle_lane", { 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32, 0x1a, 0x0b }, "invalid lane index" },
    Case { "relaxed_simd_off", { 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x81, 0x02, 0x1a, 0x0b }, "illegal opcode" },
    Case { "saturating_trunc", { 0x43, 0, 0, 0, 0, 0xfc, 0x00, 0x1a, 0x0b }, nullptr },
    Case { "sign_extension", { 0x42, 0x00, 0xc4, 0x1a, 0x0b }, nullptr },
    Case { "unknown_prefixed", { 0xfc, 0x12, 0x0b }, "illegal opcode" }),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });
