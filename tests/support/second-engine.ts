// A second Docker engine on this machine that shares no filesystem with replay, standing
// in for a remote one: dockerd in its own mount namespace with a private tmpfs on /tmp
// (so none of the client's temporary folders exist for it), its own data root, exec root,
// pid file and bridge, listening on tcp://127.0.0.1:<port>. Stopped, and everything it
// made removed, by `stop()`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface SecondEngine {
  /** tcp://127.0.0.1:<port> */
  host: string;
  /** `docker` CLI arguments aimed at this engine. */
  docker(args: string[]): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startSecondEngine(): Promise<SecondEngine> {
  // Outside /tmp: the engine's own /tmp is a tmpfs, and its roots must outlive that view.
  const root = mkdtempSync("/var/tmp/replay-engine2-");
  const port = await freePort();
  const bridge = `rpl${port}`;
  const subnet = 200 + (port % 50);
  execFileSync("ip", ["link", "add", bridge, "type", "bridge"]);
  execFileSync("ip", ["addr", "add", `10.${subnet}.${port % 250}.1/24`, "dev", bridge]);
  execFileSync("ip", ["link", "set", bridge, "up"]);
  const pidFile = path.join(root, "dockerd.pid");
  const script = path.join(root, "start.sh");
  writeFileSync(
    script,
    [
      "mount -t tmpfs tmpfs /tmp",
      `exec dockerd --data-root ${root}/data --exec-root ${root}/exec --pidfile ${pidFile} -H tcp://127.0.0.1:${port} --bridge ${bridge} --iptables=false`,
    ].join("\n"),
  );
  const child = spawn("unshare", ["-m", "--propagation", "private", "sh", script], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (log = (log + d).slice(-4000)));
  const host = `tcp://127.0.0.1:${port}`;
  const docker = (args: string[]): string => execFileSync("docker", args, { encoding: "utf8", env: { ...process.env, DOCKER_HOST: host, DOCKER_CONTEXT: "" } });
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)), sleep(20_000)]);
    try {
      const pid = Number(readFileSync(pidFile, "utf8"));
      if (pid > 0) process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
    execFileSync("ip", ["link", "del", bridge]);
    rmSync(root, { recursive: true, force: true });
  };
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      docker(["version", "--format", "{{.Server.Version}}"]);
      return { host, docker, stop };
    } catch {
      if (Date.now() > until || child.exitCode !== null) {
        await stop();
        throw new Error(`the second engine did not start:\n${log}`);
      }
      await sleep(250);
    }
  }
}
