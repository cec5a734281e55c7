// Reserves the section that tools/symbols.py fills with the kernel's
// function symbols after linking (see kernel/Symbols.h for the format). The
// size is fixed so that the table never moves any other address in the
// image; the tool fails the build if the table outgrows it.

#define K23_SYMTAB_SIZE (192 * 1024)

    .section .k23_symtab, "a", @progbits
    .balign 8
    .globl k23_symbol_table
    .hidden k23_symbol_table
k23_symbol_table:
    .space K23_SYMTAB_SIZE
    .size k23_symbol_table, K23_SYMTAB_SIZE
