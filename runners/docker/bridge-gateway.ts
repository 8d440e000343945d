import type Docker from "dockerode";

/**
 * The host's address on Docker's default bridge (docker0, usually 172.17.0.1): the
 * address job containers reach the host at. Undefined when the engine has no such
 * bridge (rootless or desktop engines), where replay's services cannot be reached.
 */
export async function bridgeGateway(docker: Docker): Promise<string | undefined> {
  try {
    const net = (await docker.getNetwork("bridge").inspect()) as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
    for (const c of net.IPAM?.Config ?? []) {
      if (c.Gateway) return c.Gateway;
      // Older engines leave Gateway out for the default bridge: it is the subnet's first address.
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c.Subnet ?? "");
      if (m) {
        const ip = (((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0) & (~((1 << (32 - Number(m[5]))) - 1) >>> 0);
        const gw = (ip + 1) >>> 0;
        return [gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join(".");
      }
    }
  } catch {
    // no default bridge network
  }
  return undefined;
}
