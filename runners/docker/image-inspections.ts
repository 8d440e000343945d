import type Docker from "dockerode";
import { IMAGE_LABEL } from "./image-builder.js";

type ImageInfo = Awaited<ReturnType<ReturnType<Docker["getImage"]>["inspect"]>>;

/**
 * Every job asks for its image's env and user: one inspect per image per run, asked as
 * soon as the image is known to be here (answered while the run's records and services
 * are made).
 */
export class ImageInspections {
  private readonly asked = new Map<string, Promise<ImageInfo>>();

  constructor(private readonly docker: Docker) {}

  inspect = (image: string): Promise<ImageInfo> => {
    let p = this.asked.get(image);
    if (!p) {
      p = this.docker.getImage(image).inspect();
      p.catch(() => undefined);
      this.asked.set(image, p);
    }
    return p;
  };

  /** The image's own environment (its ENV lines). */
  env = async (image: string): Promise<Record<string, string>> => {
    const info = await this.inspect(image);
    return Object.fromEntries((info.Config?.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  };

  /** Who the job's steps run as: `runner` in replay's images, else the image's USER or root. */
  user = async (image: string): Promise<string> => {
    const info = await this.inspect(image);
    return info.Config?.Labels?.[IMAGE_LABEL] ? "runner" : info.Config?.User || "root";
  };
}
