export { StepAgentHost, AGENT_SCRIPT, AGENT_SOCKET } from "./step-agent-host.js";
