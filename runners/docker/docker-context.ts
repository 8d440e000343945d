import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

// Docker contexts as the docker CLI reads them: a name (the --context flag, then
// DOCKER_CONTEXT, then config.json's currentContext; DOCKER_HOST means the default
// context), whose endpoint lives in <config>/contexts/meta/<sha256 of the name>/meta.json
// and whose TLS files, if any, in <config>/contexts/tls/<sha256>/docker/.

/** A context other than `default`, resolved to its engine address. */
export interface DockerContextEndpoint {
  name: string;
  /** The endpoint's Host, as DOCKER_HOST would hold it (unix://, tcp://, ssh://). */
  host: string;
  /** The folder with ca.pem, cert.pem and key.pem when the context has TLS material. */
  tlsDir: string | undefined;
  /** Where the context was named, as the user would recognise it. */
  source: string;
}

export class DockerContextProblem extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

/** The docker CLI's config folder: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Env, homeDir: string): string {
  const dir = env["DOCKER_CONFIG"];
  return dir !== undefined && dir !== "" ? dir : path.join(homeDir, ".docker");
}

/**
 * The context a docker CLI would use, or undefined for the default one (which is
 * DOCKER_HOST or the default socket). REPLAY_DOCKER_CONTEXT carries replay's --context
 * flag, which wins over DOCKER_HOST as the CLI's flag does.
 */
export function resolveDockerContext(env: Env, homeDir: string): DockerContextEndpoint | undefined {
  const configDir = dockerConfigDir(env, homeDir);
  const named = contextName(env, configDir);
  if (named === undefined || named.name === "default") return undefined;
  const id = createHash("sha256").update(named.name).digest("hex");
  const metaFile = path.join(configDir, "contexts", "meta", id, "meta.json");
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(metaFile, "utf8"));
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new DockerContextProblem(
      missing
        ? `Docker context "${named.name}" (${named.source}) does not exist in ${path.join(configDir, "contexts")}`
        : `Docker context "${named.name}" (${named.source}): cannot read ${metaFile}`,
      { cause },
    );
  }
  const host = endpointHost(meta);
  if (host === undefined) throw new DockerContextProblem(`Docker context "${named.name}" (${named.source}) has no docker endpoint in ${metaFile}`);
  const tlsDir = path.join(configDir, "contexts", "tls", id, "docker");
  return { name: named.name, host, tlsDir: existsSync(path.join(tlsDir, "ca.pem")) ? tlsDir : undefined, source: named.source };
}

function contextName(env: Env, configDir: string): { name: string; source: string } | undefined {
  const flag = env["REPLAY_DOCKER_CONTEXT"];
  if (flag !== undefined && flag !== "") return { name: flag, source: "--context" };
  if ((env["DOCKER_HOST"] ?? "") !== "") return undefined;
  const fromEnv = env["DOCKER_CONTEXT"];
  if (fromEnv !== undefined && fromEnv !== "") return { name: fromEnv, source: "DOCKER_CONTEXT" };
  const configFile = path.join(configDir, "config.json");
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(configFile, "utf8"));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DockerContextProblem(`cannot read ${configFile}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const current = typeof config === "object" && config !== null ? (config as Record<string, unknown>)["currentContext"] : undefined;
  return typeof current === "string" && current !== "" ? { name: current, source: `currentContext in ${configFile}` } : undefined;
}

function endpointHost(meta: unknown): string | undefined {
  const endpoints = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)["Endpoints"] : undefined;
  const docker = typeof endpoints === "object" && endpoints !== null ? (endpoints as Record<string, unknown>)["docker"] : undefined;
  const host = typeof docker === "object" && docker !== null ? (docker as Record<string, unknown>)["Host"] : undefined;
  return typeof host === "string" && host !== "" ? host : undefined;
}
