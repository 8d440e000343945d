import type { Value } from "./model.js";

/**
 * A job's runs-on labels when they are written out (no expression in them): a label, a
 * list of labels, or a group's `labels:` (none: `[]`). undefined when an expression
 * decides them, which only the run knows. No runs-on is ubuntu-latest, as replay runs it.
 */
export function literalLabels(runsOn: Value | undefined): string[] | undefined {
  const v = runsOn ?? "ubuntu-latest";
  const literal = (x: Value): x is string => typeof x === "string" && !x.includes("${{");
  if (literal(v)) return [v];
  if (Array.isArray(v)) return v.every(literal) ? v : undefined;
  if (v !== null && typeof v === "object") {
    const labels = v["labels"];
    if (labels === undefined) return [];
    if (literal(labels)) return [labels];
    if (Array.isArray(labels) && labels.every(literal)) return labels;
  }
  return undefined;
}

/** The systems of GitHub's hosted runners that a Linux container cannot be. */
export type ForeignSystem = "macOS" | "Windows";

/**
 * The first label that names a macOS or Windows runner (`macos-latest`, `windows-2022`,
 * `macos-14-arm64`), with its system; undefined for a Linux (or self-hosted) runner.
 */
export function foreignRunner(labels: readonly string[]): { label: string; system: ForeignSystem } | undefined {
  for (const label of labels) {
    if (/^macos/i.test(label)) return { label, system: "macOS" };
    if (/^windows/i.test(label)) return { label, system: "Windows" };
  }
  return undefined;
}
