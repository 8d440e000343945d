import type Docker from "dockerode";

// What Podman's Docker-compatible API does differently, asked of the engine once per client.

type Modem = Docker.Container["modem"];

function get<T>(modem: Modem, path: string): Promise<T> {
  return new Promise((resolve, reject) =>
    modem.dial({ path, method: "GET", statusCodes: { 200: true, 404: "not found", 500: "server error" } }, (error: unknown, answer: unknown) => (error ? reject(error as Error) : resolve(answer as T))),
  );
}

const podmanOf = new WeakMap<Modem, Promise<boolean>>();

/** Whether the engine is Podman (its /version lists a "Podman Engine" component). */
export function isPodman(modem: Modem): Promise<boolean> {
  let known = podmanOf.get(modem);
  if (known === undefined) {
    known = get<{ Components?: { Name?: string }[] }>(modem, "/version").then(
      (v) => (v.Components ?? []).some((c) => c.Name === "Podman Engine"),
      () => false,
    );
    podmanOf.set(modem, known);
  }
  return known;
}

/**
 * Podman runs healthchecks from systemd timers; where there is no systemd (containers, CI
 * machines, WSL) a container's health stays "starting" for ever. Its libpod API runs the
 * check on request, so on Podman a "starting" service is checked each time replay asks
 * (at replay's polling pace, not the check's interval). Docker runs its own checks: there
 * the status is returned as it is.
 */
export async function podmanHealthcheck(container: Docker.Container, status: string | undefined): Promise<string | undefined> {
  if (status !== "starting" || !(await isPodman(container.modem))) return status;
  try {
    return (await get<{ Status?: string }>(container.modem, `/v4.0.0/libpod/containers/${container.id}/healthcheck`)).Status ?? status;
  } catch {
    return status;
  }
}
