import { describe, expect, it } from "vitest";
import type { Value } from "../model.js";
import { JsonReadError, readJsonToken } from "./read-json-token.js";

describe("readJsonToken (fromJSON as Newtonsoft reads it)", () => {
  it.each<[string, Value]>([
    // plain JSON
    ['{"a":[1,2.5,true,null,"s"]}', { a: [1, 2.5, true, null, "s"] }],
    ["  42  ", 42],
    ['"\\u00e9\\n\\"\\/"', 'é\n"/'],
    ["-0.5e2", -50],
    // what Newtonsoft accepts beyond JSON
    ["['a', 'b']", ["a", "b"]],
    ["{'key': 'it\\'s'}", { key: "it's" }],
    ["{unquoted: 1, $x_2: 2}", { unquoted: 1, $x_2: 2 }],
    ["[1, 2, ]", [1, 2]],
    ['{"a": 1,}', { a: 1 }],
    ["[1, /* two */ 2 // end\n]", [1, 2]],
    ["[1,,2]", [1, "", 2]],
    ["[undefined]", [""]],
    ["NaN", NaN],
    ["[Infinity, -Infinity]", [Infinity, -Infinity]],
    ["0x1F", 31],
    ["0xFFFFFFFFFFFFFFFF", -1],
    ["017", 15],
    ["'raw\nnewline'", "raw\nnewline"],
    ['"\\ud83d\\ude00 \\ud800"', "😀 \ufffd"],
    // JToken.ReadFrom stops after the first value
    ['{"a":1} trailing', { a: 1 }],
    ["1 2", 1],
    ["[1] ]", [1]],
    // duplicate keys, ignoring case: the last value wins, under the first spelling
    ['{"a":1,"A":2,"b":3}', { a: 2, b: 3 }],
    // a leading comment is the token itself
    ["/* note */ 1", " note "],
  ])("%j reads as %j", (text, expected) => {
    expect(readJsonToken(text)).toEqual(expected);
  });

  it.each([
    "",
    "   ",
    "{",
    "[1",
    "[1 2]",
    "{'a' 1}",
    "tru",
    "truex",
    "01.5x",
    "1x",
    "08",
    "1.",
    ".5",
    "+1",
    "1e400",
    '"unterminated',
    '"bad \\q escape"',
    "{a-b: 1}",
    "new Date(1)",
    "]",
    "abc",
  ])("%j is refused", (text) => {
    expect(() => readJsonToken(text)).toThrow(JsonReadError);
  });

  it("turns values nested 100 deep into their JSON text, as ToPipelineContextData does", () => {
    const deep = `${"[".repeat(100)}1${"]".repeat(100)}`;
    let v = readJsonToken(deep);
    for (let i = 0; i < 98; i++) v = (v as Value[])[0] ?? null;
    expect(v).toEqual(["[\n  1\n]"]);
  });
});
