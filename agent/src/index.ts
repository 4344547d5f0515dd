/**
 * The agent's public API: what the pool and other packages may use. Everything else in
 * src/ is the agent's own and may change without notice.
 */
export { main } from './cli.ts';
export { AGENT_VERSION, AgentStartError, runAgent, type RunningAgent } from './agent.ts';
export { AgentConfigError, AgentConfigSchema, loadAgentConfig, type AgentConfig } from './config.ts';
export type { UploaderLog } from './upload/uploader.ts';
