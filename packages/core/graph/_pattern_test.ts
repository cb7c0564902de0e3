import assert from "node:assert/strict";
import fc from "fast-check";
import { _patternProblem, _patternTest } from "./_pattern.ts";

const PATTERNS = [
  "",
  "a",
  "^a",
  "a$",
  "^$",
  "^a+$",
  "^[a-z][a-z0-9_-]*$",
  "^(?:[a-z]+)(?:,[a-z]+)*$",
  "^(?<word>\\w+)\\s+\\d{2,3}$",
  "colou?r",
  "a{2}",
  "^a{2,}$",
  "^a{1,3}b{0,2}$",
  "a+?b",
  "\\bcat\\b",
  "\\Bat",
  ".",
  "^.$",
  "^\\p{L}+$",
  "^\\P{Lu}*$",
  "^[^\\s]+$",
  "^\\u{1F600}$",
  "^\\uD83D\\uDE00$",
  "^😀+$",
  "^[😀-😂]$",
  "\\x41\\u0042\\cJ",
  "\\0",
  "^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\\\$",
  "(a|ab)(c|bcd)(d*)",
  "^(a|b|)+$",
  "^(?:a*)*$",
  "^(?:)$",
  "[\\]a-]",
  "^\\d+(\\.\\d+)?(ms|s)$",
];
const VALUES = [
  "",
  "a",
  "aa",
  "aaa",
  "b",
  "ab",
  "abcd",
  "abcdd",
  "cat",
  "a cat sat",
  "concat",
  "color",
  "colour",
  "colouur",
  "word 123",
  "word  12",
  "word 1",
  "x\ny",
  "\n",
  "éclair",
  "Élan",
  "😀",
  "😀😀",
  "😁",
  "\ud83d",
  "AB\n",
  ".*+?()[]{}|/\\",
  "\0",
  "]",
  "-",
  "1.5ms",
  "10s",
  "a,b,c",
  "a,,b",
];

Deno.test("_patternTest() agrees with JavaScript's engine on patterns of every kind", () => {
  for (const pattern of PATTERNS) {
    assert.equal(_patternProblem(pattern), undefined, pattern);
    const native = new RegExp(pattern, "u");
    for (const value of VALUES) {
      assert.equal(
        _patternTest(pattern, value),
        native.test(value),
        `/${pattern}/u on ${JSON.stringify(value)}`,
      );
    }
  }
});

Deno.test("_patternTest() agrees with JavaScript's engine on random patterns and texts", () => {
  const atom = fc.constantFrom("a", "b", ".", "[ab]", "[^a]", "\\w", "(?:a|b)", "(a|ab)", "()");
  const piece = fc.tuple(atom, fc.constantFrom("", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?"))
    .map(([a, q]) => a + q);
  const pattern = fc.tuple(
    fc.constantFrom("", "^"),
    fc.array(fc.oneof(piece, piece.map((p) => `(${p}|b)`)), { maxLength: 4 }),
    fc.constantFrom("", "$"),
  ).map(([start, pieces, end]) => start + pieces.join("") + end);
  fc.assert(
    fc.property(pattern, fc.stringMatching(/^[ab\n]{0,8}$/), (p, value) => {
      assert.equal(_patternTest(p, value), new RegExp(p, "u").test(value), `/${p}/u ${value}`);
    }),
    { seed: 20261207, numRuns: 2000 },
  );
});

Deno.test("_patternTest() answers at once where JavaScript's engine backtracks for ever", () => {
  const value = "a".repeat(10_000) + "!";
  for (const pattern of ["^(a|a)*$", "^(a+)+$", "^(a*)*b", "^(\\w+\\s?)*$", "^(a|aa)+$"]) {
    const started = performance.now();
    assert.equal(_patternTest(pattern, value), false, pattern);
    assert.ok(performance.now() - started < 2_000, `${pattern}: ${performance.now() - started} ms`);
  }
});

Deno.test("_patternProblem() refuses what is no pattern, backreferences, lookaround and huge counts", () => {
  const problems: Array<[string, RegExp]> = [
    ["(", /not a regular expression in Unicode mode/],
    ["a{", /not a regular expression/],
    ["\\q", /not a regular expression/],
    ["(a)\\1", /backreference/],
    ["(?<x>a)\\k<x>", /backreference/],
    ["a(?=b)", /lookaround/],
    ["(?!a)b", /lookaround/],
    ["(?<=a)b", /lookaround/],
    ["(?<!a)b", /lookaround/],
    ["(?:a{1000}){1000}", /too large/],
  ];
  for (const [pattern, reason] of problems) {
    assert.match(_patternProblem(pattern) ?? "accepted", reason, pattern);
    assert.throws(() => _patternTest(pattern, "a"), TypeError);
  }
});
