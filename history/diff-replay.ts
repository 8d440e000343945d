// `replay diff` without the terminal: find the recorded replay, get the CI run to set
// beside it (an export folder, the copy in .replay/ci/, or the API), and diff them. The
// CLI prints the reports; the TUI's diff pane can call this too.
import path from "node:path";
import { NotFoundError, UsageError } from "../common/index.js";
import { hostOf, parseRemote, readRepoInfo } from "../runners/index.js";
import { loadWorkflows } from "../workflows/index.js";
import type { Workflow } from "../workflows/index.js";
import { readCiExport } from "./ci-export.js";
import { ciRunFromApi } from "./ci-run.js";
import type { ApiRun, CiRun } from "./ci-run.js";
import { listStoredCiRuns, loadStoredCiRun, saveCiRun } from "./ci-store.js";
import { GitHubApiError, GitHubClient } from "./github-client.js";
import type { FetchFn, RepoRef } from "./github-client.js";
import { resolveGitHubToken } from "./github-token.js";
import type { GhTokenCommand } from "./github-token.js";
import { diffRuns } from "./run-diff.js";
import type { DiffReport } from "./run-diff.js";
import { readRunRecord } from "./run-reader.js";
import type { LocalRun } from "./run-reader.js";
import { stepScripts } from "./step-markers.js";

export interface DiffReplayOptions {
  /** Any folder inside the repository. */
  dir: string;
  /** The recorded replay; the newest when undefined. */
  runId?: string;
  /** owner/name; from the origin remote when undefined. */
  repo?: string;
  apiUrl: string;
  /** Compare with this CI run. */
  ciRun?: number;
  /** Compare with the newest completed run for this commit. */
  ciSha?: string;
  /** The branch whose newest run is compared with (default: the replay's). */
  branch?: string;
  /** A folder with `gh run view --json jobs` output and logs, instead of the API. */
  ciExport?: string;
  /** Only runs kept in .replay/ci/: no network. */
  offline?: boolean;
}

export interface DiffReplayDeps {
  fetch: FetchFn;
  env: Readonly<Record<string, string | undefined>>;
  gh: GhTokenCommand;
  now?: () => number;
  /** Progress for the user (fetching…); not part of the report. */
  progress?: (message: string) => void;
}

export interface DiffReplayResult {
  localRun: string;
  reports: DiffReport[];
}

function parseRepo(s: string): RepoRef {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(s.trim());
  if (!m?.[1] || !m[2]) throw new UsageError(`--repo ${s}: not owner/name`, "for example --repo octo-org/octo-repo");
  return { owner: m[1], name: m[2] };
}

const basename = (file: string): string => path.posix.basename(file);
const branchOf = (ref: string | undefined): string | undefined => (ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined);

