// A fetched CI run is kept in `.replay/ci/<run-id>/` (run.json and logs/<job-id>.txt) so
// that a diff can be redone offline, and so that a second diff does not fetch it again.
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { NotFoundError } from "../common/index.js";
import type { CiJob, CiRun } from "./ci-run.js";

export function ciDir(repoDir: string): string {
  return path.join(repoDir, ".replay", "ci");
}

export async function saveCiRun(repoDir: string, run: CiRun): Promise<string> {
  const dir = path.join(ciDir(repoDir), String(run.id));
  await mkdir(path.join(dir, "logs"), { recursive: true });
  // Keep replay's records out of the user's `git status` (as RunRecorder does).
  await writeFile(path.join(repoDir, ".replay", ".gitignore"), "*\n");
  const jobs = run.jobs.map(({ log, ...job }) => ({ ...job, hasLog: log !== undefined }));
  for (const j of run.jobs) if (j.log !== undefined) await writeFile(path.join(dir, "logs", `${j.id}.txt`), j.log);
  await writeFile(path.join(dir, "run.json"), `${JSON.stringify({ ...run, jobs }, null, 2)}\n`);
  return dir;
}

type StoredJob = Omit<CiJob, "log"> & { hasLog?: boolean };

export async function loadStoredCiRun(repoDir: string, runId: number): Promise<CiRun | undefined> {
  const dir = path.join(ciDir(repoDir), String(runId));
  const text = await readFile(path.join(dir, "run.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let stored: Omit<CiRun, "jobs"> & { jobs: StoredJob[] };
  try {
    stored = JSON.parse(text) as typeof stored;
  } catch (cause) {
    throw new NotFoundError(`${path.join(dir, "run.json")} is damaged`, { hint: `remove ${dir} and diff again to fetch the run anew`, cause });
  }
  const jobs: CiJob[] = [];
  for (const { hasLog, ...job } of stored.jobs) {
    const log = hasLog ? await readFile(path.join(dir, "logs", `${job.id}.txt`), "utf8").catch(() => undefined) : undefined;
    jobs.push(log === undefined ? job : { ...job, log });
  }
  return { ...stored, source: "stored", jobs };
}

/** Every stored run, newest first. */
export async function listStoredCiRuns(repoDir: string): Promise<CiRun[]> {
  const entries = await readdir(ciDir(repoDir)).catch(() => [] as string[]);
  const runs: CiRun[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const run = await loadStoredCiRun(repoDir, Number(e)).catch(() => undefined);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "") || b.id - a.id);
}
