import { ExpressionError, Lexer, Parser, wellKnownFunctions } from "@actions/expressions";
import { FunctionCall, Binary, Grouping, IndexAccess, Logical, Unary, type Expr } from "@actions/expressions/ast";
import type { FunctionInfo } from "@actions/expressions/funcs/info";
import { TokenType, type Token } from "@actions/expressions/lexer";
import { ExpressionSyntaxError } from "./errors.js";
import { parseGitHubNumber } from "./github-number.js";
import { ALL_CONTEXTS, EXTENSION_FUNCTIONS, isStatusFunction, type AllowedNames } from "./allowed-names.js";

const MAX_LENGTH = 21000;
// Char.IsWhiteSpace, which the runner's lexer skips; the library's lexer only skips space, tab, CR and LF.
const WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LEXER_ERROR = /^Unexpected symbol: '([\s\S]*)'\. Located at position (\d+) within expression/;
const PARSER_ERROR = /^([^:]+): '([\s\S]*)'$/;
const END_OF_EXPRESSION = "Unexpected end of expression";

/** Parse one expression body as GitHub does; throws ExpressionSyntaxError with an offset into `body`. */
export function parseExpression(body: string, allowed: AllowedNames = {}): Expr {
  if (body.length > MAX_LENGTH) {
    throw new ExpressionSyntaxError(`the expression is longer than ${MAX_LENGTH} characters`, 0);
  }
  if (body.trim() === "") throw new ExpressionSyntaxError("expected an expression", 0);
  const text = normalizeWhitespace(body);
  const tokens = lex(text);
  const offsets = tokenOffsets(text, tokens);
  fixLiterals(tokens, offsets);
  const contexts = [...(allowed.contexts ?? ALL_CONTEXTS)];
  const functions = allowedFunctions(allowed.functions);
  try {
    return new Parser(tokens, contexts, functions).parse();
  } catch (e) {
    if (!(e instanceof ExpressionError)) {
      throw new ExpressionSyntaxError(`cannot parse the expression: ${String(e)}`, 0, e);
    }
    const token = tokens.find((t) => t.range.start === e.pos);
    const atEnd = token?.type === TokenType.EOF || e.message.startsWith(END_OF_EXPRESSION);
    const offset = atEnd ? body.trimEnd().length : token === undefined ? 0 : (offsets.get(token) ?? 0);
    throw new ExpressionSyntaxError(parserMessage(e.message, atEnd, contexts, functions), offset, e);
  }
}

/** Whether the expression calls success(), failure(), cancelled() or always() anywhere. */
export function hasStatusFunction(e: Expr): boolean {
  if (e instanceof FunctionCall) return isStatusFunction(e.functionName.lexeme) || e.args.some(hasStatusFunction);
  if (e instanceof Binary) return hasStatusFunction(e.left) || hasStatusFunction(e.right);
  if (e instanceof Logical) return e.args.some(hasStatusFunction);
  if (e instanceof Unary) return hasStatusFunction(e.expr);
  if (e instanceof Grouping) return hasStatusFunction(e.group);
  if (e instanceof IndexAccess) return hasStatusFunction(e.expr) || hasStatusFunction(e.index);
  return false;
}

function allowedFunctions(names: readonly string[] | undefined): FunctionInfo[] {
  if (names === undefined) return [...EXTENSION_FUNCTIONS];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return EXTENSION_FUNCTIONS.filter((f) => wanted.has(f.name.toLowerCase()));
}

function lex(text: string): Token[] {
  try {
    return new Lexer(text).lex().tokens;
  } catch (e) {
    const m = LEXER_ERROR.exec(e instanceof Error ? e.message : "");
    const symbol = m?.[1] ?? "";
    const offset = m ? Number(m[2]) - 1 : 0;
    const message = symbol.startsWith("'") ? "unterminated string (missing ')" : `unexpected symbol '${symbol}'`;
    throw new ExpressionSyntaxError(message, offset, e);
  }
}

/** Replace every whitespace character outside string literals by a space (same length, same offsets). */
function normalizeWhitespace(body: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    if (c === "'") inString = !inString;
    out += !inString && WHITESPACE.test(c) ? " " : c;
  }
  return out;
}

function tokenOffsets(text: string, tokens: readonly Token[]): Map<Token, number> {
  const offsets = new Map<Token, number>();
  let cursor = 0;
  for (const t of tokens) {
    const at = text.indexOf(t.lexeme, cursor);
    const offset = at < 0 ? cursor : at;
    offsets.set(t, offset);
    cursor = offset + t.lexeme.length;
  }
  return offsets;
}

function fixLiterals(tokens: readonly Token[], offsets: Map<Token, number>): void {
  for (const t of tokens) {
    // The library unescapes only the first '' of a string literal.
    if (t.type === TokenType.STRING) t.value = t.lexeme.slice(1, -1).replaceAll("''", "'");
    // The library reads number literals with JavaScript's Number(), which accepts 0X10 and 0b11.
    if (t.type === TokenType.NUMBER && t.lexeme !== "NaN" && t.lexeme !== "Infinity") {
      const value = parseGitHubNumber(t.lexeme);
      if (Number.isNaN(value)) throw new ExpressionSyntaxError(`unexpected symbol '${t.lexeme}'`, offsets.get(t) ?? 0);
      t.value = value;
    }
  }
}

function parserMessage(raw: string, atEnd: boolean, contexts: string[], functions: FunctionInfo[]): string {
  const m = PARSER_ERROR.exec(raw);
  const kind = m?.[1] ?? raw;
  const symbol = m?.[2] ?? "";
  if (atEnd) return "unexpected end of expression";
  if (kind === "Unexpected symbol") return `unexpected symbol '${symbol}'`;
  if (kind === "Unrecognized named-value") {
    const known = (ALL_CONTEXTS as readonly string[]).includes(symbol.toLowerCase());
    const here = contexts.some((c) => c.toLowerCase() === symbol.toLowerCase());
    return known && !here ? `the '${symbol}' context is not available here` : `unknown context '${symbol}'`;
  }
  if (kind === "Unrecognized function") {
    const known = EXTENSION_FUNCTIONS.some((f) => f.name.toLowerCase() === symbol.toLowerCase());
    return known ? `${symbol}() is not available here` : `unknown function '${symbol}'`;
  }
  if (kind === "Too few parameters supplied" || kind === "Too many parameters supplied") {
    const f = wellKnownFunctions[symbol.toLowerCase()] ?? functions.find((x) => x.name.toLowerCase() === symbol.toLowerCase());
    const few = kind.startsWith("Too few");
    return `too ${few ? "few" : "many"} arguments for ${symbol}()${f ? ` (it takes ${arity(f)})` : ""}`;
  }
  if (kind.startsWith("Even number of parameters")) return `${symbol}() needs an odd number of arguments`;
  if (kind.startsWith("Exceeded max expression depth")) return "the expression is nested too deeply (more than 50 levels)";
  return raw;
}

function arity(f: FunctionInfo): string {
  if (f.minArgs === f.maxArgs) return `${f.minArgs}`;
  if (f.maxArgs >= 255) return `at least ${f.minArgs}`;
  return `${f.minArgs} to ${f.maxArgs}`;
}
