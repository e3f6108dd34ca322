export { type FaultMode, type FaultProxy, startFaultProxy } from './startFaultProxy.js';
export { startUpstashLocalProcess, type UpstashLocalProcess } from './startUpstashLocalProcess.js';
