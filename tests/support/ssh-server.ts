// Debian's sshd on 127.0.0.1:<free port> with a host key, config and authorized key of its
// own, in front of this machine's engine: `ssh://root@127.0.0.1:<port>` then reaches it as
// a remote one would be reached. A home folder with the user's side (the key in
// ~/.ssh/id_ed25519, the host key in ~/.ssh/known_hosts) goes with it. `stop()` ends sshd
// (and an ssh-agent started for it) and removes every file.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./second-engine.js";

export interface SshServer {
  port: number;
  /** ssh://root@127.0.0.1:<port> */
  dockerHost: string;
  /** A HOME whose .ssh has the client key (id_ed25519) and the server's key in known_hosts. */
  home: string;
  /** A HOME whose .ssh knows the host but has no key: only an agent can log in. */
  homeWithoutKey: string;
  /** A HOME whose .ssh has the key but does not know the host. */
  homeWithoutKnownHost: string;
  /** How many logins sshd has accepted so far. */
  logins(): number;
  /** Starts an ssh-agent holding the client key; its SSH_AUTH_SOCK. */
  agent(): Promise<string>;
  /** Kills sshd and every session it has open, as a machine that goes away would (stop() still cleans up). */
  cut(): void;
  stop(): Promise<void>;
}

function sshHome(root: string, name: string, files: Record<string, string>): string {
  const home = path.join(root, name);
  mkdirSync(path.join(home, ".ssh"), { recursive: true, mode: 0o700 });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(home, ".ssh", file), text, { mode: 0o600 });
  return home;
}

export async function startSshServer(): Promise<SshServer> {
  const root = mkdtempSync("/var/tmp/replay-sshd-");
  const port = await freePort();
  const keygen = (file: string): void => void execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "replay-test", "-f", file]);
  keygen(path.join(root, "host_key"));
  keygen(path.join(root, "client_key"));
  writeFileSync(path.join(root, "authorized_keys"), readFileSync(path.join(root, "client_key.pub")));
  const config = path.join(root, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${root}/host_key`,
      `PidFile ${root}/sshd.pid`,
      `AuthorizedKeysFile ${root}/authorized_keys`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "",
    ].join("\n"),
  );
  // sshd wants its privilege-separation folder; made here only when missing, and then removed.
  const privsep = "/run/sshd";
  const madePrivsep = !existsSync(privsep);
  if (madePrivsep) mkdirSync(privsep, { mode: 0o755 });
  const child = spawn("/usr/sbin/sshd", ["-f", config, "-D", "-e"], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  let logins = 0;
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    logins += d.match(/Accepted publickey/g)?.length ?? 0;
    log = (log + d).slice(-4000);
  });
  const agents: { pid: number }[] = [];
  const stop = async (): Promise<void> => {
    for (const a of agents) {
      try {
        process.kill(a.pid, "SIGTERM");
      } catch {
        // gone already
      }
    }
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await Promise.race([new Promise((resolve) => child.once("exit", resolve)), sleep(10_000)]);
    }
    rmSync(root, { recursive: true, force: true });
    if (madePrivsep) rmSync(privsep, { recursive: true, force: true });
  };
  const cut = (): void => {
    if (child.pid === undefined || child.exitCode !== null) return;
    // The sessions are sshd's children: killed first, then the listener.
    spawnSync("pkill", ["-KILL", "-P", String(child.pid)]);
    child.kill("SIGKILL");
  };
  const hostLine = `[127.0.0.1]:${port} ${readFileSync(path.join(root, "host_key.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`;
  const clientKey = readFileSync(path.join(root, "client_key"), "utf8");
  const home = sshHome(root, "home", { id_ed25519: clientKey, known_hosts: hostLine });
  const homeWithoutKey = sshHome(root, "home-agent", { known_hosts: hostLine });
  const homeWithoutKnownHost = sshHome(root, "home-stranger", { id_ed25519: clientKey });
  const agent = async (): Promise<string> => {
    const sock = path.join(root, `agent-${agents.length}.sock`);
    const out = execFileSync("ssh-agent", ["-a", sock, "-s"], { encoding: "utf8" });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
    agents.push({ pid });
    execFileSync("ssh-add", ["-q", path.join(root, "client_key")], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "ignore" });
    return sock;
  };
  const until = Date.now() + 20_000;
  for (;;) {
    const answers = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (answers) return { port, dockerHost: `ssh://root@127.0.0.1:${port}`, home, homeWithoutKey, homeWithoutKnownHost, logins: () => logins, agent, cut, stop };
    if (Date.now() > until || child.exitCode !== null) {
      await stop();
      throw new Error(`sshd did not start:\n${log}`);
    }
    await sleep(100);
  }
}
