import type { BuiltinAction } from "../builtin-actions.js";
import { downloadArtifact, uploadArtifact } from "./artifacts.js";
import { checkout } from "./checkout.js";
import { setupNode } from "./setup-node.js";

export const BUILTIN_ACTIONS: readonly BuiltinAction[] = [checkout, setupNode, uploadArtifact, downloadArtifact];
