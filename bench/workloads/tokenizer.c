/* tokenizer: a C-like lexer (identifiers, keywords by hashing, numbers,
 * strings, comments, operators) over 160 KiB of generated source, counting
 * tokens by kind and hashing identifiers. Branchy byte-at-a-time code. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"

#define LEN (160 * 1024)
static char src[LEN + 1];
enum { IDENT, KEYWORD, NUMBER, STRING, OP, COMMENT, KINDS };
static const char* keywords[] = { "if", "else", "while", "for", "return", "int", "char", "void",
                                  "struct", "static", "const", "break" };
static uint32_t counts[KINDS];

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int keyword(const char* p, int n)
{
    for (unsigned k = 0; k < sizeof keywords / sizeof *keywords; k++)
        if ((int)strlen(keywords[k]) == n && memcmp(keywords[k], p, n) == 0)
            return 1;
    return 0;
}

static uint32_t lex(void)
{
    uint32_t h = 0;
    const char* p = src;
    while (*p) {
        char c = *p;
        if (c == ' ' || c == '\n' || c == '\t') { p++; continue; }
        if (c == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) p++;
            if (*p) p += 2;
            counts[COMMENT]++;
        } else if (is_alpha(c)) {
            const char* b = p;
            while (is_alpha(*p) || is_digit(*p)) p++;
            if (keyword(b, (int)(p - b))) counts[KEYWORD]++;
            else {
                counts[IDENT]++;
                for (const char* q = b; q < p; q++) h = h * 33 + (uint8_t)*q;
            }
        } else if (is_digit(c)) {
            uint64_t v = 0;
            if (c == '0' && p[1] == 'x') {
                p += 2;
                for (;; p++) {
                    if (is_digit(*p)) v = v * 16 + (*p - '0');
                    else if (*p >= 'a' && *p <= 'f') v = v * 16 + (*p - 'a' + 10);
                    else break;
                }
            } else
                while (is_digit(*p)) v = v * 10 + (*p++ - '0');
            h ^= (uint32_t)v;
            counts[NUMBER]++;
        } else if (c == '"') {
            p++;
            while (*p && *p != '"') { if (*p == '\\' && p[1]) p++; p++; }
            if (*p) p++;
            counts[STRING]++;
        } else {
            static const char* two[] = { "==", "!=", "<=", ">=", "&&", "||", "->", "++", "--", "<<", ">>" };
            int n = 1;
            for (unsigned k = 0; k < sizeof two / sizeof *two; k++)
                if (p[0] == two[k][0] && p[1] == two[k][1]) { n = 2; break; }
            p += n;
            counts[OP]++;
        }
    }
    return h;
}

int main(void)
{
    static const char* pieces[] = { "int ", "x", "count", "while ", "(", ")", "{", "}", ";\n", "return ",
        "0x1f ", "12345 ", "\"str\\\"ing\" ", "/* note */ ", "a->b ", "== ", "+= ", "if ", "else ", "y_2 ",
        "buffer[i] ", "<< ", "static ", "void ", "&& ", "42 " };
    unsigned long long s = 5;
    size_t i = 0;
    while (i < LEN) {
        const char* w = pieces[bench_rand(&s) % 26];
        size_t n = strlen(w);
        if (i + n > LEN) break;
        memcpy(src + i, w, n);
        i += n;
    }
    src[i] = 0;
    bench_start();
    uint32_t h = lex();
    bench_end();
    printf("tokenizer %zu", i);
    for (int k = 0; k < KINDS; k++) printf(" %u", counts[k]);
    printf(" %08x\n", h);
    return 0;
}
