import type { Value } from "../model.js";
import { formatGitHubNumber } from "./github-number.js";

/** How GitHub prints a value inside a string (`echo ${{ x }}`, format(), join()). */
export function coerceToString(v: Value): string {
  if (v === null) return "";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return formatGitHubNumber(v);
  if (typeof v === "string") return v;
  return Array.isArray(v) ? "Array" : "Object";
}
