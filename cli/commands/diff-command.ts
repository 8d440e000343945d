import { ReplayError, caFetch } from "../../common/index.js";
import { diffReplay, ghAuthToken } from "../../history/index.js";
import { EVENTS_VERSION } from "../../runners/index.js";
import type { DiffReplayDeps, DiffReplayOptions, DiffReplayResult, DiffReport, JobDiff, StepDiff } from "../../history/index.js";
import { formatDuration } from "../reporters/format.js";

export interface DiffFlags {
  repo?: string;
  apiUrl?: string;
  ciRun?: number;
  ciSha?: string;
  branch?: string;
  ciExport?: string;
  offline: boolean;
  json: boolean;
}

/** The real world: global fetch, the process's environment, gh, progress on stderr. */
export function defaultDiffDeps(quiet: boolean): DiffReplayDeps {
  return {
    fetch: (url, init) => caFetch(url, init),
    env: process.env,
    gh: ghAuthToken,
    now: () => Date.now(),
    progress: quiet ? () => undefined : (m) => void process.stderr.write(`${m}\n`),
  };
}

export function diffOptions(dir: string, runId: string | undefined, flags: DiffFlags, env: Readonly<Record<string, string | undefined>>): DiffReplayOptions {
  return {
    dir,
    ...(runId === undefined ? {} : { runId }),
    ...(flags.repo === undefined ? {} : { repo: flags.repo }),
    // GITHUB_API_URL is what a GitHub runner (or GHES) sets; a flag wins over it.
    apiUrl: flags.apiUrl ?? env["GITHUB_API_URL"] ?? "https://api.github.com",
    ...(flags.ciRun === undefined ? {} : { ciRun: flags.ciRun }),
    ...(flags.ciSha === undefined ? {} : { ciSha: flags.ciSha }),
    ...(flags.branch === undefined ? {} : { branch: flags.branch }),
    ...(flags.ciExport === undefined ? {} : { ciExport: flags.ciExport }),
    offline: flags.offline,
  };
}

