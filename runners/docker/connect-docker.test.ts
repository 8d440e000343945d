import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DockerUnavailableError } from "../../common/index.js";
import type { DockerStrategy, Env, HostFacts } from "./connect-docker.js";
import {
  connectDocker,
  dockerCandidates,
  dockerHostStrategy,
  endpointUri,
} from "./connect-docker.js";

const linuxUser: HostFacts = { platform: "linux", uid: 1000, homeDir: "/home/ada" };
const linuxRoot: HostFacts = { platform: "linux", uid: 0, homeDir: "/root" };
const mac: HostFacts = { platform: "darwin", uid: 501, homeDir: "/Users/ada" };

const uris = (env: Env, host: HostFacts): string[] => dockerCandidates(env, host).map((c) => endpointUri(c.endpoint));

describe("dockerCandidates", () => {
  it.each<[string, Env, HostFacts, string[]]>([
    [
      "a Linux user with a session: default, rootless, Desktop, Podman",
      { XDG_RUNTIME_DIR: "/run/user/1000" },
      linuxUser,
      [
        "unix:///var/run/docker.sock",
        "unix:///run/user/1000/docker.sock",
        "unix:///home/ada/.docker/desktop/docker.sock",
        "unix:///run/user/1000/podman/podman.sock",
        "unix:///run/podman/podman.sock",
      ],
    ],
    [
      "no XDG_RUNTIME_DIR (cron, sudo): the rootless sockets come from the uid",
      {},
      linuxRoot,
      [
        "unix:///var/run/docker.sock",
        "unix:///run/user/0/docker.sock",
        "unix:///root/.docker/desktop/docker.sock",
        "unix:///run/user/0/podman/podman.sock",
        "unix:///run/podman/podman.sock",
      ],
    ],
    [
      "an XDG_RUNTIME_DIR elsewhere adds its own socket before the uid's",
      { XDG_RUNTIME_DIR: "/tmp/xdg" },
      linuxUser,
      [
        "unix:///var/run/docker.sock",
        "unix:///tmp/xdg/docker.sock",
        "unix:///run/user/1000/docker.sock",
        "unix:///home/ada/.docker/desktop/docker.sock",
        "unix:///tmp/xdg/podman/podman.sock",
        "unix:///run/podman/podman.sock",
      ],
    ],
    [
      "DOCKER_HOST comes first",
      { DOCKER_HOST: "unix:///srv/docker.sock" },
      mac,
      ["unix:///srv/docker.sock", "unix:///var/run/docker.sock", "unix:///Users/ada/.docker/run/docker.sock"],
    ],
    [
      "DOCKER_HOST naming the default socket is not tried twice",
      { DOCKER_HOST: "unix:///var/run/docker.sock" },
      mac,
      ["unix:///var/run/docker.sock", "unix:///Users/ada/.docker/run/docker.sock"],
    ],
    ["Windows: the named pipe", {}, { platform: "win32", uid: undefined, homeDir: "C:\\Users\\ada" }, ["npipe:////./pipe/docker_engine"]],
  ])("%s", (_name, env, host, expected) => {
    expect(uris(env, host)).toEqual(expected);
  });

  it("labels each candidate with the strategy that proposed it", () => {
    const sources = dockerCandidates({ DOCKER_HOST: "tcp://10.0.0.5:2375", XDG_RUNTIME_DIR: "/run/user/1000" }, linuxUser).map(
      (c) => c.source,
    );
    expect(sources.slice(0, 3)).toEqual(["DOCKER_HOST", "default socket", "rootless socket"]);
    expect(sources).toContain("Podman socket");
  });
});

