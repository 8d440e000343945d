import type Docker from "dockerode";

/** The CPUs and memory of the Docker engine's machine (`docker info`), which the job containers share. */
export async function engineResources(docker: Docker): Promise<{ cpus: number; memoryBytes: number }> {
  const info = (await docker.info()) as { NCPU?: number; MemTotal?: number };
  return { cpus: info.NCPU ?? 1, memoryBytes: info.MemTotal ?? 0 };
}
