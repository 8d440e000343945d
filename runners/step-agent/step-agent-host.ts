import { existsSync } from "node:fs";
import { copyFile, link, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { ExecRequest } from "../job-container.js";
import { stepAgentMain } from "./agent-main.js";

/** Files of the agent in the job's runner folder (bind-mounted into the container). */
export const AGENT_SCRIPT = "step-agent.cjs";
/** The native agent (agent.c), when replay's build made one: tried before the script. */
export const NATIVE_AGENT = "replay-agent";
export const AGENT_SOCKET = "step-agent.sock";
/** Written once the agent's files are in the folder and its socket listens: the start script waits for it. */
export const AGENT_READY = "step-agent.ready";
/** Written by the start script when the image has no node: no agent will come. */
export const NO_AGENT = "step-agent.none";
/** How long the first step waits for an agent that is starting, at most. */
const CONNECT_WAIT_MS = 2000;

const START = 1;
const SIGNAL = 2;
const STDOUT = 1;
const STDERR = 2;
const EXIT = 3;
const HAND_BACK = 4;
const SIGNALLED = 5;
const RENAME = 3;
const RENAMED = 6;
/** How long a signal's or a rename's answer may take before the caller goes another way. */
const ANSWER_WAIT_MS = 1000;

/** A frame as the agent reads it: type (1 byte), request id (4), payload length (4), payload. */
function frame(type: number, id: number, body: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(id, 1);
  head.writeUInt32BE(body.length, 5);
  return Buffer.concat([head, body]);
}

interface Running {
  request: ExecRequest;
  resolve: (code: number | undefined) => void;
}

/**
 * The engine's end of the step agent (see agent-main.ts): listens on a Unix socket in
 * the job's runner folder, takes the agent's one connection, and runs processes through
 * it. `run` answers undefined when the agent hands a request back or is not there (yet:
 * an image without node never has one); the caller then uses `docker exec`.
 */
export class StepAgentHost {
  private socket: net.Socket | undefined;
  private nextId = 1;
  private readonly running = new Map<number, Running>();
  /** Signals and renames asked for, by request id: what their answer settles. */
  private readonly asking = new Map<number, (ok: boolean) => void>();
  private closing = false;
  private markConnected: () => void = () => undefined;
  /** Settles when the agent has connected (it may never: an image without node). */
  readonly connected = new Promise<void>((resolve) => (this.markConnected = resolve));
  /** Whether the container sets no HOME of its own (Docker then gives each user theirs). */
  defaultHome = false;
  private arrival: Promise<void> | undefined;

  private constructor(
    private readonly hostDir: string,
    private readonly server: net.Server,
    /** Whether the native agent is in the folder, to be tried first. */
    private readonly native: boolean,
  ) {
    server.on("connection", (socket) => {
      // One agent per job; nobody else (a step's process can see this folder) gets in.
      if (this.socket || this.closing) return socket.destroy();
      this.socket = socket;
      server.close();
      void rm(path.join(hostDir, AGENT_SOCKET), { force: true });
      this.attach(socket);
      this.markConnected();
    });
  }

  /**
   * Writes the agent into `hostDir` and listens for it there: the script for the
   * container's node, and the native agent built at `native` when there is one (linked,
   * or copied when the folders are on two file systems).
   */
  static async listen(hostDir: string, native?: string): Promise<StepAgentHost> {
    const script = writeFile(path.join(hostDir, AGENT_SCRIPT), `"use strict";\n(${stepAgentMain.toString()})(require, process.argv[2], process.argv[3], process.argv[4]);\n`);
    const staged =
      native === undefined
        ? Promise.resolve(false)
        : link(native, path.join(hostDir, NATIVE_AGENT))
            .catch(() => copyFile(native, path.join(hostDir, NATIVE_AGENT)))
            .then(
              () => true,
              () => false,
            );
    const [, withNative] = await Promise.all([script, staged]);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path.join(hostDir, AGENT_SOCKET), () => resolve());
    });
    await writeFile(path.join(hostDir, AGENT_READY), "");
    return new StepAgentHost(hostDir, server, withNative);
  }

  /**
   * The start script's line that starts the agent in the background (`$0`: the agent's
   * folder): the native one when it is there, else (or when it cannot run here: an engine
   * on another architecture than replay's build, a folder mounted noexec) the script, by
   * the container's node, with NODE_EXTRA_CA_CERTS emptied and its value passed on
   * (agent-main.ts).
   */
  startLine(): string {
    return StepAgentHost.startLine(this.native);
  }

  /**
   * The start line before the agent's files are staged: with `native`, the native agent
   * is tried first (and the script run when it is not there after all).
   */
  static startLine(native: boolean): string {
    // An agent that cannot start or connect (a node too old for it, a user who cannot use
    // the socket) exits non-zero and says so the same way as an image without node.
    // A container the CLI's entry started (common/prestart.ts) runs this before replay
    // has put the agent in the folder: the agent is started once replay says it is there.
    const wait = `n=0; while [ ! -f "$0/${AGENT_READY}" ] && [ $n -lt 3000 ]; do n=$((n+1)); sleep 0.01 2>/dev/null || sleep 1; done; `;
    const script = `if command -v node >/dev/null 2>&1; then NODE_EXTRA_CA_CERTS= node "$0/${AGENT_SCRIPT}" "$0/${AGENT_SOCKET}" "\${NODE_EXTRA_CA_CERTS+set}" "\${NODE_EXTRA_CA_CERTS-}" </dev/null >/dev/null 2>&1 || : > "$0/${NO_AGENT}"; else : > "$0/${NO_AGENT}"; fi`;
    if (!native) return `{ ${wait}${script}; } &`;
    // The shell answers 126 or 127 for a program it cannot run; the agent itself exits 0
    // (its job ended) or 1 (it could not connect), or is killed (by a step, say).
    return `{ ${wait}"$0/${NATIVE_AGENT}" "$0/${AGENT_SOCKET}" </dev/null >/dev/null 2>&1; case $? in 0) ;; 126|127) ${script} ;; *) : > "$0/${NO_AGENT}" ;; esac; } &`;
  }

  /** Runs a process through the agent: its exit code, or undefined to use docker exec. */
  async run(request: ExecRequest): Promise<number | undefined> {
    // Not connected yet (node still starting in the container, ~50 ms): the first steps
    // wait for it rather than ask the daemon for an exec, which costs more and loads
    // the engine every other job is starting through.
    if (!this.socket) await this.arrived();
    const socket = this.socket;
    if (!socket || socket.destroyed) return undefined;
    // NUL-terminated fields (agent.c): no argument or variable can hold a NUL; one that
    // does goes to docker exec, which refuses it.
    const fields = [
      this.defaultHome ? "1" : "0",
      request.user ?? "",
      request.workdir ?? "",
      String(request.cmd.length),
      ...request.cmd,
      ...Object.entries(request.env).map(([name, value]) => `${name}=${value}`),
    ];
    if (fields.some((f) => f.includes("\0"))) return undefined;
    const body = Buffer.from(fields.map((f) => `${f}\0`).join(""));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.running.set(id, { request, resolve });
      socket.write(frame(START, id, body));
    });
  }

  /**
   * Has the agent send `signal` to `pid` in the container (1: its init, which stops the
   * container as `docker kill` does): true once the agent has it in hand (it may signal
   * that process, and does once its answer is out); false when it may not (not root, no
   * such process), is not connected, or does not answer within a second.
   */
  signal(pid: number, signal: NodeJS.Signals): Promise<boolean> {
    return this.ask(SIGNAL, `${pid}\0${signal}\0`);
  }

  /**
   * Has the agent rename `from` to `to` in the container (rename(2), as the agent's user:
   * an empty folder at `to` is replaced), without a process: true once it did; false when
   * it could not (not allowed, not there, `to` not empty) or is not there.
   */
  async rename(from: string, to: string): Promise<boolean> {
    // The first step may come before the agent (as run() waits for it).
    if (!this.socket) await this.arrived();
    if ([from, to].some((f) => f.includes("\0"))) return false;
    return this.ask(RENAME, `${from}\0${to}\0`);
  }

  /** A request answered `{"ok":bool}`; false when not connected or not answered within ANSWER_WAIT_MS. */
  private ask(type: number, body: string): Promise<boolean> {
    const socket = this.socket;
    if (!socket || socket.destroyed || this.closing) return Promise.resolve(false);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => answer(false), ANSWER_WAIT_MS);
      const answer = (ok: boolean): void => {
        clearTimeout(timer);
        this.asking.delete(id);
        resolve(ok);
      };
      this.asking.set(id, answer);
      socket.write(frame(type, id, Buffer.from(body)));
    });
  }

  /** Settles when the agent is connected, cannot come (no node) or is overdue. Once. */
  private arrived(): Promise<void> {
    this.arrival ??= new Promise<void>((resolve) => {
      const deadline = Date.now() + CONNECT_WAIT_MS;
      const poll = (): void => {
        if (this.socket || this.closing || Date.now() > deadline || existsSync(path.join(this.hostDir, NO_AGENT))) return resolve();
        setTimeout(poll, 5);
      };
      void this.connected.then(resolve);
      poll();
    });
    return this.arrival;
  }

  /** Stops listening and drops the connection; processes still running answer 137. */
  close(): void {
    this.closing = true;
    this.server.close();
    this.socket?.destroy();
    for (const r of this.running.values()) r.resolve(137);
    this.running.clear();
    for (const answer of this.asking.values()) answer(false);
  }

  private attach(socket: net.Socket): void {
    // The same framing as the agent's reader: that one cannot import anything.
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      while (pending.length >= 9) {
        const length = pending.readUInt32BE(5);
        if (pending.length < 9 + length) break;
        const type = pending.readUInt8(0);
        const id = pending.readUInt32BE(1);
        const body = pending.subarray(9, 9 + length);
        pending = pending.subarray(9 + length);
        this.frame(type, id, body);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.closing) return;
      // The agent died (killed by a step, say): what was running through it is lost.
      for (const r of this.running.values()) {
        r.request.onStderr(Buffer.from("replay: the step agent in the job container stopped; this process's end is unknown\n"));
        r.resolve(1);
      }
      this.running.clear();
      for (const answer of this.asking.values()) answer(false);
    });
  }

  private frame(type: number, id: number, body: Buffer): void {
    if (type === SIGNALLED || type === RENAMED) {
      this.asking.get(id)?.((JSON.parse(body.toString("utf8")) as { ok: boolean }).ok);
      return;
    }
    const r = this.running.get(id);
    if (!r) return;
    switch (type) {
      case STDOUT:
        r.request.onStdout(body);
        return;
      case STDERR:
        r.request.onStderr(body);
        return;
      case EXIT:
        this.running.delete(id);
        r.resolve((JSON.parse(body.toString("utf8")) as { code: number }).code);
        return;
      case HAND_BACK:
        this.running.delete(id);
        r.resolve(undefined);
        return;
    }
  }
}
