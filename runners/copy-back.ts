// Copying back: the files the jobs changed in their checkouts (read before their
// containers went), and what bringing them into the working tree does. A file is written
// (or removed) only where the working tree still has it as it went into the job; where
// the user changed it on the host meanwhile, it is a conflict, named and left alone.
import type { Stats } from "node:fs";
import { chmod, chown, lstat, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Fingerprint } from "./job-workspace-changes.js";

export interface CapturedFile {
  content: Buffer;
  executable: boolean;
  /** The host file as it went into the job; undefined for a file the job added. */
  base: Fingerprint | undefined;
}

/** What one job changed in its checkout. */
export interface CapturedJob {
  job: string;
  files: Map<string, CapturedFile>;
  /** Files it deleted, with their fingerprints as they went in. */
  deleted: Map<string, Fingerprint>;
}

export interface CopyBackPlan {
  write: { path: string; kind: "changed" | "added"; content: Buffer; executable: boolean }[];
  remove: string[];
  /** Left alone, and why. */
  conflicts: { path: string; why: string }[];
  /** Jobs whose changes could not be read, and why. */
  problems: string[];
  /** How many jobs changed what is listed (for "the job" or "the jobs"). */
  jobs: number;
}

/** At most 8 names, then how many more. */
export const listed = (files: readonly string[]): string => `${files.slice(0, 8).join(", ")}${files.length > 8 ? `, +${files.length - 8} more` : ""}`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

const sameFingerprint = (a: Fingerprint, st: Stats): boolean => a.size === st.size && a.mtimeMs === st.mtimeMs && a.mode === st.mode;

/** Whether `rel` names a file inside the working tree, not in .git, reached through no symlinked folder. */
async function safePath(repoDir: string, rel: string): Promise<boolean> {
  const parts = rel.split("/");
  if (path.posix.isAbsolute(rel) || parts.some((p) => p === "" || p === "." || p === ".." || p === ".git")) return false;
  for (let i = 1; i < parts.length; i++) {
    const st = await lstat(path.join(repoDir, ...parts.slice(0, i))).catch(() => undefined);
    if (!st) return true;
    if (!st.isDirectory()) return false;
  }
  return true;
}

type Change = { job: string; file?: CapturedFile; base?: Fingerprint };

const sameChange = (a: Change, b: Change): boolean =>
  a.file === undefined ? b.file === undefined : b.file !== undefined && a.file.executable === b.file.executable && a.file.content.equals(b.file.content);

export class CopyBack {
  private repoDir: string | undefined;
  private readonly jobs: CapturedJob[] = [];
  private readonly problems: string[] = [];

  /** The working tree the jobs' checkouts came from (the sync's baseline). */
  attach(repoDir: string): void {
    this.repoDir = repoDir;
  }

  add(job: CapturedJob): void {
    if (job.files.size || job.deleted.size) this.jobs.push(job);
  }

  failed(job: string, why: string): void {
    this.problems.push(`what job ${job} changed could not be read: ${why}`);
  }

  /** A line to show with the plan. */
  note(line: string): void {
    this.problems.push(line);
  }

  /** What copying back would do now, against the working tree as it is. */
  async plan(): Promise<CopyBackPlan> {
    const plan: CopyBackPlan = { write: [], remove: [], conflicts: [], problems: [...this.problems], jobs: this.jobs.length };
    const repoDir = this.repoDir;
    if (!repoDir) return plan;
    const byPath = new Map<string, Change[]>();
    for (const job of this.jobs) {
      const add = (file: string, c: Change): void => void byPath.set(file, [...(byPath.get(file) ?? []), c]);
      for (const [file, f] of job.files) add(file, { job: job.job, file: f, ...(f.base ? { base: f.base } : {}) });
      for (const [file, base] of job.deleted) add(file, { job: job.job, base });
    }
    for (const [file, changes] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const [first] = changes;
      if (!first) continue;
      const other = changes.find((c) => !sameChange(c, first));
      if (other) {
        plan.conflicts.push({ path: file, why: `jobs ${first.job} and ${other.job} changed it differently` });
        continue;
      }
      if (!(await safePath(repoDir, file))) {
        plan.conflicts.push({ path: file, why: "it is not a file replay may write in your working tree" });
        continue;
      }
      const abs = path.join(repoDir, file);
      const host = await lstat(abs).catch(() => undefined);
      if (host && !host.isFile()) {
        plan.conflicts.push({ path: file, why: "it is not a plain file in your working tree" });
        continue;
      }
      const unchangedOnHost = first.base ? host !== undefined && sameFingerprint(first.base, host) : host === undefined;
      const f = first.file;
      if (f === undefined) {
        if (!host) continue;
        if (unchangedOnHost) plan.remove.push(file);
        else plan.conflicts.push({ path: file, why: "the job deleted it, and you changed it since the replay started" });
        continue;
      }
      // Already as the job left it (the same edit on both sides, or synced in).
      if (host && ((host.mode & 0o100) !== 0) === f.executable && (await readFile(abs)).equals(f.content)) continue;
      if (unchangedOnHost) plan.write.push({ path: file, kind: first.base ? "changed" : "added", content: f.content, executable: f.executable });
      else plan.conflicts.push({ path: file, why: first.base ? "you changed it too since the replay started" : "your working tree has a file there the job never had" });
    }
    return plan;
  }

