import type { NodeInstaller } from "../node-dist/index.js";
import type { ActionSource } from "./action-cache.js";
import type { ContainerActionRuntime } from "./container-action-runtime.js";

/**
 * What the job runner needs to run actions that are not built in. A file of its own so
 * that the job's StepHost contract can name it without importing what runs the actions.
 */
export interface ActionServices {
  /** Remote actions (`owner/repo@ref`): the cache, fetching unless --offline. */
  source?: ActionSource;
  /** Docker actions: building, finding and running their images. */
  containers?: ContainerActionRuntime;
  /** JavaScript actions whose `runs.using` Node the image lacks: it is installed into replay's tool cache. */
  nodeInstaller?: NodeInstaller;
}
