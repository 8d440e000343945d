import type Docker from "dockerode";

/** What `replay doctor` says of the engine in use: /version, /info and a timed ping. */
export interface EngineFacts {
  /** "Docker", or "Podman" for Podman's Docker-compatible API. */
  product: string;
  version?: string;
  apiVersion?: string;
  os?: string;
  /** The engine's machine (/info Architecture: x86_64, aarch64), which its containers run on. */
  architecture?: string;
  rootDir?: string;
  /** One ping's round trip, through whatever carries the connection (socket, TCP, ssh). */
  pingMs: number;
}

export async function engineFacts(docker: Docker): Promise<EngineFacts> {
  const started = performance.now();
  await docker.ping();
  const pingMs = Math.round(performance.now() - started);
  const info = (await docker.info()) as { ServerVersion?: string; OperatingSystem?: string; DockerRootDir?: string; Architecture?: string };
  const version = (await docker.version()) as { Version?: string; ApiVersion?: string; Components?: { Name?: string; Version?: string }[] };
  const podman = version.Components?.find((c) => c.Name === "Podman Engine");
  const serverVersion = podman?.Version ?? info.ServerVersion ?? version.Version;
  return {
    product: podman ? "Podman" : "Docker",
    pingMs,
    ...(serverVersion ? { version: serverVersion } : {}),
    ...(version.ApiVersion ? { apiVersion: version.ApiVersion } : {}),
    ...(info.OperatingSystem ? { os: info.OperatingSystem } : {}),
    ...(info.Architecture ? { architecture: info.Architecture } : {}),
    ...(info.DockerRootDir ? { rootDir: info.DockerRootDir } : {}),
  };
}
