import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import * as z from "../../common/zod.js";
import { ImageUnavailableError } from "../../common/index.js";
import { MISSING_CATEGORIES, compareEntry, countItems, parseEntry } from "./parity-compare.js";
import type { EntryOutcome, MissingCategory, ParityReference, ParitySection, ReferenceEntry } from "./parity-compare.js";

// images/parity.yml: for each entry of GitHub's software report, how to read its version
// inside an image and why an image may lack it. This file turns the rules into probes
// (one shell script, run once in the image by parity-probe.ts) and the script's answers
// into the comparison.

export const REFERENCE_FILE = "reference/ubuntu-24.04.json";
export const PARITY_FILE = "parity.yml";

const ruleSchema = z.object({
  probe: z.optional(z.string()),
  pattern: z.optional(z.string()),
  toolcache: z.optional(z.string()),
  apt: z.optional(z.union([z.literal(true), z.string()])),
  env: z.optional(z.literal(true)),
  parts: z.optional(z.number()),
  missing: z.optional(z.enum(MISSING_CATEGORIES)),
  note: z.optional(z.string()),
});
export type ParityRule = z.infer<typeof ruleSchema>;

const specSchema = z.object({ sections: z.record(z.string(), z.record(z.string(), ruleSchema)) });
export type ParitySpec = z.infer<typeof specSchema>;

const referenceSchema = z.object({
  image: z.string(),
  imageVersion: z.string(),
  source: z.string(),
  sections: z.record(z.string(), z.array(z.string())),
});

async function readYamlOrJson<T>(file: string, schema: z.ZodMiniType<T>, json: boolean): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ImageUnavailableError(`cannot read ${file}`, { hint: "reinstall replay: the file ships in its images/ folder", cause });
  }
  const parsed = schema.safeParse(json ? JSON.parse(text) : parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new ImageUnavailableError(`${file} is malformed:\n${problems}`, { hint: "see the comment at the top of images/parity.yml", cause: parsed.error });
  }
  return parsed.data;
}

export function readParitySpec(imagesDir: string): Promise<ParitySpec> {
  return readYamlOrJson(path.join(imagesDir, PARITY_FILE), specSchema, false);
}

export function readParityReference(imagesDir: string): Promise<ParityReference> {
  return readYamlOrJson(path.join(imagesDir, REFERENCE_FILE), referenceSchema, true);
}

/** The rule for an entry: by its name, else the section's "*"; undefined when neither. */
export function ruleFor(spec: ParitySpec, entry: ReferenceEntry): ParityRule | undefined {
  const section = spec.sections[entry.section];
  return section?.[entry.name] ?? section?.["*"];
}

const fill = (text: string, entry: ReferenceEntry): string => text.split("{name}").join(entry.name);

/** The shell command that answers for an entry (its output is parsed by `versionsFrom`). */
export function probeCommand(rule: ParityRule, entry: ReferenceEntry): string | undefined {
  if (rule.probe !== undefined) return fill(rule.probe, entry);
  if (rule.toolcache !== undefined) {
    const dir = `"$RUNNER_TOOL_CACHE"/${shellWord(rule.toolcache)}`;
    return `found=; for d in ${dir}/*/x64.complete; do [ -e "$d" ] && found=1 && basename "$(dirname "$d")"; done; [ -n "$found" ]`;
  }
  if (rule.apt !== undefined) {
    const pkg = shellWord(rule.apt === true ? entry.name : rule.apt);
    return `dpkg-query -W -f '\${db:Status-Abbrev} \${Version}\\n' ${pkg} 2>/dev/null | sed -n 's/^ii  *//p' | grep .`;
  }
  if (rule.env === true) return `[ -n "\${${entry.name}+set}" ]`;
  return undefined;
}

const shellWord = (s: string): string => (/^[A-Za-z0-9._+/-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** The versions a probe's output names: every line's first number, or `pattern`'s group 1. */
export function versionsFrom(rule: ParityRule, output: string): string[] {
  const pattern = rule.pattern === undefined ? undefined : new RegExp(rule.pattern);
  const multi = rule.toolcache !== undefined;
  const lines = multi ? output.split("\n") : [output];
  const out: string[] = [];
  for (const line of lines) {
    const m = pattern ? pattern.exec(line)?.[1] : /\d+(?:\.\d+)+/.exec(line.replace(/^\d+:/, ""))?.[0] ?? /\d+/.exec(line)?.[0];
    if (m !== undefined && !out.includes(m)) out.push(m);
  }
  return out;
}

/** What a probe answered: its exit status and output; undefined when it was not run. */
export type ProbeAnswer = { exitCode: number; output: string } | undefined;

export interface PlannedEntry {
  entry: ReferenceEntry;
  rule: ParityRule | undefined;
  command: string | undefined;
}

/** Every reference entry with its rule and probe, in the reference's order. */
export function planParity(reference: ParityReference, spec: ParitySpec): PlannedEntry[] {
  return Object.entries(reference.sections).flatMap(([section, texts]) =>
    texts.map((text) => {
      const entry = parseEntry(section, text);
      const rule = ruleFor(spec, entry);
      return { entry, rule, command: rule === undefined ? undefined : probeCommand(rule, entry) };
    }),
  );
}

export function outcomeOf(planned: PlannedEntry, answer: ProbeAnswer): EntryOutcome {
  const rule = planned.rule;
  const reason = rule?.missing === undefined ? undefined : { category: rule.missing, note: fill(rule.note ?? "", planned.entry) };
  const base = { parts: rule?.parts ?? 1, ...(reason ? { reason } : {}) };
  if (rule === undefined) return { ...base, found: undefined, reason: { category: "not-installed" satisfies MissingCategory, note: "images/parity.yml has no rule for it" } };
  if (answer === undefined || answer.exitCode !== 0) return { ...base, found: undefined };
  const found = rule.env === true ? [] : versionsFrom(rule, answer.output);
  if (rule.env !== true && found.length === 0) return { ...base, found: undefined };
  return { ...base, found };
}

/** The comparison, per section, from the probes' answers (keyed by the plan's index). */
export function paritySections(plan: readonly PlannedEntry[], answers: ReadonlyMap<number, ProbeAnswer>): ParitySection[] {
  const sections = new Map<string, ParitySection>();
  plan.forEach((planned, index) => {
    const item = compareEntry(planned.entry, outcomeOf(planned, answers.get(index)));
    // A rule's note says why a present tool differs, unless it is the reason for a missing one.
    const note = planned.rule?.missing === undefined ? planned.rule?.note : undefined;
    if (item.status !== "missing" && note !== undefined) item.note = fill(note, planned.entry);
    const section = sections.get(planned.entry.section) ?? { name: planned.entry.section, counts: { same: 0, other: 0, missing: 0 }, items: [] };
    section.items.push(item);
    sections.set(planned.entry.section, section);
  });
  return [...sections.values()].map((s) => ({ ...s, counts: countItems(s.items) }));
}
