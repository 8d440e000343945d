import type { Expr } from "@actions/expressions/ast";
import { ExpressionSyntaxError } from "./errors.js";
import type { AllowedNames } from "./allowed-names.js";
import { parseExpression } from "./parse-expression.js";

export interface FoundExpression {
  /** The text between `${{` and `}}`, untrimmed. */
  body: string;
  /** Offset of `${{`. */
  start: number;
  /** Offset just past `}}`. */
  end: number;
}

export interface ExpressionProblem {
  offset: number;
  message: string;
}

const OPEN = "${{";
const UNCLOSED = "unclosed ${{ (missing }})";

interface Scan {
  found: FoundExpression[];
  /** Offset of a `${{` that has no `}}`; scanning stops there, as GitHub's template reader does. */
  unclosedAt?: number;
}

function scan(template: string): Scan {
  const found: FoundExpression[] = [];
  let start = template.indexOf(OPEN);
  while (start >= 0) {
    // `}}` inside a string literal does not close the expression; '' toggles twice, so escapes are fine.
    let inString = false;
    let close = -1;
    for (let i = start + OPEN.length; i < template.length; i++) {
      const c = template[i];
      if (c === "'") inString = !inString;
      else if (!inString && c === "}" && template[i - 1] === "}") {
        close = i;
        break;
      }
    }
    if (close < 0) return { found, unclosedAt: start };
    found.push({ body: template.slice(start + OPEN.length, close - 1), start, end: close + 1 });
    start = template.indexOf(OPEN, close + 1);
  }
  return { found };
}

/** Every `${{ … }}` in a string, in order. Throws ExpressionSyntaxError for an unclosed `${{`. */
export function findExpressions(template: string): FoundExpression[] {
  const s = scan(template);
  if (s.unclosedAt !== undefined) throw new ExpressionSyntaxError(UNCLOSED, s.unclosedAt);
  return s.found;
}

/** Every problem in the expressions of a string (offsets into it); never throws. */
export function checkTemplate(template: string, allowed?: AllowedNames): ExpressionProblem[] {
  const s = scan(template);
  const problems: ExpressionProblem[] = [];
  for (const f of s.found) {
    const p = problemIn(() => parseExpression(f.body, allowed), f.start + OPEN.length);
    if (p) problems.push(p);
  }
  if (s.unclosedAt !== undefined) problems.push({ offset: s.unclosedAt, message: UNCLOSED });
  return problems;
}

/** The problem `check` throws, moved by `offset`; undefined when it passes. */
export function problemIn(check: () => unknown, offset: number): ExpressionProblem | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return { offset: offset + e.offset, message: e.message };
    return { offset, message: e instanceof Error ? e.message : String(e) };
  }
}

/** A string split into literal text and parsed expressions. */
export type TemplatePart = string | { expr: Expr; body: string };

/** Parse every expression of a string; throws the first ExpressionSyntaxError, offset into the string. */
export function compileTemplate(template: string, allowed?: AllowedNames): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const f of findExpressions(template)) {
    if (f.start > last) parts.push(template.slice(last, f.start));
    try {
      parts.push({ expr: parseExpression(f.body, allowed), body: f.body });
    } catch (e) {
      throw e instanceof ExpressionSyntaxError ? e.shifted(f.start + OPEN.length) : e;
    }
    last = f.end;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}
