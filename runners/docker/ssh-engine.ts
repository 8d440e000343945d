import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client, utils } from "ssh2";
import type { AgentAuthMethod, ClientChannel, ConnectConfig, PublicKeyAuthMethod } from "ssh2";
import { checkHostKey, knownHostsName, readKnownHosts } from "./ssh-known-hosts.js";
import type { HostKeyVerdict } from "./ssh-known-hosts.js";

// ssh://user@host[:port] as the docker CLI does it: every connection to the engine is a
// `docker system dial-stdio` run on the far side, its stdin/stdout carrying the API. Here
// one ssh connection carries them all as channels (a second one opens when sshd's
// MaxSessions, 10 by default, would be passed), and a unix socket in a private folder of
// this machine relays to them, so dockerode and the jobs' scoped Docker API speak to it as
// to a local engine. The user's ssh set-up is used as ssh would: the agent (SSH_AUTH_SOCK),
// then ~/.ssh/id_ed25519, id_ecdsa, id_rsa (keys without a passphrase; a key with one is
// used through the agent), and the host key must be in ~/.ssh/known_hosts.

export interface SshTarget {
  host: string;
  port: number;
  username?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const IDENTITY_FILES = ["id_ed25519", "id_ecdsa", "id_rsa"];
/** Channels per ssh connection: below OpenSSH's default MaxSessions (10). */
const CHANNELS_PER_CONNECTION = 8;

export class SshEngineError extends Error {}

/** The ssh2 configuration a user's ssh would use: agent, identity files, known_hosts. */
export function sshConnectConfig(target: SshTarget, env: Env, homeDir: string, onVerdict: (verdict: HostKeyVerdict) => void): ConnectConfig {
  const username = target.username ?? os.userInfo().username;
  const auth: (AgentAuthMethod | PublicKeyAuthMethod)[] = [];
  const agent = env["SSH_AUTH_SOCK"];
  if (agent !== undefined && agent !== "") auth.push({ type: "agent", username, agent });
  for (const name of IDENTITY_FILES) {
    let key: Buffer;
    try {
      key = readFileSync(path.join(homeDir, ".ssh", name));
    } catch {
      continue;
    }
    // A key with a passphrase cannot be asked for here: it is for the agent to hold.
    if (!(utils.parseKey(key) instanceof Error)) auth.push({ type: "publickey", username, key });
  }
  const knownHosts = readKnownHosts([path.join(homeDir, ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"]);
  const name = knownHostsName(target.host, target.port);
  return {
    host: target.host,
    port: target.port,
    username,
    authHandler: auth,
    readyTimeout: 15_000,
    hostVerifier: (key: Buffer) => {
      const verdict = checkHostKey(knownHosts, name, key);
      onVerdict(verdict);
      return verdict === "known";
    },
  };
}

function explain(error: Error, target: SshTarget, verdict: HostKeyVerdict | undefined, homeDir: string): SshEngineError {
  const where = knownHostsName(target.host, target.port);
  const knownHosts = path.join(homeDir, ".ssh", "known_hosts");
  if (verdict === "unknown") return new SshEngineError(`the host key of ${where} is not in ${knownHosts} (add it with \`ssh-keyscan -p ${target.port} ${target.host} >> ${knownHosts}\` after checking it, or connect once with ssh)`);
  if (verdict === "changed") return new SshEngineError(`the host key of ${where} is not the one ${knownHosts} has for it (a changed or impersonated host)`);
  if (verdict === "revoked") return new SshEngineError(`the host key of ${where} is marked @revoked in known_hosts`);
  if (/authentication methods failed/i.test(error.message)) {
    return new SshEngineError(`ssh to ${where} refused every key: SSH_AUTH_SOCK's agent and ${IDENTITY_FILES.map((f) => `~/.ssh/${f}`).join(", ")} (a key with a passphrase works through ssh-agent only)`);
  }
  return new SshEngineError(`ssh to ${where}: ${error.message}`);
}

interface Connection {
  client: Client;
  /**
   * Ours, so that it keeps the process alive only while a channel is opening: once open,
   * the local connection it carries (the client's side of it) holds the process as any
   * request does, and an idle kept-alive one holds nothing.
   */
  sock: net.Socket;
  ready: Promise<void>;
  open: number;
  opening: number;
  closed: boolean;
}

function opening(conn: Connection, delta: number): void {
  conn.opening += delta;
  if (conn.opening > 0) conn.sock.ref();
  else conn.sock.unref();
}

/** Channels to `docker system dial-stdio` on the far side, over as few ssh connections as sshd allows. */
export class SshDialer {
  private readonly connections: Connection[] = [];

  constructor(
    private readonly target: SshTarget,
    private readonly env: Env,
    private readonly homeDir: string,
  ) {}

  private connection(): Connection {
    const reusable = this.connections.find((c) => !c.closed && c.open < CHANNELS_PER_CONNECTION);
    if (reusable) return reusable;
    const client = new Client();
    const sock = net.connect({ host: this.target.host, port: this.target.port });
    let verdict: HostKeyVerdict | undefined;
    const conn: Connection = { client, sock, open: 0, opening: 0, closed: false, ready: Promise.resolve() };
    conn.ready = new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (error) => reject(explain(error, this.target, verdict, this.homeDir)));
    });
    conn.ready.catch(() => undefined);
    client.on("error", () => (conn.closed = true));
    client.on("close", () => {
      conn.closed = true;
      this.connections.splice(this.connections.indexOf(conn), 1);
    });
    client.connect({ ...sshConnectConfig(this.target, this.env, this.homeDir, (v) => (verdict = v)), sock });
    this.connections.push(conn);
    return conn;
  }

  async dial(): Promise<ClientChannel> {
    const conn = this.connection();
    conn.open++;
    opening(conn, 1);
    try {
      await conn.ready;
      const channel = await new Promise<ClientChannel>((resolve, reject) =>
        conn.client.exec("docker system dial-stdio", (error, stream) => (error ? reject(new SshEngineError(`ssh ${knownHostsName(this.target.host, this.target.port)}: docker system dial-stdio: ${error.message}`)) : resolve(stream))),
      );
      channel.once("close", () => conn.open--);
      return channel;
    } catch (error) {
      conn.open--;
      throw error;
    } finally {
      opening(conn, -1);
    }
  }

  close(): void {
    for (const c of [...this.connections]) c.client.end();
  }
}

export interface SshRelay {
  /** A unix socket here that reaches the far engine. */
  socketPath: string;
  /** Resolves once the first channel is open, or rejects with why ssh would not connect. */
  ready: Promise<void>;
  close(): void;
}

/**
 * A unix socket in a folder only this user can enter, each connection to it relayed to
 * its own dial-stdio channel. Neither the socket nor the ssh connection keeps the process
 * alive; the folder goes when the process exits.
 */
export function startSshRelay(target: SshTarget, env: Env, homeDir: string = os.homedir()): SshRelay {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-ssh-"));
  const socketPath = path.join(dir, "docker.sock");
  const dialer = new SshDialer(target, env, homeDir);
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    // The client's end holds the process while it has a request in flight; this end never does.
    socket.unref();
    dialer.dial().then(
      (channel) => {
        socket.pipe(channel);
        channel.pipe(socket);
        channel.on("close", () => socket.destroy());
        socket.on("close", () => channel.close());
        socket.on("error", () => channel.close());
      },
      () => socket.destroy(),
    );
  });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const close = (): void => {
    server.close();
    dialer.close();
    cleanup();
    process.off("exit", cleanup);
  };
  process.on("exit", cleanup);
  server.listen(socketPath);
  server.unref();
  // The first channel proves the connection (and explains a refusal); it is given back at once.
  const ready = dialer.dial().then((channel) => void channel.close());
  ready.catch(() => undefined);
  return { socketPath, ready, close };
}
