import http from "node:http";
import net from "node:net";
import type { DockerEndpoint } from "../docker/index.js";

// The scoped API speaks plain HTTP to the engine, over the same socket (or plain TCP
// address) replay itself found, so it needs no Docker client library: it forwards most
// requests byte for byte and asks the engine a few questions of its own (who owns this
// container?) on the side.

/** Where the engine listens, as node's http and net modules take it. */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

/**
 * The engine address for a found endpoint, or undefined where the scoped API cannot reach
 * it: TLS engines (remote ones, which jobs do not support anyway) and Windows pipes. An
 * ssh engine is reached through the local socket of its relay, as replay reaches it.
 */
export function engineAddress(endpoint: DockerEndpoint): EngineAddress | undefined {
  switch (endpoint.kind) {
    case "socket":
      return { socketPath: endpoint.path };
    case "tcp":
      return endpoint.tls === undefined ? { host: endpoint.host, port: endpoint.port } : undefined;
    case "ssh":
      return endpoint.localSocket === undefined ? undefined : { socketPath: endpoint.localSocket };
    case "npipe":
      return undefined;
  }
}

export interface EngineAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class EngineClient {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(readonly address: EngineAddress) {}

  /** A raw connection, for requests that take the connection over (attach, exec start). */
  connect(): net.Socket {
    return "socketPath" in this.address
      ? net.connect({ path: this.address.socketPath, allowHalfOpen: true })
      : net.connect({ host: this.address.host, port: this.address.port, allowHalfOpen: true });
  }

  /** A request whose answer the caller streams (the forwarding path). */
  open(method: string, path: string, headers: http.OutgoingHttpHeaders): http.ClientRequest {
    return http.request({ ...this.address, agent: this.agent, method, path, headers });
  }

  /** A small request of replay's own, answered whole. */
  async call(method: string, path: string, body?: unknown): Promise<EngineAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = payload ? { "content-type": "application/json", "content-length": payload.length } : {};
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, headers);
      req.on("error", reject);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.end(payload);
    });
  }

  /** `call` for a JSON answer; undefined when the engine answered with an error status. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 300) return undefined;
    return (answer.body.length ? JSON.parse(answer.body.toString("utf8")) : {}) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The message of an engine error answer (`{"message": …}`), or its status. */
export function engineMessage(answer: EngineAnswer): string {
  try {
    const parsed = JSON.parse(answer.body.toString("utf8")) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON
  }
  return `the engine answered ${answer.status}`;
}
