import type * as ChildProcessModule from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import type * as FsModule from "node:fs";
import type * as NetModule from "node:net";
import type * as OsModule from "node:os";

/**
 * The step agent: a small program that runs inside the job container and starts each
 * step's process itself instead of the engine asking Docker for an exec (about 70 ms of
 * daemon and runc work per step on a 2-core machine). This is its script, run by the
 * image's own `node`; agent.c is the same program, native, which replay's build makes when
 * it has a C compiler and which the container tries first (it is up ~65 ms sooner and
 * starts processes a little faster). The two speak the same frames (see agent.c).
 *
 * It must reproduce what `docker exec` gives a process, or hand the request back:
 * - environment: the container's (its own, less what the shell that started it added),
 *   HOME of the exec's user when the container does not set HOME itself, then the
 *   request's variables;
 * - user: the uid and primary gid from the image's /etc/passwd and /etc/group as Docker
 *   resolves them; a user with supplementary groups is handed back (Node cannot give a
 *   child supplementary groups), as is any user it cannot become;
 * - stdin closed, stdout and stderr as separate pipes, the exit code (128 + n for a
 *   signal, as Docker reports), and the end of the step when the process has exited and
 *   its pipes are closed, or 2 s after the exit if a background process holds them;
 * - anything that fails before the process runs (no such program, no such directory) is
 *   handed back, so Docker's own error is what the user sees.
 *
 * It also sends a signal for the engine (to the container's init, to stop the container
 * as `docker kill` does): it answers whether it may, then sends it; and renames a folder
 * for it (actions/checkout moving the snapshot in), without starting a process.
 *
 * This function is serialised with `Function.prototype.toString` and run by the
 * container's node: it must not refer to anything outside its own body.
 */
