import type { BuiltinAction } from "../builtin-actions.js";

/** The version `wasm-pack --version` prints ("wasm-pack 0.13.1"). */
export function wasmPackVersion(text: string): string | undefined {
  return /wasm-pack\s+v?(\d+\.\d+\.\d+\S*)/.exec(text)?.[1];
}

/**
 * jetli/wasm-pack-action downloads wasm-pack; in replay the job's image (images/wasm-pack)
 * has it already, so the built-in checks it is there and says which version the job gets.
 */
export const wasmPackAction: BuiltinAction = {
  name: "jetli/wasm-pack-action",
  async main(host) {
    const r = await host.exec(["bash", "-c", "wasm-pack --version 2>&1"], { quiet: true });
    const version = r.exitCode === 0 ? wasmPackVersion(r.stdout) : undefined;
    if (!version) {
      host.log(
        `##[error]jetli/wasm-pack-action: the job's image ${host.cell.image} has no wasm-pack (replay downloads nothing); run the job in replay's wasm-pack image with --image, or map it in .replay.yml`,
      );
      return false;
    }
    const asked = (host.inputs["version"] ?? "latest").trim().replace(/^v/, "");
    if (asked !== "" && asked !== "latest" && asked !== version) {
      host.log(`##[warning]jetli/wasm-pack-action: the workflow asks for wasm-pack ${asked}, but the job's image ${host.cell.image} has ${version}; replay uses the image's`);
    }
    host.log(`wasm-pack ${version} (from the job's image)`);
    return true;
  },
};
