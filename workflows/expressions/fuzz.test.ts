// Whatever a user writes, the expression functions answer cleanly or throw a ReplayError.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplayError } from "../../common/index.js";
import { checkExpression } from "./check-expression.js";
import { checkCondition, evaluateCondition } from "./evaluate-condition.js";
import type { EvalOptions } from "./eval-options.js";
import { evaluate, evaluateTemplate, interpolate } from "./evaluate.js";
import { ExpressionSyntaxError } from "./errors.js";
import { checkTemplate, findExpressions } from "./find-expressions.js";

const o: EvalOptions = {
  contexts: {
    github: { event: { labels: [{ name: "bug" }], n: 1 }, ref: "refs/heads/main" },
    env: { JSON: '{"a":[1,2]}', EMPTY: "" },
    needs: { a: { result: "success", outputs: { x: "1" } } },
    matrix: { os: "ubuntu" },
  },
};

const FRAGMENTS = [
  "github", "env", "needs", "matrix", "steps", "foo", ".", ".*", "*", "[", "]", "(", ")", ",", " ", "\n", "'",
  "''", "'a'", "'{0}'", "'{'", "'}}'", "==", "!=", "!", "<", ">=", "&&", "||", "=", "&", "|", "0", "1.5", "-",
  "0x1F", "0X1", "1e3", "NaN", "Infinity", "null", "true", "false", "fromJSON(", "toJSON(", "format(",
  "join(", "contains(", "startsWith(", "case(", "success()", "always()", "hashFiles(", "toUpper(", "labels",
  "event", "JSON", "'[1,{\"a\":2}]'", "'{\"x\":'", "${{", "}}", "\u00a0", "\u2028", "ß", "😀", "\ud800", "\u0000",
];

const soup = fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 30 });
const anyText = fc.oneof(soup, fc.string({ unit: "binary", maxLength: 60 }), fc.string({ maxLength: 60 }));

function cleanly(run: () => unknown): void {
  try {
    const v = run();
    expect(v).not.toBeUndefined();
  } catch (e) {
    if (!(e instanceof ReplayError)) throw e;
  }
}

describe("random input", () => {
  it("checkExpression, evaluate and findExpressions throw nothing but ReplayErrors", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        cleanly(() => {
          checkExpression(text);
          return true;
        });
        cleanly(() => evaluate(text, o));
        cleanly(() => findExpressions(text));
      }),
      { numRuns: 1500 },
    );
  });

  it("templates and conditions throw nothing but ReplayErrors, and their checks never throw", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        cleanly(() => interpolate(text, o));
        cleanly(() => evaluateTemplate(text, o));
        cleanly(() => evaluateCondition(text, o));
        expect(Array.isArray(checkTemplate(text))).toBe(true);
        expect(Array.isArray(checkCondition(text))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("an expression that passes the check never fails evaluation with a syntax error", () => {
    fc.assert(
      fc.property(soup, (text) => {
        try {
          checkExpression(text);
        } catch {
          return;
        }
        try {
          evaluate(text, o);
        } catch (e) {
          expect(e).toBeInstanceOf(ReplayError);
          expect(e).not.toBeInstanceOf(ExpressionSyntaxError);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("a syntax error's offset lies inside the text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          checkExpression(text);
        } catch (e) {
          if (!(e instanceof ExpressionSyntaxError)) throw e;
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