export function stepAgentMain(nodeRequire: (id: string) => unknown, socketPath: string, caSet?: string, caFile?: string): void {
  // Types only above: at run time the container's node supplies the modules.
  const net = nodeRequire("net") as typeof NetModule;
  const cp = nodeRequire("child_process") as typeof ChildProcessModule;
  const fs = nodeRequire("fs") as typeof FsModule;
  const os = nodeRequire("os") as typeof OsModule;

  // Frames both ways: type (1 byte), request id (4), payload length (4), payload.
  const START = 1;
  const SIGNAL = 2;
  const STDOUT = 1;
  const STDERR = 2;
  const EXIT = 3;
  const HAND_BACK = 4;
  const SIGNALLED = 5;
  const RENAME = 3;
  const RENAMED = 6;
  const GRACE_MS = 2000;

  process.title = "replay-agent";
  const baseEnv: Record<string, string | undefined> = { ...process.env };
  for (const added of ["PWD", "OLDPWD", "SHLVL", "_"]) delete baseEnv[added];
  // The start script runs the agent with NODE_EXTRA_CA_CERTS emptied (Node 20 parses that
  // bundle at start, ~90 ms; the agent makes no TLS connection) and passes the container's
  // own value on, which the steps get back.
  if (caSet === "set") baseEnv["NODE_EXTRA_CA_CERTS"] = caFile ?? "";
  else if (caSet === "") delete baseEnv["NODE_EXTRA_CA_CERTS"];

  const socket = net.connect(socketPath);
  let connected = false;
  socket.on("connect", () => (connected = true));
  // Never connected: exit 1, and the start script tells the engine not to wait for it.
  socket.on("error", () => process.exit(connected ? 0 : 1));
  socket.on("close", () => process.exit(connected ? 0 : 1));

  const send = (type: number, id: number, body: Buffer, written?: () => void): boolean => {
    const head = Buffer.alloc(9);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(id, 1);
    head.writeUInt32BE(body.length, 5);
    return socket.write(Buffer.concat([head, body]), written);
  };
  const sendJson = (type: number, id: number, value: unknown, written?: () => void): boolean => send(type, id, Buffer.from(JSON.stringify(value)), written);

  const fields = (file: string): string[][] => {
    try {
      return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.split(":"));
    } catch {
      return [];
    }
  };

  interface Identity {
    uid: number;
    gid: number;
    home: string;
  }
  /** Docker's reading of `user[:group]`, or a reason to hand the request back. */
  const identity = (spec: string | undefined): Identity | string => {
    if (spec === undefined || spec === "") return "no user given";
    const [user = "", group] = spec.split(":");
    const numeric = /^\d+$/.test(user);
    const entry = fields("/etc/passwd").find((f) => f.length >= 7 && (numeric ? f[2] === user : f[0] === user));
    if (!entry && !numeric) return `no user ${user}`;
    const uid = Number(entry ? entry[2] : user);
    let gid = entry ? Number(entry[3]) : 0;
    const groups = fields("/etc/group").filter((f) => f.length >= 4);
    if (group !== undefined) {
      const g = /^\d+$/.test(group) ? group : groups.find((f) => f[0] === group)?.[2];
      if (g === undefined) return `no group ${group}`;
      gid = Number(g);
    }
    if (entry && groups.some((f) => (f[3] ?? "").split(",").includes(entry[0] ?? "") && Number(f[2]) !== gid)) return "supplementary groups";
    return { uid, gid, home: entry?.[5] || "/" };
  };

  interface StartRequest {
    cmd: string[];
    env: Record<string, string>;
    user?: string;
    workdir?: string;
    /** The container sets no HOME of its own: Docker gives the user's. */
    defaultHome: boolean;
  }

  const start = (id: number, req: StartRequest): void => {
    const handBack = (reason: string): void => {
      sendJson(HAND_BACK, id, { reason });
    };
    const who = identity(req.user);
    const root = process.getuid?.() === 0;
    const self = typeof who === "string" || (who.uid === process.getuid?.() && who.gid === process.getgid?.());
    if (typeof who === "string" && req.user !== undefined && req.user !== "") return handBack(who);
    if (!self && !root) return handBack("the agent cannot become that user");
    const env: Record<string, string | undefined> = { ...baseEnv };
    if (req.defaultHome && typeof who !== "string") env["HOME"] = who.home;
    Object.assign(env, req.env);
    const options: SpawnOptions = { env, stdio: ["ignore", "pipe", "pipe"] };
    if (req.workdir !== undefined) options.cwd = req.workdir;
    if (!self && typeof who !== "string") {
      options.uid = who.uid;
      options.gid = who.gid;
    }
    let child: ChildProcess;
    try {
      child = cp.spawn(req.cmd[0] ?? "", req.cmd.slice(1), options);
    } catch (e) {
      return handBack(String(e));
    }
    if (child.pid === undefined) {
      child.on("error", (e) => handBack(String(e)));
      return;
    }
    const out = child.stdout;
    const err = child.stderr;
    if (!out || !err) return;
    let open = 2;
    let code: number | undefined;
    let sent = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      if (sent || code === undefined) return;
      sent = true;
      if (grace) clearTimeout(grace);
      sendJson(EXIT, id, { code });
    };
    const forward = (type: number) => (chunk: Buffer) => {
      if (send(type, id, chunk)) return;
      out.pause();
      err.pause();
      socket.once("drain", () => {
        out.resume();
        err.resume();
      });
    };
    out.on("data", forward(STDOUT));
    err.on("data", forward(STDERR));
    const closed = (): void => {
      open--;
      if (open === 0) finish();
    };
    out.on("close", closed);
    err.on("close", closed);
    child.on("exit", (exitCode, signal) => {
      code = signal ? 128 + (os.constants.signals[signal] ?? 0) : (exitCode ?? 1);
      if (open === 0) return finish();
      grace = setTimeout(() => {
        out.destroy();
        err.destroy();
        finish();
      }, GRACE_MS);
    });
  };

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
      // NUL-terminated fields, as agent.c reads them (see there).
      const fields = body.toString("utf8").split("\0").slice(0, -1);
      if (type === START) {
        const argc = Number(fields[3]);
        const env: Record<string, string> = {};
        for (const kv of fields.slice(4 + argc)) {
          const eq = kv.indexOf("=");
          if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        const req: StartRequest = { defaultHome: fields[0] === "1", cmd: fields.slice(4, 4 + argc), env };
        if (fields[1]) req.user = fields[1];
        if (fields[2]) req.workdir = fields[2];
        start(id, req);
      }
      if (type === RENAME) {
        let ok = fields.length === 2;
        try {
          if (ok) fs.renameSync(fields[0] ?? "", fields[1] ?? "");
        } catch {
          ok = false; // not allowed, not there, a folder that is not empty: the caller goes another way
        }
        sendJson(RENAMED, id, { ok });
      }
      if (type === SIGNAL) {
        const pid = Number(fields[0]);
        const signal = (fields[1] ?? "") as NodeJS.Signals;
        let ok = true;
        try {
          process.kill(pid, 0);
        } catch {
          ok = false; // not allowed (an agent that is not root), or no such process
        }
        // The answer goes out first: once the container's init has the signal, the agent
        // may be ended with the container before it could write anything.
        sendJson(SIGNALLED, id, { ok }, () => {
          if (!ok) return;
          try {
            process.kill(pid, signal);
          } catch {
            // gone meanwhile
          }
        });
      }
    }
  });
}
