import { existsSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { link, readFile, rm } from "node:fs/promises";
import path from "node:path";

/**
 * The job's workspace, unpacked by the container's own start script from a bind-mounted
 * folder instead of through the engine's archive API: a `putArchive` is a round trip in
 * which the daemon mounts the container's file system (70–100 ms a job here, more while
 * other jobs start), where `tar -x` in the container costs a few milliseconds.
 *
 * The archive is hard-linked into the job's runner folder (nothing is copied). The script
 * unpacks it as root, with the archive's numeric owners (the runner user, as putArchive
 * gives), removes the link and writes `workspace.status`. Whatever it cannot do (no root,
 * no tar, a tar without --numeric-owner) says `failed`, and the caller uses putArchive.
 */
export const SEED_TAR = "workspace.tar";
const STATUS = "workspace.status";
/** Written by the start script as it begins: the container sees the folder the engine wrote. */
const BUSY = "workspace.busy";
/**
 * With neither file this long after the start, the container does not see the engine's
 * folder (a daemon in a VM that does not share it, say): putArchive instead.
 */
const SHARED_WITHIN_MS = 5000;

/** Shell lines for the start script; `$0` is the runner folder, `$1` where the workspace goes. */
export function seedLines(): string[] {
  return [
    `if [ -f "$0/${SEED_TAR}" ]; then`,
    `  : > "$0/${BUSY}"`,
    `  if [ "$(id -u 2>/dev/null)" = 0 ] && mkdir -p "$1" && tar --numeric-owner -xf "$0/${SEED_TAR}" -C "$1" >/dev/null 2>&1; then s=ok; else s=failed; fi`,
    `  rm -f "$0/${SEED_TAR}"; echo "$s" > "$0/.${STATUS}" && mv "$0/.${STATUS}" "$0/${STATUS}"; rm -f "$0/${BUSY}"`,
    `fi`,
  ];
}

/** Puts the archive where the start script finds it; false when it cannot (another file system). */
export async function stageSeed(hostDir: string, tar: string): Promise<boolean> {
  try {
    await link(tar, path.join(hostDir, SEED_TAR));
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for the start script's verdict: `ok`, or `failed` (also when the container stops
 * first, or when it shows no sign of seeing the folder within SHARED_WITHIN_MS). Told by
 * inotify when the status file appears (a small workspace takes ~10 ms), with a poll every
 * 50 ms behind it and the container's state checked every second.
 */
export async function seedResult(hostDir: string, running: () => Promise<boolean>): Promise<"ok" | "failed"> {
  const statusFile = path.join(hostDir, STATUS);
  let wake: () => void = () => undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(hostDir, (_event, name) => name === STATUS && wake());
    watcher.on("error", () => undefined);
  } catch {
    // no inotify here: the poll alone
  }
  const t0 = Date.now();
  const giveUp = async (): Promise<"failed"> => {
    await rm(path.join(hostDir, SEED_TAR), { force: true });
    return "failed";
  };
  try {
    let sinceCheck = 0;
    for (;;) {
      const status = await readFile(statusFile, "utf8").catch(() => undefined);
      if (status !== undefined) {
        await Promise.all([rm(statusFile, { force: true }), rm(path.join(hostDir, BUSY), { force: true })]);
        return status.trim() === "ok" ? "ok" : "failed";
      }
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      sinceCheck += Date.now() - started;
      if (sinceCheck >= 1000) {
        sinceCheck = 0;
        if (!(await running().catch(() => false))) return await giveUp();
        if (Date.now() - t0 > SHARED_WITHIN_MS && !existsSync(path.join(hostDir, BUSY))) return await giveUp();
      }
    }
  } finally {
    watcher?.close();
  }
}
