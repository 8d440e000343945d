import { assertNever } from "../../common/index.js";
import { resolveStatus, type EvalOptions } from "./eval-options.js";
import { ExpressionSyntaxError } from "./errors.js";
import { isTruthy } from "./expression-data.js";
import { checkTemplate, compileTemplate, findExpressions, problemIn, type ExpressionProblem } from "./find-expressions.js";
import { interpolateWith } from "./evaluate.js";
import type { AllowedNames } from "./allowed-names.js";
import { hasStatusFunction, parseExpression } from "./parse-expression.js";
import { noHashFiles, runExpression, withHashFiles, type HashLookup } from "./run-expression.js";

/**
 * How GitHub reads an `if:` (workflow-parser's convertToIfCondition):
 * - empty or absent: `success()`;
 * - exactly one `${{ x }}`: the expression x;
 * - any other text with `${{ }}` in it: a string built by format(), so true when not empty
 *   (`if: true && ${{ false }}` is true, as GitHub's documentation warns);
 * - otherwise the text itself is the expression.
 * A condition without success(), failure(), cancelled() or always() runs as `success() && (…)`.
 */
type Condition =
  | { kind: "default" }
  | { kind: "expression"; text: string; offset: number }
  | { kind: "template"; template: string };

function readCondition(ifText: string | boolean | undefined): Condition {
  if (ifText === undefined) return { kind: "default" };
  if (typeof ifText === "boolean") return { kind: "expression", text: String(ifText), offset: 0 };
  if (!ifText.includes("${{")) {
    const text = ifText.trim();
    return text === "" ? { kind: "default" } : { kind: "expression", text, offset: ifText.length - ifText.trimStart().length };
  }
  let found;
  try {
    found = findExpressions(ifText);
  } catch {
    return { kind: "template", template: ifText };
  }
  const [only] = found;
  if (found.length !== 1 || only === undefined || only.start !== 0 || only.end !== ifText.length) {
    return { kind: "template", template: ifText };
  }
  const offset = only.start + 3;
  // `${{ 'text' }}` is read as the literal string 'text', which then becomes the condition's text.
  const literal = only.body.trim() === "" ? undefined : stringLiteral(only.body.trim());
  if (literal === undefined) return { kind: "expression", text: only.body, offset };
  const text = literal.trim();
  return text === "" ? { kind: "default" } : { kind: "expression", text, offset };
}

/** The value of a body made of one string literal (GitHub's getExpressionString), else undefined. */
function stringLiteral(body: string): string | undefined {
  let out = "";
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "'") {
      inString = !inString;
      if (inString && i !== 0) out += c;
    } else if (!inString) return undefined;
    else out += c;
  }
  return out;
}

/** Every problem in an `if:` (offsets into ifText); never throws. */
export function checkCondition(ifText: string, allowed?: AllowedNames): ExpressionProblem[] {
  const c = readCondition(ifText);
  switch (c.kind) {
    case "default":
      return [];
    case "expression": {
      const p = problemIn(() => parseExpression(c.text, allowed), c.offset);
      return p ? [p] : [];
    }
    case "template":
      return checkTemplate(c.template, allowed);
    default:
      return assertNever(c, "condition");
  }
}

/** Whether a step or job with this `if:` runs. */
export function evaluateCondition(ifText: string | undefined | boolean, o: EvalOptions): boolean {
  return evaluateConditionWith(ifText, o, noHashFiles);
}

export function evaluateConditionAsync(ifText: string | undefined | boolean, o: EvalOptions): Promise<boolean> {
  return withHashFiles(o, (lookup) => evaluateConditionWith(ifText, o, lookup));
}

function evaluateConditionWith(ifText: string | undefined | boolean, o: EvalOptions, lookup: HashLookup): boolean {
  const c = readCondition(ifText);
  const { success } = resolveStatus(o.status);
  switch (c.kind) {
    case "default":
      return success;
    case "expression": {
      let expr;
      try {
        expr = parseExpression(c.text);
      } catch (e) {
        throw e instanceof ExpressionSyntaxError ? e.shifted(c.offset) : e;
      }
      if (!hasStatusFunction(expr) && !success) return false;
      return isTruthy(runExpression(expr, o, lookup, c.text));
    }
    case "template":
      compileTemplate(c.template);
      return success && interpolateWith(c.template, o, lookup) !== "";
    default:
      return assertNever(c, "condition");
  }
}
