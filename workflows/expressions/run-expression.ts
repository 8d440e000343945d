import { data } from "@actions/expressions";
import type { Expr } from "@actions/expressions/ast";
import { ReplayError } from "../../common/index.js";
import { ExpressionEvaluationError } from "./errors.js";
import { resolveStatus, type EvalOptions } from "./eval-options.js";
import { GitHubDictionary, secretsToData, toData, type ExpressionData } from "./expression-data.js";
import { GitHubEvaluator } from "./github-evaluator.js";
import { ALL_CONTEXTS } from "./allowed-names.js";

/** Returns the hash for hashFiles() arguments, or throws. */
export type HashLookup = (patterns: string[]) => string;

/** Thrown by the async variants' lookup when a hash is not known yet; never escapes them. */
export class HashFilesNeeded extends Error {
  constructor(readonly patterns: string[]) {
    super("hashFiles() result needed");
  }
}

export const noHashFiles: HashLookup = () => {
  throw new ExpressionEvaluationError("hashFiles() cannot be evaluated here (it needs the job's workspace)");
};

/** Evaluate a parsed expression; every failure comes out as a ReplayError. */
export function runExpression(expr: Expr, o: EvalOptions, hashFiles: HashLookup, source: string): ExpressionData {
  const host = { status: resolveStatus(o.status), hashFiles };
  try {
    return new GitHubEvaluator(expr, contextsToData(o.contexts), host).evaluate();
  } catch (e) {
    if (e instanceof HashFilesNeeded) throw e;
    // Say which expression failed: the message alone ("fromJSON: the input is empty") may not.
    if (e instanceof ExpressionEvaluationError) throw new ExpressionEvaluationError(`${e.message}, in ${quote(source)}`, e);
    if (e instanceof ReplayError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new ExpressionEvaluationError(`cannot evaluate ${quote(source)}: ${reason}`, e);
  }
}

const QUOTE_CHARS = 120;

function quote(source: string): string {
  const s = source.trim();
  return `\${{ ${s.length > QUOTE_CHARS ? `${s.slice(0, QUOTE_CHARS)}…` : s} }}`;
}

function contextsToData(contexts: EvalOptions["contexts"]): GitHubDictionary {
  const dict = new GitHubDictionary();
  for (const name of ALL_CONTEXTS) {
    const v = contexts[name];
    // On Linux runners `env` is a CaseSensitiveDictionaryContextData: env.foo does not find FOO.
    const caseSensitive = name === "env";
    if (v !== undefined) dict.add(name, name === "secrets" ? secretsToData(v) : toData(v, caseSensitive));
    else if (name === "matrix") dict.add(name, new data.Null());
    else dict.add(name, new GitHubDictionary(caseSensitive));
  }
  return dict;
}

/** Run `fn` until every hashFiles() it reaches is known, computing the missing ones with o.hashFiles. */
export async function withHashFiles<T>(o: EvalOptions, fn: (lookup: HashLookup) => T): Promise<T> {
  const known = new Map<string, string>();
  const lookup: HashLookup = (patterns) => {
    const hit = known.get(JSON.stringify(patterns));
    if (hit === undefined) throw new HashFilesNeeded(patterns);
    return hit;
  };
  for (;;) {
    try {
      return fn(lookup);
    } catch (e) {
      if (!(e instanceof HashFilesNeeded)) throw e;
      known.set(JSON.stringify(e.patterns), await computeHash(o, e.patterns));
    }
  }
}

async function computeHash(o: EvalOptions, patterns: string[]): Promise<string> {
  if (!o.hashFiles) return noHashFiles(patterns);
  try {
    return await o.hashFiles(patterns);
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new ExpressionEvaluationError(`hashFiles('${patterns.join(", ")}') failed: ${reason}`, e);
  }
}
