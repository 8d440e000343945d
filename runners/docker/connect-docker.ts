import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { DockerUnavailableError } from "../../common/index.js";
import { DockerContextProblem, resolveDockerContext } from "./docker-context.js";
import { SshEngineError, startSshRelay } from "./ssh-engine.js";
import type { SshRelay } from "./ssh-engine.js";

// Finding the engine the way testcontainers-node does: a list of strategies, each
// proposing one place an engine may listen or answering undefined when it does not apply.
// Each proposal is pinged in order; the first engine that answers wins.

/** Where an engine may listen. Plain data, so strategies stay pure and testable. */
export type DockerEndpoint =
  | { kind: "socket"; path: string }
  | { kind: "npipe"; path: string }
  | { kind: "tcp"; host: string; port: number; tls?: { certDir: string } }
  | { kind: "ssh"; host: string; port: number; username?: string; localSocket?: string };

export interface DockerCandidate {
  /** The strategy that proposed it, as the user would recognise it ("DOCKER_HOST"). */
  source: string;
  endpoint: DockerEndpoint;
}

export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number | undefined;
  homeDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export type DockerStrategy = (env: Env, host: HostFacts) => DockerCandidate | undefined;

export const dockerHostStrategy: DockerStrategy = (env, host) => {
  const value = env["DOCKER_HOST"]?.trim();
  if (value === undefined || value === "") return undefined;
  return { source: "DOCKER_HOST", endpoint: parseDockerHost(value, env, host) };
};

export const defaultSocketStrategy: DockerStrategy = (_env, host) =>
  host.platform === "win32"
    ? { source: "default pipe", endpoint: { kind: "npipe", path: "//./pipe/docker_engine" } }
    : { source: "default socket", endpoint: { kind: "socket", path: "/var/run/docker.sock" } };

export const rootlessSocketStrategy: DockerStrategy = (env) => {
  const runtimeDir = env["XDG_RUNTIME_DIR"];
  if (runtimeDir === undefined || runtimeDir === "") return undefined;
  return { source: "rootless socket", endpoint: { kind: "socket", path: path.posix.join(runtimeDir, "docker.sock") } };
};

/** Rootless Docker's socket when XDG_RUNTIME_DIR is not set (sudo -i, cron, ssh). */
export const rootlessUidSocketStrategy: DockerStrategy = (_env, host) => {
  if (host.platform !== "linux" || host.uid === undefined) return undefined;
  return { source: "rootless socket", endpoint: { kind: "socket", path: `/run/user/${host.uid}/docker.sock` } };
};

export const dockerDesktopSocketStrategy: DockerStrategy = (_env, host) => {
  if (host.platform === "darwin") {
    return { source: "Docker Desktop socket", endpoint: { kind: "socket", path: path.posix.join(host.homeDir, ".docker/run/docker.sock") } };
  }
  if (host.platform === "linux") {
    return { source: "Docker Desktop socket", endpoint: { kind: "socket", path: path.posix.join(host.homeDir, ".docker/desktop/docker.sock") } };
  }
  return undefined;
};

export const podmanRootlessSocketStrategy: DockerStrategy = (env, host) => {
  if (host.platform !== "linux") return undefined;
  const runtimeDir = env["XDG_RUNTIME_DIR"] || (host.uid === undefined ? undefined : `/run/user/${host.uid}`);
  if (runtimeDir === undefined) return undefined;
  return { source: "Podman socket (rootless)", endpoint: { kind: "socket", path: path.posix.join(runtimeDir, "podman/podman.sock") } };
};

export const podmanRootfulSocketStrategy: DockerStrategy = (_env, host) =>
  host.platform === "linux"
    ? { source: "Podman socket", endpoint: { kind: "socket", path: "/run/podman/podman.sock" } }
    : undefined;

export const defaultDockerStrategies: readonly DockerStrategy[] = [
  dockerHostStrategy,
  defaultSocketStrategy,
  rootlessSocketStrategy,
  rootlessUidSocketStrategy,
  dockerDesktopSocketStrategy,
  podmanRootlessSocketStrategy,
  podmanRootfulSocketStrategy,
];

export function currentHost(): HostFacts {
  return { platform: process.platform, uid: process.getuid?.(), homeDir: os.homedir() };
}

/**
 * The engine of a Docker context (--context, DOCKER_CONTEXT, config.json's current one),
 * or undefined for the default context. A context names one engine, as it does for the
 * docker CLI: replay never falls back to another when it does not answer.
 */
