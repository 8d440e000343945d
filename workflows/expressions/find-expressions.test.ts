import { describe, expect, it } from "vitest";
import { ExpressionSyntaxError } from "./errors.js";
import { checkTemplate, findExpressions, type ExpressionProblem, type FoundExpression } from "./find-expressions.js";

describe("findExpressions", () => {
  it.each<[string, FoundExpression[]]>([
    ["plain text", []],
    ["${{ a }}", [{ body: " a ", start: 0, end: 8 }]],
    ["x ${{a}} y ${{ b }}", [{ body: "a", start: 2, end: 8 }, { body: " b ", start: 11, end: 19 }]],
    ["${{ 'a}}b' }}", [{ body: " 'a}}b' ", start: 0, end: 13 }]],
    ["${{ 'it''s}}' }}", [{ body: " 'it''s}}' ", start: 0, end: 16 }]],
    ["${{ a }}}", [{ body: " a ", start: 0, end: 8 }]],
    ["${{}}", [{ body: "", start: 0, end: 5 }]],
    ["$${{ a }}", [{ body: " a ", start: 1, end: 9 }]],
    ["{{ a }} and ${ { b } }", []],
  ])("%j", (template, expected) => {
    expect(findExpressions(template)).toEqual(expected);
  });

  it.each<[string, number]>([
    ["${{ a", 0],
    ["ok ${{ a }} then ${{ b }", 17],
    ["${{ 'a }}", 0],
  ])("%j: unclosed at %i", (template, offset) => {
    expect(() => findExpressions(template)).toThrow(ExpressionSyntaxError);
    expect(() => findExpressions(template)).toThrow(expect.objectContaining({ offset, message: "unclosed ${{ (missing }})" }));
  });
});

describe("checkTemplate", () => {
  it.each<[string, ExpressionProblem[]]>([
    ["echo ${{ github.sha }}", []],
    ["no expression", []],
    ["${{ toUpper('a') }}", [{ offset: 4, message: "unknown function 'toUpper'" }]],
    [
      "${{ toUpper('a') }} and ${{ foo.bar }}",
      [
        { offset: 4, message: "unknown function 'toUpper'" },
        { offset: 28, message: "unknown context 'foo'" },
      ],
    ],
    ["a ${{ }}", [{ offset: 5, message: "expected an expression" }]],
    ["${{ 1 == }}", [{ offset: 8, message: "unexpected end of expression" }]],
    [
      "${{ bad }} ${{ x",
      [
        { offset: 4, message: "unknown context 'bad'" },
        { offset: 11, message: "unclosed ${{ (missing }})" },
      ],
    ],
  ])("%j", (template, expected) => {
    expect(checkTemplate(template)).toEqual(expected);
  });

  it("applies the allowed names", () => {
    expect(checkTemplate("${{ steps.a.outputs.b }}", { contexts: ["github"] })).toEqual([
      { offset: 4, message: "the 'steps' context is not available here" },
    ]);
  });
});