  /** Writes and removes what `plan` says: the user's files keep their owner and mode, the job's executable bit aside. */
  async apply(plan: CopyBackPlan): Promise<void> {
    const repoDir = this.repoDir;
    if (!repoDir) return;
    // Replay run as root (sudo) leaves new files to the working tree's owner, not root.
    const root = await stat(repoDir);
    const owner = process.getuid?.() === 0 ? { uid: root.uid, gid: root.gid } : undefined;
    for (const w of plan.write) {
      const abs = path.join(repoDir, w.path);
      const made = await mkdir(path.dirname(abs), { recursive: true });
      if (owner && made) for (let d = path.dirname(abs); d.length >= made.length; d = path.dirname(d)) await chown(d, owner.uid, owner.gid);
      const existing = await lstat(abs).catch(() => undefined);
      // A new file gets the user's umask; an existing one keeps its mode, but for the executable bit (which git tracks).
      await writeFile(abs, w.content, existing ? {} : { mode: w.executable ? 0o777 : 0o666 });
      if (existing) {
        const mode = existing.mode & 0o7777;
        const want = w.executable ? mode | ((mode & 0o444) >> 2) : mode & ~0o111;
        if (want !== mode) await chmod(abs, want);
      } else if (owner) await chown(abs, owner.uid, owner.gid);
    }
    for (const file of plan.remove) await rm(path.join(repoDir, file), { force: true });
  }
}

/** "copy 2 files the job changed back to your working tree? src/a.ts, check.sh [y/N] " */
export function copyBackQuestion(plan: CopyBackPlan): string {
  const who = plan.jobs > 1 ? "the jobs" : "the job";
  const { write, remove } = plan;
  const files = write.map((w) => w.path);
  const head = write.length
    ? `copy ${plural(write.length, "file")} ${who} changed back to your working tree${remove.length ? `, and delete ${plural(remove.length, "file")} ${who} deleted` : ""}`
    : `delete ${plural(remove.length, "file")} ${who} deleted from your working tree`;
  const names = [files.length ? listed(files) : "", remove.length ? `${write.length ? "delete " : ""}${listed(remove)}` : ""].filter(Boolean).join("; ");
  return `${head}? ${names} [y/N] `;
}

/** The lines to show before asking (or copying): what could not be read, and the conflicts left alone. */
export function copyBackNotes(plan: CopyBackPlan): string[] {
  const shown = plan.conflicts.slice(0, 8).map((c) => `not copied back: ${c.path} (${c.why})`);
  const more = plan.conflicts.length > 8 ? [`not copied back: ${plan.conflicts.length - 8} more files left alone`] : [];
  return [...plan.problems, ...shown, ...more];
}

/** "copied 2 files into your working tree: src/a.ts, check.sh; deleted old.ts" */
export function copyBackDone(plan: CopyBackPlan): string {
  const files = plan.write.map((w) => w.path);
  const head = files.length ? `copied ${plural(files.length, "file")} into your working tree: ${listed(files)}` : "";
  const removed = plan.remove.length ? `deleted ${listed(plan.remove)}` : "";
  return [head, removed].filter(Boolean).join("; ");
}