export function contextCandidate(env: Env, host: HostFacts = currentHost()): DockerCandidate | undefined {
  const context = resolveDockerContext(env, host.homeDir);
  if (context === undefined) return undefined;
  const source = `context ${context.name}`;
  // A context's TLS comes from its own files, not from DOCKER_TLS_VERIFY.
  const tlsEnv: Env = context.tlsDir === undefined ? {} : { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: context.tlsDir };
  return { source, endpoint: parseDockerHost(context.host, tlsEnv, host, source) };
}

/** The candidates in the order they will be pinged, without duplicates. */
export function dockerCandidates(
  env: Env,
  host: HostFacts = currentHost(),
  strategies: readonly DockerStrategy[] = defaultDockerStrategies,
): DockerCandidate[] {
  const context = contextCandidate(env, host);
  if (context !== undefined) return [context];
  const seen = new Set<string>();
  const out: DockerCandidate[] = [];
  for (const strategy of strategies) {
    const candidate = strategy(env, host);
    if (candidate === undefined) continue;
    const uri = endpointUri(candidate.endpoint);
    if (seen.has(uri)) continue;
    seen.add(uri);
    out.push(candidate);
  }
  return out;
}

export function endpointUri(endpoint: DockerEndpoint): string {
  switch (endpoint.kind) {
    case "socket":
      return `unix://${endpoint.path}`;
    case "npipe":
      return `npipe://${endpoint.path}`;
    case "tcp":
      return `tcp://${endpoint.host}:${endpoint.port}${endpoint.tls === undefined ? "" : " (TLS)"}`;
    case "ssh":
      return `ssh://${endpoint.username === undefined ? "" : `${endpoint.username}@`}${endpoint.host}:${endpoint.port}`;
  }
}

class BadDockerHost extends Error {}

function parseDockerHost(value: string, env: Env, host: HostFacts, what = "DOCKER_HOST"): DockerEndpoint {
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === "unix") return { kind: "socket", path: value.slice("unix://".length) };
  if (scheme === "npipe") return { kind: "npipe", path: value.slice("npipe://".length) };
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new BadDockerHost(`${what}=${value} is not a URL`, { cause });
  }
  if (scheme === "tcp" || scheme === "http" || scheme === "https") {
    const tlsVerify = (env["DOCKER_TLS_VERIFY"] ?? "") !== "" && env["DOCKER_TLS_VERIFY"] !== "0";
    const tls = tlsVerify || scheme === "https";
    const port = url.port === "" ? (tls ? 2376 : 2375) : Number(url.port);
    const certDir = env["DOCKER_CERT_PATH"] || path.join(host.homeDir, ".docker");
    return tls ? { kind: "tcp", host: url.hostname, port, tls: { certDir } } : { kind: "tcp", host: url.hostname, port };
  }
  if (scheme === "ssh") {
    const port = url.port === "" ? 22 : Number(url.port);
    const username = decodeURIComponent(url.username);
    return username === "" ? { kind: "ssh", host: url.hostname, port } : { kind: "ssh", host: url.hostname, port, username };
  }
  throw new BadDockerHost(`${what}=${value}: replay understands unix://, tcp://, ssh:// and npipe:// addresses`);
}

function dockerOptions(endpoint: DockerEndpoint): Docker.DockerOptions {
  switch (endpoint.kind) {
    case "socket":
    case "npipe":
      // docker-modem fills unset options from process.env.DOCKER_HOST; an empty host and
      // plain http keep a socket candidate from inheriting a tcp DOCKER_HOST that failed.
      return { socketPath: endpoint.path, host: "", protocol: "http" };
    case "tcp":
      if (endpoint.tls === undefined) return { protocol: "http", host: endpoint.host, port: endpoint.port };
      return {
        protocol: "https",
        host: endpoint.host,
        port: endpoint.port,
        ca: readFileSync(path.join(endpoint.tls.certDir, "ca.pem")),
        cert: readFileSync(path.join(endpoint.tls.certDir, "cert.pem")),
        key: readFileSync(path.join(endpoint.tls.certDir, "key.pem")),
      };
    case "ssh":
      // Reached through the relay's socket (./ssh-engine.ts), as a local engine is.
      return { socketPath: endpoint.localSocket ?? "", host: "", protocol: "http" };
  }
}

export interface ConnectOptions {
  /** How long one candidate may take to answer a ping; ssh gets three times as long. */
  pingTimeoutMs?: number;
  strategies?: readonly DockerStrategy[];
  host?: HostFacts;
}

export interface DockerConnection {
  docker: Docker;
  /** Which engine answered, for `replay doctor` and verbose output. */
  description: string;
  /** Where it answered: the jobs' scoped Docker API forwards there too. */
  endpoint: DockerEndpoint;
}