describe("DOCKER_HOST", () => {
  it.each<[string, Env, unknown]>([
    ["unix socket", { DOCKER_HOST: "unix:///var/run/other.sock" }, { kind: "socket", path: "/var/run/other.sock" }],
    ["tcp without TLS", { DOCKER_HOST: "tcp://10.0.0.5:2375" }, { kind: "tcp", host: "10.0.0.5", port: 2375 }],
    ["tcp without a port", { DOCKER_HOST: "tcp://engine" }, { kind: "tcp", host: "engine", port: 2375 }],
    [
      "tcp with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH",
      { DOCKER_HOST: "tcp://engine:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" },
      { kind: "tcp", host: "engine", port: 2376, tls: { certDir: "/certs" } },
    ],
    [
      "TLS certificates default to ~/.docker",
      { DOCKER_HOST: "tcp://engine", DOCKER_TLS_VERIFY: "1" },
      { kind: "tcp", host: "engine", port: 2376, tls: { certDir: "/home/ada/.docker" } },
    ],
    ["DOCKER_TLS_VERIFY=0 means no TLS", { DOCKER_HOST: "tcp://engine:2375", DOCKER_TLS_VERIFY: "0" }, { kind: "tcp", host: "engine", port: 2375 }],
    ["ssh with user and port", { DOCKER_HOST: "ssh://ada@build-box:2222" }, { kind: "ssh", host: "build-box", port: 2222, username: "ada" }],
    ["ssh without user", { DOCKER_HOST: "ssh://build-box" }, { kind: "ssh", host: "build-box", port: 22 }],
  ])("%s", (_name, env, endpoint) => {
    expect(dockerHostStrategy(env, linuxUser)).toEqual({ source: "DOCKER_HOST", endpoint });
  });

  it.each<[string, Env]>([
    ["unset", {}],
    ["empty", { DOCKER_HOST: "" }],
  ])("does not apply when %s", (_name, env) => {
    expect(dockerHostStrategy(env, linuxUser)).toBeUndefined();
  });
});

describe("connectDocker without an engine", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "replay-connect-"));
  const notASocket = path.join(dir, "plain-file.sock");
  writeFileSync(notASocket, "");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const only =
    (...paths: string[]): DockerStrategy[] =>
      paths.map((p): DockerStrategy => () => ({ source: `test ${path.basename(p)}`, endpoint: { kind: "socket", path: p } }));

  it("lists every place it tried, with the reason, and says what to do", async () => {
    const error = await connectDocker({}, { strategies: only(path.join(dir, "missing.sock"), notASocket), host: linuxUser }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DockerUnavailableError);
    const unavailable = error as DockerUnavailableError;
    expect(unavailable.code).toBe("docker-unavailable");
    expect(unavailable.exitCode).toBe(2);
    expect(unavailable.tried).toEqual([
      `unix://${path.join(dir, "missing.sock")} (test missing.sock): no such socket`,
      `unix://${notASocket} (test plain-file.sock): exists but is not a socket`,
    ]);
    expect(unavailable.hint).toMatch(/start Docker/);
    expect(unavailable.hint).toMatch(/scripts\/ensure-docker\.sh/);
    expect(unavailable.hint).toMatch(/DOCKER_HOST/);
  });

  it("gives up on a socket that accepts but never answers, within the ping timeout", async () => {
    const socketPath = path.join(dir, "silent.sock");
    const server = net.createServer(() => {
      /* accept and say nothing */
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const started = Date.now();
      const error = await connectDocker({}, { strategies: only(socketPath), host: linuxUser, pingTimeoutMs: 200 }).catch(
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect((error as DockerUnavailableError).tried).toEqual([`unix://${socketPath} (test silent.sock): no answer within 200 ms`]);
    } finally {
      server.close();
    }
  });

  it("refuses a DOCKER_HOST it cannot read, naming it", async () => {
    const error = await connectDocker({ DOCKER_HOST: "gopher://engine" }, { host: linuxUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as DockerUnavailableError).tried[0]).toMatch(/DOCKER_HOST=gopher:\/\/engine/);
    expect((error as DockerUnavailableError).hint).toMatch(/DOCKER_HOST/);
  });

  it("says so when tcp is refused", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await connectDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }, { strategies: [dockerHostStrategy], host: linuxUser }).catch(
      (e: unknown) => e,
    );
    expect((error as DockerUnavailableError).tried).toEqual([
      `tcp://127.0.0.1:${port} (DOCKER_HOST): connection refused (is the engine running?)`,
    ]);
  });
});