/** Up to `limit` promises at once, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

class CiSource {
  private client: GitHubClient | undefined;

  constructor(
    private readonly o: DiffReplayOptions,
    private readonly deps: DiffReplayDeps,
    private readonly repoDir: string,
    private readonly remoteUrl: string | undefined,
  ) {}

  private repo(): RepoRef {
    if (this.o.repo !== undefined) return parseRepo(this.o.repo);
    // A GHES API (https://ghe.example.com/api/v3) names its server's host; api.github.com is github.com's.
    const apiHost = hostOf(this.o.apiUrl);
    const fromRemote = this.remoteUrl ? parseRemote(this.remoteUrl, apiHost && apiHost !== "api.github.com" ? [apiHost] : []) : undefined;
    if (!fromRemote) {
      throw new UsageError(
        this.remoteUrl
          ? `the origin remote ${this.remoteUrl} is not a repository on GitHub${apiHost && apiHost !== "api.github.com" ? ` or on ${apiHost}` : ""}, so replay does not guess which repository's CI to compare with`
          : "cannot tell which GitHub repository to compare with: this repository has no origin remote",
        "pass --repo owner/name (the GitHub repository whose Actions runs to compare with)",
      );
    }
    return fromRemote;
  }

  private async api(): Promise<GitHubClient> {
    if (!this.client) {
      const found = await resolveGitHubToken(this.deps.env, this.o.apiUrl, this.deps.gh);
      this.client = new GitHubClient({
        apiUrl: this.o.apiUrl,
        fetch: this.deps.fetch,
        ...(found ? { token: found.token, tokenSource: found.source } : {}),
        ...(this.deps.now ? { now: this.deps.now } : {}),
      });
    }
    return this.client;
  }

  /** Jobs and logs of a run found through the API; kept in .replay/ci/ for next time. */
  private async fetchRun(repo: RepoRef, run: ApiRun): Promise<CiRun> {
    const client = await this.api();
    this.deps.progress?.(`fetching CI run ${run.id} (${run.name ?? run.path ?? "?"} #${run.run_number ?? "?"}, ${run.conclusion ?? run.status ?? "?"}) of ${repo.owner}/${repo.name}`);
    const jobs = await client.jobs(repo, run.id);
    const ciRun = ciRunFromApi(run, jobs, "api");
    ciRun.jobs = await mapLimit(ciRun.jobs, 4, async (job) => {
      if (job.status !== "completed") return job;
      try {
        return { ...job, log: await client.jobLog(repo, job.id) };
      } catch (e) {
        // An expired or deleted log leaves the job comparable by results.
        if (e instanceof GitHubApiError && (e.status === 404 || e.status === 410)) return job;
        throw e;
      }
    });
    await saveCiRun(this.repoDir, ciRun);
    return ciRun;
  }

  /** The CI run to compare a replay of `workflowFile` with. */
  async runFor(workflowFile: string, local: LocalRun): Promise<CiRun> {
    const o = this.o;
    if (o.ciRun !== undefined) {
      const stored = await loadStoredCiRun(this.repoDir, o.ciRun);
      if (stored) return stored;
      if (o.offline) throw new NotFoundError(`CI run ${o.ciRun} is not kept in .replay/ci/`, { hint: "diff once without --offline to fetch it" });
      const repo = this.repo();
      const run = await (await this.api()).run(repo, o.ciRun);
      return this.fetchRun(repo, run);
    }
    const branch = o.branch ?? branchOf(local.meta.ref);
    const matches = (r: CiRun): boolean =>
      (r.workflowPath === undefined || r.workflowPath === workflowFile) &&
      (o.ciSha ? (r.headSha ?? "").startsWith(o.ciSha) : branch === undefined || r.headBranch === branch);
    if (o.offline) {
      const stored = (await listStoredCiRuns(this.repoDir)).find(matches);
      if (stored) return stored;
      throw new NotFoundError(`no CI run of ${workflowFile} ${o.ciSha ? `for commit ${o.ciSha}` : `on ${branch ?? "any branch"}`} is kept in .replay/ci/`, {
        hint: "diff once without --offline to fetch it, or name a kept run with --ci-run ID",
      });
    }
    const repo = this.repo();
    const client = await this.api();
    const q = { workflowFile: basename(workflowFile), ...(o.ciSha ? { sha: o.ciSha } : branch ? { branch } : {}) };
    const run = await client.latestCompletedRun(repo, q);
    if (!run) {
      throw new NotFoundError(`${repo.owner}/${repo.name} has no completed run of ${basename(workflowFile)} ${o.ciSha ? `for commit ${o.ciSha}` : branch ? `on branch ${branch}` : ""}`.trimEnd(), {
        hint: o.ciSha ? "push the commit and let CI finish, or pick a run with --ci-run ID" : "push the branch and let CI finish, pick another with --branch, or a run with --ci-run ID",
      });
    }
    // The same run (and attempt) fetched before is not fetched again.
    const stored = await loadStoredCiRun(this.repoDir, run.id);
    if (stored && stored.runAttempt === run.run_attempt && stored.conclusion === (run.conclusion ?? undefined)) return stored;
    return this.fetchRun(repo, run);
  }
}

/** Diffs a recorded replay against CI: one report per workflow the replay ran. */
export async function diffReplay(o: DiffReplayOptions, deps: DiffReplayDeps): Promise<DiffReplayResult> {
  const repoInfo = await readRepoInfo(o.dir);
  const local = await readRunRecord(repoInfo.dir, o.runId);
  const workflows: Workflow[] = await loadWorkflows(repoInfo.dir).then((l) => l.workflows).catch(() => []);
  const scripts = (file: string, jobId: string): ReturnType<typeof stepScripts> => stepScripts(workflows, file, jobId);

  const files = [...new Set([...local.meta.workflows, ...local.meta.jobs.map((j) => j.workflow)])];
  if (files.length === 0 || local.meta.jobs.length === 0) {
    throw new NotFoundError(`replay ${local.id} ran no job`, { hint: "diff a replay that ran (`replay diff RUN_ID`; the ids are the folders of .replay/runs/)" });
  }

  if (o.ciExport !== undefined) {
    const ci = await readCiExport(o.ciExport);
    const file = files.find((f) => ci.workflowPath === f) ?? (files.length === 1 ? files[0] : undefined);
    if (file === undefined) {
      throw new UsageError(`the replay ran ${files.length} workflows and the export does not say which one it is`, `add workflowName to the export, or replay one workflow (--workflow ${files[0] ?? "FILE"})`);
    }
    return { localRun: local.id, reports: [diffRuns({ local, ci, workflowFile: file, scripts })] };
  }

  const source = new CiSource(o, deps, repoInfo.dir, repoInfo.remoteUrl);
  const reports: DiffReport[] = [];
  if (o.ciRun !== undefined) {
    const ci = await source.runFor(files[0] ?? "", local);
    const file = files.find((f) => ci.workflowPath === f) ?? (files.length === 1 ? files[0] : undefined);
    if (file === undefined) throw new UsageError(`CI run ${ci.id} is of ${ci.workflowPath ?? "another workflow"}, which replay ${local.id} did not run`, `replay ${ci.workflowPath ?? "that workflow"} first, or diff another run`);
    reports.push(diffRuns({ local, ci, workflowFile: file, scripts }));
  } else {
    for (const file of files) reports.push(diffRuns({ local, ci: await source.runFor(file, local), workflowFile: file, scripts }));
  }
  return { localRun: local.id, reports };
}