export async function connectDocker(env: Env = process.env, options: ConnectOptions = {}): Promise<DockerConnection> {
  const pingTimeoutMs = options.pingTimeoutMs ?? 3000;
  const tried: string[] = [];
  const reasons: string[] = [];
  let lastError: unknown;
  let candidates: DockerCandidate[];
  try {
    candidates = dockerCandidates(env, options.host ?? currentHost(), options.strategies ?? defaultDockerStrategies);
  } catch (error) {
    if (error instanceof DockerContextProblem) {
      throw new DockerUnavailableError([error.message], "`docker context ls` lists the contexts; `docker context use default` (or unsetting DOCKER_CONTEXT) goes back to the local engine", error);
    }
    if (!(error instanceof BadDockerHost)) throw error;
    throw new DockerUnavailableError([error.message], "fix DOCKER_HOST (for example unix:///var/run/docker.sock) or unset it", error);
  }

  // Loaded here, not on import: dockerode (with the gRPC and SSH clients it requires) takes
  // ~250 ms to load, which commands that never reach the engine should not pay.
  let Dockerode: typeof Docker | undefined;
  for (const candidate of candidates) {
    const where = `${endpointUri(candidate.endpoint)} (${candidate.source})`;
    const missing = candidate.endpoint.kind === "socket" ? socketProblem(candidate.endpoint.path) : undefined;
    if (missing !== undefined) {
      tried.push(`${where}: ${missing}`);
      continue;
    }
    Dockerode ??= (await import("dockerode")).default;
    let relay: SshRelay | undefined;
    try {
      let endpoint = candidate.endpoint;
      if (endpoint.kind === "ssh") {
        relay = startSshRelay(endpoint, env);
        await withinMs(relay.ready, pingTimeoutMs * 5);
        endpoint = { ...endpoint, localSocket: relay.socketPath };
      }
      const docker = new Dockerode(dockerOptions(endpoint));
      await pingWithin(docker, endpoint.kind === "ssh" ? pingTimeoutMs * 3 : pingTimeoutMs);
      return { docker, description: where, endpoint };
    } catch (error) {
      relay?.close();
      // ssh said why it will not connect (host key, keys): no other engine is tried, as
      // the docker CLI tries none for an ssh:// DOCKER_HOST.
      if (error instanceof SshEngineError) {
        throw new DockerUnavailableError([...tried, `${where}: ${error.message}`], "replay logs in as ssh would (SSH_AUTH_SOCK's agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa) and checks the host in ~/.ssh/known_hosts; `ssh -p <port> user@host docker version` should work first", error);
      }
      lastError = error;
      const reason = describeFailure(error);
      reasons.push(reason);
      tried.push(`${where}: ${reason}`);
    }
  }
  throw new DockerUnavailableError(tried, unavailableHint(reasons), lastError);
}

function socketProblem(socketPath: string): string | undefined {
  try {
    return statSync(socketPath).isSocket() ? undefined : "exists but is not a socket";
  } catch {
    return "no such socket";
  }
}

async function withinMs<T>(work: Promise<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function pingWithin(docker: Docker, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  // @types/dockerode does not declare ping's options; dockerode passes abortSignal through.
  const ping = docker.ping.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
  await withinMs(ping({ abortSignal: abort.signal }), timeoutMs, () => abort.abort());
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES") return "permission denied";
    if (code === "ECONNREFUSED") return "connection refused (is the engine running?)";
    return error.message.split("\n")[0] ?? error.message;
  }
  return String(error);
}

function unavailableHint(reasons: readonly string[]): string {
  if (reasons.includes("permission denied")) {
    return "the socket exists but this user may not use it: add the user to the `docker` group (then log in again), or run replay as root";
  }
  return "start Docker (or Podman's socket), or on a root Debian machine run `scripts/ensure-docker.sh`; to use another engine set DOCKER_HOST (unix://, tcp:// or ssh://)";
}

/**
 * One engine of several (`--engine`, `.replay.yml`'s engines:): a URL (unix://, tcp://,
 * ssh://) or a Docker context's name, that engine only: no other is tried when it does not
 * answer.
 */
export function connectEngine(engine: string, env: Env = process.env): Promise<DockerConnection> {
  if (engine.includes("://")) return connectDocker({ ...env, DOCKER_HOST: engine, DOCKER_CONTEXT: "", REPLAY_DOCKER_CONTEXT: "" }, { strategies: [dockerHostStrategy] });
  return connectDocker({ ...env, REPLAY_DOCKER_CONTEXT: engine });
}

/** Whether the engine still answers a ping within `timeoutMs` (a pool asks when a job on it fails). */
export async function engineAnswers(docker: Docker, timeoutMs = 3000): Promise<boolean> {
  return pingWithin(docker, timeoutMs).then(
    () => true,
    () => false,
  );
}
