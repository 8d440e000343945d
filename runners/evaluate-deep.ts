import { evaluateTemplateAsync, findExpressions } from "../workflows/index.js";
import type { EvalOptions, Value, ValueMap } from "../workflows/index.js";

/** Evaluates every expression inside a value (a matrix, a container or service definition). */
export async function evaluateDeep(v: Value, ctx: EvalOptions): Promise<Value> {
  if (typeof v === "string") return findExpressions(v).length ? evaluateTemplateAsync(v, ctx) : v;
  if (Array.isArray(v)) return Promise.all(v.map((x) => evaluateDeep(x, ctx)));
  if (v && typeof v === "object") {
    const out: ValueMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = await evaluateDeep(x, ctx);
    return out;
  }
  return v;
}
