// Serves a recorded GitHub API (../shared/fixtures/github-api/<case>/) on loopback, exactly
// as its routes.json says: query strings ignored, a missing `Authorization: Bearer` gets
// 401, redirects carry their Location, and every other path gets GitHub's 404 body.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { PROJECT_ROOT } from "./corpus.js";

export const GITHUB_FIXTURES = path.resolve(PROJECT_ROOT, "../shared/fixtures/github-api");

interface Route {
  method: string;
  path: string;
  status: number;
  file?: string;
  location?: string;
  content_type?: string;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface FixtureServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** `tls`: serve HTTPS with this key and certificate (a proxy's CA, say) instead of HTTP. */
export async function serveGitHubFixture(name: string, tls?: { key: string; cert: string }): Promise<FixtureServer> {
  const dir = path.join(GITHUB_FIXTURES, name);
  const routes = JSON.parse(readFileSync(path.join(dir, "routes.json"), "utf8")) as Route[];
  const requests: SeenRequest[] = [];
  const server = (tls ? https.createServer(tls) : http.createServer()).on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const auth = req.headers.authorization;
    requests.push({ method: req.method ?? "", url: req.url ?? "", ...(auth === undefined ? {} : { authorization: auth }) });
    const pathname = new URL(req.url ?? "/", "http://fixture").pathname;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (!auth?.startsWith("Bearer ")) {
      json(401, { message: "Requires authentication", documentation_url: "https://docs.github.com/rest" });
      return;
    }
    const route = routes.find((r) => r.method === req.method && r.path === pathname);
    if (!route) {
      json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      return;
    }
    if (route.location !== undefined) {
      res.writeHead(route.status, { location: route.location });
      res.end();
      return;
    }
    const body = readFileSync(path.join(dir, route.file ?? ""));
    res.writeHead(route.status, { "content-type": route.content_type ?? "application/json; charset=utf-8" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
