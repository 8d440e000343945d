// Edits the user makes on the host while a job is paused (stepping, a failed step waiting
// for `r`) reach the job's workspace before the step runs: the files of the working tree
// that changed since the snapshot was taken (tracked, and untracked ones git does not
// ignore; deletions too) are copied in. Files the job changed itself are left alone, and
// so is everything else in the workspace.
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import tar from "tar-stream";
import { processOutput } from "../common/index.js";
import type { JobContainer } from "./job-container.js";

type Fingerprint = { size: number; mtimeMs: number; mode: number };

async function listWorkingTree(repoDir: string): Promise<string[]> {
  const out = await processOutput("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoDir });
  return [...new Set(out.split("\0").filter(Boolean))];
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

export interface SyncChanges {
  changed: string[];
  deleted: string[];
}

export class WorkingTreeSync {
  private constructor(
    private readonly repoDir: string,
    private seen: Map<string, Fingerprint>,
  ) {}

  /** The working tree as the snapshot is about to take it. */
  static async baseline(repoDir: string): Promise<WorkingTreeSync> {
    return new WorkingTreeSync(repoDir, await fingerprints(repoDir, await listWorkingTree(repoDir)));
  }

  /** A job's own view: each job's workspace was unpacked from the same snapshot, and is synced on its own. */
  forJob(): WorkingTreeSync {
    return new WorkingTreeSync(this.repoDir, new Map(this.seen));
  }

  /** What changed on the host since the snapshot (or the last sync). */
  async changes(): Promise<SyncChanges & { now: Map<string, Fingerprint> }> {
    const now = await fingerprints(this.repoDir, await listWorkingTree(this.repoDir));
    const changed: string[] = [];
    for (const [file, f] of now) {
      const before = this.seen.get(file);
      if (!before || before.size !== f.size || before.mtimeMs !== f.mtimeMs || before.mode !== f.mode) changed.push(file);
    }
    const deleted = [...this.seen.keys()].filter((file) => !now.has(file));
    return { changed: changed.sort(), deleted: deleted.sort(), now };
  }

  /**
   * Copies what changed into `workspace` in the container (owned by `owner`) and removes
   * what was deleted; answers what it did, or undefined when nothing had changed.
   */
  async syncInto(container: JobContainer, workspace: string, owner: { uid: number; gid: number }): Promise<SyncChanges | undefined> {
    const { changed, deleted, now } = await this.changes();
    if (!changed.length && !deleted.length) return undefined;
    if (changed.length) {
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
    this.seen = now;
    return { changed, deleted };
  }
}

const listed = (files: readonly string[]): string => `${files.slice(0, 8).join(", ")}${files.length > 8 ? `, +${files.length - 8} more` : ""}`;

/** "synced 2 files from your working tree: src/a.ts, check.sh; removed old.ts" */
export function syncSummary(s: SyncChanges): string {
  const n = s.changed.length;
  const head = n ? `synced ${n} file${n === 1 ? "" : "s"} from your working tree: ${listed(s.changed)}` : "synced your working tree";
  return s.deleted.length ? `${head}; removed ${listed(s.deleted)}` : head;
}
