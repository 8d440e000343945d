import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DockerContextProblem, resolveDockerContext } from "./docker-context.js";
import { dockerCandidates, endpointUri } from "./connect-docker.js";

const home = mkdtempSync(path.join(os.tmpdir(), "replay-context-home-"));
const configDir = path.join(home, ".docker");
const id = (name: string): string => createHash("sha256").update(name).digest("hex");

function addContext(name: string, host: string, tls = false): void {
  const meta = path.join(configDir, "contexts", "meta", id(name));
  mkdirSync(meta, { recursive: true });
  writeFileSync(path.join(meta, "meta.json"), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
  if (tls) {
    const dir = path.join(configDir, "contexts", "tls", id(name), "docker");
    mkdirSync(dir, { recursive: true });
    for (const f of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(path.join(dir, f), "");
  }
}

mkdirSync(configDir, { recursive: true });
writeFileSync(path.join(configDir, "config.json"), JSON.stringify({ currentContext: "box" }));
addContext("box", "ssh://ada@build-box");
addContext("other", "tcp://10.0.0.9:2376", true);
addContext("podman", "unix:///run/user/1000/podman/podman.sock");
afterAll(() => rmSync(home, { recursive: true, force: true }));

const host = { platform: "linux" as const, uid: 1000, homeDir: home };

describe("the Docker context, chosen as the docker CLI chooses it", () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ["config.json's currentContext", {}, "box"],
    ["DOCKER_CONTEXT over currentContext", { DOCKER_CONTEXT: "other" }, "other"],
    ["DOCKER_HOST means the default context", { DOCKER_HOST: "unix:///srv/docker.sock", DOCKER_CONTEXT: "other" }, undefined],
    ["the --context flag over DOCKER_HOST", { DOCKER_HOST: "unix:///srv/docker.sock", REPLAY_DOCKER_CONTEXT: "podman" }, "podman"],
    ["`default` is no context", { DOCKER_CONTEXT: "default" }, undefined],
  ])("%s", (_name, env, expected) => {
    expect(resolveDockerContext(env, home)?.name).toBe(expected);
  });

  it("finds no context without a config.json", () => {
    expect(resolveDockerContext({ DOCKER_CONFIG: path.join(home, "absent") }, home)).toBeUndefined();
  });

  it("names a context that does not exist, and where it was named", () => {
    expect(() => resolveDockerContext({ DOCKER_CONTEXT: "gone" }, home)).toThrow(DockerContextProblem);
    expect(() => resolveDockerContext({ DOCKER_CONTEXT: "gone" }, home)).toThrow(/"gone" \(DOCKER_CONTEXT\) does not exist/);
  });

  it("a context is the only candidate: no fall-back to other sockets", () => {
    expect(dockerCandidates({}, host).map((c) => [endpointUri(c.endpoint), c.source])).toEqual([["ssh://ada@build-box:22", "context box"]]);
  });

  it("takes TLS from the context's own files, on the TLS port", () => {
    expect(dockerCandidates({ DOCKER_CONTEXT: "other" }, host)[0]?.endpoint).toEqual({
      kind: "tcp",
      host: "10.0.0.9",
      port: 2376,
      tls: { certDir: path.join(configDir, "contexts", "tls", id("other"), "docker") },
    });
  });

  it("a Podman socket context", () => {
    expect(dockerCandidates({ DOCKER_CONTEXT: "podman" }, host)[0]?.endpoint).toEqual({ kind: "socket", path: "/run/user/1000/podman/podman.sock" });
  });
});
