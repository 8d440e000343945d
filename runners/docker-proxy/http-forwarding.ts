import http from "node:http";
import type { Duplex } from "node:stream";
import type { EngineClient } from "./engine-client.js";
import { decodeEngineBody } from "./engine-json.js";
import type { Kind } from "./engine-json.js";
import { Refusal } from "./scope-policy.js";
import type { Json } from "./scope-policy.js";

// The HTTP plumbing of a job's Docker API: requests go on to the engine and answers come
// back as they stream (build output, logs -f, events, wait), or read whole where the API
// rewrites them; attach and exec start take the connection over and are piped raw.

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection", "host"]);
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface Forwarding {
  /** The path and query to send (default: the request's own). */
  url?: string;
  /** A replacement body (default: the request's, streamed). */
  body?: Buffer;
  /** Rewrites a JSON answer before the job sees it (the answer is then read whole). */
  answer?: (status: number, json: unknown) => Promise<unknown> | unknown;
}

export function send(res: http.ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_JSON_BYTES) reject(new Refusal(413, "not served", "the request body is too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The request's JSON body, decoded as the engine will decode it into the struct of `fields`. */
export async function readJson(req: http.IncomingMessage, fields: Record<string, Kind>): Promise<Json> {
  return decodeEngineBody(await readBody(req), fields);
}

function forwardHeaders(headers: http.IncomingHttpHeaders, bodyLength?: number): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  out["host"] = "docker";
  if (bodyLength !== undefined) {
    out["content-length"] = bodyLength;
    out["content-type"] = "application/json";
  }
  return out;
}

/** Sends a request on to the engine and its answer back, streaming unless asked to rewrite it. */
export function forward(engine: EngineClient, req: http.IncomingMessage, res: http.ServerResponse, f: Forwarding = {}): Promise<void> {
  return new Promise((resolve) => {
    const upstream = engine.open(req.method ?? "GET", f.url ?? req.url ?? "/", forwardHeaders(req.headers, f.body?.length));
    const fail = (e: Error): void => {
      send(res, 502, `replay's scoped Docker API lost the engine: ${e.message}`);
      resolve();
    };
    upstream.on("error", fail);
    // A step that stops following (logs -f, events) ends the engine's stream too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on("response", (answer) => {
      const status = answer.statusCode ?? 502;
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      const isJson = String(answer.headers["content-type"] ?? "").includes("application/json");
      if (!f.answer) {
        res.writeHead(status, headers);
        // The engine sends a stream's headers at once (wait, logs -f, events) and clients
        // block on them: node would hold them back until the first byte of the body.
        res.flushHeaders();
        answer.pipe(res);
        answer.on("end", () => resolve());
        answer.on("error", () => resolve());
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (c: Buffer) => chunks.push(c));
      answer.on("error", () => resolve());
      answer.on("end", () => {
        void (async () => {
          let out = Buffer.concat(chunks);
          try {
            const parsed: unknown = isJson && out.length ? JSON.parse(out.toString("utf8")) : undefined;
            const rewritten = await f.answer?.(status, parsed);
            if (isJson && rewritten !== undefined) out = Buffer.from(JSON.stringify(rewritten));
          } catch {
            // an answer we cannot read goes through as it came
          }
          delete headers["content-length"];
          res.writeHead(status, out.length ? { ...headers, "content-length": out.length } : headers);
          res.end(out);
          resolve();
        })();
      });
    });
    if (f.body) upstream.end(f.body);
    else req.pipe(upstream);
  });
}


export function pipeRaw(engine: EngineClient, req: http.IncomingMessage, socket: Duplex, head: Buffer, track: (s: Duplex) => void): void {
  const upstream = engine.connect();
  track(upstream);
  const lines = [`${req.method ?? "POST"} ${req.url ?? "/"} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i] ?? ""}: ${req.rawHeaders[i + 1] ?? ""}`);
  upstream.on("connect", () => {
    upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
  socket.on("close", () => upstream.destroy());
  upstream.on("close", () => socket.destroy());
}

/** Answers a refused takeover in plain HTTP: the connection is the caller's, not node's. */
export function refuseRaw(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
