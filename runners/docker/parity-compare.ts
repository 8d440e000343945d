import { assertNever } from "../../common/index.js";

// `replay images parity`: how an image compares with GitHub's published software list
// (images/reference/). Pure: the reference's entries are parsed here, the versions found
// in the image come from parity-probe.ts, and the rules for both from images/parity.yml.

/** GitHub's software report: section title to its entries, as published. */
export interface ParityReference {
  image: string;
  imageVersion: string;
  source: string;
  sections: Record<string, string[]>;
}

/** One entry of the reference, split into what it names and the versions it lists. */
export interface ReferenceEntry {
  section: string;
  /** `Clang`, `GNU C++`, `JAVA_HOME_17_X64`; for a tool-cache section, the version itself. */
  name: string;
  /** The entry as published. */
  text: string;
  versions: string[];
}

/** Why an image lacks what GitHub's has. */
export const MISSING_CATEGORIES = ["not-in-debian", "not-obtainable", "out-of-scope", "not-installed", "other-image"] as const;
export type MissingCategory = (typeof MISSING_CATEGORIES)[number];

export type ParityStatus = "same" | "other" | "missing";

export interface ParityItem {
  name: string;
  reference: string;
  referenceVersions: string[];
  status: ParityStatus;
  /** The versions found in the image (empty when missing). */
  found: string[];
  reason?: { category: MissingCategory; note: string };
  /** Why a present tool differs from GitHub's (Debian's yq is another program). */
  note?: string;
}

export interface ParityCounts {
  same: number;
  other: number;
  missing: number;
}

export interface ParitySection {
  name: string;
  counts: ParityCounts;
  items: ParityItem[];
}

const VERSION = /\d+(?:\.\d+)*/;
/** Where an entry's name ends: a version, a path, or a parenthesis holding a number. */
const NAME_END = /\s(?:v?\d|\/|\((?=[^)]*\d))/;

/**
 * An entry's name and versions: `Clang: 16.0.6, 17.0.6` is Clang with two versions,
 * `bison 2:3.8.2+dfsg-1build2` is bison 3.8.2 (the epoch dropped), `AzCopy 10.32.7 -
 * available by …` is AzCopy 10.32.7, `CONDA /usr/share/miniconda` is CONDA. An entry that
 * starts with its version (the tool-cache sections: `22.23.2`, `8.0.502+7 JAVA_HOME_8_X64`)
 * is named by the environment variable it names, else by the version.
 */
export function parseEntry(section: string, text: string): ReferenceEntry {
  const flat = text.replace(/<br>/g, " ").trim();
  if (/^v?\d/.test(flat)) {
    const version = versionOf(flat.split(/\s+/)[0] ?? "");
    const envVar = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.exec(flat)?.[0];
    return { section, name: envVar ?? version ?? flat, text, versions: version === undefined ? [] : [version] };
  }
  const end = NAME_END.exec(flat);
  const name = (end === null ? flat : flat.slice(0, end.index)).replace(/:$/, "");
  const versions: string[] = [];
  if (end !== null && !flat.slice(end.index).trimStart().startsWith("/")) {
    for (const token of flat.slice(end.index).split(/[\s,]+/)) {
      if (token === "-" || token.startsWith("(")) break;
      const v = versionOf(token);
      if (v !== undefined) versions.push(v);
    }
  }
  return { section, name, text, versions };
}

/** `2:3.8.2+dfsg-1` → `3.8.2`, `v20.1.0` → `20.1.0`, `5.2.21(1)-release` → `5.2.21`. */
export function versionOf(text: string): string | undefined {
  return VERSION.exec(text.replace(/^v/, "").replace(/^\d+:/, ""))?.[0];
}

/**
 * Two versions are the same release line when their first `parts` components agree;
 * a 0.x version is compared on two (0.13 and 0.36 are different lines).
 */
export function sameLine(a: string, b: string, parts = 1): boolean {
  const pa = a.split(".");
  const pb = b.split(".");
  const n = pa[0] === "0" || pb[0] === "0" ? Math.max(parts, 2) : parts;
  for (let i = 0; i < n; i++) if ((pa[i] ?? "0") !== (pb[i] ?? "0")) return false;
  return true;
}

/** What the rules say about one entry, and what the probe found in the image. */
export interface EntryOutcome {
  /** The versions found; undefined when the image does not have it. */
  found: string[] | undefined;
  /** Components that make a release line (Python 3.12: 2). */
  parts: number;
  /** Why it may be missing. */
  reason?: { category: MissingCategory; note: string };
}

export function compareEntry(entry: ReferenceEntry, outcome: EntryOutcome): ParityItem {
  const base = { name: entry.name, reference: entry.text, referenceVersions: entry.versions };
  const found = outcome.found;
  if (found === undefined) {
    const reason = outcome.reason ?? { category: "not-installed" as const, note: "no reason recorded in images/parity.yml" };
    return { ...base, status: "missing", found: [], reason };
  }
  const refs = entry.versions;
  const same = refs.length === 0 || found.some((f) => refs.some((r) => sameLine(f, r, outcome.parts)));
  return { ...base, status: same ? "same" : "other", found };
}

export function countItems(items: readonly ParityItem[]): ParityCounts {
  const counts: ParityCounts = { same: 0, other: 0, missing: 0 };
  for (const i of items) {
    switch (i.status) {
      case "same":
        counts.same++;
        break;
      case "other":
        counts.other++;
        break;
      case "missing":
        counts.missing++;
        break;
      default:
        assertNever(i.status);
    }
  }
  return counts;
}

export function totalCounts(sections: readonly ParitySection[]): ParityCounts {
  return countItems(sections.flatMap((s) => s.items));
}
