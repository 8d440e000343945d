// Broken variants of a valid workflow, made by editing its text at the positions its YAML
// nodes came from, so that every other line stays as it was: a key misspelt, an
// expression left open, a `needs` on a missing job, an unknown event, a `uses:` without
// its ref. tests/workflow-oracle.test.ts feeds them to replay and to GitHub's parser.
import { isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import type { Node, Pair, Scalar, YAMLMap } from "yaml";

export type MutationKind = "misspelt-key" | "open-expression" | "missing-need" | "unknown-event" | "uses-without-ref";

export interface Mutation {
  kind: MutationKind;
  /** What was changed, for the test's name: `jobs.test.steps → setps`. */
  what: string;
  text: string;
}

const splice = (text: string, start: number, end: number, replacement: string): string => text.slice(0, start) + replacement + text.slice(end);

/** Two letters swapped, the commonest typo: `steps` → `setps`, `if` → `fi`. */
function misspell(key: string): string {
  const i = key.length > 2 ? 1 : 0;
  return key.slice(0, i) + (key[i + 1] ?? "") + (key[i] ?? "") + key.slice(i + 2);
}

const pairs = (m: unknown): Pair<Scalar, Node>[] => (isMap(m) ? (m as YAMLMap<Scalar, Node>).items.filter((p) => isPair(p) && isScalar(p.key)) : []);
const valueOf = (m: unknown, key: string): Node | undefined => pairs(m).find((p) => String(p.key.value) === key)?.value ?? undefined;
const start = (n: Node | null | undefined): number => n?.range?.[0] ?? -1;
const end = (n: Node | null | undefined): number => n?.range?.[1] ?? -1;

/** Every mutation of `text` the generator knows, in file order for each kind. */
export function mutations(text: string): Mutation[] {
  const doc = parseDocument(text, { version: "1.2" });
  const root = doc.contents;
  const out: Mutation[] = [];
  const jobs = pairs(valueOf(root, "jobs"));

  // Keys whose names GitHub fixes (not those a user names: inputs, env, with, services…).
  const rename = (map: unknown, where: string): void => {
    for (const p of pairs(map)) {
      const key = String(p.key.value);
      const typo = misspell(key);
      if (typo === key) continue;
      out.push({ kind: "misspelt-key", what: `${where}${key} → ${typo}`, text: splice(text, start(p.key), end(p.key), typo) });
    }
  };
  rename(root, "");
  for (const job of jobs) {
    const id = String(job.key.value);
    rename(job.value, `jobs.${id}.`);
    rename(valueOf(job.value, "strategy"), `jobs.${id}.strategy.`);
    const steps = valueOf(job.value, "steps");
    if (isSeq(steps)) steps.items.forEach((s, i) => rename(s, `jobs.${id}.steps[${i}].`));
  }
  for (const ev of pairs(valueOf(root, "on"))) rename(ev.value, `on.${String(ev.key.value)}.`);

  // Each `${{` of the file without its `}}`.
  for (let at = text.indexOf("${{"); at >= 0; at = text.indexOf("${{", at + 3)) {
    const close = text.indexOf("}}", at);
    if (close < 0) continue;
    const line = text.slice(0, at).split("\n").length;
    out.push({ kind: "open-expression", what: `line ${line}: ${text.slice(at, close + 2)}`, text: splice(text, close, close + 2, "") });
  }

  for (const job of jobs) {
    const id = String(job.key.value);
    const needs = valueOf(job.value, "needs");
    const first = isSeq(needs) ? (needs.items[0] as Node | undefined) : needs;
    if (first && isScalar(first)) {
      out.push({ kind: "missing-need", what: `jobs.${id}.needs: ${String(first.value)} → missing-job`, text: splice(text, start(first), end(first), "missing-job") });
    } else if (!needs) {
      // A `needs:` line before the job's first key, at its indentation.
      const firstKey = pairs(job.value)[0]?.key;
      if (!firstKey) continue;
      const lineStart = text.lastIndexOf("\n", start(firstKey)) + 1;
      const indent = text.slice(lineStart, start(firstKey));
      out.push({ kind: "missing-need", what: `jobs.${id}.needs: missing-job (added)`, text: splice(text, lineStart, lineStart, `${indent}needs: missing-job\n`) });
    }
  }

  const on = valueOf(root, "on");
  const firstEvent = isMap(on) ? pairs(on)[0]?.key : isSeq(on) ? (on.items[0] as Node | undefined) : on;
  if (firstEvent && isScalar(firstEvent)) {
    out.push({ kind: "unknown-event", what: `on: ${String(firstEvent.value)} → psuh`, text: splice(text, start(firstEvent), end(firstEvent), "psuh") });
  }

  const uses: Scalar[] = [];
  for (const job of jobs) {
    const u = valueOf(job.value, "uses");
    if (isScalar(u)) uses.push(u);
    const steps = valueOf(job.value, "steps");
    if (isSeq(steps)) for (const s of steps.items) if (isScalar(valueOf(s, "uses"))) uses.push(valueOf(s, "uses") as Scalar);
  }
  for (const u of uses) {
    const value = String(u.value);
    const at = value.indexOf("@");
    if (value.startsWith("./") || value.startsWith("docker://") || at < 0) continue;
    out.push({ kind: "uses-without-ref", what: `uses: ${value} → ${value.slice(0, at)}`, text: splice(text, start(u), end(u), value.slice(0, at)) });
  }
  return out;
}
