import os from "node:os";
import path from "node:path";

/** `$XDG_CACHE_HOME/replay/<sub>`, else `~/.cache/replay/<sub>`: where replay keeps what it can make again. */
export function replayCacheDir(sub: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env["XDG_CACHE_HOME"] || path.join(env["HOME"] || os.homedir(), ".cache");
  return path.join(base, "replay", sub);
}
