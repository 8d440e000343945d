// Edits the user makes on the host while a job is paused (stepping, a failed step waiting
// for `r`) reach the job's workspace before the step runs: the files of the working tree
// that changed since the snapshot was taken (tracked, and untracked ones git does not
// ignore; deletions too) are copied in. Files the job changed itself are left alone, and
// so is everything else in the workspace. The other way, what the job changed in its
// checkout is read out as the job ends, for copying back (copy-back.ts).
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import tar from "tar-stream";
import { processOutput } from "../common/index.js";
import { listed } from "./copy-back.js";
import type { CapturedFile, CopyBack } from "./copy-back.js";
import type { JobContainer } from "./job-container.js";
import { changesSince, readJobFiles, readJobListing } from "./job-workspace-changes.js";
import type { Fingerprint } from "./job-workspace-changes.js";

/** The working tree's files git does not ignore, and which of them are tracked (the snapshot takes only those). */
async function listWorkingTree(repoDir: string): Promise<{ files: string[]; tracked: Set<string> }> {
  const out = await processOutput("git", ["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard"], { cwd: repoDir });
  const tracked = new Set<string>();
  const files = new Set<string>();
  for (const entry of out.split("\0")) {
    if (entry.length < 3) continue;
    const file = entry.slice(2);
    files.add(file);
    if (!entry.startsWith("? ")) tracked.add(file);
  }
  return { files: [...files], tracked };
}

async function fingerprints(repoDir: string, files: readonly string[]): Promise<Map<string, Fingerprint>> {
  const out = new Map<string, Fingerprint>();
  await Promise.all(
    files.map(async (file) => {
      const st = await lstat(path.join(repoDir, file)).catch(() => undefined);
      // Only plain files: a submodule's folder or a symlink's target is not the file.
      if (st?.isFile()) out.set(file, { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode });
    }),
  );
  return out;
}

/** A changed file bigger than this is not read out of the job for copying back. */
const COPY_BACK_MAX_BYTES = 50 * 1024 * 1024;

export interface SyncChanges {
  changed: string[];
  deleted: string[];
}

export interface TreeSyncOptions {
  /** Host edits go into paused jobs (false with --no-sync, or with nobody to pause them). */
  syncIn?: boolean;
  /** Where what the jobs changed goes, as each ends (replay debug's copy-back, --copy-back). */
  copyBack?: CopyBack;
}

export class WorkingTreeSync {
  /** Whom the checkout's files belong to in the job's container, once asked. */
  private owner: Promise<{ uid: number; gid: number }> | undefined;

  private constructor(
    private readonly repoDir: string,
    private seen: Map<string, Fingerprint>,
    /** The files in the job's checkout as replay put them there: the snapshot's, then those synced in. */
    private readonly inJob: Set<string>,
    private readonly o: TreeSyncOptions,
  ) {}

  /** The working tree as the snapshot is about to take it. */
  static async baseline(repoDir: string, o: TreeSyncOptions = { syncIn: true }): Promise<WorkingTreeSync> {
    const { files, tracked } = await listWorkingTree(repoDir);
    const seen = await fingerprints(repoDir, files);
    o.copyBack?.attach(repoDir);
    return new WorkingTreeSync(repoDir, seen, new Set([...tracked].filter((f) => seen.has(f))), o);
  }

  /** A job's own view: each job's workspace was unpacked from the same snapshot, and is synced on its own. */
  forJob(): WorkingTreeSync {
    return new WorkingTreeSync(this.repoDir, new Map(this.seen), new Set(this.inJob), this.o);
  }

  /** What changed on the host since the snapshot (or the last sync). */
  async changes(): Promise<SyncChanges & { now: Map<string, Fingerprint> }> {
    const now = await fingerprints(this.repoDir, (await listWorkingTree(this.repoDir)).files);
    const changed: string[] = [];
    for (const [file, f] of now) {
      const before = this.seen.get(file);
      if (!before || before.size !== f.size || before.mtimeMs !== f.mtimeMs || before.mode !== f.mode) changed.push(file);
    }
    const deleted = [...this.seen.keys()].filter((file) => !now.has(file));
    return { changed: changed.sort(), deleted: deleted.sort(), now };
  }

