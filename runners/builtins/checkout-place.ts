import { copyFile, link, rm } from "node:fs/promises";
import path from "node:path";
import { SNAPSHOT_STAGING } from "../workspace-snapshot.js";
import type { StepHost } from "../job/step-host.js";

/** The snapshot's archive, linked into the job's runner folder for a checkout that unpacks it again. */
const AGAIN_TAR = "checkout.tar";

/**
 * Puts the repository at `target` (the workspace or a folder in it) as a checkout's clone
 * would: the folder emptied first, as checkout empties a folder that holds no clone of
 * the repository (`clean: false` keeps what is there and writes the repository over it).
 *
 * The first checkout of a job renames the snapshot, unpacked beside the workspace as the
 * container started (SNAPSHOT_STAGING), into place: one `mv` as root, since its folder
 * is root's alone. A later one (a second path, the same path again) unpacks the snapshot
 * once more from its archive. Answers false when it could not (the log says why).
 */
export async function placeSnapshot(host: StepHost, target: string, o: { clean: boolean }): Promise<boolean> {
  const staged = (host.jobState.checkedOut ?? []).length === 0;
  const rel = path.posix.relative(host.workspace, target);
  const ok = staged ? await renameIn(host, target) : await unpackAgain(host, target, o.clean);
  if (ok) (host.jobState.checkedOut ??= []).push(rel);
  return ok;
}

async function renameIn(host: StepHost, target: string): Promise<boolean> {
  const staging = `${host.paths.work}/${SNAPSHOT_STAGING}`;
  // The usual case: an empty workspace, which the rename replaces, by the step agent (no
  // process: under load, starting one cost the job 20-300 ms here), else by `mv -T` (no
  // shell), with nothing to say when it cannot (the way below says what goes wrong).
  if (await host.container.rename?.(staging, target)) return true;
  const quiet = (): undefined => undefined;
  const renamed = await host.container.exec({ cmd: ["mv", "-T", staging, target], env: {}, user: "0", workdir: "/", onStdout: quiet, onStderr: quiet });
  if (renamed === 0) return true;
  // A folder a step made or filled first, a `path:` whose parent is not there yet, an mv
  // without -T (busybox): the parent made as the job's user (so it owns it), the target
  // removed, then the rename.
  if (target !== host.workspace) {
    const made = await host.exec(["mkdir", "-p", path.posix.dirname(target)], { workdir: "/" });
    if (made.exitCode !== 0) return false;
  }
  const moved = await host.exec(["sh", "-c", 'rm -rf "$1" && mv "$0" "$1"', staging, target], { user: "0", workdir: "/" });
  if (moved.exitCode !== 0) host.log(`##[error]replay could not move the repository's snapshot into ${target}`);
  return moved.exitCode === 0;
}

async function unpackAgain(host: StepHost, target: string, clean: boolean): Promise<boolean> {
  const hostTar = path.join(host.hostDir, AGAIN_TAR);
  await link(host.deps.workspaceTar, hostTar).catch(() => copyFile(host.deps.workspaceTar, hostTar));
  try {
    const strip = SNAPSHOT_STAGING.split("/").length;
    const script = `${clean ? 'rm -rf "$1" && ' : ""}mkdir -p "$1" && tar -xf "$0" -C "$1" --strip-components=${strip} "$2"`;
    const r = await host.exec(["sh", "-c", script, `${host.paths.fileCommands}/${AGAIN_TAR}`, target, SNAPSHOT_STAGING], { workdir: "/" });
    if (r.exitCode !== 0) host.log(`##[error]replay could not unpack the repository's snapshot into ${target}`);
    return r.exitCode === 0;
  } finally {
    await rm(hostTar, { force: true });
  }
}
