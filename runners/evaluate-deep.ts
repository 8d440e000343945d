import { evaluateTemplateAsync, findExpressions } from "../workflows/index.js";
import type { EvalOptions, Value, ValueMap } from "../workflows/index.js";

/** `${{ insert }}` as a key: its value, a mapping, is merged into the mapping that holds it. */
const INSERT = /^\$\{\{\s*insert\s*\}\}$/;

/**
 * Evaluates every expression inside a value (a matrix, a container or service definition).
 * With `keys` (a matrix), mapping keys are templates too, as GitHub reads them there: an
 * expression key is its value's text, and `${{ insert }}: <mapping>` merges the mapping in.
 */
export async function evaluateDeep(v: Value, ctx: EvalOptions, o: { keys?: boolean } = {}): Promise<Value> {
  if (typeof v === "string") return findExpressions(v).length ? evaluateTemplateAsync(v, ctx) : v;
  if (Array.isArray(v)) return Promise.all(v.map((x) => evaluateDeep(x, ctx, o)));
  if (v && typeof v === "object") {
    const out: ValueMap = {};
    for (const [k, x] of Object.entries(v)) {
      const value = await evaluateDeep(x, ctx, o);
      if (o.keys && INSERT.test(k.trim())) {
        if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error(`\`${k}\` must be given a mapping to insert, got ${JSON.stringify(value)}`);
        Object.assign(out, value);
        continue;
      }
      const key = o.keys && findExpressions(k).length ? String(await evaluateTemplateAsync(k, ctx)) : k;
      out[key] = value;
    }
    return out;
  }
  return v;
}