  /**
   * Copies what changed into `workspace` in the container, owned as the checkout's folder
   * there is (the runner user, 1001, as the snapshot made it), and removes what was
   * deleted; answers what it did, or undefined when nothing had changed.
   */
  async syncInto(container: JobContainer, workspace: string): Promise<SyncChanges | undefined> {
    if (this.o.syncIn === false) return undefined;
    const { changed, deleted, now } = await this.changes();
    if (!changed.length && !deleted.length) return undefined;
    if (changed.length) {
      const owner = await (this.owner ??= ownerOf(container, workspace));
      const pack = tar.pack();
      for (const file of changed) {
        const f = now.get(file);
        const content = await readFile(path.join(this.repoDir, file));
        pack.entry({ name: file, size: content.length, mode: (f?.mode ?? 0o644) & 0o7777, uid: owner.uid, gid: owner.gid, mtime: new Date(f?.mtimeMs ?? Date.now()) }, content);
      }
      pack.finalize();
      await container.copyIn(pack, workspace);
    }
    if (deleted.length) {
      const code = await container.exec({
        cmd: ["rm", "-f", "--", ...deleted.map((file) => path.posix.join(workspace, file))],
        env: {},
        user: "root",
        onStdout: () => undefined,
        onStderr: () => undefined,
      });
      if (code !== 0) throw new Error(`removing ${deleted.length} deleted file(s) from the job's workspace failed (exit ${code})`);
    }
    for (const file of changed) this.inJob.add(file);
    for (const file of deleted) this.inJob.delete(file);
    this.seen = now;
    return { changed, deleted };
  }

  /**
   * As the job ends, before its container goes: reads what it changed in its checkout at
   * `workspace` (against what went in) for copying back. Never throws: a job whose changes
   * cannot be read is named with why.
   */
  async jobEnded(container: JobContainer, workspace: string, job: string): Promise<void> {
    const copyBack = this.o.copyBack;
    if (!copyBack) return;
    try {
      const listing = await readJobListing(container, workspace);
      const { changed, added, deleted } = changesSince(this.seen, this.inJob, listing);
      const wanted = [...changed, ...added].filter((f) => (listing.files.get(f)?.size ?? 0) <= COPY_BACK_MAX_BYTES);
      const contents = await readJobFiles(container, workspace, wanted);
      const files = new Map<string, CapturedFile>();
      for (const [file, content] of contents) {
        files.set(file, { content, executable: listing.files.get(file)?.executable ?? false, base: this.inJob.has(file) ? this.seen.get(file) : undefined });
      }
      const gone = new Map(deleted.flatMap((f) => { const b = this.seen.get(f); return b ? [[f, b] as const] : []; }));
      copyBack.add({ job, files, deleted: gone });
      const big = [...changed, ...added].length - wanted.length;
      if (big) copyBack.note(`not copied back: ${big} file(s) job ${job} changed, each over ${COPY_BACK_MAX_BYTES / 1024 / 1024} MB`);
    } catch (e) {
      copyBack.failed(job, e instanceof Error ? e.message : String(e));
    }
  }
}

/** The owner of `dir` in the container; the runner user's when it cannot be asked. */
async function ownerOf(container: JobContainer, dir: string): Promise<{ uid: number; gid: number }> {
  let out = "";
  const code = await container
    .exec({ cmd: ["stat", "-c", "%u %g", dir], env: {}, user: "0", onStdout: (b) => (out += b.toString()), onStderr: () => undefined })
    .catch(() => 1);
  const [uid, gid] = out.trim().split(" ").map(Number);
  return code === 0 && Number.isInteger(uid) && Number.isInteger(gid) ? { uid: uid ?? 1001, gid: gid ?? 1001 } : { uid: 1001, gid: 1001 };
}

/** "synced 2 files from your working tree: src/a.ts, check.sh; removed old.ts" */
export function syncSummary(s: SyncChanges): string {
  const n = s.changed.length;
  const head = n ? `synced ${n} file${n === 1 ? "" : "s"} from your working tree: ${listed(s.changed)}` : "synced your working tree";
  return s.deleted.length ? `${head}; removed ${listed(s.deleted)}` : head;
}
