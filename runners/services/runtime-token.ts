import { createHmac } from "node:crypto";

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * ACTIONS_RUNTIME_TOKEN as the runner hands it out: a JWT whose `scp` claim names the
 * run's and job's results backend ids (@actions/artifact reads them from it). The
 * services accept exactly this token as Bearer; it is signed only to look like one.
 */
export function runtimeToken(secret: string, ids: { runBackendId: string; jobBackendId: string }, nowMs = Date.now()): string {
  const header = b64({ typ: "JWT", alg: "HS256" });
  const iat = Math.floor(nowMs / 1000);
  const payload = b64({
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${ids.runBackendId}:${ids.jobBackendId}`,
    iss: "replay",
    aud: "vso:replay",
    iat,
    nbf: iat,
    exp: iat + 24 * 60 * 60,
  });
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
