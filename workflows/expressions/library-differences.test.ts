// Where @actions/expressions differs from GitHub's runner, and replay follows the runner.
// Each test shows the library's answer next to ours: when one starts failing because the
// library was fixed, the workaround it names can go.
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import type { Value } from "../model.js";
import { evaluate } from "./evaluate.js";
import { ExpressionEvaluationError, ExpressionSyntaxError } from "./errors.js";
import { ALL_CONTEXTS } from "./allowed-names.js";

/** The library on its own: its lexer, parser and evaluator, contexts through its reviver. */
function library(body: string, contexts: Record<string, Value> = {}): Value | Error {
  try {
    const expr = new Parser(new Lexer(body).lex().tokens, [...ALL_CONTEXTS], []).parse();
    const dict = new data.Dictionary();
    for (const name of ALL_CONTEXTS) {
      dict.add(name, JSON.parse(JSON.stringify(contexts[name] ?? {}), data.reviver) as data.ExpressionData);
    }
    return JSON.parse(JSON.stringify(new Evaluator(expr, dict).evaluate(), data.replacer)) as Value;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

const ours = (body: string, contexts: Record<string, Value> = {}): Value => evaluate(body, { contexts });

describe("@actions/expressions vs the runner", () => {
  it("the library unescapes only the first '' of a string literal", () => {
    expect(library("'a''b''c'")).toBe("a'b''c");
    expect(ours("'a''b''c'")).toBe("a'b'c");
  });

  it("the library reads number literals with JavaScript's Number(): 0X10 and 0b11 are numbers there", () => {
    expect(library("0X10")).toBe(16);
    expect(library("0b11")).toBe(3);
    expect(() => ours("0X10")).toThrow(ExpressionSyntaxError);
    expect(() => ours("0b11")).toThrow(ExpressionSyntaxError);
  });

  it("the library reads 0xffffffff as 4294967295; the runner's Int32 parse wraps it to -1", () => {
    expect(library("0xffffffff")).toBe(4294967295);
    expect(ours("0xffffffff")).toBe(-1);
  });

  it("the library turns strings into numbers with Number(): '0b11' == 3 is true there", () => {
    expect(library("'0b11' == 3")).toBe(true);
    expect(ours("'0b11' == 3")).toBe(false);
  });

  it.each([
    ["format('{0}', 1e21)", "1e+21", "1E+21"],
    ["format('{0}', 123456789012345678)", "123456789012345680", "1.23456789012346E+17"],
    ["format('{0}', 0.00001)", "0.00001", "1E-05"],
    ["join(fromJSON('[1e-7]'))", "1e-7", "1E-07"],
  ])("the library prints numbers with toFixed(15), not .NET's G15: %s", (body, lib, runner) => {
    expect(library(body)).toBe(lib);
    expect(ours(body)).toBe(runner);
  });

  it("the library's toJSON is JSON.stringify: NaN becomes null there, and U+2028 is not escaped", () => {
    expect(library("toJSON(NaN)")).toBe("null");
    expect(ours("toJSON(NaN)")).toBe("NaN");
    expect(library("toJSON('\u2028')")).toBe('"\u2028"');
    expect(ours("toJSON('\u2028')")).toBe('"\\u2028"');
  });

  it("the library's format() ignores format specifiers and text after the index", () => {
    expect(library("format('{0:x}', 'a')")).toBe("a");
    expect(library("format('{0abc}', 'a')")).toBe("a");
    expect(() => ours("format('{0:x}', 'a')")).toThrow(ExpressionEvaluationError);
    expect(() => ours("format('{0abc}', 'a')")).toThrow(ExpressionEvaluationError);
  });

  it("the library evaluates every format() argument; the runner only the ones referenced", () => {
    expect(library("format('{0}', 'a', fromJSON(''))")).toBeInstanceOf(Error);
    expect(ours("format('{0}', 'a', fromJSON(''))")).toBe("a");
  });

  it("the library evaluates every case() branch; the runner only the one it returns", () => {
    expect(library("case(true, 'a', fromJSON(''))")).toBeInstanceOf(Error);
    expect(ours("case(true, 'a', fromJSON(''))")).toBe("a");
  });

  it("the library evaluates an index on a value that cannot be indexed; the runner does not", () => {
    expect(library("github.none[fromJSON('')]")).toBeInstanceOf(Error);
    expect(ours("github.none[fromJSON('')]")).toBeNull();
  });

  it("the library's dictionaries drop keys named like Object.prototype members", () => {
    const body = `fromJSON('{"constructor":1,"toString":2}').constructor`;
    expect(library(body)).toBeNull();
    expect(ours(body)).toBe(1);
    expect(ours(`toJSON(fromJSON('{"toString":2}'))`)).toBe('{\n  "toString": 2\n}');
  });

  it("the library ignores case with full case mapping ('ß' == 'SS'); .NET's ordinal ignore-case does not", () => {
    expect(library("'ß' == 'SS'")).toBe(true);
    expect(ours("'ß' == 'SS'")).toBe(false);
    expect(library("contains('İ', 'i')")).toBe(true);
    expect(ours("contains('İ', 'i')")).toBe(false);
    expect(ours("'é' == 'É'")).toBe(true);
  });

  it("the library's lexer skips only ASCII spaces; the runner skips every Unicode space", () => {
    expect(library("1 ==\u00a01")).toBeInstanceOf(Error);
    expect(ours("1 ==\u00a01")).toBe(true);
    expect(ours("'a\u00a0b'")).toBe("a\u00a0b");
  });

  it("the library looks every property up ignoring case; the runner's env is case-sensitive on Linux", () => {
    const contexts = { env: { FOO: "x" }, github: { Event_Name: "push" } };
    expect(library("env.foo", contexts)).toBe("x");
    expect(ours("env.foo", contexts)).toBeNull();
    expect(ours("env.FOO", contexts)).toBe("x");
    expect(ours("github.event_name", contexts)).toBe("push");
  });

  it("the library's parser returns nothing for an empty expression", () => {
    expect(new Parser(new Lexer("  ").lex().tokens, [], []).parse()).toBeUndefined();
    expect(() => ours("  ")).toThrow(ExpressionSyntaxError);
  });

  it("the library's fromJSON is JSON.parse; the runner reads with Newtonsoft, which is more lenient", () => {
    const body = "fromJSON('[''a'', ''b'',]')";
    expect(library(body)).toBeInstanceOf(Error);
    expect(ours(body)).toEqual(["a", "b"]);
    expect(library(`fromJSON('{"a":1} trailing')`)).toBeInstanceOf(Error);
    expect(ours(`fromJSON('{"a":1} trailing')`)).toEqual({ a: 1 });
  });

  it("the library reports lexer errors as plain Errors; ours are ReplayErrors with an offset", () => {
    const lib = library("1 == 'open");
    expect(lib).toBeInstanceOf(Error);
    expect(lib).not.toBeInstanceOf(ReplayError);
    expect(() => ours("1 == 'open")).toThrow(expect.objectContaining({ offset: 5, message: "unterminated string (missing ')" }));
  });
});
