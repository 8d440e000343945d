import { chmod, rm } from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import { route, splitPath } from "./api-route.js";
import { checkContainerAttach } from "./container-routes.js";
import { checkExecStart } from "./exec-routes.js";
import { pipeRaw, refuseRaw, send } from "./http-forwarding.js";
import { dispatch } from "./job-api-router.js";
import { JobScope } from "./job-scope.js";
import type { JobDockerApiHandle, JobDockerApiRequest, RunDockerApiShare } from "./job-api-contract.js";
import { Refusal } from "./scope-policy.js";

// One job's Docker API: an HTTP server on a Unix socket in the job's runner-files folder
// (so the job container sees it through the bind replay already makes), forwarding to the
// engine what the rules allow. Each resource (containers, exec, images and builds,
// networks, volumes, system) has its handler and its policy in its own file
// (*-routes.ts, scope-policy.ts); job-api-router.ts sends each request to one. Streams
// (build output, logs -f, events, wait) are piped as they come; attach and exec start take
// the connection over, and are piped as raw sockets once allowed.

export class JobDockerApi implements JobDockerApiHandle {
  private readonly server: http.Server;
  private readonly sockets = new Set<Duplex>();
  private readonly job: JobScope;
  private closed = false;
  /** Whether a step called this API: a job whose steps never did created nothing to remove. */
  private used = false;

  constructor(
    private readonly run: RunDockerApiShare,
    private readonly request: JobDockerApiRequest,
  ) {
    this.job = new JobScope(run, request);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    this.server.on("connection", (s: net.Socket) => this.track(s));
  }

  private track(s: Duplex): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
  }

  async listen(): Promise<void> {
    await rm(this.request.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.request.socketPath, () => resolve());
    });
    // The job's steps run as the runner user (uid 1001); the folder around it is the run's.
    await chmod(this.request.socketPath, 0o666);
  }

  async close(o: { removeCreated: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    // Most jobs: nothing to look for (three queries of the engine, ~30 ms before the job's
    // container can stop, saved).
    if (o.removeCreated && this.used) await this.job.removeCreated();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.used = true;
    this.run.used = true;
    try {
      const { path, query } = splitPath(req.url ?? "/");
      // The engine reads a form body as query options (Go's ParseForm): what would bypass the query's checks.
      if (/^application\/x-www-form-urlencoded\b/i.test(String(req.headers["content-type"] ?? "").trim())) {
        throw new Refusal(400, "not served", "form-encoded bodies are not served by replay's scoped Docker API: send options in the query");
      }
      await dispatch(this.job, route(req.method ?? "GET", path), req, res, query);
    } catch (e) {
      if (e instanceof Refusal) send(res, e.status, e.message);
      else send(res, 500, `replay's scoped Docker API failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // --- connections taken over: attach, exec start ---

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.used = true;
    this.run.used = true;
    this.track(socket);
    try {
      const { path } = splitPath(req.url ?? "/");
      const r = route(req.method ?? "GET", path);
      if (r.kind === "refuse") throw new Refusal(r.status, "not served", r.message);
      if (r.kind === "container" && r.op === "attach") await checkContainerAttach(this.job, r.ref);
      else if (r.kind === "exec" && r.op === "start") checkExecStart(this.job, r.id);
      else throw new Refusal(403, "not served", `${req.method ?? ""} ${path} cannot take the connection over`);
      pipeRaw(this.job.engine, req, socket, head, (x) => this.track(x));
    } catch (e) {
      refuseRaw(socket, e instanceof Refusal ? e.status : 500, e instanceof Error ? e.message : String(e));
    }
  }
}
