import { describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { checkExpression } from "./check-expression.js";
import { ExpressionSyntaxError } from "./errors.js";
import type { AllowedNames } from "./allowed-names.js";

function problem(body: string, allowed?: AllowedNames): { message: string; offset: number } | undefined {
  try {
    checkExpression(body, allowed);
    return undefined;
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    return { message: e.message, offset: e.offset };
  }
}

describe("checkExpression accepts", () => {
  it.each([
    "github.event_name == 'push'",
    "GitHub.Event_Name",
    "needs.build-job.outputs.artifact-name",
    "steps.*.outcome",
    "github.event.commits[0].message",
    "matrix['node-version']",
    "fromJSON(needs.x.outputs.m).include[0]",
    "toJSON(github)",
    "TOJSON(github)",
    "success() || failure() || cancelled() || always()",
    "hashFiles('**/package-lock.json', '**/Gemfile.lock')",
    "format('{0}', 1, 2, 3)",
    "case(true, 'a', 'b')",
    "!(true)",
    "  \t true \n ",
    "NaN",
    "Infinity",
    "-Infinity",
    "0o17",
    "0x7FFFFFFF",
    "1.5e-3",
    ".5",
    "a\u00a0== b".replace(/a|b/g, "null"), // the runner skips every Unicode space
    "'}}'",
    // the runner skips whitespace before a property name too
    "github.event. name",
    "vars.X && secrets.Y && inputs.z && strategy.job-index && job.status && jobs.j.result && runner.os && env.E",
  ])("%j", (body) => {
    expect(problem(body)).toBeUndefined();
  });
});

describe("checkExpression refuses", () => {
  it.each<[string, string, number]>([
    ["toUpper('a')", "unknown function 'toUpper'", 0],
    ["github.x && toUpper('a')", "unknown function 'toUpper'", 12],
    ["foo", "unknown context 'foo'", 0],
    ["github.x == foo.bar", "unknown context 'foo'", 12],
    ["", "expected an expression", 0],
    ["   ", "expected an expression", 0],
    ["1 ==", "unexpected end of expression", 4],
    ["(1 == 2", "unexpected end of expression", 7],
    ["format('a'", "unexpected end of expression", 10],
    ["!", "unexpected end of expression", 1],
    ["1 2", "unexpected symbol '2'", 2],
    ["a = b", "unexpected symbol '='", 2],
    ['"double quotes"', `unexpected symbol '"double'`, 0],
    ["'unterminated", "unterminated string (missing ')", 0],
    ["github.event.123", "unexpected symbol '123'", 13],
    ["0X10", "unexpected symbol '0X10'", 0],
    ["1 == 0b11", "unexpected symbol '0b11'", 5],
    ["1 + 2", "unexpected symbol '+'", 2],
    ["contains('a')", "too few arguments for contains() (it takes 2)", 0],
    ["startsWith('a', 'b', 'c')", "too many arguments for startsWith() (it takes 2)", 0],
    ["join()", "too few arguments for join() (it takes 1 to 2)", 0],
    ["hashFiles()", "too few arguments for hashFiles() (it takes at least 1)", 0],
    ["success(1)", "too many arguments for success() (it takes 0)", 0],
    ["case(true, 'a')", "too few arguments for case() (it takes at least 3)", 0],
    ["case(true, 'a', false, 'b')", "case() needs an odd number of arguments", 0],
    ["x".repeat(21001), "the expression is longer than 21000 characters", 0],
    [`${"(".repeat(60)}1${")".repeat(60)}`, "the expression is nested too deeply (more than 50 levels)", 50],
  ])("%j: %s", (body, message, offset) => {
    expect(problem(body)).toEqual({ message, offset });
  });

  it("is a ReplayError with the workflow-syntax code", () => {
    expect(() => checkExpression("toUpper(1)")).toThrow(ReplayError);
    expect(() => checkExpression("toUpper(1)")).toThrow(expect.objectContaining({ code: "workflow-syntax" }));
  });
});

describe("checkExpression with the names allowed in one place", () => {
  const jobIf: AllowedNames = {
    contexts: ["github", "needs", "vars", "inputs"],
    functions: ["always", "cancelled", "success", "failure"],
  };
  it.each<[string, string | undefined]>([
    ["needs.a.result == 'success' && always()", undefined],
    ["steps.a.outcome", "the 'steps' context is not available here"],
    ["hashFiles('x')", "hashFiles() is not available here"],
    ["HASHFILES('x')", "HASHFILES() is not available here"],
    ["toJSON(github)", undefined],
  ])("%j: %s", (body, message) => {
    expect(problem(body, jobIf)?.message).toBe(message);
  });
});
