import { describe, expect, it } from "vitest";
import type { Value } from "../model.js";
import { coerceToString } from "./coerce-to-string.js";
import { toGitHubJson } from "./to-github-json.js";

describe("toGitHubJson", () => {
  it.each<[Value, string]>([
    [null, "null"],
    [true, "true"],
    [1.5, "1.5"],
    [1e21, "1E+21"],
    [NaN, "NaN"],
    ["s", '"s"'],
    [[], "[]"],
    [{}, "{}"],
    [[1, "a"], '[\n  1,\n  "a"\n]'],
    [{ a: 1, b: [true, null], c: {} }, '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ],\n  "c": {}\n}'],
    [{ nested: { deeper: [[]] } }, '{\n  "nested": {\n    "deeper": [\n      []\n    ]\n  }\n}'],
    // Newtonsoft's escaping: control characters, quote, backslash, U+0085, U+2028, U+2029
    ['q"b\\s/\n\r\t\b\f\u0001\u007f', '"q\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\u007f"'],
    ["\u0085\u2028\u2029", '"\\u0085\\u2028\\u2029"'],
    ["é ü 漢 😀 <>&'", "\"é ü 漢 😀 <>&'\""],
    [{ 'k"ey': 1 }, '{\n  "k\\"ey": 1\n}'],
  ])("%j", (v, expected) => {
    expect(toGitHubJson(v)).toBe(expected);
  });
});

describe("coerceToString", () => {
  it.each<[Value, string]>([
    [null, ""],
    [true, "true"],
    [false, "false"],
    [0, "0"],
    [1.5, "1.5"],
    [1e21, "1E+21"],
    ["text", "text"],
    [[1, 2], "Array"],
    [{ a: 1 }, "Object"],
  ])("%j prints as %j", (v, expected) => {
    expect(coerceToString(v)).toBe(expected);
  });
});
