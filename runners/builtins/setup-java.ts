import type { BuiltinAction } from "../builtin-actions.js";
import type { StepHost } from "../job/step-host.js";
import type { RunStores } from "../services/index.js";
import { restoreToolchainCache, saveToolchainCache } from "./toolchain-cache.js";
import { ToolchainError, chooseVersion, isTrue, readWorkspaceFile, run, warnUnknownInputs } from "./toolchain-setup.js";
import type { ToolchainMismatch } from "./toolchain-setup.js";
import { javaAsk, javaVersionFile, toSemver } from "./toolchain-versions.js";
import type { VersionAsk } from "./toolchain-versions.js";

// actions/setup-java@v4 on the job image's JDKs (replay's java image: Debian's OpenJDK 17):
// the version asked is checked against them, JAVA_HOME, JAVA_HOME_<major>_X64 and PATH are
// set, `distribution`, `path` and `version` are the outputs, and `cache: maven|gradle|sbt`
// keeps their folders in the run's cache store. Every distribution is served by the
// image's OpenJDK build (the version is what a build sees; the vendor's patches are not).

const INPUTS = [
  "java-version", "java-version-file", "distribution", "java-package", "architecture", "jdkFile", "check-latest", "server-id", "server-username",
  "server-password", "settings-path", "overwrite-settings", "gpg-private-key", "gpg-passphrase", "cache", "cache-dependency-path", "job-status", "token",
  "mvn-toolchain-id", "mvn-toolchain-vendor",
];

// Inputs setup-java uses to write ~/.m2/settings.xml and toolchains.xml, which replay does not write.
const NOT_WRITTEN = ["server-id", "server-username", "server-password", "settings-path", "gpg-private-key", "gpg-passphrase", "mvn-toolchain-id", "mvn-toolchain-vendor"];

const CACHES: Record<string, { paths: string[]; patterns: string[] }> = {
  maven: { paths: [".m2/repository"], patterns: ["**/pom.xml"] },
  gradle: { paths: [".gradle/caches", ".gradle/wrapper"], patterns: ["**/*.gradle*", "**/gradle-wrapper.properties", "buildSrc/**/Versions.kt", "buildSrc/**/Dependencies.kt", "gradle/*.versions.toml", "**/versions.properties"] },
  sbt: { paths: [".ivy2/cache", ".sbt", ".cache/coursier"], patterns: ["**/*.sbt", "**/project/build.properties", "**/project/**.scala", "**/project/**.sbt"] },
};

async function versionAsk(host: StepHost): Promise<VersionAsk> {
  const direct = host.inputs["java-version"]?.trim() ?? "";
  const file = host.inputs["java-version-file"]?.trim() ?? "";
  if (direct) return javaAsk(direct.split("\n")[0] ?? direct);
  if (!file) throw new ToolchainError("java-version or java-version-file input expected");
  const text = await readWorkspaceFile(host, file);
  if (text === undefined) throw new ToolchainError(`The specified java version file at: ${file} does not exist`);
  const version = javaVersionFile(file, text);
  if (!version) throw new ToolchainError(`${file} names no Java version`);
  host.log(`Resolved java-version-file ${file} as ${version}`);
  return javaAsk(version);
}

/** The image's JDKs (not their symlinked aliases): version → JAVA_HOME. */
async function imageJdks(host: StepHost): Promise<Map<string, string>> {
  const r = await run(host, `for d in /usr/lib/jvm/*; do [ -L "$d" ] || [ ! -x "$d/bin/javac" ] || echo "$(sed -n 's/^JAVA_VERSION="\\(.*\\)"/\\1/p' "$d/release") $d"; done; true`);
  const jdks = new Map<string, string>();
  for (const line of r.out.split("\n")) {
    const [version, home] = line.trim().split(" ");
    if (version && home) jdks.set(version, home);
  }
  return jdks;
}

export const setupJava = (stores: RunStores, policy: ToolchainMismatch = "fail"): BuiltinAction => ({
  name: "actions/setup-java",
  async main(host) {
    warnUnknownInputs(host, "actions/setup-java", INPUTS);
    const given = NOT_WRITTEN.filter((k) => host.inputs[k]?.trim());
    if (given.length) host.warn(`replay's built-in setup-java does not write Maven's settings.xml or toolchains.xml: ${given.join(", ")} change nothing here`);
    try {
      const distribution = host.inputs["distribution"]?.trim();
      if (!distribution) throw new ToolchainError("Input required and not supplied: distribution");
      if (distribution === "jdkfile") throw new ToolchainError("distribution jdkfile (a JDK archive of your own) is not supported by replay's built-in setup-java");
      const pkg = host.inputs["java-package"]?.trim() || "jdk";
      if (pkg.includes("fx")) throw new ToolchainError(`java-package ${pkg}: the job's image has no JavaFX`);
      const arch = (await run(host, "uname -m")).out === "aarch64" ? "aarch64" : "x64";
      const wanted = host.inputs["architecture"]?.trim();
      if (wanted && wanted !== arch) host.warn(`architecture ${wanted} is not this job's (${arch}): replay uses the image's JDK`);
      if (isTrue(host.inputs["check-latest"])) host.warn("check-latest: replay cannot ask the distribution for its newest build; it takes the image's JDK");
      const ask = await versionAsk(host);
      const jdks = await imageJdks(host);
      const version = chooseVersion(host, { tool: "Java", ask, versions: [...jdks.keys()], policy, image: host.cell.image });
      const home = jdks.get(version) ?? "";
      host.log(`Java ${version} (${distribution} was asked for: the image's JDK is Debian's OpenJDK build${pkg === "jre" ? "; a JDK, which has the JRE" : ""}) @ ${home}`);
      const major = toSemver(version)?.split(".")[0] ?? version;
      host.exportVariable("JAVA_HOME", home);
      host.exportVariable(`JAVA_HOME_${major}_${arch.toUpperCase()}`, home);
      host.addPath(`${home}/bin`);
      host.setOutput("distribution", distribution);
      host.setOutput("path", home);
      host.setOutput("version", version);
      const shown = await run(host, `"${home}/bin/java" -version`);
      for (const line of shown.out.split("\n")) host.log(line);
      const cache = host.inputs["cache"]?.trim();
      if (!cache) return true;
      const spec = CACHES[cache];
      if (!spec) throw new ToolchainError(`unknown package manager specified: ${cache}`);
      const homeDir = (await run(host, 'echo "$HOME"')).out;
      const patterns = (host.inputs["cache-dependency-path"]?.trim() ? host.inputs["cache-dependency-path"].split("\n") : spec.patterns).map((l) => l.trim()).filter(Boolean);
      return await restoreToolchainCache(host, stores, {
        paths: spec.paths.map((p) => `${homeDir}/${p}`),
        keyPrefix: `setup-java-${host.env["RUNNER_OS"] || "Linux"}-${arch === "aarch64" ? "arm64" : "x64"}-${cache}`,
        dependencyFiles: patterns,
        missing: { level: "error", message: `No file in ${host.workspace} matched to [${patterns.join(",")}], make sure you have checked out the target repository` },
      });
    } catch (e) {
      host.log(`##[error]${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  },
  post: (host) => saveToolchainCache(host, stores),
});
