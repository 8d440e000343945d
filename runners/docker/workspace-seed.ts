import { existsSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * The job's workspace, unpacked by the container's own start script from a bind-mounted
 * folder instead of through the engine's archive API: a `putArchive` is a round trip in
 * which the daemon mounts the container's file system (70–100 ms a job here, more while
 * other jobs start), where `tar -x` in the container costs a few milliseconds.
 *
 * The archive is hard-linked into the job's runner folder (nothing is copied). The script
 * unpacks it as root, with the archive's numeric owners (the runner user, as putArchive
 * gives), and writes `workspace.status`; the caller removes the link and the markers
 * (each process the script starts, `rm`, `mv`, costs ~5 ms of the job's start here).
 * Whatever it cannot do (no root, no tar, a tar without --numeric-owner) says `failed`,
 * and the caller uses putArchive.
 *
 * The container starts before the archive is written (writing it takes 10 ms for a small
 * repository, 300 ms for one of 1,500 files; the container's start 350 ms): the script
 * waits for the archive's link, or for `workspace.none` when the caller will not give it.
 */
export const SEED_TAR = "workspace.tar";
const STATUS = "workspace.status";
/** Written by the start script as it begins: the container sees the folder the engine wrote. */
const BUSY = "workspace.busy";
/** Written by the caller instead of the archive: stop waiting, putArchive comes. */
const NONE = "workspace.none";
/** How long the script waits for the archive, at most (then it says `failed`). */
const WAIT_STEPS = 6000;
/**
 * With neither file this long after the start, the container does not see the engine's
 * folder (a daemon in a VM that does not share it, say): putArchive instead.
 */
const SHARED_WITHIN_MS = 5000;

/**
 * Shell lines for the start script; `$0` is the runner folder, `$1` where the workspace
 * goes. The wait polls every 10 ms (a `sleep` without fractions sleeps a second instead).
 */
export function seedLines(): string[] {
  return [
    `: > "$0/${BUSY}"; n=0`,
    `while [ ! -f "$0/${SEED_TAR}" ] && [ ! -f "$0/${NONE}" ] && [ $n -lt ${WAIT_STEPS} ]; do n=$((n+1)); sleep 0.01 2>/dev/null || sleep 1; done`,
    `if [ -f "$0/${SEED_TAR}" ] && [ "$(id -u 2>/dev/null)" = 0 ] && { [ -d "$1" ] || mkdir -p "$1"; } && tar --numeric-owner -xf "$0/${SEED_TAR}" -C "$1" >/dev/null 2>&1; then s=ok; else s=failed; fi`,
    // One write of a few bytes: the caller reads it once it is whole (not empty).
    `echo "$s" > "$0/${STATUS}"`,
  ];
}

/**
 * Puts the archive where the start script finds it once `ready` settles; false when it
 * cannot (another file system), after telling the script to stop waiting. Rejects as
 * `ready` does (the archive could not be written), also telling the script.
 */
export async function stageSeed(hostDir: string, tar: string, ready: Promise<void> = Promise.resolve()): Promise<boolean> {
  const none = (): Promise<void> => writeFile(path.join(hostDir, NONE), "").catch(() => undefined);
  try {
    await ready;
  } catch (e) {
    await none();
    throw e;
  }
  try {
    await link(tar, path.join(hostDir, SEED_TAR));
    return true;
  } catch {
    await none();
    return false;
  }
}

/**
 * Waits for the start script's verdict: `ok`, or `failed` (also when the container stops
 * first, or when it shows no sign of seeing the folder within SHARED_WITHIN_MS). Told by
 * inotify when the status file appears (a small workspace takes ~10 ms), with a poll every
 * 50 ms behind it and the container's state checked every second.
 */
export async function seedResult(hostDir: string, running: () => Promise<boolean>, sharedWithinMs = SHARED_WITHIN_MS): Promise<"ok" | "failed"> {
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
      const status = (await readFile(statusFile, "utf8").catch(() => "")).trim();
      if (status !== "") {
        await Promise.all([STATUS, BUSY, NONE, SEED_TAR].map((f) => rm(path.join(hostDir, f), { force: true })));
        return status === "ok" ? "ok" : "failed";
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
        if (Date.now() - t0 > sharedWithinMs && !existsSync(path.join(hostDir, BUSY))) return await giveUp();
      }
    }
  } finally {
    watcher?.close();
  }
}