const dur = (ms: number | undefined): string => (ms === undefined ? "" : formatDuration(ms));
const short = (sha: string | undefined): string => (sha ? sha.slice(0, 7) : "?");
const branch = (ref: string | undefined): string => ref?.replace(/^refs\/(heads|tags)\//, "") ?? "?";

function table(rows: string[][], indent: string): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}`.trimEnd());
}

function stepRow(s: StepDiff): string[] {
  // CI's step times have second resolution: under a second shows as "<1s"; a skipped step has none.
  const ciTime = s.ci?.result === "skipped" ? "" : s.ci?.durationMs === 0 ? "<1s" : dur(s.ci?.durationMs);
  const localTime = s.local?.result === "skipped" ? "" : dur(s.local?.durationMs);
  return [s.name, s.ci?.result ?? "—", ciTime, s.local?.result ?? "—", localTime, s.differs ? "differs" : ""];
}

function renderJob(j: JobDiff): string[] {
  const out: string[] = [];
  const ci = j.ci ? `CI ${j.ci.result ?? "?"}${j.ci.durationMs !== undefined ? ` in ${dur(j.ci.durationMs)}` : ""}` : "not on CI";
  const local = j.local ? `replay ${j.local.result ?? "?"}${j.local.durationMs !== undefined ? ` in ${dur(j.local.durationMs)}` : ""}` : "not replayed";
  out.push(`job ${j.name}: ${ci}, ${local}${j.matchedBy && j.matchedBy !== "name" ? ` (matched by ${j.matchedBy})` : ""}`);
  if (j.images.ci.length || j.images.local.length) out.push(`  runner image: CI ${j.images.ci.join(", ") || "?"}, replay ${j.images.local.join(", ") || "?"}`);
  if (j.toolchains.length) {
    out.push("  toolchains:");
    out.push(...table([["", "CI", "replay", ""], ...j.toolchains.map((t) => [t.tool, t.ci.join(", ") || "—", t.local.join(", ") || "—", t.same ? "" : "differs"])], "    "));
  }
  const hits = [...j.cacheHits.ci.map((h) => `CI: ${h}`), ...j.cacheHits.local.map((h) => `replay: ${h}`)];
  if (hits.length) out.push(`  tool cache: ${hits.join("; ")}`);
  if (j.steps.length) {
    out.push("  steps:");
    out.push(...table([["", "CI", "", "replay", "", ""], ...j.steps.map(stepRow)], "    "));
  }
  if (j.setAside.length) out.push(`  set aside (runner bookkeeping, not missing): ${j.setAside.join(", ")}`);
  for (const s of j.steps) {
    if (!s.verdict) continue;
    out.push(`  ${s.verdict}`);
    if (s.log) {
      out.push(`    first differing lines (CI step line ${s.log.ciLine}, replay step line ${s.log.localLine}):`);
      for (const l of s.log.ci) out.push(`      CI:     ${l}`);
      if (!s.log.ci.length) out.push("      CI:     (nothing more)");
      for (const l of s.log.local) out.push(`      replay: ${l}`);
      if (!s.log.local.length) out.push("      replay: (nothing more)");
    } else if (s.logNote) {
      out.push(`    (${s.logNote})`);
    }
  }
  for (const v of j.verdicts) if (!j.steps.some((s) => s.verdict === v)) out.push(`  ${v}`);
  return out;
}

/** A diff report as text for a terminal or a pipe. */
export function renderDiffReport(r: DiffReport): string {
  const out: string[] = [];
  const ciTitle = `${r.ci.workflowName ?? r.ci.workflowPath ?? "workflow"}${r.ci.runNumber !== undefined ? ` #${r.ci.runNumber}` : ""}`;
  out.push(
    `replay ${r.local.runId ?? "?"} (${r.local.event ?? "?"}, ${branch(r.local.ref)} @ ${short(r.local.sha)}, ${r.local.result ?? "?"}) vs CI run ${r.ci.id} ${ciTitle} (${r.ci.event ?? "?"}, ${r.ci.headBranch ?? "?"} @ ${short(r.ci.headSha)}, ${r.ci.conclusion ?? "?"}${r.ci.source === "api" ? "" : `, ${r.ci.source === "stored" ? "kept in .replay/ci" : "exported"}`})`,
  );
  if (r.ci.url) out.push(`  ${r.ci.url}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const j of r.jobs) out.push("", ...renderJob(j));
  if (r.notReplayed.length) out.push("", `not replayed (only on CI): ${r.notReplayed.join(", ")}`);
  out.push("", r.verdicts.length ? `${r.verdicts.length} difference(s):` : "no difference in results between CI and the replay");
  for (const v of r.verdicts) out.push(`  ${v}`);
  return `${out.join("\n")}\n`;
}

export function renderDiff(result: DiffReplayResult): string {
  return result.reports.map(renderDiffReport).join("\n");
}

/**
 * `replay diff [RUN_ID]`: prints the reports; answers the exit status as `diff` and
 * `git diff --exit-code` do: 0 when no difference was found, 1 when one was (2, a diff
 * that could not be made, comes from the error it throws).
 */
export async function diffCommand(o: DiffReplayOptions, deps: DiffReplayDeps, json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const result = await diffReplay(o, deps);
  out.write(json ? `${JSON.stringify({ localRun: result.localRun, reports: result.reports }, null, 2)}\n` : renderDiff(result));
  return result.reports.some((r) => r.verdicts.length > 0) ? 1 : 0;
}

/**
 * `replay job … --diff`: the diff of the replay just made. The replay's exit status
 * stands; a diff that cannot be made is reported on stderr and does not change it.
 * With --json the report is one more line of the stream: `{"type":"diff",…}`.
 */
export async function diffAfterReplay(dir: string, runId: string | undefined, exitCode: number, json: boolean): Promise<number> {
  if (runId === undefined || exitCode === 2) return exitCode;
  try {
    const result = await diffReplay({ dir, runId, apiUrl: process.env["GITHUB_API_URL"] ?? "https://api.github.com" }, defaultDiffDeps(json));
    process.stdout.write(json ? `${JSON.stringify({ type: "diff", version: EVENTS_VERSION, at: new Date().toISOString(), localRun: result.localRun, reports: result.reports })}\n` : `\n${renderDiff(result)}`);
  } catch (e) {
    if (!(e instanceof ReplayError)) throw e;
    process.stderr.write(`error: the diff against CI failed: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
  }
  return exitCode;
}
