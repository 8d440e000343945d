import type Docker from "dockerode";
import { ImageUnavailableError } from "../../common/index.js";

/**
 * Sends an image from one engine to another through their APIs (`docker save` on one,
 * `docker load` on the other), for an engine of a pool that lacks one of replay's images
 * another engine has: its content-hash tag says it is the same image. No registry and no
 * file on this machine in between: the archive streams from one connection to the other.
 */
export async function sendImage(from: Docker, to: Docker, tag: string): Promise<void> {
  const archive = await from.getImage(tag).get();
  const answer = await to.loadImage(archive, { quiet: true });
  // The engine answers with a JSON stream of progress, and errors in it.
  const text = await new Promise<string>((resolve, reject) => {
    let out = "";
    answer.setEncoding("utf8");
    answer.on("data", (d: string) => (out += d));
    answer.on("end", () => resolve(out));
    answer.on("error", reject);
  });
  const failed = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]+)"/.exec(text)?.[1];
  if (failed !== undefined) throw new ImageUnavailableError(`sending ${tag} to the engine failed: ${failed}`, { hint: "`replay doctor --engine …` says whether the engine answers and has room" });
}
