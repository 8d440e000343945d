import { Evaluator, data } from "@actions/expressions";
import { Star, type Binary, type Expr, type FunctionCall, type IndexAccess } from "@actions/expressions/ast";
import { FilteredArray } from "@actions/expressions/filtered_array";
import { TokenType } from "@actions/expressions/lexer";
import { callFunction, type FunctionHost } from "./call-function.js";
import { greaterThan, lessThan, looseEquals } from "./compare.js";
import { ExpressionEvaluationError } from "./errors.js";
import { dataToNumber, dataToString, isPrimitive, type ExpressionData } from "./expression-data.js";

const INT32_MAX = 2 ** 31 - 1;

/**
 * The library's evaluator with the runner's semantics where they differ: comparisons (number
 * parsing, ordinal ignore-case), indexing (the index is not evaluated on a non-collection),
 * and functions (lazy arguments for format() and case(), GitHub's number printing).
 */
export class GitHubEvaluator extends Evaluator {
  readonly #host: FunctionHost;

  constructor(expr: Expr, contexts: data.Dictionary, host: FunctionHost) {
    super(expr, contexts);
    this.#host = host;
  }

  override visitBinary(b: Binary): ExpressionData {
    const l = this.eval(b.left);
    const r = this.eval(b.right);
    const result = ((): boolean => {
      switch (b.operator.type) {
        case TokenType.EQUAL_EQUAL:
          return looseEquals(l, r);
        case TokenType.BANG_EQUAL:
          return !looseEquals(l, r);
        case TokenType.GREATER:
          return greaterThan(l, r);
        case TokenType.GREATER_EQUAL:
          return looseEquals(l, r) || greaterThan(l, r);
        case TokenType.LESS:
          return lessThan(l, r);
        case TokenType.LESS_EQUAL:
          return looseEquals(l, r) || lessThan(l, r);
        default:
          throw new ExpressionEvaluationError(`unknown operator '${b.operator.lexeme}'`);
      }
    })();
    return new data.BooleanData(result);
  }

  override visitIndexAccess(ia: IndexAccess): ExpressionData {
    const left = this.eval(ia.expr);
    const star = ia.index instanceof Star;
    if (!(left instanceof data.Array || left instanceof data.Dictionary)) {
      return star ? new FilteredArray() : new data.Null();
    }
    const index = star ? undefined : new Index(this.eval(ia.index));
    if (left instanceof FilteredArray) {
      const result = new FilteredArray();
      for (const item of left.values()) {
        if (item instanceof data.Dictionary || item instanceof data.Array) {
          for (const v of select(item, index)) result.add(v);
        }
      }
      return result;
    }
    if (index === undefined) return new FilteredArray(...left.values());
    return select(left, index)[0] ?? new data.Null();
  }

  override visitFunctionCall(fc: FunctionCall): ExpressionData {
    const arg = (i: number): ExpressionData => {
      const e = fc.args[i];
      if (e === undefined) throw new ExpressionEvaluationError(`${fc.functionName.lexeme}() is missing argument ${i + 1}`);
      return this.eval(e);
    };
    return callFunction(fc.functionName.lexeme, fc.args.length, arg, this.#host);
  }
}

/** An evaluated index, read as the runner's IndexHelper reads it. */
class Index {
  readonly int: number | undefined;
  readonly key: string | undefined;
  constructor(d: ExpressionData) {
    const n = Math.floor(dataToNumber(d));
    this.int = Number.isNaN(n) || n < 0 || n > INT32_MAX ? undefined : n;
    this.key = isPrimitive(d) ? dataToString(d) : undefined;
  }
}

/** The values `index` selects in one collection (all of them for `*`). */
function select(c: data.Dictionary | data.Array, index: Index | undefined): ExpressionData[] {
  if (index === undefined) return c.values();
  if (c instanceof data.Dictionary) {
    const v = index.key === undefined ? undefined : c.get(index.key);
    return v === undefined ? [] : [v];
  }
  const v = index.int === undefined ? undefined : c.values()[index.int];
  return v === undefined ? [] : [v];
}
