import { data } from "@actions/expressions";
import { looseEquals } from "./compare.js";
import { ExpressionEvaluationError } from "./errors.js";
import type { ResolvedStatus } from "./eval-options.js";
import { SecretString, dataToString, fromData, isPrimitive, toData, type ExpressionData } from "./expression-data.js";
import { formatString } from "./format-string.js";
import { fromJsonText } from "./from-json-text.js";
import { toGitHubJson } from "./to-github-json.js";
import { upperOrdinal } from "./upper-ordinal.js";

/** What the functions need from outside the expression. */
export interface FunctionHost {
  status: ResolvedStatus;
  /** The hash for these hashFiles() arguments; may throw. */
  hashFiles(patterns: string[]): string;
}

/** Arguments are evaluated on demand, in the order the runner evaluates them. */
export type ArgAt = (index: number) => ExpressionData;

const bool = (b: boolean): ExpressionData => new data.BooleanData(b);
const str = (s: string): ExpressionData => new data.StringData(s);

/**
 * Call a function by its (case-insensitive) name; the parser has checked the name and arity.
 * A function that fails on a secret's value (fromJSON(secrets.X)) says which secret, never
 * what its value holds: the reader's message would quote the character it stopped at.
 */
export function callFunction(name: string, argCount: number, arg: ArgAt, host: FunctionHost): ExpressionData {
  const sources = new Set<string>();
  const tracked: ArgAt = (i) => {
    const d = arg(i);
    if (d instanceof SecretString) sources.add(d.source);
    return d;
  };
  const from = (): string => [...sources].join(", ");
  let result: ExpressionData;
  try {
    result = callOn(name, argCount, tracked, host);
  } catch (e) {
    if (!(e instanceof ExpressionEvaluationError) || sources.size === 0) throw e;
    throw new ExpressionEvaluationError(`${name}() failed on the value of ${from()} (not shown: it is a secret)`);
  }
  // A string made from a secret is one too, for the functions it is given to next.
  return sources.size > 0 && result instanceof data.StringData && !(result instanceof SecretString) ? new SecretString(result.value, from()) : result;
}

function callOn(name: string, argCount: number, arg: ArgAt, host: FunctionHost): ExpressionData {
  switch (name.toLowerCase()) {
    case "contains":
      return bool(contains(arg));
    case "startswith":
      return bool(comparePrimitives(arg, (a, b) => a.startsWith(b)));
    case "endswith":
      return bool(comparePrimitives(arg, (a, b) => a.endsWith(b)));
    case "format":
      return str(formatString(dataToString(arg(0)), argCount - 1, (i) => dataToString(arg(i + 1))));
    case "join":
      return str(join(argCount, arg));
    case "tojson":
      return str(toGitHubJson(fromData(arg(0))));
    case "fromjson":
      return toData(fromJsonText(dataToString(arg(0))));
    case "case":
      return caseOf(argCount, arg);
    case "success":
      return bool(host.status.success);
    case "failure":
      return bool(host.status.failure);
    case "cancelled":
      return bool(host.status.cancelled);
    case "always":
      return bool(true);
    case "hashfiles":
      return str(host.hashFiles(Array.from({ length: argCount }, (_, i) => dataToString(arg(i)))));
    default:
      throw new ExpressionEvaluationError(`unknown function '${name}'`);
  }
}

function contains(arg: ArgAt): boolean {
  const search = arg(0);
  if (isPrimitive(search)) {
    const item = arg(1);
    return isPrimitive(item) && upperOrdinal(dataToString(search)).includes(upperOrdinal(dataToString(item)));
  }
  if (search instanceof data.Array) {
    const item = arg(1);
    return search.values().some((v) => looseEquals(item, v));
  }
  return false;
}

function comparePrimitives(arg: ArgAt, test: (a: string, b: string) => boolean): boolean {
  const left = arg(0);
  if (!isPrimitive(left)) return false;
  const right = arg(1);
  if (!isPrimitive(right)) return false;
  return test(upperOrdinal(dataToString(left)), upperOrdinal(dataToString(right)));
}

function join(argCount: number, arg: ArgAt): string {
  const items = arg(0);
  if (items instanceof data.Array && items.values().length > 0) {
    const parts = items.values().map(dataToString);
    // The runner reads the separator only when there is something to separate.
    let separator = ",";
    if (parts.length > 1 && argCount > 1) {
      const s = arg(1);
      if (isPrimitive(s)) separator = dataToString(s);
    }
    return parts.join(separator);
  }
  return isPrimitive(items) ? dataToString(items) : "";
}

function caseOf(argCount: number, arg: ArgAt): ExpressionData {
  for (let i = 0; i + 1 < argCount; i += 2) {
    const condition = arg(i);
    if (!(condition instanceof data.BooleanData)) {
      throw new ExpressionEvaluationError(`case: condition ${i / 2 + 1} is not a boolean (true or false)`);
    }
    if (condition.value) return arg(i + 1);
  }
  return arg(argCount - 1);
}
