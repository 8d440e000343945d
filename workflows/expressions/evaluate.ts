import type { Value } from "../model.js";
import type { EvalOptions } from "./eval-options.js";
import { dataToString, fromData } from "./expression-data.js";
import { compileTemplate, type TemplatePart } from "./find-expressions.js";
import { parseExpression } from "./parse-expression.js";
import { noHashFiles, runExpression, withHashFiles, type HashLookup } from "./run-expression.js";

/** Evaluate one expression body (the text inside `${{ }}`). */
export function evaluate(body: string, o: EvalOptions): Value {
  return evaluateWith(body, o, noHashFiles);
}

export function evaluateAsync(body: string, o: EvalOptions): Promise<Value> {
  return withHashFiles(o, (lookup) => evaluateWith(body, o, lookup));
}

/** Replace every `${{ }}` in a string by its value, printed as GitHub prints it. */
export function interpolate(template: string, o: EvalOptions): string {
  return interpolateWith(template, o, noHashFiles);
}

export function interpolateAsync(template: string, o: EvalOptions): Promise<string> {
  return withHashFiles(o, (lookup) => interpolateWith(template, o, lookup));
}

/**
 * A string that is exactly one `${{ x }}` gives x's typed value (object, number, boolean…);
 * any other string is interpolated. As in GitHub's template reader, text around the
 * expression, even whitespace, makes it a string.
 */
export function evaluateTemplate(template: string, o: EvalOptions): Value {
  return evaluateTemplateWith(template, o, noHashFiles);
}

export function evaluateTemplateAsync(template: string, o: EvalOptions): Promise<Value> {
  return withHashFiles(o, (lookup) => evaluateTemplateWith(template, o, lookup));
}

function evaluateWith(body: string, o: EvalOptions, lookup: HashLookup): Value {
  return fromData(runExpression(parseExpression(body), o, lookup, body));
}

export function interpolateWith(template: string, o: EvalOptions, lookup: HashLookup): string {
  return renderParts(compileTemplate(template), o, lookup);
}

function evaluateTemplateWith(template: string, o: EvalOptions, lookup: HashLookup): Value {
  const parts = compileTemplate(template);
  const [only] = parts;
  if (parts.length === 1 && only !== undefined && typeof only !== "string") {
    return fromData(runExpression(only.expr, o, lookup, only.body));
  }
  return renderParts(parts, o, lookup);
}

function renderParts(parts: readonly TemplatePart[], o: EvalOptions, lookup: HashLookup): string {
  return parts
    .map((p) => (typeof p === "string" ? p : dataToString(runExpression(p.expr, o, lookup, p.body))))
    .join("");
}
