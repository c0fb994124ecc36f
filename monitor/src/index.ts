/**
 * vigil-monitor: persists ChannelMonitors, watches the chain and enforces claims on-chain.
 * See DESIGN.md; built from issue 5 on.
 */
export {};
