// Podman's Docker-compatible socket, started by the test: `podman system service` on a
// socket in a folder of its own, with its own storage (--root/--runroot there, so no other
// session's Podman state is touched) and a containers.conf with no default ulimits (its
// default open-files limit is above this machine's hard limit). `stop()` ends it, removes
// what it ran, and deletes the folder.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface PodmanService {
  /** unix://<folder>/podman.sock */
  host: string;
  /** `docker` CLI arguments aimed at this engine (Podman's API is Docker's). */
  docker(args: string[]): string;
  /** Sends images of this machine's Docker engine to Podman (`docker save | load`). */
  sendImages(tags: readonly string[]): void;
  stop(): Promise<void>;
}

export async function startPodmanService(): Promise<PodmanService> {
  const root = mkdtempSync("/var/tmp/replay-podman-");
  writeFileSync(path.join(root, "containers.conf"), "[containers]\ndefault_ulimits = []\n");
  const socket = path.join(root, "podman.sock");
  const host = `unix://${socket}`;
  const storage = ["--root", path.join(root, "storage"), "--runroot", path.join(root, "run")];
  const env = { ...process.env, CONTAINERS_CONF: path.join(root, "containers.conf") };
  const child = spawn("podman", [...storage, "system", "service", "--time=0", host], { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  const docker = (args: string[]): string => execFileSync("docker", args, { encoding: "utf8", env: { ...process.env, DOCKER_HOST: host, DOCKER_CONTEXT: "" } });
  const podman = (args: string[]): void => void execFileSync("podman", [...storage, ...args], { env, stdio: "ignore" });
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)), sleep(15_000)]);
    // What the service ran, in its own storage only.
    for (const args of [["rm", "-af"], ["volume", "rm", "-af"]]) {
      try {
        podman(args);
      } catch {
        // nothing there
      }
    }
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n").reverse()) {
      const where = line.split(" ")[1];
      if (where?.startsWith(root)) execFileSync("umount", ["-l", where]);
    }
    rmSync(root, { recursive: true, force: true });
  };
  const sendImages = (tags: readonly string[]): void => {
    for (const tag of tags) execFileSync("sh", ["-c", `docker save "$1" | DOCKER_HOST="$2" docker load -q`, "sh", tag, host], { stdio: "ignore", env: { ...process.env, DOCKER_CONTEXT: "" } });
  };
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      docker(["version", "--format", "{{.Server.Version}}"]);
      return { host, docker, sendImages, stop };
    } catch {
      if (Date.now() > until || child.exitCode !== null) {
        await stop();
        throw new Error(`the Podman service did not start:\n${log}`);
      }
      await sleep(250);
    }
  }
}
