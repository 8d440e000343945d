import { describe, expect, it } from "vitest";
import { checkCondition, evaluateCondition, evaluateConditionAsync } from "./evaluate-condition.js";
import { ExpressionEvaluationError, ExpressionSyntaxError } from "./errors.js";
import type { EvalOptions, StatusView } from "./eval-options.js";

const contexts: EvalOptions["contexts"] = {
  github: { event_name: "push", ref: "refs/heads/main" },
  steps: { demo: { conclusion: "failure", outcome: "failure" } },
  env: { EMPTY: "" },
};
const ok: StatusView = { failed: false, cancelled: false };
const failed: StatusView = { failed: true, cancelled: false };
const cancelled: StatusView = { failed: false, cancelled: true };

describe("evaluateCondition", () => {
  it.each<[string | boolean | undefined, StatusView, boolean]>([
    // absent or empty: success()
    [undefined, ok, true],
    [undefined, failed, false],
    ["", ok, true],
    ["   ", failed, false],
    // with or without ${{ }}
    ["github.event_name == 'push'", ok, true],
    ["${{ github.event_name == 'push' }}", ok, true],
    ["${{ github.event_name == 'pull_request' }}", ok, false],
    // YAML booleans
    [true, ok, true],
    [false, ok, false],
    [true, failed, false],
    // no status function: success() && (…)
    ["github.event_name == 'push'", failed, false],
    ["github.event_name == 'push'", cancelled, false],
    ["${{ true }}", failed, false],
    // a status function anywhere turns the implicit success() off
    ["always()", failed, true],
    ["always()", cancelled, true],
    ["failure()", failed, true],
    ["failure()", ok, false],
    ["failure()", { failed: true, cancelled: true }, false],
    ["cancelled()", cancelled, true],
    ["!cancelled()", failed, true],
    ["${{ failure() && steps.demo.conclusion == 'failure' }}", failed, true],
    ["Success() || github.ref == 'x'", ok, true],
    ["contains(toJSON(always()), 'true')", failed, true],
    // a status function's name in a string literal does not count
    ["'always()' == 'always()'", failed, false],
    // truthiness
    ["0", ok, false],
    ["'0'", ok, true],
    ["''", ok, false],
    ["env.EMPTY", ok, false],
    ["null", ok, false],
    ["'false'", ok, true],
    ["fromJSON('[]')", ok, true],
    // text around ${{ }} makes a string, and a non-empty string is true (GitHub's documented trap)
    ["true && ${{ false }}", ok, true],
    ["${{ false }} ", ok, true],
    ["${{ false }} && ${{ false }}", ok, true],
    ["${{ false }} && ${{ false }}", failed, false],
    ["${{ env.EMPTY }}${{ env.EMPTY }}", ok, false],
    // a whole-value string literal is read as the condition's text
    ["${{ 'false' }}", ok, false],
    ["${{ 'always()' }}", failed, true],
    ["${{ '' }}", failed, false],
  ])("if: %j with %j runs: %s", (ifText, status, expected) => {
    expect(evaluateCondition(ifText, { contexts, status })).toBe(expected);
  });

  it("still refuses a syntax error when the condition would not run", () => {
    expect(() => evaluateCondition("toUpper('x')", { contexts, status: failed })).toThrow(ExpressionSyntaxError);
  });

  it("does not evaluate the expression when success() is false", () => {
    expect(evaluateCondition("fromJSON('')", { contexts, status: failed })).toBe(false);
    expect(() => evaluateCondition("fromJSON('')", { contexts, status: ok })).toThrow(ExpressionEvaluationError);
  });

  it("reports syntax errors with offsets into the if: text", () => {
    expect(() => evaluateCondition("  foo == 1", { contexts })).toThrow(expect.objectContaining({ offset: 2 }));
    expect(() => evaluateCondition("${{ foo }}", { contexts })).toThrow(expect.objectContaining({ offset: 4 }));
  });

  it("evaluates hashFiles() in the async variant", async () => {
    const o: EvalOptions = { contexts, hashFiles: (p) => Promise.resolve(p.join("|") === "a|b" ? "abc" : "") };
    await expect(evaluateConditionAsync("hashFiles('a', 'b') != ''", o)).resolves.toBe(true);
    await expect(evaluateConditionAsync("hashFiles('none') != ''", o)).resolves.toBe(false);
    expect(() => evaluateCondition("hashFiles('a') != ''", o)).toThrow(ExpressionEvaluationError);
  });
});

describe("checkCondition", () => {
  it.each<[string, { offset: number; message: string }[]]>([
    ["", []],
    ["github.ref == 'x'", []],
    ["${{ github.ref == 'x' }}", []],
    ["  toUpper(github.ref)", [{ offset: 2, message: "unknown function 'toUpper'" }]],
    ["${{ toUpper(github.ref) }}", [{ offset: 4, message: "unknown function 'toUpper'" }]],
    ["a ${{ foo }}", [{ offset: 6, message: "unknown context 'foo'" }]],
    ["${{ github.ref", [{ offset: 0, message: "unclosed ${{ (missing }})" }]],
    ["${{ }}", [{ offset: 3, message: "expected an expression" }]],
    ["github.ref ==", [{ offset: 13, message: "unexpected end of expression" }]],
  ])("%j", (ifText, expected) => {
    expect(checkCondition(ifText)).toEqual(expected);
  });

  it("applies the allowed names", () => {
    expect(checkCondition("steps.a.outcome == 'success'", { contexts: ["github", "needs"] })).toEqual([
      { offset: 0, message: "the 'steps' context is not available here" },
    ]);
  });
});
