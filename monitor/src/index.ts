/**
 * vigil-monitor: persists ChannelMonitors, watches the chain and enforces claims on-chain (see
 * DESIGN.md). This entry point starts a monitor in-process; the process is `vigil-monitor`
 * (cli.ts).
 */
export { type ChainConfig, type MonitorConfig, loadConfig, parseConfig } from './config.js';
export { type RunningMonitor, startMonitor } from './monitor.js';
export { enqueueEvent } from './store/event-outbox.js';
