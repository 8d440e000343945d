// The runner's comparisons: JavaScript-like loose coercion, strings compared ordinally
// ignoring case, objects and arrays equal only to themselves.
import { data } from "@actions/expressions";
import { dataToNumber, type ExpressionData } from "./expression-data.js";
import { upperOrdinal } from "./upper-ordinal.js";

type Coerced = [ExpressionData, ExpressionData];

function coerce(l: ExpressionData, r: ExpressionData): Coerced {
  if (l.kind === r.kind) return [l, r];
  const isNumber = (d: ExpressionData): boolean => d instanceof data.NumberData;
  const isString = (d: ExpressionData): boolean => d instanceof data.StringData;
  const isBoolOrNull = (d: ExpressionData): boolean => d instanceof data.BooleanData || d instanceof data.Null;
  if (isNumber(l) && isString(r)) return [l, new data.NumberData(dataToNumber(r))];
  if (isString(l) && isNumber(r)) return [new data.NumberData(dataToNumber(l)), r];
  if (isBoolOrNull(l)) return coerce(new data.NumberData(dataToNumber(l)), r);
  if (isBoolOrNull(r)) return coerce(l, new data.NumberData(dataToNumber(r)));
  return [l, r];
}

/** -1, 0 or 1 when the two values are comparable after coercion; undefined otherwise (NaN, objects, mixed kinds). */
function order(left: ExpressionData, right: ExpressionData): number | undefined {
  const [l, r] = coerce(left, right);
  if (l instanceof data.NumberData && r instanceof data.NumberData) {
    if (Number.isNaN(l.value) || Number.isNaN(r.value)) return undefined;
    return Math.sign(l.value - r.value) || 0;
  }
  if (l instanceof data.StringData && r instanceof data.StringData) {
    const a = upperOrdinal(l.value);
    const b = upperOrdinal(r.value);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (l instanceof data.BooleanData && r instanceof data.BooleanData) return Number(l.value) - Number(r.value);
  return undefined;
}

export function looseEquals(left: ExpressionData, right: ExpressionData): boolean {
  const [l, r] = coerce(left, right);
  if (l instanceof data.Null && r instanceof data.Null) return true;
  if (isCollection(l) || isCollection(r)) return l === r;
  return order(l, r) === 0;
}

export function greaterThan(l: ExpressionData, r: ExpressionData): boolean {
  return order(l, r) === 1;
}

export function lessThan(l: ExpressionData, r: ExpressionData): boolean {
  return order(l, r) === -1;
}

function isCollection(d: ExpressionData): boolean {
  return d instanceof data.Array || d instanceof data.Dictionary;
}
