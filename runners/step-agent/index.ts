export { StepAgentHost, AGENT_SCRIPT, AGENT_SOCKET } from "./step-agent-host.js";
export type { AgentRequest } from "./step-agent-host.js";
