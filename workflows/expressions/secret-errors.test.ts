import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";
import { ExpressionEvaluationError } from "./errors.js";

// The case: "hunter2" is not JSON, and the reader's message quoted the character
// it stopped at ("Unexpected character encountered while parsing value: h").
const contexts = { secrets: { PASSWORD: "hunter2", JSONISH: '{"a": 1}' }, env: { PLAIN: "hunter2" } };

function failure(expression: string): string {
  try {
    evaluate(expression, { contexts });
  } catch (e) {
    if (e instanceof ExpressionEvaluationError) return e.message;
    throw e;
  }
  throw new Error(`${expression} did not fail`);
}

describe("errors about secret values", () => {
  it.each<[string, string]>([
    ["fromJSON(secrets.PASSWORD)", "secrets.PASSWORD"],
    ["fromJSON(secrets.password)", "secrets.PASSWORD"],
    ["fromJSON(secrets['PASSWORD'])", "secrets.PASSWORD"],
    ["fromJSON(format('{0}!', secrets.PASSWORD))", "secrets.PASSWORD"],
    ["fromJSON(join(fromJSON('[\"x\",\"y\"]'), secrets.PASSWORD))", "secrets.PASSWORD"],
  ])("%s names %s and quotes nothing of the value", (expression, name) => {
    const message = failure(expression);
    expect(message).toContain(name);
    expect(message).toContain("not shown");
    expect(message).not.toMatch(/: h\b|hunter|character \d/);
  });

  it("still quotes a value that is not a secret, as the runner does", () => {
    expect(failure("fromJSON(env.PLAIN)")).toContain("Unexpected character encountered while parsing value: h");
  });

  it("leaves a secret that parses alone", () => {
    expect(evaluate("fromJSON(secrets.JSONISH).a", { contexts })).toBe(1);
    expect(evaluate("format('{0}-x', secrets.PASSWORD)", { contexts })).toBe("hunter2-x");
  });
});
