// Docker tests never skip: without an engine they fail here, once, with what was tried.
import { connectDocker } from "../runners/docker/connect-docker.js";
import { ReplayError } from "../common/index.js";

export default async function setup(): Promise<void> {
  try {
    await connectDocker();
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    throw new Error(`the docker tests need a Docker engine: ${error.message}\nhint: ${error.hint ?? ""}`, { cause: error });
  }
}
