import { ReplayError } from "../common/index.js";

type BuildImage = (name: "runner") => Promise<string>;

/**
 * Maps a job's `runs-on` labels to the image its container runs: `--image label=image`
 * first, then replay's runner image for Linux labels. Windows and macOS runners cannot
 * be replayed in a Linux container, and saying so beats pretending.
 */
export class ImageResolver {
  private readonly built = new Map<string, Promise<string>>();

  constructor(
    private readonly overrides: Record<string, string>,
    private readonly build: BuildImage,
  ) {}

  async imageFor(labels: string[]): Promise<string> {
    for (const l of labels) {
      const o = this.overrides[l];
      if (o) return o;
    }
    const nonLinux = labels.find((l) => /^(windows|macos)/i.test(l));
    if (nonLinux) {
      throw new ReplayError("image-unavailable", `runs-on '${nonLinux}': replay runs Linux jobs only`, {
        hint: `map it to a Linux image with --image ${nonLinux}=<image> if the job's steps can run there`,
        exitCode: 1,
      });
    }
    let p = this.built.get("runner");
    if (!p) {
      p = this.build("runner");
      this.built.set("runner", p);
    }
    return p;
  }
}
